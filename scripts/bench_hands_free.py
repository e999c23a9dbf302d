"""Benchmark of the widget's hands-free path (prints figures; not a test).

1. Latency in the browser: headless Chromium runs the demo page against the real servers (Rasa,
   actions, the audio endpoint with its recogniser and TTS workers), its fake microphone saying
   commands in flite and festival voices (the spoken corpus's development voices) with pauses
   between them. Measured in the page: from the
   last loud sample of each command (in the 20 ms chunks the page streams) to the first sample
   of the reply's server-rendered audio leaving the page (its scheduled start plus the audio
   output's own latency). The route: turn end heard, the audio server's REST turn with Rasa in the
   page's conversation, the answer's first sentence rendered and sent, then the answer's messages.
2. Load: N simulated hands-free sessions (Python clients doing what the widget does: stream
   talk and commands in real time, send each recognised request to Rasa, ask for its speech)
   while people chat over REST (one at a time, 15 turns each); chat p95 and the sessions' end of command -> request p95
   for each N, and the CPU time each session costs (recogniser and TTS workers, Rasa and the action
   server, per second streamed): sessions per core = 1 s / that. "Sessions per core with chat p95
   <= 60 ms": the largest N that kept chat p95 there, per core of this machine (shared: see uptime).

    make bench-hands-free        (ARGS="--sessions 0 4 8" to choose the loads, --load-only, --seconds)
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np
from playwright.sync_api import expect, sync_playwright
from websockets.legacy.client import connect
from websockets.typing import Origin

from massage_coach.clients.assistant import post_message
from massage_coach.clients.voice.audio import RATE, write_wav
from massage_coach.server import audio_stream
from massage_coach.server.answering import RasaAnswers
from massage_coach.server.audio_stream import start_audio_server
from massage_coach.server.launcher import Servers
from massage_coach.server.recognition import RecognitionPool
from massage_coach.server.widget_host import start_widget_server
from scripts.bench import cpu_seconds
from tests.support.assistant import free_port
from tests.support.hands_free import spoken

VOICES = ["flite/slt", "flite/kal", "festival/kal_diphone", "festival-hts/cmu_us_slt_arctic_hts"]
# Back where it started after each voice's round, so the routine never runs out of steps.
COMMANDS = ["next step", "go back", "repeat", "pause", "continue"]
SPOKEN_LABELS = {"next step": "Next", "go back": "Back", "repeat": "Repeat", "pause": "Pause", "continue": "Continue"}
PAUSE_S = 3.0  # between commands: the reply starts well within it
CHUNK = RATE // 50  # 20 ms, as the widget sends
CHAT = ["what is kneading?", "can I press on the spine?", "how long should a back massage last?",
        "where does the lumbar zone start", "what do I need to prepare?", "can I massage my pregnant wife?"]
CHAT_EVERY_S = 0.25
CHAT_CONVERSATION_TURNS = 15
CHAT_P95_LIMIT_MS = 60.0
LOUD = 0.1  # of the loudest chunk: a chunk this loud is speech
QUIET_GAP_S = 0.6  # a gap this long ends a command

# In the page: when each streamed chunk's last loud sample was captured, when each reply's audio starts,
# and the steps between (request heard, sent to Rasa, answer back, speech asked for, first audio in).
PROBE = """(() => {
  window.chunks = []; window.replies = []; window.steps = [];
  const step = (name) => window.steps.push([name, performance.now()]);
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (data instanceof ArrayBuffer && data.byteLength === 640) {
      const pcm = new Int16Array(data);
      let peak = 0, last = -1;
      for (let i = 0; i < pcm.length; i++) {
        const a = Math.abs(pcm[i]);
        if (a > peak) peak = a;
        if (a > 1000) last = i;
      }
      window.chunks.push([performance.now() - (pcm.length - 1 - Math.max(last, 0)) / 16, peak]);
    } else if (typeof data === "string" && data.includes('"user_uttered"')) step("sent to Rasa");
    else if (typeof data === "string" && data.includes('"say"')) step("speech asked");
    return send.apply(this, arguments);
  };
  const Socket = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Socket(...args);
    socket.addEventListener("message", (event) => {
      if (event.data instanceof ArrayBuffer) step("audio in");
      else if (String(event.data).includes('"request"')) step("request");
      else if (String(event.data).includes("bot_uttered")) step("answer");
    });
    return socket;
  };
  window.WebSocket.prototype = Socket.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  const start = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (when) {
    const context = this.context;
    const delay = Math.max(0, (when || 0) - context.currentTime) + (context.outputLatency || 0)
      + (context.baseLatency || 0);
    window.replies.push([performance.now(), performance.now() + delay * 1000]); // asked to start, plays
    return start.apply(this, arguments);
  };
})()"""


# The audio server's own steps (it runs in this process), on the page's clock once the page's time origin is known:
# the recogniser's decision, Rasa asked and answered, the first audio message of a speech made.
SERVER_STEPS: List[Tuple[str, float]] = []


def watch_server_steps() -> None:
    def stamp(name: str) -> None:
        SERVER_STEPS.append((name, time.time() * 1000))

    feed_now = RecognitionPool.feed_now

    def feed_and_stamp(pool: RecognitionPool, stream: int, pcm: bytes) -> list:
        events = feed_now(pool, stream, pcm)
        if any("request" in event for event in events):
            stamp("decided")
        return events

    ask = RasaAnswers.ask

    async def ask_and_stamp(rasa: RasaAnswers, sender: str, message: str) -> Optional[list]:
        stamp("Rasa asked")
        answer = await ask(rasa, sender, message)
        stamp("Rasa answered")
        return answer

    audio_message = audio_stream.audio_message

    def first_audio_stamped(speech_id: int, samples: np.ndarray, rate: int) -> bytes:
        stamp("audio sent")
        return audio_message(speech_id, samples, rate)

    RecognitionPool.feed_now = feed_and_stamp  # type: ignore[method-assign,assignment]
    RasaAnswers.ask = ask_and_stamp  # type: ignore[method-assign,assignment]
    audio_stream.audio_message = first_audio_stamped


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def microphone(path: Path) -> Tuple[Path, int]:
    takes = [spoken(command, voice=voice, before_s=0.3, after_s=PAUSE_S) for voice in VOICES for command in COMMANDS]
    write_wav(path, np.concatenate(takes), RATE)
    return path, len(takes)


def command_ends(chunks: List[Tuple[float, float]]) -> List[float]:
    """When each spoken command ended, from the chunks' times and peaks (a long quiet gap ends one)."""
    loudest = max(peak for _, peak in chunks)
    ends: List[float] = []
    last_loud = None
    for at, peak in chunks:
        if peak >= LOUD * loudest:
            if last_loud is not None and at - last_loud > QUIET_GAP_S * 1000:
                ends.append(last_loud)
            last_loud = at
    return ends  # the last command may still be going on: left out


def browser_latency(widget_url: str, commands: int, work: Path) -> List[float]:
    wav, takes = microphone(work / "microphone.wav")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page()
        page.add_init_script(PROBE)
        page.goto(widget_url)
        page.get_by_role("button", name="Open Massage Coach chat").click()
        box = page.get_by_role("textbox", name="Message")
        box.fill("start the relaxing massage")
        box.press("Enter")
        page.get_by_role("button", name="No, none of them").click(timeout=30000)
        expect(page.locator(".mc-card--step").last).to_have_attribute("data-step", "1", timeout=30000)
        page.get_by_role("button", name="Hands-free").click()
        expect(page.locator(".mc-listening")).to_be_visible(timeout=30000)
        page.wait_for_timeout(1000 * (commands * (PAUSE_S + 1.2) + 3))  # one pass of the microphone's file
        chunks, replies, steps = page.evaluate("window.chunks"), page.evaluate("window.replies"), page.evaluate(
            "window.steps")
        time_origin = page.evaluate("performance.timeOrigin")
        steps = sorted(steps + [[name, at - time_origin] for name, at in SERVER_STEPS], key=lambda step: step[1])
        heard = page.locator(".mc-msg--user").all_inner_texts()[2:]  # after "start ..." and "No, none of them"
        browser.close()
    said = [SPOKEN_LABELS[command] for command in COMMANDS] * len(VOICES)
    right = sum(block.size for block in difflib.SequenceMatcher(a=said, b=heard, autojunk=False).get_matching_blocks())
    print(f"commands heard right: {right}/{len(said)}; heard as something else or not said: {len(heard) - right}")
    waits = []
    since_end: dict = {}  # each step's first time after a command's end
    ends = command_ends(chunks)
    for index, end in enumerate(ends):
        following = ends[index + 1] if index + 1 < len(ends) else float("inf")
        # Started after the command ended (sentences of the answer before, queued earlier, were stopped).
        first = sorted(plays for asked, plays in replies if end < asked < following)
        if first:
            waits.append(first[0] - end)
            if os.environ.get("BENCH_VERBOSE"):
                print(f"  command {index}: {first[0] - end:.0f} ms; " + ", ".join(
                    f"{name} {at - end:.0f}" for name, at in steps if end < at < first[0]))
            for name in dict.fromkeys(name for name, _ in steps):
                at = [at for step, at in steps if step == name and end < at < first[0]]
                if at:
                    since_end.setdefault(name, []).append(at[0] - end)
    print(f"commands said: {len(ends)} (of {takes} in the file), answered with audio: {len(waits)}")
    print("  on the way (median ms after the command's end): " + ", ".join(
        f"{name} {statistics.median(times):.0f}" for name, times in sorted(since_end.items(), key=lambda i: min(i[1]))))
    return waits


async def hands_free_session(audio_port: int, rest_url: str, origin: str, audio: np.ndarray, until: float,
                             request_waits: List[float]) -> None:
    """What one widget does: streams in real time and names its conversation, so the server sends
    recognised requests to Rasa and says the answers (the requests it hands back, the page sends)."""
    sender = f"bench-hands-free-{uuid.uuid4().hex}"
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, post_message, rest_url, sender, "start the relaxing massage", 60)
    await loop.run_in_executor(None, post_message, rest_url, sender, "/deny", 60)
    loud = np.abs(audio) > 1000
    async with connect(f"ws://127.0.0.1:{audio_port}/audio", origin=Origin(origin)) as ws:
        await ws.send(json.dumps({"session": sender}))  # as the widget with server speech: the server asks Rasa
        last_loud_at = [0.0]

        async def read() -> None:
            speech_ids = 0
            async for message in ws:
                if isinstance(message, bytes):  # the answer's speech: the browser would play it
                    continue
                event = json.loads(message)
                if "request" in event:
                    request_waits.append((time.perf_counter() - last_loud_at[0]) * 1000)
                    if "answer" in event:  # asked and being said by the server
                        continue
                    answer = await loop.run_in_executor(None, post_message, rest_url, sender, event["request"], 60)
                    for said in answer:
                        speech = (said.get("custom") or {}).get("speech")
                        if speech:
                            speech_ids += 1
                            await ws.send(json.dumps({"say": speech, "id": speech_ids}))

        reader = asyncio.ensure_future(read())
        started = time.perf_counter()
        position = 0
        while time.perf_counter() < until:
            chunk = audio[position:position + CHUNK]
            await ws.send(chunk.tobytes())
            if loud[position:position + CHUNK].any():
                last_loud_at[0] = time.perf_counter()
            position = (position + CHUNK) % (len(audio) - CHUNK)
            started += CHUNK / RATE
            await asyncio.sleep(max(0.0, started - time.perf_counter()))
        reader.cancel()


def chat_for(rest_url: str, seconds: float) -> List[float]:
    """People chatting over REST one after another for `seconds`, 15 turns each (as `make bench`
    measures the REST goal: a conversation's turns grow slower with its length): each turn's
    latency (ms)."""
    latencies: List[float] = []
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        if len(latencies) % CHAT_CONVERSATION_TURNS == 0:
            sender = f"bench-chat-{uuid.uuid4().hex}"
        started = time.perf_counter()
        post_message(rest_url, sender, CHAT[len(latencies) % len(CHAT)], timeout=60)
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(CHAT_EVERY_S)
    return latencies


def sessions_for(sessions: int, audio_port: int, rest_url: str, origin: str, seconds: float) -> List[float]:
    """`sessions` hands-free sessions for `seconds`: each recognised command's end -> request, with
    its answer when the server asked Rasa (ms)."""
    talk = [spoken("she was saying that the weather is lovely today and we should go out", voice="flite/kal"),
            spoken("next step", after_s=3.0), spoken("i think he likes it", voice="festival/kal_diphone"),
            spoken("go back", voice="flite/kal", after_s=3.0)]
    audio = np.concatenate(talk)
    waits: List[float] = []

    async def all_sessions() -> None:
        until = time.perf_counter() + seconds
        rng = np.random.default_rng(sessions)
        await asyncio.gather(*(hands_free_session(audio_port, rest_url, origin,
                                                  np.roll(audio, int(rng.integers(len(audio)))), until, waits)
                               for _ in range(sessions)))

    if sessions:
        asyncio.run(all_sessions())
    else:
        time.sleep(seconds)
    return waits


def load(sessions: int, audio_port: int, rest_url: str, origin: str, seconds: float
         ) -> Tuple[List[float], List[float], float]:
    """Chat latencies and the sessions' request latencies (ms), and the wall time it took (s). The
    chat and the sessions run in processes of their own, so that neither waits for the other's
    Python (nor for the audio server's, in this one)."""
    started = time.perf_counter()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        chat = pool.submit(chat_for, rest_url, seconds)
        waits = pool.submit(sessions_for, sessions, audio_port, rest_url, origin, seconds)
        return chat.result(), waits.result(), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="*", default=[0, 2, 4, 8, 12, 16])
    parser.add_argument("--seconds", type=float, default=25.0, help="per load level")
    parser.add_argument("--load-only", action="store_true", help="skip the browser latency part")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        widget_port = free_port()
        origin = f"http://127.0.0.1:{widget_port}"
        servers = Servers(rasa_port=free_port(), actions_port=free_port(), tracker_db=work / "bench.db",
                          log_dir=work / "log", cors_origins=[origin]).start()
        audio = start_audio_server(0, [origin], max_streams=max(options.sessions + [8]) + 1,
                                   rasa_url=servers.rest_url)
        widget = start_widget_server(widget_port, servers.base_url, audio_url=f"ws://127.0.0.1:{audio.port}/audio")
        try:
            if not options.load_only:
                watch_server_steps()
                waits = browser_latency(f"{origin}/", len(VOICES) * len(COMMANDS), work)
                print(f"end of spoken command -> first reply audio in the browser: p50 {statistics.median(waits):.0f} "
                      f"ms, p95 {percentile(waits, 0.95):.0f} ms (n={len(waits)})")
            cores = os.cpu_count() or 1
            # The audio server's turn cutting runs in threads of this process (idle otherwise while the
            # load runs in processes of its own); Whisper in its workers. This process counts alone: every
            # other part (and the load's clients) is one of its descendants.
            pids = {"Whisper": audio.pool.pids, "audio server": [os.getpid()],
                    "TTS": [audio.speech.speaker.worker.pid],
                    "Rasa + actions": [process.pid for process in servers.processes.values()]}

            def cpu_of(part: str) -> float:
                return sum(cpu_seconds(pid, descendants=part != "audio server") for pid in pids[part])

            best, baseline = 0, None
            for sessions in options.sessions:
                cpu_before = {part: cpu_of(part) for part in pids}
                chat, requests, elapsed = load(sessions, audio.port, servers.rest_url, origin, options.seconds)
                cpu = {part: (cpu_of(part) - cpu_before[part]) / elapsed for part in pids}  # CPU seconds per second
                chat_p95 = percentile(chat, 0.95)
                print(f"{sessions:3d} hands-free sessions: chat p50 {statistics.median(chat):.0f} ms, "
                      f"p95 {chat_p95:.0f} ms (n={len(chat)}); end of command -> answered request p50 "
                      f"{statistics.median(requests) if requests else float('nan'):.0f} ms, "
                      f"p95 {percentile(requests, 0.95):.0f} ms (n={len(requests)}); CPU "
                      + ", ".join(f"{part} {share:.2f}" for part, share in cpu.items()) + " s/s")
                if sessions == 0:
                    baseline = cpu
                elif baseline is not None:
                    per_session = {part: (cpu[part] - baseline[part]) / sessions for part in cpu}
                    print(f"      CPU per session: {sum(per_session.values()) * 1000:.0f} ms/s ("
                          + ", ".join(f"{part} {share * 1000:.0f}" for part, share in per_session.items())
                          + f") -> about {1 / max(sum(per_session.values()), 1e-6):.0f} sessions per core")
                if chat_p95 <= CHAT_P95_LIMIT_MS:
                    best = max(best, sessions)
            print(f"hands-free sessions with chat p95 <= {CHAT_P95_LIMIT_MS:.0f} ms: {best} on {cores} cores "
                  f"({best / cores:.1f} per core; one Whisper worker, one TTS worker); load average "
                  f"{os.getloadavg()[0]:.1f}")
        finally:
            widget.shutdown()
            audio.shutdown()
            servers.stop()


if __name__ == "__main__":
    main()
