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
# A condition that passes, told as past and over ("she had a fever last week").
HISTORICAL_ROLE = "historical"
# Someone else's condition ("her mother had cancer"), not the person's.
FAMILY_ROLE = "family"
# Entity group of a medical word that names a medicine ("ibuprofen"): taken for a sore back, it
# leaves the back-pain question open, where an illness ("endometriosis") is for a physician first.
MEDICINE_GROUP = "medicine"
# The entity of a message asking again whether to go ahead ("so can i massage her or not").
GO_AHEAD_ENTITY = "go_ahead_question"
# The entity of a message telling of a doctor's clearance ("the cardiologist gave him the all clear").
CLEARANCE_ENTITY = "doctor_clearance"


@dataclass(frozen=True)
class Assessment:
    verdict: str
    conditions: List[str] = field(default_factory=list)
    negated: List[str] = field(default_factory=list)
    past: List[str] = field(default_factory=list)  # among `conditions`: told as past and over


def _unique(ids: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(ids))


def assess(content: Content, reported: Iterable[str], negated: Iterable[str] = (),
           past: Iterable[str] = ()) -> Assessment:
    """Verdict for conditions said to be present (`reported`), ruled out (`negated`) and told as
    past and over (`past`: named and never cleared, "unknown" at most, as no physician said it's over)."""
    reported = [c for c in _unique(reported) if c in content.conditions]
    negated = [c for c in _unique(negated) if c in content.conditions and c not in reported]
    past = [c for c in _unique(past) if c in content.conditions and c not in reported and c not in negated]
    for verdict in SEVERITY:
        if any(content.conditions[c]["verdict"] == verdict for c in reported):
            return Assessment(verdict, [*reported, *past], negated, past)
    if past:
        return Assessment("unknown", past, negated, past)
    return Assessment("ok" if negated else "unknown", [], negated)


def none_apply() -> Assessment:
    """The user says none of the listed contraindications apply."""
    return Assessment("ok")
