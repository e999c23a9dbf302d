"""Scores the assistant's safety answers on the safety test set (tests/safety_set/).

Each case is sent as the first message of a fresh conversation; its typed payload is
compared with what the case expects (fields: tests/safety_set/README.md). The figures are
the issue 13 targets, each a share of the cases of its group:

- contraindications answered stop or caution with the condition named;
- conditions ruled out, or someone else's, not stopped;
- medical conditions the content does not clear never answered ok or out of scope;
- red flags escalated (emergency);
- ordinary back pain and tension on the triage path;
and every case judged whole (verdict, ids named, ids not reported, what was heard).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional

import yaml

from massage_coach.settings import PROJECT_DIR

SAFETY_SET_DIR = PROJECT_DIR / "tests" / "safety_set"
PARTS = ("dev", "locked")
# The condition that stands for ordinary back pain until the triage question answers it.
BACK_PAIN_ID = "back_pain"
# Group name -> the kinds of case it counts (README of the set).
GROUPS = {
    "contraindication named (stop/caution)": ("contra",),
    "ruled out or someone else's: not stopped": ("negated", "family"),
    "medical, not cleared by the content: never ok/out of scope": ("medical", "covered"),
    "red flag escalated": ("redflag",),
    "history or doubt: named, never cleared": ("historical", "uncertain"),
    "back pain / tension: triage path": ("triage",),
    "healthy: cleared": ("healthy",),
}


@dataclass(frozen=True)
class Case:
    text: str
    kind: str
    verdicts: List[str]
    conditions: List[str] = field(default_factory=list)
    any_of: List[str] = field(default_factory=list)
    ruled_out: List[str] = field(default_factory=list)
    heard: Optional[str] = None
    # A studied development case that still fails, and why (`p`): counted in the figures, and
    # `make test` insists it still fails until its mark is taken off (a strict expected failure).
    pending: Optional[str] = None


@dataclass(frozen=True)
class Answer:
    """What the assistant answered: verdict (or the payload type when it was no safety
    answer), conditions reported and ruled out, and the text said."""

    verdict: str
    conditions: List[str]
    negated: List[str]
    text: str
    go_ahead: bool = False  # the triage's gentle go-ahead: an "ok" reached on the triage path
    past: List[str] = field(default_factory=list)  # named as past and over, not reported present


@dataclass(frozen=True)
class Judgement:
    case: Case
    answer: Answer
    problems: List[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def load_cases(part: str, directory: Path = SAFETY_SET_DIR) -> List[Case]:
    raw = yaml.safe_load((directory / f"{part}.yml").read_text(encoding="utf-8"))["cases"]
    return [
        Case(
            text=c["t"], kind=c["k"], verdicts=c["v"] if isinstance(c["v"], list) else [c["v"]],
            conditions=c.get("c", []), any_of=c.get("any", []), ruled_out=c.get("n", []), heard=c.get("h"),
            pending=c.get("p"),
        )
        for c in raw
    ]


def read_answer(replies: List[Dict]) -> Answer:
    """The answer's verdict from its typed payload: the safety verdict, "emergency", "triage",
    or the payload type of a non-safety answer ("fallback", "contraindications"...)."""
    text = " ".join(r.get("text", "") for r in replies if r.get("text"))
    customs = [r["custom"] for r in replies if isinstance(r.get("custom"), dict)]
    for payload in customs:
        kind = payload.get("type", "")
        if kind == "emergency":
            return Answer("emergency", payload.get("conditions", []), [], text)
        if kind == "triage_outcome" and payload.get("outcome") != "go_ahead":
            # The back-pain question escalated: the answer is that condition's verdict.
            return Answer(payload["verdict"], payload.get("conditions", []), payload.get("negated", []), text)
        if "triage" in kind:
            return Answer("triage", payload.get("conditions", []), payload.get("negated", []), text,
                          go_ahead=payload.get("outcome") == "go_ahead")
    for payload in customs:
        if payload.get("type") == "safety":
            return Answer(payload["verdict"], payload.get("conditions", []), payload.get("negated", []), text,
                          past=payload.get("past", []))
    return Answer(customs[0].get("type", "none") if customs else "none", [], [], text)


def on_triage_path(answer: Answer) -> bool:
    """The triage question, or (before it is asked) back pain recognised and not refused."""
    return answer.verdict == "triage" or (answer.verdict == "unknown" and answer.conditions == [BACK_PAIN_ID])


def judge(case: Case, answer: Answer) -> Judgement:
    problems = []
    verdict_ok = (answer.verdict in case.verdicts or ("triage" in case.verdicts and on_triage_path(answer))
                  or ("ok" in case.verdicts and answer.go_ahead))
    if not verdict_ok:
        problems.append(f"verdict {answer.verdict}, expected {'/'.join(case.verdicts)}")
    named = [*answer.conditions, *answer.past]  # a past condition is named, though not as present
    missing = [c for c in case.conditions if c not in named]
    if missing:
        problems.append(f"not named: {', '.join(missing)}")
    if case.any_of and not set(case.any_of) & set(named):
        problems.append(f"named none of: {', '.join(case.any_of)}")
    wrongly = [c for c in case.ruled_out if c in answer.conditions]
    if wrongly:
        problems.append(f"reported although ruled out / not the person's: {', '.join(wrongly)}")
    if case.heard and case.heard.lower() not in answer.text.lower():
        problems.append(f"did not name what it heard ({case.heard!r})")
    return Judgement(case, answer, problems)


def run_part(cases: Iterable[Case], ask: Callable[[str, str], List[Dict]]) -> List[Judgement]:
    """Judges each case, sent by `ask(sender, text)` as the first turn of its own conversation."""
    return [judge(case, read_answer(ask(f"safety-set-{uuid.uuid4().hex}", case.text))) for case in cases]


def figures(judgements: List[Judgement]) -> Dict[str, tuple]:
    """Group -> (passed, total); plus "all cases" and, for medical cases, the verdict alone."""
    result = {}
    for group, kinds in GROUPS.items():
        members = [j for j in judgements if j.case.kind in kinds]
        result[group] = (sum(j.passed for j in members), len(members))
    medical = [j for j in judgements if j.case.kind in ("medical", "covered")]
    result["medical: not ok/out of scope (verdict only)"] = (
        sum(j.answer.verdict in ("unknown", "stop", "caution", "emergency") for j in medical), len(medical))
    result["all cases"] = (sum(j.passed for j in judgements), len(judgements))
    return result


def percent(passed: int, total: int) -> str:
    return f"{100 * passed / total:5.1f} % ({passed}/{total})" if total else "   n/a"
