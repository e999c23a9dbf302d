"""Back pain and tension: the triage question and its answers (massage_coach/triage.py decides).

Reached from action_triage (intents back_pain and muscle_tension: "his back is killing
him", "it's just muscle tension", "he's healthy, just stressed"), from
action_check_condition when back pain is reported or the question is open, from a yes,
a no or "it hurts" while it is open, and from the routine gate when back pain is all
that blocks a routine.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import routines, safety
from actions.shared import CONTENT, entity_ids, join_words
from massage_coach import payloads
from massage_coach import triage as decision
from massage_coach.safety import NEGATED_ROLE, assess

TENSION_INTENT = "muscle_tension"
BACK_PAIN_INTENT = "back_pain"
AWAITING = "triage"


def reply_from(tracker: Tracker) -> decision.Reply:
    """The conditions and the tension the latest message reports.

    Back pain in words the condition list lacks ("his back is killing him") comes as
    the back_pain intent: it reports the triage's condition.
    """
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    reported = entity_ids(tracker, "condition")
    if intent == BACK_PAIN_INTENT:
        reported = list(dict.fromkeys([*reported, CONTENT.triage["triggers"][0]]))
    return decision.Reply(reported, entity_ids(tracker, "condition", NEGATED_ROLE), intent == TENSION_INTENT)


def involved(tracker: Tracker) -> bool:
    return decision.involved(CONTENT, reply_from(tracker), tracker.get_slot("awaiting") == AWAITING,
                             tracker.get_slot("reported_conditions") or [])


def offered_routines() -> List[str]:
    """Routines a non-professional may be guided through after a go-ahead."""
    return [r for r, entry in CONTENT.routines.items() if entry["audience"] != "professional"]


def ask(dispatcher: CollectingDispatcher, repeat: bool = False) -> List[Dict]:
    """Asks the triage question, with one button per answer, each a typed request."""
    question = payloads.triage_question(CONTENT, TENSION_INTENT, repeat)
    dispatcher.utter_message(
        response="utter_triage_unclear" if repeat else "utter_triage_question",
        question=" ".join(CONTENT.triage["question"].split()),
        unclear=" ".join(CONTENT.triage["unclear"].split()),
        buttons=[{"title": o["title"], "payload": o["request"]} for o in question["options"]],
        json_message=question,
    )
    return [SlotSet("awaiting", AWAITING)]


def go_ahead(dispatcher: CollectingDispatcher, tracker: Tracker, outcome: decision.Outcome) -> List[Dict]:
    """Gentle massage: what to avoid, when to stop, then the waiting routine or an offer of one.

    In the middle of a routine there is nothing to offer: "next" carries on.
    """
    content = CONTENT.triage["go_ahead"]
    pending = tracker.get_slot("pending_routine")
    running = tracker.get_slot("active_routine")
    offer = [] if pending or running else offered_routines()
    dispatcher.utter_message(
        response="utter_triage_go_ahead",
        why=" ".join(content["text"].split()),
        avoid=join_words(CONTENT.body_parts[p]["name"].lower() for p in content["avoid"]),
        stop_when=" ".join(content["stop_when"].split()),
        stop_names=safety.stop_names(),
        offer=("Say next to carry on." if running else
               "I can guide you step by step through one of these routines." if offer else ""),
        buttons=[{"title": f"Start: {CONTENT.routines[r]['title']}",
                  "payload": payloads.typed_request("start_routine", {"routine": r})} for r in offer],
        json_message=payloads.triage_outcome(outcome, content["avoid"], offer),
    )
    if pending:
        screened = bool(tracker.get_slot("screened"))
        return routines.ask_or_begin(dispatcher, tracker, pending, screened, reported=outcome.conditions)
    return []


def escalate(dispatcher: CollectingDispatcher, tracker: Tracker, outcome: decision.Outcome) -> List[Dict]:
    """A red flag or another condition: its own verdict, and the conversation leaves the routine."""
    named = outcome.red_flags or [c for c in outcome.conditions if c not in CONTENT.triage["triggers"]]
    names = safety.condition_names(named)
    dispatcher.utter_message(
        response=safety.SAFETY_RESPONSES[outcome.verdict],
        names=names[:1].upper() + names[1:],
        names_in_sentence=names,
        advice=" ".join(CONTENT.conditions[c]["advice"] for c in named),
        change_hint=decision.change_hint(CONTENT, named),
        json_message=payloads.triage_outcome(outcome),
    )
    return safety.ActionCheckCondition.routine_consequences(dispatcher, tracker, assess(CONTENT, named))


def answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict]:
    """One turn of the triage: ask, ask again, go ahead or escalate."""
    awaiting = tracker.get_slot("awaiting") == AWAITING
    outcome = decision.decide(
        CONTENT, reply_from(tracker), tracker.get_slot("reported_conditions") or [], awaiting,
        bool(tracker.get_slot("tension_confirmed")),
    )
    events = [SlotSet("reported_conditions", outcome.conditions), SlotSet("safety_verdict", outcome.verdict),
              SlotSet("tension_confirmed", outcome.tension_confirmed)]
    if outcome.awaits_answer:
        return events + ask(dispatcher, repeat=outcome.kind == decision.UNCLEAR)
    events.append(SlotSet("awaiting", None))
    if outcome.kind == decision.GO_AHEAD:
        return events + go_ahead(dispatcher, tracker, outcome)
    return events + escalate(dispatcher, tracker, outcome)


def routine_gate(dispatcher: CollectingDispatcher, routine_id: str, blocking: List[str]) -> Optional[List[Dict]]:
    """Back pain alone blocks a routine only until the question is answered: ask it."""
    if blocking and decision.triggers(CONTENT, blocking) == blocking:
        return [SlotSet("pending_routine", routine_id)] + ask(dispatcher)
    return None


class ActionTriage(Action):
    """"His back is killing him", "it's just muscle tension", "he's healthy, just stressed"."""

    def name(self) -> Text:
        return "action_triage"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        return answer(dispatcher, tracker)
