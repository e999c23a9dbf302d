"""Benchmark: prints training time, server start time, REST turn latency and throughput.

    make bench                       # everything
    python scripts/bench.py --skip-training --turns 200

Figures, not assertions: run it on the machine you care about.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from massage_coach.servers import Servers, post_message  # noqa: E402

# A mix of what people ask: custom actions, safety checks and plain responses.
MESSAGES = [
    "what is kneading?",
    "can I massage my pregnant wife?",
    "she is not pregnant",
    "where does the lumbar zone start",
    "can I press on the spine?",
    "how long should a back massage last?",
    "what do I need to prepare?",
    "when should I not give a massage?",
    "he has diabetes",
    "hello",
    "thanks",
    "which routines do you have?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total_kb = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
                    .stdout.split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total_kb / 1024


def bench_training() -> float:
    """Full training from scratch: empty Rasa cache, fresh output directory."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, RASA_CACHE_DIRECTORY=str(Path(scratch) / "cache"), RASA_TELEMETRY_ENABLED="false")
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "rasa", "train", "--out", str(Path(scratch) / "models"), "--quiet"],
            cwd=PROJECT_DIR, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.monotonic() - started


def timed_turn(url: str, sender: str, message: str) -> float:
    started = time.perf_counter()
    replies = post_message(url, sender, message)
    elapsed = (time.perf_counter() - started) * 1000
    if not replies:
        raise RuntimeError(f"no answer to {message!r}")
    return elapsed


def conversation(url: str, turns: int, offset: int = 0) -> List[float]:
    """One person's conversation: `turns` mixed questions under one sender id."""
    sender = f"bench-{uuid.uuid4().hex}"
    return [timed_turn(url, sender, MESSAGES[(offset + i) % len(MESSAGES)]) for i in range(turns)]


def bench_sequential(servers: Servers, turns: int, conversation_turns: int) -> List[float]:
    latencies: List[float] = []
    while len(latencies) < turns:
        latencies += conversation(servers.rest_url, conversation_turns)
    return latencies


def bench_concurrent(servers: Servers, users: int, turns_per_user: int):
    def one_user(user: int) -> List[float]:
        return conversation(servers.rest_url, turns_per_user, offset=user)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=users) as pool:
        latencies = [ms for result in pool.map(one_user, range(users)) for ms in result]
    return latencies, len(latencies) / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=300, help="sequential REST turns")
    parser.add_argument("--conversation-turns", type=int, default=15,
                        help="turns per conversation (Rasa replays a conversation's events every turn)")
    parser.add_argument("--users", type=int, default=20, help="concurrent users")
    parser.add_argument("--turns-per-user", type=int, default=25)
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()

    print(f"Massage Coach benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    if not args.skip_training:
        print(f"full training (empty cache):      {bench_training():7.1f} s", flush=True)

    with tempfile.TemporaryDirectory() as scratch:
        servers = Servers(rasa_port=free_port(), actions_port=free_port(),
                          tracker_db=Path(scratch) / "bench.db", log_dir=Path(scratch) / "log")
        servers.start_actions()
        servers.wait_actions()
        started = time.monotonic()
        servers.start_rasa()
        servers.wait_rasa()
        print(f"Rasa server start (model load):   {time.monotonic() - started:7.1f} s", flush=True)
        try:
            for message in MESSAGES:  # warm-up
                timed_turn(servers.rest_url, "bench-warmup", message)
            latencies = bench_sequential(servers, args.turns, args.conversation_turns)
            print(f"REST turn, 1 user ({len(latencies)} turns, {args.conversation_turns} per conversation): "
                  f"p50 {statistics.median(latencies):5.1f} ms   p95 {percentile(latencies, 0.95):5.1f} ms   "
                  f"p99 {percentile(latencies, 0.99):5.1f} ms")
            long_run = conversation(servers.rest_url, 100)
            print(f"one long conversation: turns 1-10 p50 {statistics.median(long_run[:10]):5.1f} ms, "
                  f"turns 91-100 p50 {statistics.median(long_run[90:]):5.1f} ms")
            latencies, throughput = bench_concurrent(servers, args.users, args.turns_per_user)
            print(f"REST turn, {args.users} users ({len(latencies)} turns): p50 {statistics.median(latencies):5.1f} ms   "
                  f"p95 {percentile(latencies, 0.95):5.1f} ms   throughput {throughput:5.1f} messages/s")
            print(f"memory: Rasa server {rss_mb(servers.processes['rasa'].pid):6.0f} MB, "
                  f"action server {rss_mb(servers.processes['actions'].pid):6.0f} MB")
        finally:
            servers.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
