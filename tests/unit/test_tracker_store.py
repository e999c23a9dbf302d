"""The WAL tracker store (massage_coach/server/tracker_store.py) on a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from massage_coach.server import tracker_store
from massage_coach.server.tracker_store import WalSQLTrackerStore


def driver_connection(store: SQLTrackerStore) -> object:
    with store.session_scope() as session:
        return session.connection().connection.dbapi_connection


def test_a_kept_connection_writes_ahead_and_rasa_reads_what_it_saved(tmp_path):
    db = str(tmp_path / "conversations.db")
    store = WalSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=db)
    asyncio.run(store.save(DialogueStateTracker.from_events("someone", [UserUttered("repeat step 3")])))
    first = driver_connection(store)  # held, so a new connection could not take its place
    assert driver_connection(store) is first  # not reopened for every session
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone() == ("wal",)
    with store.session_scope() as session:  # a sync at checkpoints only
        assert session.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    # Rasa's own store on the same file (a restarted server of the default kind) reads it back.
    restored = asyncio.run(SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=db).retrieve("someone"))
    assert restored is not None and restored.latest_message.text == "repeat step 3"


def stored_rows(db: str, sender: str) -> list:
    query = "SELECT type_name FROM events WHERE sender_id = ? ORDER BY id"
    return [name for (name,) in sqlite3.connect(db).execute(query, (sender,))]


def turn(store: SQLTrackerStore, sender: str, *events) -> DialogueStateTracker:
    """One turn as Rasa's processor takes it: retrieve (or a new tracker), add events, save."""
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, store.domain.slots)
    for event in events:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    return tracker


def test_turns_read_from_memory_store_and_read_back_exactly_as_rasas_own_store(tmp_path):
    db = str(tmp_path / "conversations.db")
    domain = Domain.from_dict({"slots": {"step": {"type": "any", "mappings": [{"type": "custom"}]}}})
    store = WalSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    turn(store, "someone", SessionStarted(), UserUttered("next"), SlotSet("step", 2))
    turn(store, "someone", UserUttered("next"), SlotSet("step", 3))
    turn(store, "someone", SessionStarted(), UserUttered("hello"))  # a new session: Rasa reads it alone
    last = turn(store, "someone", UserUttered("repeat"), SlotSet("step", 1))
    assert stored_rows(db, "someone") == ["session_started", "user", "slot", "user", "slot",
                                          "session_started", "user", "user", "slot"]  # each event once
    from_memory = asyncio.run(store.retrieve("someone"))
    from_file = asyncio.run(SQLTrackerStore(domain=domain, dialect="sqlite", db=db).retrieve("someone"))
    assert from_memory is not None and from_file is not None
    assert list(from_memory.events) == list(from_file.events) == list(last.events)  # the new session only
    assert [event.type_name for event in last.events] == ["session_started", "user", "user", "slot"]
    assert from_memory.get_slot("step") == from_file.get_slot("step") == 1
    from_memory.update(UserUttered("not saved"))  # a turn that fails before saving leaves no trace
    assert asyncio.run(store.retrieve("someone")).latest_message.text == "repeat"


def test_a_conversation_no_longer_in_memory_is_read_from_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tracker_store, "RECENT_CONVERSATIONS", 2)
    db = str(tmp_path / "conversations.db")
    store = WalSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=db)
    for sender in ("first", "second", "third"):
        turn(store, sender, UserUttered(f"hello from {sender}"))
    turn(store, "first", UserUttered("again"))  # read back from the file, then saved after it
    assert stored_rows(db, "first") == ["user", "user"]
    assert [event.text for event in asyncio.run(store.retrieve("first")).events] == ["hello from first", "again"]
