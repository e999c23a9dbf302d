"""Benchmark of routine names as strangers say them (prints figures; not a test).

Starts the real action and Rasa servers on the trained model and sends each case of
tests/routine_names/ (development and locked parts) as the first turn of a fresh conversation:
right when the named routine's screening comes back (or "which routine?" when none is named).

    PYTHONPATH=. .venv/bin/python scripts/bench_routine_names.py [--failures]

The locked part's misses are never listed (tests/routine_names/README.md).
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from pathlib import Path

from massage_coach.clients.assistant import post_message
from massage_coach.server.launcher import Servers
from massage_coach.server.local_datastores import free_port
from tests.support.routine_names import HEALTH_FIRST, judge, load_cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", action="store_true", help="list the development part's misses")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        with Servers(rasa_port=free_port(), actions_port=free_port(), tracker_db=Path(scratch) / "bench.db",
                     log_dir=Path(scratch) / "log") as servers:
            for part in ("dev", "locked"):
                judgements = judge(load_cases(part), lambda sender, text: post_message(servers.rest_url, sender, text))
                by_routine = collections.defaultdict(lambda: [0, 0])
                for judgement in judgements:
                    by_routine[judgement.expected][0] += judgement.passed
                    by_routine[judgement.expected][1] += 1
                right = sum(j.passed for j in judgements)
                health_first = sum(j.started == HEALTH_FIRST for j in judgements)
                print(f"{part}: {right}/{len(judgements)} = {100 * right / len(judgements):.1f} % ("
                      + ", ".join(f"{routine} {r}/{n}" for routine, (r, n) in sorted(by_routine.items()))
                      + f"; {health_first} of them answered health first)")
                if part == "dev" and options.failures:
                    for judgement in judgements:
                        if not judgement.passed:
                            print(f"  {judgement.text!r}: expected {judgement.expected}, started {judgement.started}")


if __name__ == "__main__":
    main()
