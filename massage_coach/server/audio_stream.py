"""The hands-free widget's audio endpoint: a WebSocket beside the widget host.

A browser in hands-free mode streams its microphone as 16 kHz mono 16-bit PCM (binary
messages) and says in text messages where its user is (`{"step": 3, "question_open": false}`;
`"step": null` when no routine runs). Turns are recognised by the voice client's recogniser
(massage_coach/server/recognition.py): when speech begins the server says `{"voice": true}` (the
widget stops speaking: barge-in), and a command comes back as `{"request": "/next_step",
"heard": "next step"}`, which the widget sends into its own conversation, so answers arrive on
its socket.io session as usual; a command that would lose the user's place and was not heard
surely comes as `{"confirm": "/go_to_step{\"number\": 9}", "question": "Did you say go to step
9?"}`, for the widget to ask first. A speech setting changes this stream's speech and comes as
`{"setting": "slower", "say": "Slower.", "rate": 0.848, "volume": 1.0}` (rate and volume for the
browser's own voice). Talk gets nothing else back.

With server-rendered speech the widget sends each answer's `speech` as `{"say": TEXT, "id": N}`
and gets it back sentence by sentence as binary messages (speech_audio.py: id, rate, PCM);
`{"quiet": true}` drops what is still to be said.

A page with server-rendered speech also names its conversation (`{"session": ID}`); when the audio
server knows Rasa's REST URL it then sends a recognised request to Rasa itself (answering.py), says
the answer (its audio comes first, with a new id) and hands the page the answer's messages to render:
`{"request": "/next_step", "heard": "next step", "answer": [...], "id": 7}`. Without a session,
a Rasa it cannot reach, or a yes/no to the page's own "Did you say ...?", the page gets the plain
request and sends it itself.

Privacy and limits: audio is only held in memory until its turn is recognised, never
stored or logged; only pages from CORS_ORIGINS may connect (HTTP 403 otherwise); at most
`max_streams` streams at once (close code 1013 "try again later") and `max_stream_s`
seconds per stream (close code 1008).
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from websockets.exceptions import ConnectionClosed
from websockets.legacy.server import WebSocketServer, WebSocketServerProtocol, serve
from websockets.typing import Origin

from massage_coach.clients.voice.audio import RATE
from massage_coach.clients.voice.speaker import SpeechSettings
from massage_coach.server.answering import RasaAnswers, spoken_form
from massage_coach.server.recognition import RecognitionPool, lower_this_threads_priority
from massage_coach.server.speech_audio import SpeechRenderer, audio_message

MAX_STREAMS = 8
MAX_STREAM_S = 2 * 60 * 60  # a long routine with breaks
MAX_MESSAGE_BYTES = 64 * 1024  # a browser sends ~0.02 s (640 B) at a time
# The answer's messages wait for its first audio (so the page plays it before rendering them), not longer.
FIRST_AUDIO_WAIT_S = 1.0
YES_NO = ("/affirm", "/deny")


@dataclass
class AudioServer:
    port: int
    loop: asyncio.AbstractEventLoop
    server: WebSocketServer
    pool: RecognitionPool
    speech: SpeechRenderer
    owns_parts: bool
    rasa: Optional[RasaAnswers]

    def shutdown(self) -> None:
        async def close() -> None:
            self.server.close()
            await self.server.wait_closed()
            if self.rasa:
                await self.rasa.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self.owns_parts:
            self.pool.shutdown()
            self.speech.close()


@dataclass
class Speaking:
    """One stream's answers to be said, in order; `quiet` drops them (barge-in, a new request).
    "Slower", "louder" ... change this stream's `settings` only."""
    queue: "asyncio.Queue[tuple]" = field(default_factory=asyncio.Queue)  # (id, text, first audio sent)
    quiet_through: int = 0  # ids up to this one are no longer wanted
    last_id: int = 0  # the page's ids and the server's own (its answers) share one count, from 1
    settings: SpeechSettings = field(default_factory=SpeechSettings)

    def quiet(self) -> None:
        self.quiet_through = self.last_id

    def say(self, speech_id: int, text: str) -> asyncio.Event:
        self.last_id = max(self.last_id, speech_id)
        first_audio = asyncio.Event()
        self.queue.put_nowait((speech_id, text, first_audio))
        return first_audio


@dataclass
class Conversation:
    """The page's conversation, to which the audio server sends recognised requests itself."""
    session: Optional[str] = None
    confirming: bool = False  # the page asked "Did you say ...?": its yes or no is the page's to send
    turns: asyncio.Lock = field(default_factory=asyncio.Lock)  # one request at a time, in order

    def update(self, settings: Dict[str, Any]) -> None:
        if "session" in settings:
            session = settings["session"]
            self.session = session if isinstance(session, str) and session.strip() else None
        if settings.get("question_open") is False:
            self.confirming = False


class Streams:
    def __init__(self, pool: RecognitionPool, speech: SpeechRenderer, max_streams: int, max_stream_s: float,
                 rasa: Optional[RasaAnswers] = None) -> None:
        self.pool, self.speech, self.rasa = pool, speech, rasa
        self.max_streams, self.max_stream_s = max_streams, max_stream_s
        self.open = 0

    async def handle(self, ws: WebSocketServerProtocol, path: str = "/") -> None:
        if self.open >= self.max_streams:
            await ws.close(1013, "too many hands-free sessions: try again later")
            return
        self.open += 1
        stream = self.pool.open()
        speaking = Speaking()
        speaker = asyncio.ensure_future(self._speak(ws, speaking))
        answers: List[asyncio.Future] = []
        feeding: List[asyncio.Future] = []
        try:
            await self._stream(ws, stream, speaking, Conversation(), answers, feeding)
        except ConnectionClosed:
            pass  # the page went away (switched off, closed) while a command was on its way
        finally:
            speaker.cancel()
            for answer in answers:
                answer.cancel()
            # The audio being fed is in a recognition thread: done before its listener is closed.
            await asyncio.gather(*feeding, return_exceptions=True)
            self.open -= 1
            await self.pool.close(stream)

    async def _stream(self, ws: WebSocketServerProtocol, stream: int, speaking: Speaking,
                      conversation: Conversation, answers: List[asyncio.Future], feeding: List[asyncio.Future]) -> None:
        received = 0
        # Audio that comes while the audio before it is being fed waits here and is fed with the rest:
        # one thread hand-off for all of it, so a stream that fell behind (a turn's decoding) catches up.
        pending = bytearray()

        async def feed() -> None:
            while pending:
                audio = bytes(pending)
                pending.clear()
                for event in await self.pool.feed(stream, audio):
                    await self._tell(ws, event, speaking, conversation, answers)

        async for message in ws:
            if isinstance(message, str):
                try:
                    settings: Dict[str, Any] = json.loads(message)
                    if not isinstance(settings, dict):
                        raise ValueError("not an object")
                    self.pool.update(stream, settings)
                    conversation.update(settings)
                    if settings.get("quiet"):
                        speaking.quiet()
                    if isinstance(settings.get("say"), str) and isinstance(settings.get("id"), int):
                        speaking.say(settings["id"], settings["say"])
                except (ValueError, AttributeError):
                    await ws.close(1003, "expected JSON settings or 16-bit PCM audio")
                    return
                continue
            received += len(message) // 2
            if received > self.max_stream_s * RATE:
                await ws.close(1008, "hands-free stream too long")
                return
            pending += message[: len(message) // 2 * 2]
            if not feeding or feeding[0].done():
                if feeding:
                    feeding.pop().result()  # a failure of the feeding is the stream's
                feeding.append(asyncio.ensure_future(feed()))

    async def _tell(self, ws: WebSocketServerProtocol, event: Dict[str, Any], speaking: Speaking,
                    conversation: Conversation, answers: List[asyncio.Future]) -> None:
        """Acts on a recognition event and tells the page (a request: see the module's doc)."""
        if event.get("voice"):
            speaking.quiet()
        if "setting" in event:
            event = setting_event(event, speaking.settings)
        if "confirm" in event:
            conversation.confirming = True
        if "request" in event and self.rasa and conversation.session and not (
                conversation.confirming and event["request"] in YES_NO):
            answers[:] = [answer for answer in answers if not answer.done()]
            answers.append(asyncio.ensure_future(self._answer(ws, speaking, conversation, conversation.session, event)))
            return
        if "request" in event:
            conversation.confirming = False
        await ws.send(json.dumps(event))

    async def _answer(self, ws: WebSocketServerProtocol, speaking: Speaking, conversation: Conversation,
                      session: str, event: Dict[str, Any]) -> None:
        """Sends a recognised request to Rasa, says the answer and then hands the page its messages."""
        async with conversation.turns:
            conversation.confirming = False
            messages = await self.rasa.ask(session, event["request"]) if self.rasa else None
            if messages is None:
                await ws.send(json.dumps(event))
                return
            speech = spoken_form(messages)
            speech_id = None
            if speech:
                speaking.quiet()  # a new request: what was still to be said of the last answer is not wanted
                speech_id = speaking.last_id + 1
                first_audio = speaking.say(speech_id, speech)
                try:
                    await asyncio.wait_for(first_audio.wait(), FIRST_AUDIO_WAIT_S)
                except asyncio.TimeoutError:
                    pass  # the page shows the answer anyway
            await ws.send(json.dumps({**event, "answer": messages, "id": speech_id}))

    async def _speak(self, ws: WebSocketServerProtocol, speaking: Speaking) -> None:
        while True:
            speech_id, text, first_audio = await speaking.queue.get()
            try:
                async for samples, rate in self.speech.render(text, speaking.settings):
                    if speech_id <= speaking.quiet_through:
                        break
                    await ws.send(audio_message(speech_id, samples, rate))
                    first_audio.set()
            except ConnectionClosed:
                return
            finally:
                first_audio.set()


def setting_event(event: Dict[str, Any], settings: SpeechSettings) -> Dict[str, Any]:
    """A spoken speech setting applied to the stream's `settings`; the page is told what to say
    back ("Slower.") and the new rate and volume, relative to the defaults, for the browser's own
    voice (data-speech="browser")."""
    say = settings.apply(event["setting"])
    return {**event, "say": say, "rate": round(settings.rate / SpeechSettings().rate, 3), "volume": settings.volume}


def start_audio_server(port: int, origins: Sequence[str], host: str = "127.0.0.1", transcribers: int = 1,
                       max_streams: int = MAX_STREAMS, max_stream_s: float = MAX_STREAM_S,
                       pool: Optional[RecognitionPool] = None, speech: Optional[SpeechRenderer] = None,
                       rasa_url: str = "") -> AudioServer:
    """Serves the audio WebSocket on host:port (0: any free port) in a daemon thread, recognising
    with `pool` and speaking with `speech` (shared, e.g. by tests), or parts of its own
    (`transcribers` Whisper processes). With `rasa_url` (Rasa's REST webhook) it sends the requests
    of pages that name their conversation to Rasa itself."""
    owns_parts = pool is None
    if (pool is None) != (speech is None):
        raise ValueError("pass both a recogniser pool and a speech renderer, or neither")
    pool = pool or RecognitionPool(transcribers, max_streams)
    speech = speech or SpeechRenderer()
    rasa = RasaAnswers(rasa_url) if rasa_url else None
    streams = Streams(pool, speech, max_streams, max_stream_s, rasa)
    loop = asyncio.new_event_loop()

    # No CORS_ORIGINS: no page may stream (only clients that send no Origin, such as scripts).
    allowed: List[Optional[Origin]] = [Origin(origin) for origin in origins] if origins else [None]

    async def listen() -> WebSocketServer:
        # No per-message deflate: PCM audio hardly compresses, and deflating each 20 ms message
        # (both ways) was ~13 % of the server's event loop with 4 streams.
        return await serve(streams.handle, host, port, origins=allowed, max_size=MAX_MESSAGE_BYTES,
                           compression=None)

    def serve_streams() -> None:
        # The streams' work (~30 ms of CPU a second each, measured) yields to chat as the recogniser does.
        lower_this_threads_priority()
        loop.run_forever()

    # The loop runs in its own thread from the start: the caller may be inside a loop of its own.
    threading.Thread(target=serve_streams, name="audio-server", daemon=True).start()
    try:
        server = asyncio.run_coroutine_threadsafe(listen(), loop).result(timeout=30)
    except OSError:
        loop.call_soon_threadsafe(loop.stop)
        if owns_parts:
            pool.shutdown()
            speech.close()
        raise
    bound = list(server.sockets)[0].getsockname()[1]
    return AudioServer(bound, loop, server, pool, speech, owns_parts, rasa)
