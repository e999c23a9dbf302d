"""Benchmark of the widget's hands-free path (prints figures; not a test).

1. Latency: commands said by several espeak-ng voices are streamed in real time (0.1 s chunks,
   as the widget's AudioWorklet sends them) to the audio WebSocket; the figure is the time
   from the last loud sample of the spoken command to the typed request coming back (the turn-end silence
   of the segmenter included). The widget then sends it on its socket, like a click.
2. Capacity: CPU seconds per second of streamed audio (turn detection) and per recognised
   command, giving hands-free sessions per core at one command every COMMAND_EVERY_S seconds.

    .venv/bin/python scripts/bench_hands_free.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import numpy as np
from websockets.legacy.client import connect
from websockets.typing import Origin

from massage_coach.clients.voice.audio import RATE, Segmenter
from massage_coach.server.audio_stream import start_audio_server
from massage_coach.server.recognition import recognise
from tests.support.hands_free import spoken

ORIGIN = "http://bench.local"
VOICES = ["en-us", "en-us+f3", "en-gb", "en-us+m3", "en-gb-x-rp+f4"]
COMMANDS = {"next step": "/next_step", "go back": "/previous_step", "pause": "/pause_routine",
            "continue": "/resume_routine", "repeat": "/repeat_step"}
CHUNK = RATE // 10
COMMAND_EVERY_S = 10.0


async def latencies(port: int) -> tuple:
    right, total, waits = 0, 0, []
    async with connect(f"ws://127.0.0.1:{port}/audio", origin=Origin(ORIGIN)) as ws:
        arrivals: asyncio.Queue = asyncio.Queue()

        async def read() -> None:  # stamps each answer as it arrives, while audio still streams
            async for message in ws:
                arrivals.put_nowait((time.perf_counter(), json.loads(message)))

        reader = asyncio.ensure_future(read())
        await ws.send(json.dumps({"question_open": False}))
        for voice in VOICES:
            for phrase, expected in COMMANDS.items():
                samples = spoken(phrase, voice=voice, before_s=0.5, after_s=1.5)
                speech_end = int(np.nonzero(np.abs(samples) > 300)[0][-1])  # espeak-ng's own trailing silence excluded
                ended_at = 0.0
                started = time.perf_counter()
                for start in range(0, len(samples), CHUNK):
                    await ws.send(samples[start:start + CHUNK].tobytes())
                    if not ended_at and start + CHUNK >= speech_end:
                        ended_at = time.perf_counter()
                    await asyncio.sleep(max(0.0, started + (start + CHUNK) / RATE - time.perf_counter()))
                total += 1
                try:
                    arrived, answer = await asyncio.wait_for(arrivals.get(), 3.0)
                except asyncio.TimeoutError:
                    continue
                waits.append((arrived - ended_at) * 1000)
                right += answer.get("request") == expected
        reader.cancel()
    return right, total, waits


def capacity() -> tuple:
    noise = np.random.default_rng(1).normal(0, 200, 60 * RATE).astype(np.int16)  # a quiet room, no speech
    segmenter = Segmenter()
    started = time.process_time()
    for start in range(0, len(noise), CHUNK):
        list(segmenter.feed(noise[start:start + CHUNK]))
    per_audio_s = (time.process_time() - started) / 60.0
    command = spoken("next step")
    recognise(command, False)  # warm
    started = time.process_time()
    for _ in range(10):
        recognise(command, False)
    per_command = (time.process_time() - started) / 10
    return per_audio_s, per_command


def main() -> None:
    server = start_audio_server(0, [ORIGIN])
    try:
        right, total, waits = asyncio.run(latencies(server.port))
    finally:
        server.shutdown()
    waits.sort()
    p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))] if waits else float("nan")
    print(f"commands recognised right: {right}/{total} ({len(VOICES)} espeak-ng voices x {len(COMMANDS)} commands)")
    print(f"end of command -> typed request: p50 {statistics.median(waits):.0f} ms, p95 {p95:.0f} ms "
          f"(0.25 s turn-end silence included)")
    per_audio_s, per_command = capacity()
    load = per_audio_s + per_command / COMMAND_EVERY_S
    print(f"CPU: {per_audio_s * 1000:.2f} ms per second of audio (turn detection), "
          f"{per_command * 1000:.0f} ms per command (recognition)")
    print(f"hands-free sessions per core at one command every {COMMAND_EVERY_S:.0f} s: {1 / load:.0f}")


if __name__ == "__main__":
    main()
