"""The WAL tracker store (massage_coach/server/tracker_store.py) on a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

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
