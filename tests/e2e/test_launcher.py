"""The launcher behind `make serve` / `make run`, and the terminal chat, as a person uses them."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from massage_coach.settings import PROJECT_DIR
from tests.support.assistant import free_port


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_terminal_chat_shows_the_verdict_then_the_answer(servers):
    chat = subprocess.run(
        [sys.executable, "-c", f"from massage_coach.clients.terminal import chat; chat({servers.rest_url!r})"],
        input="can I massage my pregnant wife?\nhello\n2\n/quit\n", capture_output=True, text=True,
        timeout=60, cwd=PROJECT_DIR,
    )
    out = chat.stdout
    assert out.index("[Don't massage]") < out.index("Please don't massage")
    assert "  2. Back zones" in out
    # "2" picks the second button: the back zones overview.
    assert "divide the back into three zones" in out


def test_serve_stops_both_servers_on_sigterm(tmp_path):
    rasa_port, actions_port, widget_port = free_port(), free_port(), free_port()
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTIONS_PORT=str(actions_port), WIDGET_PORT=str(widget_port),
               TRACKER_DB=str(tmp_path / "conversations.db"))
    serve = subprocess.Popen([sys.executable, "-m", "massage_coach.server.launcher"], cwd=PROJECT_DIR, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            lines.append(serve.stdout.readline())
            if lines[-1].startswith("Ready") or serve.poll() is not None:
                break
        assert lines[-1].startswith("Ready"), lines
        assert port_open(rasa_port) and port_open(actions_port)
        with urllib.request.urlopen(f"http://127.0.0.1:{widget_port}/", timeout=5) as demo:
            assert f'data-server="http://127.0.0.1:{rasa_port}"' in demo.read().decode()

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        assert not port_open(rasa_port) and not port_open(actions_port) and not port_open(widget_port)
    finally:
        if serve.poll() is None:
            serve.kill()


def test_serve_refuses_a_port_in_use(servers):
    env = dict(os.environ, RASA_PORT=str(free_port()), ACTIONS_PORT=str(servers.actions_port),
               WIDGET_PORT=str(free_port()))
    serve = subprocess.run([sys.executable, "-m", "massage_coach.server.launcher"], cwd=PROJECT_DIR, env=env,
                           capture_output=True, text=True, timeout=60)
    assert serve.returncode == 1
    assert f"port {servers.actions_port} for the action server is already in use" in serve.stderr

    env.update(ACTIONS_PORT=str(free_port()), WIDGET_PORT=str(servers.rasa_port))
    serve = subprocess.run([sys.executable, "-m", "massage_coach.server.launcher"], cwd=PROJECT_DIR, env=env,
                           capture_output=True, text=True, timeout=60)
    assert serve.returncode == 1
    assert f"port {servers.rasa_port} for the widget is not available" in serve.stderr
