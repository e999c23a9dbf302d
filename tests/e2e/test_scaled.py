"""The scaled profile against real PostgreSQL and Redis servers: two Rasa servers share
conversations, a restart or a crash of one loses nothing, missing stores are named."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import psycopg2
import pytest
from rasa.utils.endpoints import EndpointConfig

from massage_coach.clients.assistant import post_message
from massage_coach.domain.content import load_content
from massage_coach.server.launcher import DEFAULT_MODEL
from massage_coach.server.local_datastores import LocalDatastores
from massage_coach.server.lock_store import ConcurrentRedisLockStore
from massage_coach.server.scaled import ScaledServers
from massage_coach.settings import PROJECT_DIR
from tests.support.assistant import PAYLOAD_VALIDATOR, free_port

CONTENT = load_content()
RELAXING_STEPS = len(CONTENT.routines["relaxing"]["steps"])


@pytest.fixture(scope="session")
def datastores() -> LocalDatastores:
    stores = LocalDatastores(durable=False).start()
    yield stores
    stores.stop()


@pytest.fixture(scope="session")
def scaled(datastores, tmp_path_factory) -> ScaledServers:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run the tests with `make test`")
    servers = ScaledServers(datastores.settings, rasa_ports=[free_port(), free_port()], actions_port=free_port(),
                            log_dir=tmp_path_factory.mktemp("scaled-logs"), api_token=secrets.token_hex(16))
    servers.start()
    yield servers
    servers.stop()


def payloads(url: str, sender: str, message: str) -> List[Dict]:
    customs = [reply["custom"] for reply in post_message(url, sender, message) if "custom" in reply]
    for custom in customs:
        PAYLOAD_VALIDATOR.validate(custom)
    return customs


def step(url: str, sender: str, message: str) -> int:
    [answer] = payloads(url, sender, message)
    assert answer["type"] == "step", answer
    return answer["step"]


def start_relaxing(url: str, sender: str) -> None:
    assert payloads(url, sender, "start the relaxing massage")[0]["type"] == "screening"


def stored_user_messages(datastores: LocalDatastores, sender: str) -> List[str]:
    """What PostgreSQL holds for the conversation: its user messages, in order."""
    settings = datastores.settings
    with psycopg2.connect(host=settings.postgres_host, port=settings.postgres_port, dbname=settings.postgres_db,
                          user=settings.postgres_user, password=settings.postgres_password) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id",
                           (sender,))
            return [json.loads(data)["text"] for (data,) in cursor.fetchall()]


def test_a_routine_alternating_between_two_servers(scaled, datastores):
    sender = f"test-{uuid.uuid4().hex}"
    first, second = scaled.rest_urls
    start_relaxing(first, sender)
    turns = [(second, "none of those")] + [((first, second)[n % 2], "next") for n in range(1, RELAXING_STEPS)]
    steps = [step(url, sender, message) for url, message in turns]
    assert steps == list(range(1, RELAXING_STEPS + 1))
    assert payloads(first if RELAXING_STEPS % 2 else second, sender, "next")[0]["type"] == "routine_done"
    assert stored_user_messages(datastores, sender) == (
        ["start the relaxing massage"] + [message for _, message in turns] + ["next"])


def test_simultaneous_turns_of_one_conversation_take_turns(scaled):
    """The Redis lock: two servers never handle the same conversation at once."""
    sender = f"test-{uuid.uuid4().hex}"
    first, second = scaled.rest_urls
    start_relaxing(first, sender)
    assert step(second, sender, "none of those") == 1
    urls = [first, second] * 3
    with ThreadPoolExecutor(len(urls)) as pool:
        steps = list(pool.map(lambda url: step(url, sender, "next"), urls))
    assert sorted(steps) == list(range(2, 2 + len(urls)))
    assert step(first, sender, "repeat") == 1 + len(urls)


def test_lock_stores_of_many_servers_never_hand_out_a_ticket_twice(datastores):
    settings = datastores.settings
    config = EndpointConfig(url=settings.redis_host, port=settings.redis_port, db=settings.redis_db,
                            password=settings.redis_password, key_prefix="locktest")
    servers = [ConcurrentRedisLockStore(config) for _ in range(8)]  # each its own connection
    conversation = f"test-{uuid.uuid4().hex}"
    with ThreadPoolExecutor(len(servers)) as pool:
        tickets = list(pool.map(lambda store: [store.issue_ticket(conversation) for _ in range(25)], servers))
    issued = [ticket for batch in tickets for ticket in batch]
    assert sorted(issued) == list(range(len(issued)))

    for ticket in issued:
        servers[ticket % len(servers)].cleanup(conversation, ticket)
    assert servers[0].get_lock(conversation) is None


def test_a_restarted_rasa_server_resumes_at_the_same_step(scaled):
    sender = f"test-{uuid.uuid4().hex}"
    node, other = scaled.nodes
    start_relaxing(node.rest_url, sender)
    assert step(node.rest_url, sender, "none of those") == 1
    assert step(node.rest_url, sender, "next") == 2

    node.stop_one("rasa")
    assert step(other.rest_url, sender, "next") == 3  # the other server takes over
    node.start_rasa()
    node.wait_rasa()
    assert step(node.rest_url, sender, "repeat") == 3
    assert step(node.rest_url, sender, "next") == 4


def test_the_http_api_needs_the_token(scaled):
    for node in scaled.nodes:
        url = f"{node.base_url}/conversations/someone/tracker"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)
        assert refused.value.code in (401, 403)
        with urllib.request.urlopen(f"{url}?token={node.api_token}", timeout=10) as response:
            assert response.status == 200


def listening_addresses(port: int) -> set:
    """The local addresses of the TCP sockets listening on `port` (from /proc/net/tcp*)."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                addresses.add(address)
    return addresses


def test_every_server_listens_on_loopback_only(scaled, datastores):
    loopback = {"0100007F"}  # 127.0.0.1 as /proc/net/tcp writes it
    ports = [scaled.actions.actions_port, datastores.postgres.port, datastores.redis.port,
             *(node.rasa_port for node in scaled.nodes)]
    for port in ports:
        assert listening_addresses(port) == loopback, port


def launch(settings: Dict[str, str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, RASA_PORT=str(free_port()), ACTIONS_PORT=str(free_port()), RASA_SERVERS="1", **settings)
    return subprocess.run([sys.executable, "-m", "massage_coach.server.scaled"], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("variable, store", [("POSTGRES_PORT", "PostgreSQL (the tracker store)"),
                                             ("REDIS_PORT", "Redis (the lock store)")])
def test_an_unreachable_store_is_named_at_start(datastores, variable, store):
    port = free_port()
    launched = launch({**datastores.settings.environment(), variable: str(port)})
    assert launched.returncode == 1
    assert f"{store} is not usable at 127.0.0.1:{port}" in launched.stderr
    assert variable in launched.stderr and "Traceback" not in launched.stderr


def test_a_wrong_database_password_is_named_at_start(datastores):
    launched = launch({**datastores.settings.environment(), "POSTGRES_PASSWORD": "not-the-password"})
    assert launched.returncode == 1
    assert "PostgreSQL (the tracker store) is not usable" in launched.stderr
    assert "password authentication failed" in launched.stderr
