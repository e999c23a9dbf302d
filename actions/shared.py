"""What the actions share: the validated content, the routine engine, and the adapter
between Rasa (tracker, dispatcher, slot events) and the engine's state and replies."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any, Callable, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from massage_coach.domain import triage
from massage_coach.domain.content import load_content
from massage_coach.domain.engine import TRIAGE, Outcome, RoutineEngine, State
from massage_coach.domain.people import People
from massage_coach.domain.replies import Reply
from massage_coach.domain.safety import NEGATED_ROLE
from massage_coach.domain.triage import Reply as TriageReply

# Loaded when the action server imports the actions, so a broken content file stops
# the server at start-up with the file and field named, not a user mid-conversation.
CONTENT = load_content()
ENGINE = RoutineEngine(CONTENT)
PEOPLE = People(CONTENT.recognition)


def state_of(tracker: Tracker) -> State:
    """The engine's state from the conversation's slots (same names)."""
    slot = tracker.get_slot
    step = slot("step")
    return State(
        active_routine=slot("active_routine"),
        step=int(step) if step is not None else None,
        paused=bool(slot("paused")),
        pending_routine=slot("pending_routine"),
        awaiting=slot("awaiting"),
        screened=bool(slot("screened")),
        reported_conditions=tuple(slot("reported_conditions") or ()),
        safety_verdict=slot("safety_verdict"),
        tension_confirmed=bool(slot("tension_confirmed")),
        person=slot("person"),
        other_person_conditions=tuple(slot("other_person_conditions") or ()),
    )


def for_person(tracker: Tracker, transition: Callable[[State], Outcome]) -> Outcome:
    """The transition, on the state of the person the latest message is about ("his shoulders
    are tight" after "my wife is pregnant" is about someone else: the engine says so)."""
    regarded = ENGINE.regard_person(state_of(tracker), PEOPLE.named_in(tracker.latest_message.get("text") or ""))
    outcome = transition(regarded.state)
    return Outcome(outcome.state, [*regarded.replies, *outcome.replies])


def send(dispatcher: CollectingDispatcher, replies: Sequence[Reply]) -> None:
    for reply in replies:
        message: Dict[str, Any] = dict(reply.fill)
        if reply.response:
            message["response"] = reply.response
        if reply.payload is not None:
            message["json_message"] = reply.payload.json_message()
        if reply.buttons:
            message["buttons"] = list(reply.buttons)
        dispatcher.utter_message(**message)


def apply(dispatcher: CollectingDispatcher, tracker: Tracker, outcome: Outcome) -> List[Dict[str, Any]]:
    """Sends the outcome's replies; returns a SlotSet for each slot whose value changed."""
    send(dispatcher, outcome.replies)
    before, after = asdict(state_of(tracker)), asdict(outcome.state)
    events = []
    for name in (f.name for f in fields(State)):
        if before[name] != after[name]:
            value = after[name]
            events.append(SlotSet(name, list(value) if isinstance(value, tuple) else value))
    return events


def entity_ids(tracker: Tracker, entity: str, role: Optional[str] = None) -> List[str]:
    """Ids of `entity` in the latest message with exactly this role, known to content."""
    known = CONTENT.section(entity)
    found = [
        e["value"]
        for e in tracker.latest_message.get("entities", [])
        if e.get("entity") == entity and e.get("role") == role and e.get("value") in known
    ]
    return list(dict.fromkeys(found))


def number_entity(tracker: Tracker, entity: str) -> Optional[int]:
    """The last whole number given as `entity` in the latest message."""
    for e in reversed(tracker.latest_message.get("entities", [])):
        if e.get("entity") == entity:
            try:
                return int(e["value"])
            except (TypeError, ValueError):
                return None
    return None


def intent_of(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def triage_reply(tracker: Tracker) -> TriageReply:
    """What the latest message says that bears on the back-pain question. Back pain in words
    the condition list lacks ("his back is killing him") comes as the back_pain intent."""
    intent = intent_of(tracker)
    reported = entity_ids(tracker, "condition")
    # "It's just sore" answering the question: ordinary tension, though the classifier hears discomfort.
    played_down = (not reported and state_of(tracker).awaiting == TRIAGE
                   and triage.plays_down(CONTENT, tracker.latest_message.get("text") or ""))
    if intent == "back_pain":
        reported = list(dict.fromkeys([*reported, *CONTENT.triage["triggers"][:1]]))
    return TriageReply(reported, entity_ids(tracker, "condition", NEGATED_ROLE),
                       tension=intent == "muscle_tension" or played_down)
