"""The payload contract: one typed model per `custom` payload the assistant sends.

Front ends (terminal, voice, widget) render these and invent no wording: every id a
payload carries has its display name in `names`, a verdict carries its `label`, an
answer meant to be heard carries its whole spoken form in `speech`, and a question
says which answer it awaits in `expects`. payload_schema.json and docs/payloads.md
are generated from these models (`make contract`); a test fails when they are stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Dict, List, Optional, Type

from pydantic import BaseModel, Extra, Field
from typing_extensions import Literal

SCHEMA_PATH = Path(__file__).with_name("payload_schema.json")

Verdict = Literal["stop", "caution", "ok", "unknown"]
# What a question waits for: yes or no; "no" meaning none of the listed conditions; or one of
# the back-pain question's options (muscle tension, or a red flag).
Expects = Literal["yes_no", "none_of_those", "triage"]
Names = Dict[str, str]


class Payload(BaseModel):
    """Fields every payload may carry."""

    type: str
    speech: Optional[str] = Field(
        default=None, description="the whole answer as it is said aloud; a voice says it instead of the text")
    expects: Optional[Expects] = Field(
        default=None, description="the answer awaited: `yes_no`; `none_of_those` (a no means none apply); "
                                  "`triage` (one of the question's `options`)")
    names: Names = Field(default_factory=dict, description="display name of every id in this payload")

    sent_for: ClassVar[str] = ""

    class Config:
        extra = Extra.forbid

    def json_message(self) -> Dict[str, Any]:
        """The payload as Rasa sends it: no empty optional fields."""
        return self.dict(exclude_none=True, exclude=set() if self.names else {"names"})


class Safety(Payload):
    sent_for: ClassVar[str] = "a question about a person's condition"
    type: Literal["safety"] = "safety"
    verdict: Verdict
    label: str = Field(..., description="the verdict as a heading: \"Don't massage\"")
    conditions: List[str] = Field(..., description="condition ids reported present")
    negated: List[str] = Field(..., description="condition ids ruled out")
    past: Optional[List[str]] = Field(
        default=None, description="condition ids told as past and over (\"a fever last month\"): named, never "
                                  "cleared, not present")
    heard: Optional[List[str]] = Field(
        default=None, description="medical words heard that no condition names (\"lupus\"): never cleared")


class Emergency(Payload):
    sent_for: ClassVar[str] = "a red flag happening now (chest pain, numb arm, fainting, breathing difficulty)"
    type: Literal["emergency"] = "emergency"
    label: str
    conditions: List[str] = Field(..., description="the red flags named")


class Contraindications(Payload):
    sent_for: ClassVar[str] = "\"when should I not massage?\""
    type: Literal["contraindications"] = "contraindications"
    conditions: List[str] = Field(..., description="condition ids that mean stop")
    caution: List[str] = Field(..., description="condition ids that need a professional and a physician")


class Technique(Payload):
    sent_for: ClassVar[str] = "\"what is kneading?\" (one payload per technique asked about)"
    type: Literal["technique"] = "technique"
    technique: str
    name: str


class Techniques(Payload):
    sent_for: ClassVar[str] = "\"which techniques are there?\""
    type: Literal["techniques"] = "techniques"
    techniques: List[str]


class Zone(Payload):
    sent_for: ClassVar[str] = "\"where does the lumbar zone start?\""
    type: Literal["zone"] = "zone"
    zone: str
    name: str


class Zones(Payload):
    sent_for: ClassVar[str] = "\"how do I divide the back?\" (zones from the neck down)"
    type: Literal["zones"] = "zones"
    zones: List[str]


class BodyPart(BaseModel):
    id: str
    rule: Literal["never", "gently", "not_if_injured", "recommended", "deep_ok"]
    rule_label: str = Field(..., description="the rule as a short phrase: \"Never press\"")

    class Config:
        extra = Extra.forbid


class Anatomy(Payload):
    sent_for: ClassVar[str] = "\"can I press on the spine?\" (`speech` when one part is asked about)"
    type: Literal["anatomy"] = "anatomy"
    parts: List[BodyPart] = Field(..., min_items=1)


class Duration(Payload):
    sent_for: ClassVar[str] = "\"how long should it take?\""
    type: Literal["duration"] = "duration"
    min_minutes: int
    max_minutes: int
    whole_back_minutes: int


class Preparation(Payload):
    sent_for: ClassVar[str] = "\"what do I need?\" (`names` holds each item's text)"
    type: Literal["preparation"] = "preparation"
    items: List[str] = Field(..., description="checklist ids")


class Guidance(Payload):
    sent_for: ClassVar[str] = ("\"how hard should I press?\" (`beginner_rules`), \"when should I stop?\" "
                               "(`stop_signs`), \"what do we do afterwards?\" (`aftercare`); `items`: the guidance, "
                               "in order")
    type: Literal["guidance"] = "guidance"
    topic: Literal["beginner_rules", "stop_signs", "aftercare"]
    items: List[str] = Field(..., min_items=1)


class RoutineSummary(BaseModel):
    id: str
    title: str
    audience: Literal["beginner", "anyone", "professional"]
    steps: int
    minutes: int

    class Config:
        extra = Extra.forbid


class Routines(Payload):
    sent_for: ClassVar[str] = "\"which routines do you have?\" (each with a start button)"
    type: Literal["routines"] = "routines"
    routines: List[RoutineSummary]
    available_minutes: Optional[int] = Field(default=None, description="the time the user said they have")
    fits: Optional[List[str]] = Field(default=None,
                                      description="with `available_minutes`: the routine ids that fit in it")


class RoutineOverview(Payload):
    sent_for: ClassVar[str] = ("\"tell me about the relaxing massage\", \"what's in the quick one?\" (with a start "
                               "button; `techniques` and `zones` in the order the routine first uses them)")
    type: Literal["routine_overview"] = "routine_overview"
    routine: RoutineSummary
    techniques: List[str]
    zones: List[str]


class Screening(Payload):
    sent_for: ClassVar[str] = "starting a routine: does any of these conditions apply? (before the first step)"
    type: Literal["screening"] = "screening"
    routine: str
    conditions: List[str] = Field(..., description="the stop condition ids to rule out first")


class Confirmation(Payload):
    sent_for: ClassVar[str] = "a professional routine, or a caution condition: asks for an explicit yes"
    type: Literal["confirmation"] = "confirmation"
    routine: str
    audience: Literal["beginner", "anyone", "professional"]


class TriageOption(BaseModel):
    id: str
    title: str = Field(..., description="the answer as a button shows it")
    request: str = Field(..., description="the typed request that gives this answer")

    class Config:
        extra = Extra.forbid


class Triage(Payload):
    sent_for: ClassVar[str] = ("back pain (\"my partner has a bad back\"), or a routine asked for while back pain "
                               "stands: one question before any verdict")
    type: Literal["triage"] = "triage"
    conditions: List[str] = Field(..., description="what opened the question (`back_pain`)")
    options: List[TriageOption] = Field(..., min_items=2)
    repeat: bool = Field(..., description="asked again: the answer named neither tension nor a red flag")


class TriageOutcome(Payload):
    sent_for: ClassVar[str] = ("the answer to the back-pain question, \"it's just muscle tension\", \"he's healthy, "
                               "just stressed from work\"")
    type: Literal["triage_outcome"] = "triage_outcome"
    outcome: Literal["go_ahead", "physician", "emergency"]
    verdict: Literal["ok", "stop", "caution", "unknown", "emergency"]
    label: str = Field(..., description="the verdict as a heading")
    conditions: List[str] = Field(..., description="every condition standing now")
    red_flags: List[str] = Field(..., description="those in this message that escalated")
    avoid: Optional[List[str]] = Field(default=None, description="with `go_ahead`: body-part ids to stay off")
    routines: Optional[List[str]] = Field(
        default=None, description="with `go_ahead`: routine ids offered (none when a routine waits or runs)")


class Pacing(BaseModel):
    """When a pacing front end moves on by itself: the assistant decides, every front end follows."""

    advance_after_s: int = Field(..., description="seconds after the step was shown (or said) to send "
                                                  "`/next_step{\"timer_step\": step}`")
    heads_up_before_s: int = Field(..., description="seconds before that to say `heads_up` (0: none)")
    heads_up: str = Field(..., description="what to say then")

    class Config:
        extra = Extra.forbid


class Step(Payload):
    sent_for: ClassVar[str] = "each step of a guided routine: \"next\", \"back\", \"repeat\", \"go to step 3\""
    type: Literal["step"] = "step"
    routine: str
    step: int = Field(..., ge=1)
    total: int = Field(..., ge=1)
    zone: str = Field(..., description="where the step starts")
    zones: List[str] = Field(..., description="every zone it covers")
    technique: str
    techniques: List[str]
    duration_s: int
    instruction: str = Field(..., description="for the screen")
    lead: Optional[str] = Field(default=None, description="a remark shown before the step: \"Skipping step 3.\"")
    pacing: Pacing


class Paused(Payload):
    sent_for: ClassVar[str] = "\"pause\""
    type: Literal["paused"] = "paused"
    routine: str
    step: int


class Progress(Payload):
    sent_for: ClassVar[str] = "\"how many steps left?\", or a step number out of range"
    type: Literal["progress"] = "progress"
    routine: str
    step: int
    total: int
    steps_left: int
    seconds_left: int


class RoutineDone(Payload):
    sent_for: ClassVar[str] = "after the last step"
    type: Literal["routine_done"] = "routine_done"
    routine: str


class RoutineStopped(Payload):
    sent_for: ClassVar[str] = "\"stop the routine\", or a safety stop"
    type: Literal["routine_stopped"] = "routine_stopped"
    routine: str
    step: int


class Unchanged(Payload):
    sent_for: ClassVar[str] = "a timer request the user already overtook (nothing to render)"
    type: Literal["unchanged"] = "unchanged"


class Advice(Payload):
    sent_for: ClassVar[str] = "\"it hurts\" in the middle of a routine"
    type: Literal["advice"] = "advice"
    topic: Literal["discomfort"]


class Help(Payload):
    sent_for: ClassVar[str] = "greeting, \"what can you do?\""
    type: Literal["help"] = "help"
    topics: List[str]


class Acknowledgement(Payload):
    sent_for: ClassVar[str] = "thanks, \"ok\""
    type: Literal["acknowledgement"] = "acknowledgement"


class About(Payload):
    sent_for: ClassVar[str] = "\"are you a real person?\", \"who made you?\""
    type: Literal["about"] = "about"


class Goodbye(Payload):
    sent_for: ClassVar[str] = "bye"
    type: Literal["goodbye"] = "goodbye"


class Fallback(Payload):
    sent_for: ClassVar[str] = ("anything else; during a routine with `routine` and `step` (the text then says "
                               "where we are and offers the routine's commands)")
    type: Literal["fallback"] = "fallback"
    reason: Literal["out_of_scope", "not_understood", "unavailable"]
    routine: Optional[str] = None
    step: Optional[int] = None


PAYLOAD_TYPES: List[Type[Payload]] = [
    Safety, Emergency, Contraindications, Technique, Techniques, Zone, Zones, Anatomy, Duration,
    Preparation, Guidance, Routines, RoutineOverview, Screening, Confirmation, Triage, TriageOutcome, Step, Paused,
    Progress, RoutineDone, RoutineStopped, Unchanged, Advice, Help, Acknowledgement, About, Goodbye, Fallback,
]
BY_TYPE: Dict[str, Type[Payload]] = {model.__fields__["type"].default: model for model in PAYLOAD_TYPES}


def parse(payload: Dict[str, Any]) -> Payload:
    """The typed payload of a `custom` dict; raises ValueError for one outside the contract."""
    model = BY_TYPE.get(payload.get("type", ""))
    if model is None:
        raise ValueError(f"unknown payload type {payload.get('type')!r}")
    return model.parse_obj(payload)


def load_schema() -> Dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())
