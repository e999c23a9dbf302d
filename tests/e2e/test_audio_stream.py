"""The hands-free audio endpoint (massage_coach/server/audio_stream.py) with the real recogniser pool."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatusCode
from websockets.legacy.client import WebSocketClientProtocol, connect
from websockets.typing import Origin

from massage_coach.clients.voice.audio import RATE, silence, to_recogniser_rate
from massage_coach.clients.voice.recognizer import Recognition
from massage_coach.server.audio_stream import start_audio_server
from massage_coach.server.recognition import StreamRecognition, _typed
from massage_coach.server.speech_audio import HEADER
from tests.support.assistant import BROWSER_ORIGINS
from tests.support.hands_free import spoken

ALLOWED = Origin(BROWSER_ORIGINS[0])
CHUNK = RATE // 50  # what a browser sends at a time: 0.02 s


async def stream(ws: WebSocketClientProtocol, samples: np.ndarray) -> None:
    for start in range(0, len(samples), CHUNK):
        await ws.send(samples[start:start + CHUNK].astype("<i2").tobytes())


async def events_until_request(ws: WebSocketClientProtocol) -> list:
    """The text messages up to and including the next recognised command."""
    events = [json.loads(await asyncio.wait_for(ws.recv(), 30))]
    while "request" not in events[-1]:
        events.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
    return events


def test_a_spoken_command_comes_back_typed_and_talk_gets_nothing(audio_server):
    async def talk() -> list:
        async with connect(f"ws://127.0.0.1:{audio_server.port}/audio", origin=ALLOWED) as ws:
            await ws.send(json.dumps({"question_open": False}))
            await stream(ws, spoken("she was saying that the weather is lovely today"))
            await stream(ws, spoken("next step", voice="en-us+f3"))
            first = await events_until_request(ws)
            await ws.send(json.dumps({"question_open": True}))
            await stream(ws, spoken("yes"))
            second = await events_until_request(ws)
            return [first, second]

    first, second = asyncio.run(talk())
    # Each turn's start is reported at once (the widget stops speaking); of the talk and the command,
    # only the command comes back as a request.
    assert first[0] == {"voice": True} and [e for e in first if e != {"voice": True}] == [{"request": "/next_step"}]
    assert second == [{"voice": True}, {"request": "/affirm"}]


def test_speech_is_rendered_by_the_servers_tts_sentence_by_sentence(audio_server):
    """The answer's speech comes back as audio, one message per sentence, and is real speech:
    said back to the server's own recogniser, it is heard as the command it says."""
    async def say_and_listen() -> tuple:
        async with connect(f"ws://127.0.0.1:{audio_server.port}/audio", origin=ALLOWED) as ws:
            await ws.send(json.dumps({"say": "Next step. Go back.", "id": 7}))
            sentences = [await asyncio.wait_for(ws.recv(), 30) for _ in range(2)]
            heard = []
            for message in sentences:
                speech_id, rate = HEADER.unpack(message[:HEADER.size])
                samples = to_recogniser_rate(np.frombuffer(message[HEADER.size:], dtype="<i2"), rate)
                await stream(ws, np.concatenate([silence(0.5), samples, silence(1.0)]))
                heard.append((speech_id, [e for e in await events_until_request(ws) if "request" in e]))
            return heard

    assert asyncio.run(say_and_listen()) == [(7, [{"request": "/next_step"}]), (7, [{"request": "/previous_step"}])]


def test_pages_from_other_origins_cannot_stream(audio_server):
    async def other_site() -> None:
        async with connect(f"ws://127.0.0.1:{audio_server.port}/audio", origin=Origin("http://evil.example")):
            pass

    with pytest.raises(InvalidStatusCode) as refused:
        asyncio.run(other_site())
    assert refused.value.status_code == 403


def test_streams_are_limited_in_number_and_length(recognition_pool, speech_renderer):
    server = start_audio_server(0, BROWSER_ORIGINS, pool=recognition_pool, speech=speech_renderer,
                                max_streams=1, max_stream_s=1)
    url = f"ws://127.0.0.1:{server.port}/audio"

    async def two_at_once() -> tuple:
        async with connect(url, origin=ALLOWED) as first:
            await first.send(json.dumps({"question_open": False}))
            async with connect(url, origin=ALLOWED) as second:
                with pytest.raises(ConnectionClosed) as busy:
                    await asyncio.wait_for(second.recv(), 10)
            await stream(first, np.zeros(int(1.5 * RATE), dtype=np.int16))
            with pytest.raises(ConnectionClosed) as too_long:
                await asyncio.wait_for(first.recv(), 10)
            return busy.value.rcvd.code, too_long.value.rcvd.code

    try:
        assert asyncio.run(two_at_once()) == (1013, 1008)
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def one_decoder_recognition() -> StreamRecognition:
    """What a recogniser worker runs, here in the test's process, with one streaming decoder."""
    return StreamRecognition(streaming_decoders=1)


def test_two_streams_speaking_at_once_share_one_streaming_decoder(one_decoder_recognition):
    """Of two commands said at the same time on two streams, one is decoded while spoken (the worker's only
    streaming decoder), the other whole when it ends (through `recognise`, the plug-in interface): both heard."""
    recognition = one_decoder_recognition
    first, second = spoken("go back"), spoken("next step", voice="en-us+f3")
    length = max(len(first), len(second))
    first, second = (np.concatenate([take, np.zeros(length - len(take), dtype=np.int16)]) for take in (first, second))
    heard: dict = {1: [], 2: []}
    streamed = set()
    for start in range(0, length, CHUNK):
        for stream, take in ((1, first), (2, second)):
            heard[stream] += recognition.feed(stream, take[start:start + CHUNK].tobytes(), False)
            streamed |= {stream} if recognition.turns[stream].decoder is not None else set()
    assert streamed == {1}
    assert heard[1] == [{"voice": True}, {"request": "/previous_step"}]
    assert heard[2] == [{"voice": True}, {"request": "/next_step"}]
    assert len(recognition.decoders) == 1  # lent back


def test_stop_only_pauses_a_routine(one_decoder_recognition):
    """"stop" and "stop the massage" are also examples of stop_routine, but a mishearing (noise makes
    "stop the massage" of "go back") must not end the routine: heard, they pause it."""
    grammar = one_decoder_recognition.decoders[0].grammar
    for phrase in ("stop", "stop the massage", "end the massage"):
        assert _typed(Recognition(phrase, grammar.phrases[phrase], phrase, 0.0), grammar) == "/pause_routine"
