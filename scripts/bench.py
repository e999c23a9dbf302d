"""Benchmark: training time, server start time, REST turn latency, throughput, CPU and
memory, for the embedded default (one Rasa server on SQLite), the scaled profile (PostgreSQL +
Redis) with one and with N Rasa servers, and `rasa init`'s sample bot, all measured in the same
run; prints a Markdown table with the ratios.

    make bench                                      # everything (~10 minutes on 2 cores)
    python scripts/bench.py --skip-training --skip-sample-bot --rounds 1

The bots take turns under load (--rounds), so whatever else the machine does falls on all of
them; the "CPU cores used" rows show how much of the machine each one got.
Figures, not assertions: run it on the machine you care about, with nothing else busy.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from massage_coach.clients.assistant import post_message
from massage_coach.server.launcher import Servers
from massage_coach.server.local_datastores import LocalDatastores, free_port
from massage_coach.server.scaled import ScaledServers
from massage_coach.settings import HOST, PROJECT_DIR

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
# What `rasa init`'s mood bot understands.
SAMPLE_BOT_MESSAGES = ["hello", "I am sad", "yes", "no", "I am feeling great", "are you a bot?", "bye",
                       "good morning", "not really", "very good"]


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def process_tree(pid: int) -> List[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [descendant for child in children for descendant in process_tree(int(child))]


def memory_mb(pid: int) -> float:
    """Proportional set size of a process and its descendants, in MB: shared pages (such as
    PostgreSQL's buffers, used by all its processes) count once in all."""
    total_kb = 0
    for each in process_tree(pid):
        try:
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return total_kb / 1024


def cpu_seconds(pid: int, descendants: bool = True) -> float:
    """CPU time a process (and its descendants) has used so far."""
    ticks = 0
    for each in process_tree(pid) if descendants else [pid]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def train_massage_coach() -> None:
    """Full training from scratch: empty Rasa cache, fresh output directory."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, RASA_CACHE_DIRECTORY=str(Path(scratch) / "cache"), RASA_TELEMETRY_ENABLED="false")
        subprocess.run([sys.executable, "-m", "rasa", "train", "--out", str(Path(scratch) / "models"), "--quiet"],
                       cwd=PROJECT_DIR, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed_turn(url: str, sender: str, message: str) -> float:
    # An HTTP error raises; an empty answer counts (the sample bot has nothing to say to some turns).
    started = time.perf_counter()
    post_message(url, sender, message, timeout=120)
    return (time.perf_counter() - started) * 1000


def conversation(urls: Sequence[str], messages: Sequence[str], turns: int, offset: int = 0) -> List[float]:
    """One person's conversation under one sender id; with several servers, its turns go
    round-robin over them, like a load balancer without sticky sessions."""
    sender = f"bench-{uuid.uuid4().hex}"
    return [timed_turn(urls[(offset + i) % len(urls)], sender, messages[(offset + i) % len(messages)])
            for i in range(turns)]


def concurrent_users(urls: Sequence[str], messages: Sequence[str], users: int, turns_per_user: int
                     ) -> Tuple[List[float], float]:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=users) as pool:
        latencies = [ms for result in pool.map(lambda user: conversation(urls, messages, turns_per_user, user),
                                               range(users)) for ms in result]
    return latencies, len(latencies) / (time.monotonic() - started)


@dataclass
class Figures:
    """What the table shows for one way of running a bot."""

    training_s: Optional[float] = None
    start_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    # users: (messages/s, p95 ms, CPU cores the bot's processes used)
    throughput: Dict[int, Tuple[float, float, float]] = field(default_factory=dict)
    memory_mb: Dict[str, float] = field(default_factory=dict)


@dataclass
class Bot:
    """A running bot under test: where to send turns, what it understands, its processes."""

    name: str
    urls: List[str]
    messages: List[str]
    processes: Dict[str, Callable[[], int]]  # label: the pid of a process to weigh
    figures: Figures = field(default_factory=Figures)
    sequential_ms: List[float] = field(default_factory=list)
    rounds: Dict[int, List[Tuple[float, float, float]]] = field(default_factory=dict)

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid()) for pid in self.processes.values())


def start_default(scratch: Path, stack: ExitStack) -> Bot:
    servers = Servers(rasa_port=free_port(), actions_port=free_port(), tracker_db=scratch / "default.db",
                      log_dir=scratch / "log-default")
    stack.callback(servers.stop)
    servers.start_actions()
    servers.wait_actions()
    start_s = timed(lambda: (servers.start_rasa(), servers.wait_rasa()))
    return Bot("default", [servers.rest_url], MESSAGES, {
        "Rasa server": lambda: servers.processes["rasa"].pid,
        "action server": lambda: servers.processes["actions"].pid,
    }, Figures(start_s=start_s))


def start_scaled(scratch: Path, stack: ExitStack, datastores: LocalDatastores, rasa_servers: int) -> Bot:
    scaled = ScaledServers(datastores.settings, rasa_ports=[free_port() for _ in range(rasa_servers)],
                           actions_port=free_port(), log_dir=scratch / f"log-scaled-{rasa_servers}")
    stack.callback(scaled.stop)
    scaled.actions.start_actions()
    scaled.actions.wait_actions()

    def start_rasa_servers() -> None:
        for node in scaled.nodes:
            node.start_rasa()
        for node in scaled.nodes:
            node.wait_rasa()

    start_s = timed(start_rasa_servers)
    processes: Dict[str, Callable[[], int]] = {
        f"Rasa server {i + 1}": (lambda node=node: node.processes["rasa"].pid) for i, node in enumerate(scaled.nodes)}
    processes.update({
        "action server": lambda: scaled.actions.processes["actions"].pid,
        "PostgreSQL (all its processes)": lambda: datastores.postgres.process.pid,
        "Redis": lambda: datastores.redis.process.pid,
    })
    return Bot(f"scaled x{rasa_servers}", scaled.rest_urls, MESSAGES, processes, Figures(start_s=start_s))


def start_sample_bot(scratch: Path, stack: ExitStack) -> Bot:
    """`rasa init --no-prompt` (which trains it) on an empty cache, then `rasa run` as it comes."""
    bot = scratch / "sample-bot"
    bot.mkdir()
    env = dict(os.environ, RASA_CACHE_DIRECTORY=str(scratch / "sample-cache"), RASA_TELEMETRY_ENABLED="false")
    env.pop("PYTHONPATH", None)
    training_s = timed(lambda: subprocess.run(
        [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(bot)], cwd=scratch, env=env,
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    port = free_port()
    url = f"http://{HOST}:{port}/webhooks/rest/webhook"
    with open(scratch / "sample-bot.log", "wb") as log:
        rasa = subprocess.Popen([sys.executable, "-m", "rasa", "run", "--model", "models", "--interface", HOST,
                                 "--port", str(port)], cwd=bot, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def stop() -> None:
        os.killpg(rasa.pid, signal.SIGTERM)
        rasa.wait(30)

    stack.callback(stop)

    def wait_until_it_answers() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if rasa.poll() is not None:
                raise RuntimeError(f"the sample bot exited; see {scratch / 'sample-bot.log'}")
            try:
                if post_message(url, "bench-health", "hello", 5):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the sample bot did not answer in time")

    start_s = timed(wait_until_it_answers)
    return Bot("sample bot", [url], SAMPLE_BOT_MESSAGES, {"Rasa server": lambda: rasa.pid},
               Figures(training_s=training_s, start_s=start_s))


def measure_round(bot: Bot, args) -> None:
    target = len(bot.sequential_ms) + max(args.conversation_turns, args.turns // args.rounds)
    while len(bot.sequential_ms) < target:
        bot.sequential_ms += conversation(bot.urls, bot.messages, args.conversation_turns,
                                          offset=len(bot.sequential_ms))
    for users in args.users:
        cpu_before, started = bot.cpu_seconds(), time.monotonic()
        latencies, per_second = concurrent_users(bot.urls, bot.messages, users, args.turns_per_user)
        cores = (bot.cpu_seconds() - cpu_before) / (time.monotonic() - started)
        bot.rounds.setdefault(users, []).append((per_second, percentile(latencies, 0.95), cores))
        print(f"  {bot.name}, {users} users: {per_second:.1f} messages/s, p95 {percentile(latencies, 0.95):.0f} ms, "
              f"{cores:.2f} cores used (load average {os.getloadavg()[0]:.1f})", flush=True)


def summarise(bot: Bot) -> Figures:
    """Medians over the rounds; memory after the load."""
    figures = bot.figures
    figures.p50_ms = statistics.median(bot.sequential_ms)
    figures.p95_ms = percentile(bot.sequential_ms, 0.95)
    figures.throughput = {users: tuple(statistics.median(run[i] for run in rounds) for i in range(3))
                          for users, rounds in bot.rounds.items()}
    figures.memory_mb = {label: memory_mb(pid()) for label, pid in bot.processes.items()}
    return figures


def ratio(numerator: Optional[float], denominator: Optional[float]) -> str:
    return f"{numerator / denominator:.2f}×" if numerator and denominator else ""


def rasa_server_memory(figures: Figures) -> Optional[float]:
    sizes = [mb for label, mb in figures.memory_mb.items() if label.startswith("Rasa server")]
    return statistics.mean(sizes) if sizes else None


def table(default: Figures, one: Figures, many: Figures, sample: Optional[Figures], rasa_servers: int) -> str:
    sample = sample or Figures()
    columns = [("default (1 server, SQLite)", default), ("scaled, 1 server", one),
               (f"scaled, {rasa_servers} servers", many), ("`rasa init` sample bot", sample)]
    ratios = [(f"{rasa_servers} servers ÷ 1 server", many, one), (f"{rasa_servers} servers ÷ default", many, default),
              ("default ÷ sample bot", default, sample)]
    rows: List[Tuple[str, Callable[[Figures], Optional[float]], str]] = [
        ("training, empty cache (s)", lambda f: f.training_s, "{:.1f}"),
        ("server start, model load (s)", lambda f: f.start_s or None, "{:.1f}"),
        ("REST turn, 1 user, p50 (ms)", lambda f: f.p50_ms or None, "{:.1f}"),
        ("REST turn, 1 user, p95 (ms)", lambda f: f.p95_ms or None, "{:.1f}"),
    ]
    for users in default.throughput:
        rows.append((f"throughput, {users} users (messages/s)",
                     lambda f, users=users: f.throughput.get(users, (None,) * 3)[0], "{:.1f}"))
        rows.append((f"REST turn, {users} users, p95 (ms)",
                     lambda f, users=users: f.throughput.get(users, (None,) * 3)[1], "{:.0f}"))
        rows.append((f"CPU cores the bot used, {users} users",
                     lambda f, users=users: f.throughput.get(users, (None,) * 3)[2], "{:.2f}"))
        rows.append((f"messages per CPU second, {users} users", lambda f, users=users: (
            f.throughput[users][0] / f.throughput[users][2] if f.throughput.get(users) else None), "{:.0f}"))
    rows.append(("memory, each Rasa server (MB)", rasa_server_memory, "{:.0f}"))
    lines = ["| figure | " + " | ".join([name for name, _ in columns] + [name for name, _, _ in ratios]) + " |",
             "|---" * (len(columns) + len(ratios)) + "|---|"]
    for name, value_of, shape in rows:
        shown = [shape.format(value_of(f)) if value_of(f) is not None else "" for _, f in columns]
        shown += [ratio(value_of(numerator), value_of(denominator)) for _, numerator, denominator in ratios]
        lines.append(f"| {name} | " + " | ".join(shown) + " |")
    memory = ", ".join(f"{name} {mb:.0f}" for name, mb in many.memory_mb.items())
    lines.append(f"\nMemory of the scaled profile (MB, proportional set size): {memory}; "
                 f"the default's action server: {default.memory_mb['action server']:.0f}.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=300, help="sequential REST turns, one user, over all rounds")
    parser.add_argument("--conversation-turns", type=int, default=15,
                        help="turns per conversation (Rasa replays a conversation's events every turn)")
    parser.add_argument("--users", type=lambda text: [int(n) for n in text.split(",")], default=[20, 50],
                        help="concurrent users, comma-separated")
    parser.add_argument("--turns-per-user", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3,
                        help="the bots take turns under load this many times; the table shows medians")
    parser.add_argument("--rasa-servers", type=int, default=2, help="Rasa servers in the scaled profile")
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--skip-sample-bot", action="store_true")
    args = parser.parse_args()

    print(f"Massage Coach benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.node()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}",
          flush=True)
    training_s = None if args.skip_training else timed(train_massage_coach)
    with tempfile.TemporaryDirectory(prefix="massage-coach-bench-") as directory, ExitStack() as stack:
        scratch = Path(directory)
        datastores = stack.enter_context(LocalDatastores())
        # The scaled profile with one server shows what the stores cost and what more servers gain.
        bots = [start_default(scratch, stack), start_scaled(scratch, stack, datastores, 1),
                start_scaled(scratch, stack, datastores, args.rasa_servers)]
        if not args.skip_sample_bot:
            bots.append(start_sample_bot(scratch, stack))
        for bot in bots:  # warm-up: first turns load lazily initialised parts
            for url in bot.urls:
                conversation([url], bot.messages, len(bot.messages))
        # Taking turns spreads whatever else the machine is doing over all of them.
        for round_number in range(args.rounds):
            print(f"round {round_number + 1} of {args.rounds}", flush=True)
            for bot in bots:
                measure_round(bot, args)
        long_run = conversation(bots[0].urls, MESSAGES, 100)
        print(f"default, one long conversation: turns 1-10 p50 {statistics.median(long_run[:10]):.1f} ms, "
              f"turns 91-100 p50 {statistics.median(long_run[90:]):.1f} ms")
        default, one, many, *sample = [summarise(bot) for bot in bots]
    default.training_s = one.training_s = many.training_s = training_s
    print()
    print(table(default, one, many, sample[0] if sample else None, args.rasa_servers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
