"""Starts the action server and the Rasa server, waits until both answer, stops both.

Used by `make serve` / `make run`, by the end-to-end tests (one pair per test session)
and by the benchmark, so all of them run the assistant the same way.

    python -m massage_coach.server.launcher [--chat]

Ports and files come from massage_coach.settings: RASA_PORT (5005), ACTIONS_PORT (5055),
TRACKER_DB (var/conversations.db), CORS_ORIGINS (the widget's origins), MODEL,
RASA_API_TOKEN (opens Rasa's HTTP API behind that token; without it the API stays closed)
WIDGET_PORT (8080: the website widget and its demo page, without --chat) and AUDIO_PORT
(8081: the widget's hands-free audio WebSocket, without --chat).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from massage_coach.clients.assistant import answers
from massage_coach.server.audio_stream import AudioServer, start_audio_server
from massage_coach.server.widget_host import start_widget_server
from massage_coach.settings import HOST, PROJECT_DIR, SettingError, Settings, settings

DEFAULT_MODEL = Settings().model


class ServerError(RuntimeError):
    """A server did not come up; the message points at its log."""


class Servers:
    """An action server and a Rasa server on loopback, as child processes."""

    def __init__(
        self,
        model: Path = DEFAULT_MODEL,
        rasa_port: int = 5005,
        actions_port: int = 5055,
        tracker_db: Path = PROJECT_DIR / "var" / "conversations.db",
        log_dir: Path = PROJECT_DIR / "var" / "log",
        cors_origins: Optional[List[str]] = None,
        api_token: Optional[str] = None,
        endpoints: str = "endpoints.yml",
        extra_env: Optional[Dict[str, str]] = None,
    ) -> None:
        self.model = Path(model)
        self.rasa_port = rasa_port
        self.actions_port = actions_port
        self.tracker_db = Path(tracker_db)
        self.log_dir = Path(log_dir)
        self.cors_origins = cors_origins or []
        # Rasa's HTTP API (trackers, events) is only ever opened behind this token.
        self.api_token = api_token
        # Another profile (massage_coach/server/scaled.py) swaps the stores and passes their settings.
        self.endpoints = endpoints
        self.extra_env = extra_env or {}
        self.processes: Dict[str, subprocess.Popen] = {}

    @property
    def rest_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}/webhooks/rest/webhook"

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}"

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(PROJECT_DIR),
            ACTIONS_PORT=str(self.actions_port),
            TRACKER_DB=str(self.tracker_db),
            CORS_ORIGINS=" ".join(self.cors_origins),  # the socket.io channel checks browsers' Origin
            SANIC_HOST=HOST,  # the action server listens on loopback only
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        env.update(self.extra_env)
        return env

    @staticmethod
    def _ensure_port_free(port: int, name: str, variable: str) -> None:
        # Otherwise a server left running would answer the health check in the new one's place.
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                raise ServerError(f"port {port} for the {name} server is already in use "
                                  f"(another Massage Coach still running?); stop it or set {variable}")

    def _spawn(self, name: str, command: List[str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_actions(self) -> None:
        self._ensure_port_free(self.actions_port, "action", "ACTIONS_PORT")
        self._spawn("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                "--port", str(self.actions_port)])

    def start_rasa(self) -> None:
        if not self.model.exists():
            raise ServerError(f"no trained model at {self.model}: run `make train` first")
        self._ensure_port_free(self.rasa_port, "Rasa", "RASA_PORT")
        self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "massage_coach.server.rasa_entry", "run", "--model", str(self.model),
            "--endpoints", self.endpoints, "--credentials", "credentials.yml",
            "--interface", HOST, "--port", str(self.rasa_port),
        ]
        if self.cors_origins:
            command += ["--cors", *self.cors_origins]
        if self.api_token:
            command += ["--enable-api", "--auth-token", self.api_token]
        self._spawn("rasa", command)

    def _wait(self, name: str, ready, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise ServerError(f"the {name} server exited; see {self.log_dir / (name + '.log')}")
            try:
                if ready():
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise ServerError(f"the {name} server did not answer in time; see {self.log_dir / (name + '.log')}")

    def wait_actions(self, timeout: float = 60) -> None:
        url = f"http://{HOST}:{self.actions_port}/health"
        self._wait("actions", lambda: urllib.request.urlopen(url, timeout=2).status == 200,
                   time.monotonic() + timeout)

    def wait_rasa(self, timeout: float = 180) -> None:
        # The model is loaded when a real turn gets an answer.
        self._wait("rasa", lambda: answers(self.rest_url),
                   time.monotonic() + timeout)

    def start(self) -> "Servers":
        self.start_actions()
        self.start_rasa()
        self.wait_actions()
        self.wait_rasa()
        return self

    def stop_one(self, name: str, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        for name in ("rasa", "actions"):
            self.stop_one(name)

    def __enter__(self) -> "Servers":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def stop_on_signals() -> Callable[[], bool]:
    """SIGTERM and SIGINT (Ctrl-C) ask for a clean stop; returns whether one was asked for."""
    requested: List[int] = []

    def request_stop(signum, frame) -> None:
        requested.append(signum)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return lambda: bool(requested)


def supervise(processes: Callable[[], Dict[str, subprocess.Popen]], stop_requested: Callable[[], bool],
              log_dir: Path) -> int:
    """Keeps the servers running until a stop is asked for (0) or one of them dies (1)."""
    while not stop_requested():
        for name, process in processes().items():
            if process.poll() is not None:
                print(f"The {name} server stopped unexpectedly; see the logs in {log_dir}", file=sys.stderr)
                return 1
        time.sleep(0.5)
    print("Stopping...", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chat", action="store_true", help="open a terminal chat once the servers are up")
    args = parser.parse_args()

    try:
        config = settings()
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    servers = Servers(
        model=config.model, rasa_port=config.rasa_port, actions_port=config.actions_port,
        tracker_db=config.tracker_db, cors_origins=list(config.cors_origins), api_token=config.api_token,
    )
    stop_requested = stop_on_signals()
    widget = None
    audio = None
    try:
        print(f"Starting the action server on {HOST}:{servers.actions_port} and Rasa on {HOST}:{servers.rasa_port}...",
              flush=True)
        if not args.chat:
            audio = start_audio(config.audio_port, config.cors_origins, servers.rest_url)
            widget = start_widget(config.widget_port, servers.base_url,
                                  f"ws://{HOST}:{audio.port}/audio" if audio else "")
        servers.start()
        print(f"Ready: REST {servers.rest_url}, socket.io {servers.base_url}/socket.io", flush=True)
        if widget:
            print(f"Website widget: http://{HOST}:{widget.server_port}/widget.js, demo page http://{HOST}:{widget.server_port}/",
                  flush=True)
        if args.chat:
            from massage_coach.clients.terminal import chat

            chat(servers.rest_url)
            return 0
        return supervise(lambda: servers.processes, stop_requested, servers.log_dir)
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if widget:
            widget.shutdown()
        if audio:
            audio.shutdown()
        servers.stop()


def start_audio(port: int, origins: Sequence[str], rasa_url: str) -> Optional[AudioServer]:
    """The widget's hands-free endpoint; chat goes on without it if its recogniser cannot start."""
    try:
        return start_audio_server(port, origins, rasa_url=rasa_url)
    except OSError as error:
        raise ServerError(f"port {port} for hands-free audio is not available ({error.strerror}); set AUDIO_PORT") \
            from error
    except Exception as error:  # the recogniser's native code or model: chat must not depend on it
        print(f"warning: hands-free audio is off, its recogniser did not start ({error})", file=sys.stderr)
        return None


def start_widget(port: int, rasa_url: str, audio_url: str = "") -> ThreadingHTTPServer:
    try:
        return start_widget_server(port, rasa_url, audio_url=audio_url)
    except OSError as error:
        raise ServerError(f"port {port} for the widget is not available ({error.strerror}); set WIDGET_PORT") from error


if __name__ == "__main__":
    sys.exit(main())
