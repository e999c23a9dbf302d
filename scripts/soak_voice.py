"""Soak benchmark of the voice client: many headless sessions, crashes and memory.

    .venv/bin/python scripts/soak_voice.py                 # 200 sessions, ~15-25 min on 2 busy cores
    .venv/bin/python scripts/soak_voice.py --sessions 40   # a quicker look

Each client process (`--per-client` sessions) runs sessions one after another as the
headless client does (`python -m massage_coach.clients.voice --audio-in`): a new conversation
with the assistant per session, the same speech-synthesiser and recogniser workers
throughout, as a user's client would over a day. Sessions are short spoken conversations
(commands, answers, everyday talk between them) in espeak-ng and flite voices, clean and
at 10 dB SNR, generated once and cached in ~/.cache/massage-coach/soak-voice/.

Reported: client processes that died (a crash of the client itself: must be 0), worker
deaths the client survived (with the native stack the worker's faulthandler printed),
sessions that ended in error, and memory: each client's peak resident memory (VmHWM) and
its workers', and the client's resident memory after its first and its last session
(growth over the run would be a leak).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

from massage_coach.clients.voice.audio import add_noise, read_recogniser_audio, silence, write_wav
from massage_coach.server.launcher import Servers
from massage_coach.settings import PROJECT_DIR
from tests.support.synthetic import say

CACHE = Path.home() / ".cache" / "massage-coach" / "soak-voice"
# (what is said, the pause after it in seconds): conversations a user has with the client.
SCENARIOS: List[List[Tuple[str, float]]] = [
    [("start the quick massage", 12), ("none of those", 10), ("move on", 6), ("that tickles", 3), ("pause", 3)],
    [("what is kneading", 6), ("is it safe near the kidneys", 6), ("how was your day", 3), ("help", 5)],
    [("start the relaxing massage", 12), ("no", 8), ("slower", 3), ("repeat", 8), ("stop the massage", 4),
     ("yes", 4)],
    [("which routines do you have", 6), ("let me get more oil", 3), ("she has a fever", 6), ("go back", 3)],
]
SPEAKERS = [("espeak", "en-us", 175), ("espeak", "en+f3", 150), ("flite", "slt", 0), ("flite", "kal", 0),
            ("espeak", "en-gb-scotland", 190)]
SNRS = [None, 10.0]


def flite(text: str, voice: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "said.wav"
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(path)], check=True)
        return read_recogniser_audio(path)


def session_audio() -> List[Path]:
    """Every (scenario, speaker, noise) conversation as a WAV, made once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, turns in enumerate(SCENARIOS):
        for engine, voice, speed in SPEAKERS:
            for snr_db in SNRS:
                path = CACHE / f"s{number}-{engine}-{voice}-{snr_db or 'clean'}.wav"
                if not path.exists():
                    pieces = [silence(0.5)]
                    for text, pause_s in turns:
                        pieces += [say(text, voice, speed) if engine == "espeak" else flite(text, voice),
                                   silence(pause_s)]
                    audio = np.concatenate(pieces)
                    write_wav(path, add_noise(audio, snr_db) if snr_db is not None else audio)
                paths.append(path)
    return paths


def rss_kb(field: str = "VmRSS") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def run_client(rest_url: str, audio: List[str], out: Path) -> Dict:
    """One client process's sessions (the --client mode): a JSON report on stdout."""
    from massage_coach.clients.voice.headless import run_headless
    from massage_coach.clients.voice.isolated import IsolatedSpeaker, IsolatedTranscriber
    from massage_coach.clients.voice.session import VoiceSession
    from massage_coach.clients.voice.understanding import CommandRecognizer

    # The client's default: Whisper in its worker, decided by the command interpreter.
    speaker, transcriber = IsolatedSpeaker(), IsolatedTranscriber()
    recognizer = CommandRecognizer(transcriber)
    report = {"sessions": 0, "errors": [], "turns": 0, "rss_after_first_kb": 0}
    try:
        for number, path in enumerate(audio):
            session = VoiceSession(rest_url, speaker, out / f"session-{number:03d}", auto_advance=False)
            try:
                report["turns"] += len(run_headless(session, recognizer, Path(path)))
            except Exception as error:  # noqa: BLE001 - counted and reported, the soak goes on
                report["errors"].append(f"{Path(path).name}: {type(error).__name__}: {error}")
            report["sessions"] += 1
            if number == 0:
                report["rss_after_first_kb"] = rss_kb()
        report.update(rss_after_last_kb=rss_kb(), client_peak_kb=rss_kb("VmHWM"),
                      speaker_peak_kb=speaker.worker.peak_rss_kb(), recogniser_peak_kb=transcriber.worker.peak_rss_kb(),
                      worker_restarts=speaker.worker.restarts + transcriber.worker.restarts)
    finally:
        speaker.close()
        transcriber.close()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--per-client", type=int, default=25, help="sessions per client process (%(default)s)")
    parser.add_argument("--rest-url", help="use running servers instead of starting a pair")
    parser.add_argument("--client", nargs="+", help=argparse.SUPPRESS)  # internal: run these sessions
    args = parser.parse_args()
    if args.client:
        with tempfile.TemporaryDirectory(prefix="soak-voice-") as out:
            print(json.dumps(run_client(args.rest_url, args.client, Path(out))), flush=True)
        return 0

    started = time.monotonic()
    audio = session_audio()
    plan = [str(audio[number % len(audio)]) for number in range(args.sessions)]
    servers = None
    rest_url = args.rest_url
    if not rest_url:
        work = Path(tempfile.mkdtemp(prefix="soak-voice-servers-"))
        servers = Servers(rasa_port=5705, actions_port=5755, tracker_db=work / "conversations.db",
                          log_dir=work / "log", api_token=secrets.token_hex(16)).start()
        rest_url = servers.rest_url
    print(f"{args.sessions} sessions of {len(audio)} conversations ({len(SCENARIOS)} scenarios x "
          f"{len(SPEAKERS)} voices x clean/10 dB), {args.per_client} per client process", flush=True)
    reports, crashed, worker_deaths = [], [], []
    try:
        for first in range(0, len(plan), args.per_client):
            batch = plan[first:first + args.per_client]
            client = subprocess.run([sys.executable, __file__, "--rest-url", rest_url, "--client", *batch],
                                    capture_output=True, text=True, cwd=PROJECT_DIR,
                                    env={**os.environ, "PYTHONPATH": str(PROJECT_DIR), "PYTHONFAULTHANDLER": "1"})
            worker_deaths += [line for line in client.stderr.splitlines() if "worker" in line and "again" in line]
            if client.returncode != 0:
                crashed.append(f"sessions {first}-{first + len(batch) - 1}: exit {client.returncode}\n"
                               f"{client.stderr[-3000:]}")
                continue
            reports.append(json.loads(client.stdout.strip().splitlines()[-1]))
            if "Fatal Python error" in client.stderr:  # a worker's faulthandler: which native code died
                print(client.stderr[client.stderr.index("Fatal Python error"):][:3000], flush=True)
            print(f"  sessions {first + len(batch):4d}/{len(plan)}: {time.monotonic() - started:6.0f} s", flush=True)
    finally:
        if servers:
            servers.stop()
    sessions = sum(r["sessions"] for r in reports)
    errors = [e for r in reports for e in r["errors"]]
    mb = lambda kb: f"{kb / 1024:.0f} MB"  # noqa: E731
    print(f"\nsessions run: {sessions} of {len(plan)} ({sum(r['turns'] for r in reports)} turns), "
          f"in {time.monotonic() - started:.0f} s")
    print(f"client processes that crashed: {len(crashed)}")
    for crash in crashed:
        print(crash)
    print(f"worker deaths survived (restarted): {len(worker_deaths)}")
    for death in worker_deaths:
        print(f"  {death}")
    print(f"sessions that ended in an error: {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    if reports:
        peak = {part: mb(max(r[f"{part}_peak_kb"] for r in reports)) for part in ("client", "speaker", "recogniser")}
        print(f"memory, peak (VmHWM) over {len(reports)} client processes: client {peak['client']}, "
              f"speech worker {peak['speaker']}, recogniser worker {peak['recogniser']}")
        first, last = ([r[f"rss_after_{which}_kb"] for r in reports] for which in ("first", "last"))
        growth = max(b - a for a, b in zip(first, last))
        print(f"client resident memory after its first session -> after its last ({args.per_client} sessions): "
              f"{mb(statistics.mean(first))} -> {mb(statistics.mean(last))} (largest growth {mb(growth)})")
    return 1 if crashed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
