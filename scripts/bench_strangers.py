"""Strangers' phrasings (tests/nlu_strangers/) per writer and per intent group: prints figures, asserts nothing.

Each part's file holds several writers' sections, each opened by a comment block at the top level;
this parses every written case (duplicates included) through the real Rasa server's /model/parse
and prints each writer's figure and each intent group's (the data/nlu file that trains the intent).
"classifier" counts the first choice of the classifier and its fallback threshold, before the rule
components after them (config.yml): NotUnderstoodFallback, and SafetyFirstIntent, which makes a back
pain or tension the recogniser names check_condition by design (the triage answers it either way).

    PYTHONPATH=. .venv/bin/python scripts/bench_strangers.py              # figures only
    PYTHONPATH=. .venv/bin/python scripts/bench_strangers.py --failures   # and the development misses
    PYTHONPATH=. .venv/bin/python scripts/bench_strangers.py --part dev   # a tuning loop: no locked figure

The locked part's misses are never listed (tests/nlu_strangers/README.md).
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from massage_coach.server.launcher import Servers
from massage_coach.server.local_datastores import free_port
from massage_coach.settings import PROJECT_DIR
from scripts.bench_safety import parse_result
from tests.support.safety_eval import percent

STRANGERS = PROJECT_DIR / "tests" / "nlu_strangers"
NLU_DATA = PROJECT_DIR / "data" / "nlu"
# The data/nlu file that trains an intent names its group; these files share one.
PARTS = ("dev", "locked")
GROUP_OF_FILE = {"routine_commands": "routines", "triage": "health", "safety": "health"}


@dataclass(frozen=True)
class Section:
    writer: str  # the first line of the section's comment block
    cases: List[Tuple[str, str]]  # (text, intent)


Row = Tuple[str, str, str, str]  # text, its intent, the intent parsed, the classifier's own first choice


def answer(parsed: Dict) -> Tuple[str, str]:
    ranking = parsed.get("intent_ranking") or [parsed["intent"]]
    return parsed["intent"]["name"], ranking[0]["name"]


def sections(path: Path) -> List[Section]:
    """The writers' sections of a strangers' file, in order."""
    found: List[Section] = []
    header, body = "", []  # type: Tuple[str, List[str]]

    def close() -> None:
        if header:
            nlu = yaml.safe_load("".join(body)) or []
            found.append(Section(header, [(text[2:].strip(), block["intent"]) for block in nlu
                                          for text in block["examples"].splitlines() if text.strip()]))

    for line in path.read_text().splitlines(keepends=True):
        if line.startswith("#") and (not body or not body[-1].startswith("#")):
            close()
            header, body = line.lstrip("# ").strip(), []
        if line.startswith(("- ", "  ")) or line.startswith("#"):
            body.append(line)
    close()
    return found


def intent_groups() -> Dict[str, str]:
    groups: Dict[str, str] = {}
    for path in sorted(NLU_DATA.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            if "intent" in block and path.stem != "kinds":
                groups.setdefault(block["intent"], GROUP_OF_FILE.get(path.stem, path.stem))
    return groups


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list the development part's misses")
    parser.add_argument("--part", choices=PARTS, action="append", help="run only this part (default: both)")
    args = parser.parse_args()
    groups = intent_groups()
    parts = {part: sections(STRANGERS / f"{part}.yml") for part in args.part or PARTS}

    with tempfile.TemporaryDirectory() as scratch, Servers(
        rasa_port=free_port(), actions_port=free_port(), tracker_db=Path(scratch) / "bench.db",
        log_dir=Path(scratch) / "log", api_token=secrets.token_hex(16),
    ) as servers:
        parsed = {part: [[(text, intent, *answer(parse_result(servers, text))) for text, intent in section.cases]
                         for section in found] for part, found in parts.items()}

    names = sorted(set(groups.values()))
    print(f"| part | writer's section | all | classifier | {' | '.join(names)} |\n"
          f"|---|---|---|---|{'---|' * len(names)}")
    for part, found in parts.items():
        everyone: List[Row] = [row for rows in parsed[part] for row in rows]
        for section, rows in [*zip(found, parsed[part]), (Section("all writers", []), everyone)]:
            def score(selected: List[Row], column: int = 2) -> str:
                return percent(sum(1 for row in selected if row[column] == row[1]), len(selected))

            by_group = [score([row for row in rows if groups[row[1]] == name]) for name in names]
            print(f"| {part} | {section.writer[:60]} | {score(rows)} | {score(rows, 3)} | {' | '.join(by_group)} |")
    if args.failures and "dev" in parts:
        print("\n## Development misses\n")
        for section, rows in zip(parts["dev"], parsed["dev"]):
            print(f"### {section.writer}")
            for text, intent, got, first_choice in rows:
                if got != intent:
                    print(f"- {text!r}: {intent} -> {got} (classifier: {first_choice})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
