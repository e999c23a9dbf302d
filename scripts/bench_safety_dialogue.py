"""Safety dialogue figures: back-pain openers, triage answers, zone questions, tension played to a routine.

    python scripts/bench_safety_dialogue.py [--rasa-url URL]

Runs tests/safety_dialogue_dev.yml (looked at while tuning) and
tests/safety_dialogue_locked.yml (never tuned on) over REST against a real Rasa and
action server (started here unless --rasa-url names a running one), and prints how
many cases got the expected outcome in each part, with the development part's misses (the
locked part's are never listed: to study one, move it to the development part and write a new
locked case in its place).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import yaml

from massage_coach.clients.assistant import post_message
from massage_coach.server.launcher import Servers
from massage_coach.settings import PROJECT_DIR
from tests.support.assistant import free_port

PARTS = {"dev": PROJECT_DIR / "tests" / "safety_dialogue_dev.yml",
         "locked": PROJECT_DIR / "tests" / "safety_dialogue_locked.yml"}
TRIAGE_OPENER = "my partner has a bad back, what should I do"
# The to_routine section: the tension answer to the question, then a routine and its screening.
TENSION_ANSWER = "it's just muscle tension"
ROUTINE_REQUEST = "start the relaxing routine"
SCREENING_ANSWER = "none of those"
REACHED_ROUTINE = "routine"


def payloads_of(replies: List[Dict]) -> List[Dict]:
    return [r["custom"] for r in replies if "custom" in r]


def outcome_of(payloads: List[Dict]) -> str:
    """The class a test case expects, read from the answer's payloads."""
    for payload in payloads:
        kind = payload["type"]
        if kind == "triage":
            return "triage"
        if kind == "triage_outcome":
            return payload["outcome"]
        if kind == "emergency":
            return "emergency"
        if kind == "safety":
            return "go_ahead" if payload["verdict"] == "ok" else "physician"
        if kind == "zone":
            return f"zone:{payload['zone']}"
    return "+".join(p["type"] for p in payloads) or "no payload"


def reach_routine(say: Callable[[str, str], List[Dict]], sender: str, opener: str) -> str:
    """Plays an ordinary tension opener to the first routine step, allowing one triage question."""
    got = outcome_of(payloads_of(say(sender, opener)))
    if got == "triage":
        got = outcome_of(payloads_of(say(sender, TENSION_ANSWER)))
    if got != "go_ahead":
        return f"{got} (no go-ahead)"
    kinds = [p["type"] for p in payloads_of(say(sender, ROUTINE_REQUEST))]
    if kinds[-1:] == ["screening"]:
        kinds = [p["type"] for p in payloads_of(say(sender, SCREENING_ANSWER))]
    return REACHED_ROUTINE if "step" in kinds else f"{'+'.join(kinds) or 'no payload'} (no routine)"


def run_case(say: Callable[[str, str], List[Dict]], section: str, case: Dict) -> Tuple[str, str]:
    """(expected, got) for one case, each in a fresh conversation."""
    sender = f"bench-{uuid.uuid4().hex}"
    if section == "to_routine":
        return REACHED_ROUTINE, reach_routine(say, sender, case["text"])
    if section == "replies":
        opened = outcome_of(payloads_of(say(sender, TRIAGE_OPENER)))
        if opened != "triage":
            return case["expect"], f"opener gave {opened}"
    got = outcome_of(payloads_of(say(sender, case["text"])))
    expected = f"zone:{case['zone']}" if section == "zones" else case["expect"]
    return expected, got


def evaluate(say: Callable[[str, str], List[Dict]], path: Path) -> Dict[str, List[Tuple[str, str, str]]]:
    """Per section: (text, expected, got) for every case."""
    cases = yaml.safe_load(path.read_text())
    return {section: [(c["text"], *run_case(say, section, c)) for c in items] for section, items in cases.items()}


def report(name: str, results: Dict[str, List[Tuple[str, str, str]]]) -> None:
    total = sum(len(r) for r in results.values())
    right = sum(expected == got for r in results.values() for _, expected, got in r)
    # The misses that matter most: a go-ahead where a question or a physician was due.
    unsafe = sum(got == "go_ahead" != expected for r in results.values() for _, expected, got in r)
    print(f"{name}: {right}/{total} ({right / total:.1%}); unsafe go-aheads: {unsafe}")
    for section, rows in results.items():
        ok = sum(expected == got for _, expected, got in rows)
        print(f"  {section:8s} {ok}/{len(rows)}")
        if name == "locked":  # never listed: studying a locked case means moving it to dev first
            continue
        for text, expected, got in rows:
            if expected != got:
                print(f"    MISS {text!r}: expected {expected}, got {got}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", help="REST webhook of running servers (default: start a pair)")
    args = parser.parse_args(argv)
    if args.rasa_url:
        for name, path in PARTS.items():
            report(name, evaluate(lambda s, t: post_message(args.rasa_url, s, t), path))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        with Servers(rasa_port=free_port(), actions_port=free_port(),
                     tracker_db=Path(scratch) / "bench.db", log_dir=Path(scratch) / "log") as servers:
            for name, path in PARTS.items():
                report(name, evaluate(lambda s, t: post_message(servers.rest_url, s, t), path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
