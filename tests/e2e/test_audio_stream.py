"""The hands-free audio endpoint (massage_coach/server/audio_stream.py) with the real recogniser pool."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import uuid

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatusCode
from websockets.legacy.client import WebSocketClientProtocol, connect
from websockets.typing import Origin

from massage_coach.clients.assistant import post_message
from massage_coach.clients.voice.audio import RATE, silence, to_recogniser_rate
from massage_coach.clients.voice.speaker import sentences
from massage_coach.server.audio_stream import start_audio_server
from massage_coach.server.recognition import RECOGNISER_NICENESS, RecognitionPool
from massage_coach.server.speech_audio import HEADER
from tests.support.assistant import BROWSER_ORIGINS, free_port
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


def requests(events: list) -> list:
    return [{name: event[name] for name in ("request", "confirm") if name in event} for event in events
            if "request" in event or "confirm" in event]


def test_a_spoken_command_comes_back_typed_and_talk_gets_nothing(audio_server):
    async def talk() -> list:
        async with connect(f"ws://127.0.0.1:{audio_server.port}/audio", origin=ALLOWED) as ws:
            await ws.send(json.dumps({"step": 2, "question_open": False}))
            await stream(ws, spoken("she was saying that the weather is lovely today", voice="flite/kal"))
            await stream(ws, spoken("next step"))
            first = await events_until_request(ws)
            await ws.send(json.dumps({"question_open": True}))
            await stream(ws, spoken("yes", voice="festival/kal_diphone"))
            second = await events_until_request(ws)
            return [first, second]

    first, second = asyncio.run(talk())
    # Each turn's start is reported at once (the widget stops speaking); of the talk and the command,
    # only the command comes back as a request, with what was heard.
    assert first[0] == {"voice": True} and requests(first[1:]) == [{"request": "/next_step"}]
    assert first[-1]["heard"].lower().startswith("next step"), first
    assert second[0] == {"voice": True} and requests(second) == [{"request": "/affirm"}]


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
                heard.append((speech_id, requests(await events_until_request(ws))))
            return heard

    assert asyncio.run(say_and_listen()) == [(7, [{"request": "/next_step"}]), (7, [{"request": "/previous_step"}])]


def test_a_page_that_names_its_conversation_hears_the_answer_first_then_gets_its_messages(audio_server, servers):
    """With a session named, the audio server sends "next step" to Rasa in that conversation itself:
    the answer's speech (the step payload's spoken form) arrives as audio before the message that
    hands the page the request and the answer's typed messages, under the same new speech id."""
    sender = f"test-hands-free-{uuid.uuid4().hex}"
    post_message(servers.rest_url, sender, "start the relaxing massage", timeout=60)
    post_message(servers.rest_url, sender, "/deny", timeout=60)

    async def say_next() -> list:
        async with connect(f"ws://127.0.0.1:{audio_server.port}/audio", origin=ALLOWED) as ws:
            await ws.send(json.dumps({"step": 1, "question_open": False, "session": sender}))
            await ws.send(json.dumps({"say": "Step one.", "id": 4}))  # the page's own count goes up to 4
            await stream(ws, spoken("next step", after_s=1.5))
            received = []
            while not (received and isinstance(received[-1], str) and "request" in received[-1]):
                received.append(await asyncio.wait_for(ws.recv(), 30))
            return received

    received = asyncio.run(say_next())
    answer = json.loads(received[-1])
    step = [message["custom"] for message in answer["answer"] if message.get("custom", {}).get("type") == "step"]
    assert answer["request"] == "/next_step" and [payload["step"] for payload in step] == [2], answer
    assert answer["id"] == 5, answer  # after the page's last id: the page's "quiet" stops it too
    audio_ids = [HEADER.unpack(message[:HEADER.size])[0] for message in received if isinstance(message, bytes)]
    assert 5 in audio_ids, audio_ids  # the answer's first sentence came before its messages
    first_audio = next(message for message in received
                       if isinstance(message, bytes) and HEADER.unpack(message[:HEADER.size])[0] == 5)

    async def rendered(text: str) -> int:
        async for samples, _ in audio_server.speech.render(text):
            return len(samples)
        return 0

    assert (len(first_audio) - HEADER.size) // 2 == asyncio.run(rendered(sentences(step[0]["speech"])[0]))


def test_without_rasa_the_page_gets_the_plain_request_to_send_itself(recognition_pool, speech_renderer):
    server = start_audio_server(0, BROWSER_ORIGINS, pool=recognition_pool, speech=speech_renderer,
                                rasa_url=f"http://127.0.0.1:{free_port()}/webhooks/rest/webhook")  # nobody there

    async def say_next() -> list:
        async with connect(f"ws://127.0.0.1:{server.port}/audio", origin=ALLOWED) as ws:
            await ws.send(json.dumps({"step": 1, "session": "a-conversation"}))
            await stream(ws, spoken("next step"))
            return await events_until_request(ws)

    try:
        events = asyncio.run(say_next())
    finally:
        server.shutdown()
    assert requests(events) == [{"request": "/next_step"}] and "answer" not in events[-1], events


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


def said_to(pool: RecognitionPool, stream: int, samples: np.ndarray) -> list:
    events = []
    for start in range(0, len(samples), CHUNK):
        events += pool.feed_now(stream, samples[start:start + CHUNK].tobytes())
    return events


def test_what_is_listened_for_follows_the_page(recognition_pool):
    """A routine running: navigation and mid-routine questions ("what is kneading", the technique heard
    by its sound); "stop the massage" only pauses; a jump far from the user's step is asked about first;
    yes and no only while a question is open; with no routine, routine starts but no navigation."""
    pool = recognition_pool
    stream = pool.open()
    try:
        pool.update(stream, {"step": 2, "question_open": False})
        assert requests(said_to(pool, stream, spoken("what is kneading", voice="flite/kal"))) == [
            {"request": '/ask_technique{"technique": "kneading"}'}]
        assert requests(said_to(pool, stream, spoken("stop the massage"))) == [{"request": "/pause_routine"}]
        assert requests(said_to(pool, stream, spoken("go to step three", voice="festival/kal_diphone"))) == [
            {"request": '/go_to_step{"number": 3}'}]
        # Far from step 2 and said in a way the classifier is not sure of: the page asks first.
        heard = said_to(pool, stream, spoken("maybe step nine"))
        assert requests(heard) == [{"confirm": '/go_to_step{"number": 9}'}]
        assert heard[-1]["question"] == "Did you say go to step 9?"
        assert requests(said_to(pool, stream, spoken("yes"))) == []  # no question open
        pool.update(stream, {"question_open": True})
        assert requests(said_to(pool, stream, spoken("no", voice="flite/kal"))) == [{"request": "/deny"}]
        pool.update(stream, {"step": None, "question_open": False})
        assert requests(said_to(pool, stream, spoken("go back"))) == []  # no routine runs
        assert requests(said_to(pool, stream, spoken("start the relaxing massage", voice="flite/kal"))) == [
            {"request": '/start_routine{"routine": "relaxing"}'}]
    finally:
        asyncio.run(pool.close(stream))


def test_talk_longer_than_any_command_is_not_decoded_to_its_end(recognition_pool):
    """A turn past MAX_COMMAND_S is dropped undecoded, even if it ends in a command's words."""
    pool = recognition_pool
    stream = pool.open()
    try:
        long_talk = spoken("we drove to the coast on saturday and the traffic was terrible all the way "
                           "there and back so we stopped for lunch, next step", after_s=1.0)
        assert len(long_talk) / RATE > 5
        assert requests(said_to(pool, stream, long_talk)) == []
    finally:
        asyncio.run(pool.close(stream))


def test_the_recogniser_runs_at_a_lower_cpu_priority_than_chat(audio_server, servers):
    """Whisper's workers, the turn-cutting threads and the streams' loop yield to Rasa when the cores are busy."""
    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())  # the rest of the process keeps it
    lowered = min(19, ours + RECOGNISER_NICENESS)
    for pid in audio_server.pool.pids:
        assert pid is not None and os.getpriority(os.PRIO_PROCESS, pid) == lowered
    for rasa_or_actions in servers.processes.values():
        assert os.getpriority(os.PRIO_PROCESS, rasa_or_actions.pid) == ours
    in_a_recognition_thread = audio_server.pool._threads.submit(
        lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    assert in_a_recognition_thread.result(timeout=10) == lowered
    in_the_streams_loop = asyncio.run_coroutine_threadsafe(priority_here(), audio_server.loop)
    assert in_the_streams_loop.result(timeout=10) == lowered


async def priority_here() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
