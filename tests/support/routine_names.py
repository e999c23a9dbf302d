"""Judge of the routine-name sets (tests/routine_names/): does asking to start a routine in a
stranger's words start that routine's screening, or ask which routine when none is named? And does
asking about one (`k: describe`, "what's in the quick one?") describe that one without starting it?

Health comes first: a request that also reports a condition ("the one for his spine, my dad has
osteochondrosis") or back pain is rightly answered by the safety answer naming it, or by the
back-pain question; that counts as right, and is counted apart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import yaml

SETS = Path(__file__).resolve().parent.parent / "routine_names"
NO_ROUTINE = "none"
HEALTH_FIRST = "health first"
DESCRIBED = "about "  # + the routine described


@dataclass(frozen=True)
class Judgement:
    text: str
    expected: str  # a routine id, "none", or DESCRIBED + a routine id
    # The routine whose screening came back, "none" for "which routine?", or HEALTH_FIRST.
    started: Optional[str]

    @property
    def passed(self) -> bool:
        return self.started in (self.expected, HEALTH_FIRST)


def load_cases(part: str) -> List[Dict[str, str]]:
    return yaml.safe_load((SETS / f"{part}.yml").read_text(encoding="utf-8"))["cases"]


def started_routine(answer: List[Dict[str, Any]]) -> Optional[str]:
    """What the answer's payloads started: a routine's screening, the routine list, a safety
    answer naming a condition or a medical word, an emergency or the back-pain question, or nothing."""
    for message in answer:
        payload = message.get("custom") or {}
        if payload.get("type") == "screening":
            return payload.get("routine")
        if payload.get("type") == "routines":
            return NO_ROUTINE
        if payload.get("type") == "routine_overview":
            return DESCRIBED + payload["routine"]["id"]
        if payload.get("type") in ("triage", "emergency") or (
                payload.get("type") == "safety" and (payload.get("conditions") or payload.get("heard"))):
            return HEALTH_FIRST
    return None


def judge(cases: List[Dict[str, str]], ask: Callable[[str, str], List[Dict[str, Any]]]) -> List[Judgement]:
    """Each case as the first turn of a fresh conversation; `ask(sender, text)` returns the answer."""
    return [Judgement(case["t"], (DESCRIBED if case.get("k") == "describe" else "") + case["r"],
                      started_routine(ask(f"routine-names-{uuid.uuid4().hex}", case["t"])))
            for case in cases]
