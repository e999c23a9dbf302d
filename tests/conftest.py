"""Shared fixtures: one real action server + Rasa server pair for the whole test session."""

from __future__ import annotations

import secrets

import pytest

from massage_coach.server.launcher import DEFAULT_MODEL, Servers
from tests.support.assistant import BROWSER_ORIGINS, Conversation, free_port

pytest_plugins = ["tests.support.hands_free"]  # the hands-free recogniser pool and audio server


@pytest.fixture(scope="session")
def servers(tmp_path_factory) -> Servers:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run the tests with `make test`")
    work = tmp_path_factory.mktemp("servers")
    pair = Servers(
        rasa_port=free_port(),
        actions_port=free_port(),
        tracker_db=work / "conversations.db",
        log_dir=work / "log",
        api_token=secrets.token_hex(16),
        cors_origins=BROWSER_ORIGINS,
    )
    pair.start()
    yield pair
    pair.stop()


@pytest.fixture
def conversation(servers) -> Conversation:
    return Conversation(servers)
