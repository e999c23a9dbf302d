"""Listing and starting guided routines: screening first, confirmation where needed."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import triage
from actions.safety import condition_names, stop_names
from actions.shared import CONTENT, entity_ids, sentence_list
from massage_coach import payloads
from massage_coach import routines as engine
from massage_coach.safety import assess
from massage_coach.triage import change_hint


def routine_overview(dispatcher: CollectingDispatcher, response: str) -> None:
    """The routine list with a start button for each, under the given response's wording."""
    payload = payloads.routine_list(CONTENT)
    dispatcher.utter_message(
        response=response,
        routines=sentence_list(f"{r['title']}: {r['steps']} steps, about {r['minutes']} minutes"
                               for r in payload["routines"]),
        buttons=[{"title": f"Start: {r['title']}", "payload": f'/start_routine{{"routine": "{r["id"]}"}}'}
                 for r in payload["routines"]],
        json_message=payload,
    )


def show_step(dispatcher: CollectingDispatcher, routine_id: str, step: int, lead: str = "") -> List[Dict]:
    """Sends step `step` and returns the events that move the conversation there."""
    dispatcher.utter_message(
        response="utter_step",
        lead=lead,
        instruction=engine.step_text(CONTENT, routine_id, step),
        json_message=engine.step_payload(CONTENT, routine_id, step, lead.strip()),
    )
    return [SlotSet("active_routine", routine_id), SlotSet("step", step), SlotSet("paused", False)]


def begin(dispatcher: CollectingDispatcher, tracker: Tracker, routine_id: str) -> List[Dict]:
    routine = CONTENT.routines[routine_id]
    switching = tracker.get_slot("active_routine") not in (None, routine_id)
    dispatcher.utter_message(
        response="utter_routine_start",
        title=routine["title"].lower() if routine["title"][1:2].islower() else routine["title"],
        position=routine["position"],
        minutes=round(engine.seconds_from(CONTENT, routine_id, 1) / 60),
        total=engine.total_steps(CONTENT, routine_id),
    )
    lead = "Switching routines. " if switching else ""
    return show_step(dispatcher, routine_id, 1, lead) + [SlotSet("pending_routine", None), SlotSet("awaiting", None)]


def ask_or_begin(dispatcher: CollectingDispatcher, tracker: Tracker, routine_id: str, screened: bool,
                 reported: Optional[List[str]] = None) -> List[Dict]:
    """The gate before a routine: refuse, screen, ask for confirmation, or begin.

    `reported`: the conditions standing now, when this turn changed them.
    """
    reported = tracker.get_slot("reported_conditions") or [] if reported is None else reported
    blocking = engine.blocking_conditions(CONTENT, routine_id, reported)
    asked = triage.routine_gate(dispatcher, routine_id, blocking)
    if asked:
        return asked
    if blocking:
        dispatcher.utter_message(
            response="utter_routine_blocked",
            names_in_sentence=condition_names(blocking),
            change_hint=change_hint(CONTENT, blocking),
            json_message=payloads.safety(assess(CONTENT, blocking)),
        )
        return [SlotSet("pending_routine", None), SlotSet("awaiting", None)]
    if not screened:
        dispatcher.utter_message(
            response="utter_screening",
            title=CONTENT.routines[routine_id]["title"],
            stop_names=stop_names(),
            buttons=[{"title": "No, none of them", "payload": "/deny"},
                     {"title": "Yes, one of them", "payload": "/affirm"}],
            json_message=engine.screening_payload(CONTENT, routine_id),
        )
        return [SlotSet("pending_routine", routine_id), SlotSet("awaiting", "screening")]
    if engine.needs_confirmation(CONTENT, routine_id, reported):
        caution = [c for c in reported if CONTENT.conditions[c]["verdict"] == "caution"]
        if caution:
            fill = {"response": "utter_confirm_caution", "names_in_sentence": condition_names(caution)}
        else:
            fill = {"response": "utter_confirm_professional", "warning": CONTENT.routines[routine_id]["warning"]}
        dispatcher.utter_message(
            **fill,
            buttons=[{"title": "Yes, I'm a professional with approval", "payload": "/affirm"},
                     {"title": "No", "payload": "/deny"}],
            json_message=engine.confirmation_payload(CONTENT, routine_id),
        )
        return [SlotSet("pending_routine", routine_id), SlotSet("awaiting", "confirmation")]
    return begin(dispatcher, tracker, routine_id)


class ActionListRoutines(Action):
    def name(self) -> Text:
        return "action_list_routines"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        routine_overview(dispatcher, "utter_routine_list")
        return []


class ActionStartRoutine(Action):
    def name(self) -> Text:
        return "action_start_routine"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        requested: Optional[str] = next(iter(entity_ids(tracker, "routine")), None)
        active = tracker.get_slot("active_routine")
        if requested is None and active:
            step = int(tracker.get_slot("step") or 1)
            return show_step(dispatcher, active, step, "We're in the middle of a routine. ")
        routine_id = requested or tracker.get_slot("pending_routine")
        if routine_id is None:
            routine_overview(dispatcher, "utter_which_routine")
            return []
        return ask_or_begin(dispatcher, tracker, routine_id, bool(tracker.get_slot("screened")))


def answer_screening(dispatcher: CollectingDispatcher, tracker: Tracker, yes: bool) -> List[Dict]:
    """Yes or no to "does any of these apply?"."""
    if yes:
        dispatcher.utter_message(
            response="utter_screening_yes",
            json_message={"type": "safety", "verdict": "stop", "conditions": [], "negated": []},
        )
        return [SlotSet("safety_verdict", "stop"), SlotSet("pending_routine", None), SlotSet("awaiting", None)]
    routine_id = tracker.get_slot("pending_routine")
    events = [SlotSet("screened", True), SlotSet("awaiting", None)]
    return events + (ask_or_begin(dispatcher, tracker, routine_id, screened=True) if routine_id else [])


def answer_confirmation(dispatcher: CollectingDispatcher, tracker: Tracker, yes: bool) -> List[Dict]:
    """Yes or no to "are you a professional with the physician's approval?"."""
    routine_id = tracker.get_slot("pending_routine")
    if yes and routine_id:
        return begin(dispatcher, tracker, routine_id)
    dispatcher.utter_message(response="utter_not_confirmed", json_message={"type": "acknowledgement"})
    return [SlotSet("pending_routine", None), SlotSet("awaiting", None)]
