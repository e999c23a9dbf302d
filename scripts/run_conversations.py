"""Strangers' first conversations (tests/conversations/), played to real servers: prints each turn, what
its writer wanted ("[want]") and the replies, for a judge to mark. Asserts nothing, judges nothing.

    PYTHONPATH=. .venv/bin/python scripts/run_conversations.py dev > dev.txt
    PYTHONPATH=. .venv/bin/python scripts/run_conversations.py locked > locked.txt   # for a judge, not for tuning

The judging brief and the figures are in tests/conversations/README.md.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from pathlib import Path

import yaml

from massage_coach.clients.assistant import post_message
from massage_coach.server.launcher import Servers
from massage_coach.server.local_datastores import free_port
from massage_coach.settings import PROJECT_DIR

CONVERSATIONS = PROJECT_DIR / "tests" / "conversations"
SHOWN_CHARACTERS = 600  # of each reply's text: enough to judge it, short enough to read 120 turns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("dev", "locked"))
    args = parser.parse_args()
    conversations = yaml.safe_load((CONVERSATIONS / f"{args.part}.yml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as scratch, Servers(
        rasa_port=free_port(), actions_port=free_port(), tracker_db=Path(scratch) / "conversations.db",
        log_dir=Path(scratch) / "log", api_token=secrets.token_hex(16),
    ) as servers:
        for number, conversation in enumerate(conversations):
            print(f"\n##### {number} {conversation['who']}")
            sender = f"conversation-{number}-{secrets.token_hex(4)}"
            for turn in conversation["turns"]:
                print(f">> {turn['u']}\n   [want] {turn['expect']}")
                for reply in post_message(servers.rest_url, sender, turn["u"], timeout=60):
                    payload = reply.get("custom") or {}
                    verdict = f" {payload['verdict']}" if payload.get("verdict") else ""
                    text = (reply.get("text") or payload.get("text") or "").replace("\n", " ")
                    print(f"   -> ({payload.get('type')}{verdict}) {text[:SHOWN_CHARACTERS]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
