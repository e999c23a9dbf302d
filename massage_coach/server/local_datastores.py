"""Throwaway PostgreSQL and Redis servers on loopback, for the scaled profile's tests,
the benchmark, and trying `make serve-scaled` on one machine:

    python -m massage_coach.server.local_datastores      # prints the settings, Ctrl-C removes both

They come from the Debian packages postgresql and redis-server (system-packages.txt), keep
their data in a temporary directory and need a password, generated per run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional

from massage_coach.server.launcher import ServerError
from massage_coach.server.scaled import Datastores
from massage_coach.settings import HOST

DATABASE = "massage_coach"
USER = "massage_coach"
# initdb and postgres refuse to run as root; as root we run them as this Debian user.
POSTGRES_SYSTEM_USER = "postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def postgres_bin_dir() -> Path:
    """Debian keeps the server programs off PATH, under /usr/lib/postgresql/<version>/bin."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1].parent
    found = shutil.which("postgres")
    if found:
        return Path(found).resolve().parent
    raise ServerError("PostgreSQL's server programs are missing: install the Debian package postgresql "
                      "(`make setup` does, from system-packages.txt)")


def wait_for_port(port: int, process: subprocess.Popen, name: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{name} exited at start; see {log}")
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    raise ServerError(f"{name} did not listen on {HOST}:{port} in time; see {log}")


class LocalPostgres:
    """A fresh PostgreSQL cluster with one database and one password-protected user."""

    def __init__(self, port: Optional[int] = None, durable: bool = True) -> None:
        self.port = port or free_port()
        self.password = secrets.token_hex(16)
        # Without fsync a test run is faster; the benchmark keeps PostgreSQL's default.
        self.durable = durable
        self.directory = Path(tempfile.mkdtemp(prefix="massage-coach-postgres-"))
        self.process: Optional[subprocess.Popen] = None

    def _as_postgres_user(self, command: List[str]) -> List[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", POSTGRES_SYSTEM_USER, "--", *command]
        return command

    def start(self) -> "LocalPostgres":
        binaries = postgres_bin_dir()
        data, log = self.directory / "data", self.directory / "postgres.log"
        password_file = self.directory / "password"
        password_file.write_text(self.password)
        if os.geteuid() == 0:
            shutil.chown(self.directory, POSTGRES_SYSTEM_USER)
            shutil.chown(password_file, POSTGRES_SYSTEM_USER)
        subprocess.run(self._as_postgres_user([
            str(binaries / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={password_file}",
            "--auth=scram-sha-256", "--encoding=UTF8", "--no-sync",
        ]), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        password_file.unlink()
        settings = ["-c", f"listen_addresses={HOST}", "-p", str(self.port), "-k", str(self.directory)]
        if not self.durable:
            settings += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        with open(log, "ab") as log_file:
            if os.geteuid() == 0:
                shutil.chown(log, POSTGRES_SYSTEM_USER)
            self.process = subprocess.Popen(
                self._as_postgres_user([str(binaries / "postgres"), "-D", str(data), *settings]),
                stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, self.process, "PostgreSQL", log)
        self._create_database()
        return self

    def _create_database(self) -> None:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:  # the port opens a moment before the server accepts logins
            try:
                connection = psycopg2.connect(host=HOST, port=self.port, dbname="postgres", user=USER,
                                              password=self.password, connect_timeout=3)
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        connection.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            # SIGINT is PostgreSQL's "fast" shutdown; runuser passes it on.
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


class LocalRedis:
    """A Redis server that keeps nothing on disk and needs a password."""

    def __init__(self, port: Optional[int] = None) -> None:
        self.port = port or free_port()
        self.password = secrets.token_hex(16)
        self.directory = Path(tempfile.mkdtemp(prefix="massage-coach-redis-"))
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "LocalRedis":
        executable = shutil.which("redis-server")
        if not executable:
            raise ServerError("redis-server is missing: install the Debian package redis-server "
                              "(`make setup` does, from system-packages.txt)")
        config = self.directory / "redis.conf"  # the password stays off the command line
        config.write_text(f"port {self.port}\nbind {HOST}\nsave \"\"\nappendonly no\n"
                          f"dir {self.directory}\nrequirepass {self.password}\n")
        log = self.directory / "redis.log"
        with open(log, "ab") as log_file:
            self.process = subprocess.Popen([executable, str(config)], stdout=log_file,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, self.process, "Redis", log)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


class LocalDatastores:
    """Both servers, and the settings the scaled profile needs to reach them."""

    def __init__(self, durable: bool = True) -> None:
        self.postgres = LocalPostgres(durable=durable)
        self.redis = LocalRedis()

    @property
    def settings(self) -> Datastores:
        return Datastores(postgres_port=self.postgres.port, postgres_db=DATABASE, postgres_user=USER,
                          postgres_password=self.postgres.password, redis_port=self.redis.port,
                          redis_password=self.redis.password)

    def start(self) -> "LocalDatastores":
        try:
            self.postgres.start()
            self.redis.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.redis.stop()
        self.postgres.stop()

    def __enter__(self) -> "LocalDatastores":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def main() -> int:
    with LocalDatastores() as datastores:
        print("PostgreSQL and Redis are up. For `make serve-scaled` in another shell:")
        for name, value in datastores.settings.environment().items():
            print(f"export {name}={value}")
        print("Ctrl-C stops both and deletes their data.", flush=True)
        try:
            signal.signal(signal.SIGTERM, signal.default_int_handler)
            while all(server.process and server.process.poll() is None
                      for server in (datastores.postgres, datastores.redis)):
                time.sleep(0.5)
            return 1
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
