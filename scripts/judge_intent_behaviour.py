"""Behaviour judge for the strangers' development phrasings: does the answer do what the intent asks?

A label can be wrong while the answer is right ("my back hurts" is answered as a report of back
pain, with the triage question, whatever the label), and a label can be right-looking while the
answer strands the user. For each development phrasing this sends, in a fresh conversation, the
phrasing itself and, in another one in the same state, the typed request of its true intent with
the entities the NLU found in it (`/ask_zone{"zone": "collar"}`); the answer passes when the two give
the same kinds of payload. Routine commands and discomfort are said in a running routine (resume
after a pause). Only the development part: the locked part is never studied (README there).

    PYTHONPATH=. .venv/bin/python scripts/judge_intent_behaviour.py [--failures]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

from massage_coach.clients.assistant import post_message
from massage_coach.server.launcher import Servers
from massage_coach.server.local_datastores import free_port
from massage_coach.settings import PROJECT_DIR
from scripts.bench_safety import heldout_examples, parse_result

DEV = PROJECT_DIR / "tests" / "nlu_strangers" / "dev.yml"
IN_ROUTINE = {"next_step", "previous_step", "repeat_step", "go_to_step", "pause_routine", "resume_routine",
              "skip_step", "routine_progress", "restart_routine", "stop_routine", "report_discomfort"}
# Entities typed requests carry; the rest (numbers aside) only describe the message.
REQUEST_ENTITIES = ("technique", "zone", "body_part", "routine", "condition", "number")


def setup_turns(intent: str) -> List[str]:
    if intent not in IN_ROUTINE:
        return []
    started = ['/start_routine{"routine": "classic"}', "/deny"]
    return started + ["/pause_routine"] if intent == "resume_routine" else started


def answer_kinds(servers: Servers, turns: List[str], text: str) -> Tuple[str, ...]:
    sender = f"judge-{uuid.uuid4().hex}"
    for turn in turns:
        post_message(servers.rest_url, sender, turn, timeout=60)
    replies = post_message(servers.rest_url, sender, text, timeout=60)
    customs = [r["custom"] for r in replies if "custom" in r]
    return tuple(f"{c['type']}:{c.get('topic', '')}".rstrip(":") for c in customs)


def typed_request(intent: str, entities: List[Dict]) -> str:
    wanted = {e["entity"]: e["value"] for e in entities
              if e["entity"] in REQUEST_ENTITIES and e.get("role") is None}
    return f"/{intent}{json.dumps(wanted)}" if wanted else f"/{intent}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list the phrasings whose answer differs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, Servers(
        rasa_port=free_port(), actions_port=free_port(), tracker_db=Path(scratch) / "judge.db",
        log_dir=Path(scratch) / "log", api_token=secrets.token_hex(16),
    ) as servers:
        judged = []
        for text, intent in heldout_examples(DEV):
            parsed = parse_result(servers, text)
            turns = setup_turns(intent)
            got = answer_kinds(servers, turns, text)
            wanted = answer_kinds(servers, turns, typed_request(intent, parsed["entities"]))
            judged.append((text, intent, parsed["intent"]["name"], got, wanted))
    right = sum(got == wanted for *_, got, wanted in judged)
    labelled = sum(intent == label for _, intent, label, *_ in judged)
    print(f"Strangers' development phrasings: label right {labelled}/{len(judged)}, "
          f"answer of the right kind {right}/{len(judged)} ({100 * right / len(judged):.1f} %)")
    if args.failures:
        for text, intent, label, got, wanted in judged:
            if got != wanted:
                print(f"- {text!r} ({intent}, labelled {label}): {list(got)} instead of {list(wanted)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
