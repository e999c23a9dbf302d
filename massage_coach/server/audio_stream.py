"""The hands-free widget's audio endpoint: a WebSocket beside the widget host.

A browser in hands-free mode streams its microphone as 16 kHz mono 16-bit PCM (binary
messages) and says in text messages whether a question is open (`{"question_open": true}`).
Each turn of speech (massage_coach.clients.voice.audio's Segmenter) goes to the recogniser pool;
a command comes back as `{"request": "/next_step"}`, which the widget sends into its own
conversation, so answers arrive on its socket.io session as usual. Talk gets nothing back.

Privacy and limits: audio is only held in memory until its turn is recognised, never
stored or logged; only pages from CORS_ORIGINS may connect (HTTP 403 otherwise); at most
`max_streams` streams at once (close code 1013 "try again later") and `max_stream_s`
seconds per stream (close code 1008).
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np
from websockets.legacy.server import WebSocketServer, WebSocketServerProtocol, serve
from websockets.typing import Origin

from massage_coach.clients.voice.audio import RATE, Segmenter
from massage_coach.server.recognition import RecognitionPool

MAX_STREAMS = 8
MAX_STREAM_S = 2 * 60 * 60  # a long routine with breaks
MAX_MESSAGE_BYTES = 64 * 1024  # a browser sends ~0.1 s (3.2 kB) at a time
# A turn longer than any command (talk, narration) is not sent to the recogniser at all.
MAX_COMMAND_S = 3.0


@dataclass
class AudioServer:
    port: int
    loop: asyncio.AbstractEventLoop
    server: WebSocketServer
    pool: RecognitionPool
    owns_pool: bool

    def shutdown(self) -> None:
        async def close() -> None:
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self.owns_pool:
            self.pool.shutdown()


class Streams:
    def __init__(self, pool: RecognitionPool, max_streams: int, max_stream_s: float) -> None:
        self.pool, self.max_streams, self.max_stream_s = pool, max_streams, max_stream_s
        self.open = 0

    async def handle(self, ws: WebSocketServerProtocol, path: str = "/") -> None:
        if self.open >= self.max_streams:
            await ws.close(1013, "too many hands-free sessions: try again later")
            return
        self.open += 1
        try:
            await self._stream(ws)
        finally:
            self.open -= 1

    async def _stream(self, ws: WebSocketServerProtocol) -> None:
        segmenter = Segmenter()
        question_open = False
        received = 0
        async for message in ws:
            if isinstance(message, str):
                try:
                    question_open = bool(json.loads(message).get("question_open"))
                except (ValueError, AttributeError):
                    await ws.close(1003, "expected JSON settings or 16-bit PCM audio")
                    return
                continue
            received += len(message) // 2
            if received > self.max_stream_s * RATE:
                await ws.close(1008, "hands-free stream too long")
                return
            samples = np.frombuffer(message[: len(message) // 2 * 2], dtype="<i2").astype(np.int16)
            for segment in segmenter.feed(samples):
                if len(segment.samples) > MAX_COMMAND_S * RATE:
                    continue
                typed = await self.pool.recognise(segment.samples, question_open)
                if typed:
                    await ws.send(json.dumps({"request": typed}))


def start_audio_server(port: int, origins: Sequence[str], host: str = "127.0.0.1", workers: int = 1,
                       max_streams: int = MAX_STREAMS, max_stream_s: float = MAX_STREAM_S,
                       pool: Optional[RecognitionPool] = None) -> AudioServer:
    """Serves the audio WebSocket on host:port (0: any free port) in a daemon thread, recognising
    with `pool` (shared, e.g. by tests) or a pool of its own with `workers` processes."""
    owns_pool = pool is None
    pool = pool or RecognitionPool(workers)
    streams = Streams(pool, max_streams, max_stream_s)
    loop = asyncio.new_event_loop()

    # No CORS_ORIGINS: no page may stream (only clients that send no Origin, such as scripts).
    allowed: List[Optional[Origin]] = [Origin(origin) for origin in origins] if origins else [None]

    async def listen() -> WebSocketServer:
        return await serve(streams.handle, host, port, origins=allowed, max_size=MAX_MESSAGE_BYTES)

    # The loop runs in its own thread from the start: the caller may be inside a loop of its own.
    threading.Thread(target=loop.run_forever, name="audio-server", daemon=True).start()
    try:
        server = asyncio.run_coroutine_threadsafe(listen(), loop).result(timeout=30)
    except OSError:
        loop.call_soon_threadsafe(loop.stop)
        if owns_pool:
            pool.shutdown()
        raise
    bound = list(server.sockets)[0].getsockname()[1]
    return AudioServer(bound, loop, server, pool, owns_pool)
