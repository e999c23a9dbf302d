"""Rasa's SQL tracker store on SQLite in write-ahead-log mode, its connection kept between turns.

Rasa Open Source 3.6 commits a conversation's new events on every turn. In SQLite's default
rollback-journal mode each commit syncs the database file and its journal; in WAL mode with
synchronous=NORMAL a commit appends to the log and syncs only at checkpoints. A WAL database
survives a crash of the server process; only a power loss may lose the last turns.

Rasa opens SQLite through SQLAlchemy's NullPool: a new connection for every session, and in WAL
mode the last connection to close checkpoints the log and deletes it, which costs more than the
journal saves. So this store keeps its connection open (a QueuePool). Rasa's sessions are
synchronous (no await inside one): a connection is never used by two coroutines at once, and
`check_same_thread` is off only because the pool may hand it to another thread.

Measured on the 2-core VM, a turn's retrieve and save (15-turn conversations, interleaved runs,
load 2): p50 7.0 -> 5.1 ms, p95 11.8 -> 7.4 ms against Rasa's `type: SQL`.

On SQLite the store also keeps the events of its most recent conversations in memory (their
current session, as Rasa reads it back) and the number of them it has stored, so a turn neither
reads, decodes and re-creates every event of its conversation (Rasa's `Event.resolve_by_type` for
each) nor counts the stored ones before saving: ~9 ms of a ~45 ms turn at p50 (scripts/bench.py's
conversations, a py-spy profile of the Rasa server). This holds because one Rasa server owns a
SQLite file (the default profile; the scaled one shares PostgreSQL and is left as Rasa made it).

endpoints.yml names it: `tracker_store: type: massage_coach.server.tracker_store.WalSQLTrackerStore`,
with the same keys as `type: SQL`. Other dialects (PostgreSQL, which pools already) are left as they are.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any, Iterator, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

# Conversations whose events stay in memory (~100 events, a few hundred kB, each).
RECENT_CONVERSATIONS = 256


def write_ahead_log(connection: Any, _record: Any) -> None:
    """On every new SQLite connection: the log, and a sync at checkpoints only."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def current_session(events: List[Event]) -> List[Event]:
    """The events from the latest session start on: what Rasa's store reads back for a turn."""
    starts = [index for index, event in enumerate(events) if isinstance(event, SessionStarted)]
    return events[starts[-1]:] if starts else events


class WalSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # creates the tables
        rasa_engine: sa.engine.Engine = vars(self)["engine"]  # (Rasa sets it untyped)
        # Sender -> its current session's events as stored (SQLite only, see the module's doc).
        self._recent: Optional["OrderedDict[Text, List[Event]]"] = None
        if rasa_engine.dialect.name == "sqlite":
            self._recent = OrderedDict()
            rasa_engine.dispose()
            self.engine = sa.create_engine(rasa_engine.url, poolclass=QueuePool, pool_size=1,
                                           connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", write_ahead_log)
            self.sessionmaker = sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        recent = self._recent
        events = recent.get(sender_id) if recent is not None and self.domain else None
        if recent is None or events is None:
            tracker = await super().retrieve(sender_id)
            if tracker is not None:
                self._remember(tracker)
            return tracker
        recent.move_to_end(sender_id)
        # A new tracker on the same events (Rasa's events are never changed once made).
        return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        self._remember(tracker)

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator:
        stored = self._recent.get(tracker.sender_id) if self._recent is not None else None
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, len(stored), len(tracker.events))

    def _remember(self, tracker: DialogueStateTracker) -> None:
        if self._recent is None:
            return
        self._recent[tracker.sender_id] = current_session(list(tracker.events))
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > RECENT_CONVERSATIONS:
            self._recent.popitem(last=False)
