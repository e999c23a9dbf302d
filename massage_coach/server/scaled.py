"""The scaled profile: N Rasa servers on a PostgreSQL tracker store and a Redis lock store,
beside one action server; used by `make serve-scaled`, its tests and the benchmark.

    python -m massage_coach.server.scaled

Every Rasa server answers any conversation: the conversation lives in PostgreSQL and the
Redis lock lets one server at a time handle its turns, so a load balancer may spread
requests over the servers freely. Settings come from the environment:
RASA_SERVERS (2; ports RASA_PORT, RASA_PORT+1, ...), RASA_PORT (5005), ACTIONS_PORT (5055),
POSTGRES_HOST (127.0.0.1), POSTGRES_PORT (5432), POSTGRES_DB (massage_coach),
POSTGRES_USER (massage_coach), POSTGRES_PASSWORD, REDIS_HOST (127.0.0.1), REDIS_PORT (6379),
REDIS_DB (1), REDIS_PASSWORD, plus MODEL, CORS_ORIGINS and RASA_API_TOKEN as for `make serve`.
Before starting anything it checks that the database and Redis answer.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import Any, Dict, List, Mapping, Optional, Sequence

import psycopg2
import redis

from massage_coach.server.launcher import DEFAULT_MODEL, ServerError, Servers, stop_on_signals, supervise
from massage_coach.settings import HOST, PROJECT_DIR, SettingError, number, settings

ENDPOINTS = "endpoints.scaled.yml"
CONNECT_TIMEOUT_S = 3


@dataclass(frozen=True)
class Datastores:
    """Where the tracker store (PostgreSQL) and the lock store (Redis) are."""

    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_db: str = "massage_coach"
    postgres_user: str = "massage_coach"
    postgres_password: str = ""
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 1
    redis_password: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Datastores":
        defaults = cls()
        settings: Dict[str, Any] = {}
        for field in cls.__dataclass_fields__:
            default = getattr(defaults, field)
            settings[field] = (number(environ, field.upper(), default) if isinstance(default, int)
                               else environ.get(field.upper(), default))
        return cls(**settings)

    def environment(self) -> Dict[str, str]:
        """The variables endpoints.scaled.yml reads."""
        return {field.upper(): str(getattr(self, field)) for field in self.__dataclass_fields__}

    def check_postgres(self) -> None:
        try:
            psycopg2.connect(host=self.postgres_host, port=self.postgres_port, dbname=self.postgres_db,
                             user=self.postgres_user, password=self.postgres_password,
                             connect_timeout=CONNECT_TIMEOUT_S).close()
        except psycopg2.Error as error:
            reason = (str(error).strip() or type(error).__name__).splitlines()[0]
            raise ServerError(
                f"PostgreSQL (the tracker store) is not usable at {self.postgres_host}:{self.postgres_port}, "
                f"database {self.postgres_db!r}, user {self.postgres_user!r}: {reason}. Start it, or set "
                f"POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB, POSTGRES_USER and POSTGRES_PASSWORD") from None

    def check_redis(self) -> None:
        client = redis.Redis(host=self.redis_host, port=self.redis_port, db=self.redis_db,
                             password=self.redis_password or None, socket_connect_timeout=CONNECT_TIMEOUT_S,
                             socket_timeout=CONNECT_TIMEOUT_S)
        try:
            client.ping()
        except redis.RedisError as error:
            raise ServerError(
                f"Redis (the lock store) is not usable at {self.redis_host}:{self.redis_port}, "
                f"db {self.redis_db}: {error}. Start it, or set REDIS_HOST, REDIS_PORT, REDIS_DB and "
                f"REDIS_PASSWORD") from None
        finally:
            client.close()


class ScaledServers:
    """One action server and a Rasa server on each of `rasa_ports`, all on loopback."""

    def __init__(
        self,
        datastores: Datastores,
        rasa_ports: Sequence[int] = (5005, 5006),
        actions_port: int = 5055,
        model: Path = DEFAULT_MODEL,
        log_dir: Path = PROJECT_DIR / "var" / "log",
        cors_origins: Optional[List[str]] = None,
        api_token: Optional[str] = None,
    ) -> None:
        if not rasa_ports:
            raise ServerError("RASA_SERVERS must be at least 1")
        self.datastores = datastores
        self.log_dir = Path(log_dir)
        # One launcher per Rasa server; the first one also runs the action server.
        self.nodes = [
            Servers(model=model, rasa_port=port, actions_port=actions_port,
                    log_dir=Path(log_dir) / f"rasa-{port}", cors_origins=cors_origins,
                    api_token=api_token, endpoints=ENDPOINTS, extra_env=datastores.environment())
            for port in rasa_ports
        ]

    @property
    def actions(self) -> Servers:
        return self.nodes[0]

    @property
    def rest_urls(self) -> List[str]:
        return [node.rest_url for node in self.nodes]

    def processes(self) -> Dict[str, Popen]:
        """Every child process, by a name a person can find in the logs."""
        named = {"actions": self.actions.processes.get("actions")}
        named.update({f"rasa-{node.rasa_port}": node.processes.get("rasa") for node in self.nodes})
        return {name: process for name, process in named.items() if process is not None}

    def start(self) -> "ScaledServers":
        # Rasa would wait forever for a database that is not there; say so at once instead.
        self.datastores.check_postgres()
        self.datastores.check_redis()
        try:
            self.actions.start_actions()
            for node in self.nodes:
                node.start_rasa()
            self.actions.wait_actions()
            for node in self.nodes:
                node.wait_rasa()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for node in self.nodes:
            node.stop_one("rasa")
        self.actions.stop_one("actions")

    def __enter__(self) -> "ScaledServers":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def main() -> int:
    try:
        config = settings()
        scaled = ScaledServers(
            Datastores.from_environment(),
            rasa_ports=[config.rasa_port + index for index in range(number(os.environ, "RASA_SERVERS", 2))],
            actions_port=config.actions_port,
            model=config.model,
            cors_origins=list(config.cors_origins),
            api_token=config.api_token,
        )
    except (ServerError, SettingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    stop_requested = stop_on_signals()
    store = scaled.datastores
    try:
        print(f"Starting the action server on {HOST}:{scaled.actions.actions_port} and {len(scaled.nodes)} Rasa "
              f"servers on PostgreSQL {store.postgres_host}:{store.postgres_port} and Redis "
              f"{store.redis_host}:{store.redis_port}...", flush=True)
        scaled.start()
        print("Ready: REST " + ", ".join(scaled.rest_urls) + " (spread requests over them)", flush=True)
        return supervise(scaled.processes, stop_requested, scaled.log_dir)
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        scaled.stop()


if __name__ == "__main__":
    sys.exit(main())
