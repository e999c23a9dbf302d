"""Safety verdicts: which answer a set of reported conditions gets.

The most severe verdict wins: emergency > stop > caution > unknown > ok.
Only negated conditions (or none of the listed ones) give "ok"; a message that
names no condition the content knows gives "unknown", never a plain ok.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List

from massage_coach.domain.content import Content

SEVERITY = ("emergency", "stop", "caution", "unknown")
# Entity role the NLU gives a condition the user ruled out ("she is not pregnant").
NEGATED_ROLE = "negated"
# Back pain that is only muscle tension ("tight shoulders"): the triage goes ahead unasked.
TENSION_ROLE = "tension"


@dataclass(frozen=True)
class Assessment:
    verdict: str
    conditions: List[str] = field(default_factory=list)
    negated: List[str] = field(default_factory=list)


def _unique(ids: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(ids))


def assess(content: Content, reported: Iterable[str], negated: Iterable[str] = ()) -> Assessment:
    """Verdict for conditions said to be present (`reported`) and ruled out (`negated`)."""
    reported = [c for c in _unique(reported) if c in content.conditions]
    negated = [c for c in _unique(negated) if c in content.conditions and c not in reported]
    for verdict in SEVERITY:
        if any(content.conditions[c]["verdict"] == verdict for c in reported):
            return Assessment(verdict, reported, negated)
    return Assessment("ok" if negated else "unknown", [], negated)


def none_apply() -> Assessment:
    """The user says none of the listed contraindications apply."""
    return Assessment("ok")
