"""Back-pain triage: one question instead of a dead end, and the answer it leads to.

Back pain is the commonest reason to give a back massage and has many causes, so it
gets a question (content/triage.yml), not a verdict: ordinary muscle tension goes ahead
gently; a red flag (a fall or injury, numbness, fever, shooting pain, pain at night) or
any other reported condition gets that condition's own verdict. Pure Python over the
validated content: no Rasa here, the action in actions/triage.py adapts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, List

from massage_coach.domain.content import Content
from massage_coach.domain.safety import assess

# Outcome kinds.
ASK = "ask"              # back pain reported: ask the question
UNCLEAR = "unclear"      # the answer named neither tension nor a condition: ask again
GO_AHEAD = "go_ahead"    # ordinary muscle tension, nothing else reported: gentle massage
PHYSICIAN = "physician"  # a red flag or another condition: stop, caution or unknown
EMERGENCY = "emergency"  # a red flag the content calls an emergency


@dataclass(frozen=True)
class Reply:
    """What one message says that bears on the triage."""

    reported: List[str] = field(default_factory=list)  # condition ids said to be present
    negated: List[str] = field(default_factory=list)   # condition ids ruled out
    tension: bool = False                               # "it's just muscle tension / stiffness"


@dataclass(frozen=True)
class Outcome:
    kind: str
    verdict: str                 # ok, unknown (still open), or the standing verdict
    conditions: List[str]        # every condition standing after this message
    red_flags: List[str] = field(default_factory=list)  # conditions in this message that escalated
    negated: List[str] = field(default_factory=list)
    tension_confirmed: bool = False  # tension said once clears later mentions of back pain

    @property
    def awaits_answer(self) -> bool:
        return self.kind in (ASK, UNCLEAR)


def triggers(content: Content, conditions: Iterable[str]) -> List[str]:
    """The conditions among these that open the question (back pain)."""
    return [c for c in conditions if c in content.triage["triggers"]]


def involved(content: Content, reply: Reply, awaiting: bool, earlier: Iterable[str] = ()) -> bool:
    """Whether this message belongs to the triage rather than to a plain safety answer.

    Also any news about conditions while untriaged back pain stands ("no fever after
    all"): the answer then is the question, never a dead-end "unknown".
    """
    news = bool(reply.reported or reply.negated) and bool(triggers(content, earlier))
    return awaiting or reply.tension or news or bool(triggers(content, reply.reported))


def plays_down(content: Content, text: str) -> bool:
    """"It's just sore", "only a bit achy": the pain played down, as ordinary tension is ("it's not just
    sore" is not)."""
    words = re.findall(r"[a-z]+", text.lower())
    minimisers, aches = (set(content.triage["played_down"][key]) for key in ("minimisers", "aches"))

    def minimised(i: int) -> bool:  # a minimiser with at most two words between, itself not denied
        return any(words[j] in minimisers and words[j - 1:j] not in (["not"], ["t"]) for j in range(max(0, i - 3), i))

    return any(word in aches and minimised(i) for i, word in enumerate(words))


def decide(
    content: Content,
    reply: Reply,
    earlier: Iterable[str] = (),
    awaiting: bool = False,
    tension_confirmed: bool = False,
) -> Outcome:
    """The answer to `reply`, given the conditions reported earlier in the conversation.

    `awaiting`: the question is open; `tension_confirmed`: the user already said the
    back pain is muscle tension, so mentioning it again needs no new question.
    """
    negated = [c for c in dict.fromkeys(reply.negated) if c not in reply.reported]
    standing = [c for c in dict.fromkeys([*earlier, *reply.reported]) if c not in negated]
    tension_confirmed = tension_confirmed or reply.tension
    if tension_confirmed:
        standing = [c for c in standing if c not in triggers(content, standing)]
    others = [c for c in standing if c not in content.triage["triggers"]]
    if others:
        verdict = assess(content, others).verdict
        red_flags = [c for c in reply.reported if c in others]
        kind = EMERGENCY if verdict == "emergency" else PHYSICIAN
        return Outcome(kind, verdict, standing, red_flags, negated, tension_confirmed)
    if triggers(content, standing):
        kind = UNCLEAR if awaiting else ASK
        return Outcome(kind, "unknown", standing, [], negated, tension_confirmed)
    return Outcome(GO_AHEAD, "ok", [], [], negated, tension_confirmed)


def change_hint(content: Content, conditions: List[str]) -> str:
    """What the user can say to change a refusal: a correction of its first condition."""
    if not conditions:
        return "If you can tell me more about it, I'll check again."
    # A correction of back pain clears nothing while another condition stands: name that one.
    first = next((c for c in conditions if c not in content.triage["triggers"]), conditions[0])
    example = ("it's just muscle tension" if first in content.triage["triggers"]
               else f"no {content.conditions[first]['synonyms'][0]} after all")
    return " ".join(content.triage["change_hint"].split()).replace("{example}", example)
