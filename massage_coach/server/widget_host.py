"""Serves the website widget (widget/widget.js) and its demo page on loopback.

`make serve` runs it next to the Rasa server (WIDGET_PORT, 8080 by default); the browser
tests run one on a free port. The demo page gets the Rasa server's address filled in,
so it works whatever port Rasa listens on.
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from massage_coach.server.widget_build import WIDGET_DIR, build_widget

DEMO_PAGES = ("/", "/index.html")


class WidgetHandler(SimpleHTTPRequestHandler):
    rasa_url = ""
    audio_url = ""  # the hands-free audio WebSocket; "" lets the widget use its default

    def do_GET(self) -> None:
        if self.path.split("?")[0] not in DEMO_PAGES:
            return super().do_GET()
        text = (WIDGET_DIR / "index.html").read_text()
        page = text.replace("{{RASA_URL}}", self.rasa_url).replace("{{AUDIO_URL}}", self.audio_url).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def end_headers(self) -> None:
        # A site owner who updates widget.js should not have visitors stuck on an old copy.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the servers' own output


def start_widget_server(port: int, rasa_url: str, host: str = "127.0.0.1", audio_url: str = "") -> ThreadingHTTPServer:
    """Serves widget/ on host:port in a daemon thread; call .shutdown() to stop it.

    Raises OSError when the port is taken.
    """
    build_widget()
    handler = type("DemoHandler", (WidgetHandler,), {"rasa_url": rasa_url, "audio_url": audio_url})
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(WIDGET_DIR)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="widget-server", daemon=True).start()
    return server
