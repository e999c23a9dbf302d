"""Commands during a routine: next, back, repeat, go to step N, pause, continue, skip,
progress, restart, stop; and advice when the massage is uncomfortable."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import triage
from actions.routines import routine_overview, show_step
from actions.shared import CONTENT
from massage_coach import routines as engine


def end_routine() -> List[Dict]:
    return [SlotSet("active_routine", None), SlotSet("step", None), SlotSet("paused", None)]


def requested_step(tracker: Tracker) -> int | None:
    numbers = [e["value"] for e in tracker.latest_message.get("entities", []) if e.get("entity") == "number"]
    return int(numbers[-1]) if numbers else None


class ActionRoutineCommand(Action):
    """One action for every navigation intent: each is a method of the same name below."""

    COMMANDS = ("next_step", "skip_step", "previous_step", "repeat_step", "resume_routine", "restart_routine",
                "go_to_step", "pause_routine", "routine_progress", "stop_routine")
    MOVES = ("next_step", "skip_step", "previous_step", "repeat_step", "resume_routine", "restart_routine")

    def name(self) -> Text:
        return "action_routine_command"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        routine_id = tracker.get_slot("active_routine")
        if not routine_id:
            routine_overview(dispatcher, "utter_no_routine_running")
            return []
        intent = tracker.latest_message["intent"]["name"]
        if intent in self.MOVES and requested_step(tracker) is not None:
            intent = "go_to_step"  # "can we do step two again", "skip to step 8": the number decides
        command: Callable[..., List[Dict]] = getattr(self, intent if intent in self.COMMANDS else "repeat_step")
        return command(dispatcher, tracker, routine_id, int(tracker.get_slot("step") or 1))

    def next_step(self, dispatcher, tracker, routine_id: str, step: int, lead: str = "") -> List[Dict]:
        if step >= engine.total_steps(CONTENT, routine_id):
            dispatcher.utter_message(
                response="utter_routine_done",
                aftercare="\n".join(f"- {line}" for line in CONTENT.safety["aftercare"]),
                json_message={"type": "routine_done", "routine": routine_id},
            )
            return end_routine()
        return show_step(dispatcher, routine_id, step + 1, lead)

    def skip_step(self, dispatcher, tracker, routine_id: str, step: int) -> List[Dict]:
        return self.next_step(dispatcher, tracker, routine_id, step, lead=f"Skipping step {step}. ")

    def previous_step(self, dispatcher, tracker, routine_id: str, step: int) -> List[Dict]:
        if step <= 1:
            dispatcher.utter_message(response="utter_first_step")
        return show_step(dispatcher, routine_id, max(1, step - 1))

    def repeat_step(self, dispatcher, tracker, routine_id: str, step: int) -> List[Dict]:
        return show_step(dispatcher, routine_id, step)

    def resume_routine(self, dispatcher, tracker, routine_id: str, step: int) -> List[Dict]:
        return show_step(dispatcher, routine_id, step, lead="Continuing. ")

    def restart_routine(self, dispatcher, tracker, routine_id: str, step: int) -> List[Dict]:
        return show_step(dispatcher, routine_id, 1, lead="From the beginning. ")

    def go_to_step(self, dispatcher, tracker, routine_id: str, step: int) -> List[Dict]:
        target = requested_step(tracker)
        total = engine.total_steps(CONTENT, routine_id)
        where_we_are = engine.progress_payload(CONTENT, routine_id, step)
        if target is None:
            dispatcher.utter_message(response="utter_which_step", json_message=where_we_are)
            return []
        if not 1 <= target <= total:
            dispatcher.utter_message(response="utter_step_out_of_range", json_message=where_we_are,
                                     title=CONTENT.routines[routine_id]["title"], total=total)
            return []
        return show_step(dispatcher, routine_id, target)

    def pause_routine(self, dispatcher, tracker, routine_id: str, step: int) -> List[Dict]:
        dispatcher.utter_message(
            response="utter_paused", step=step, total=engine.total_steps(CONTENT, routine_id),
            json_message={"type": "paused", "routine": routine_id, "step": step},
        )
        return [SlotSet("paused", True)]

    def routine_progress(self, dispatcher, tracker, routine_id: str, step: int) -> List[Dict]:
        payload = engine.progress_payload(CONTENT, routine_id, step)
        dispatcher.utter_message(
            response="utter_progress", step=step, total=payload["total"], steps_left=payload["steps_left"],
            minutes=round(payload["seconds_left"] / 60), json_message=payload,
        )
        return []

    def stop_routine(self, dispatcher, tracker, routine_id: str, step: int) -> List[Dict]:
        dispatcher.utter_message(
            response="utter_routine_stopped", title=CONTENT.routines[routine_id]["title"], step=step,
            json_message={"type": "routine_stopped", "routine": routine_id, "step": step},
        )
        return end_routine()


class ActionDiscomfortAdvice(Action):
    """"It hurts" / "too hard": lighter pressure; the routine keeps its place."""

    def name(self) -> Text:
        return "action_discomfort_advice"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        if tracker.get_slot("awaiting") == triage.AWAITING and not tracker.get_slot("active_routine"):
            # "It hurts mostly at night" answers the back-pain question, not a routine's pressure.
            return triage.answer(dispatcher, tracker)
        dispatcher.utter_message(
            response="utter_discomfort",
            advice=CONTENT.safety["discomfort"],
            json_message={"type": "advice", "topic": "discomfort", "speech": CONTENT.safety["discomfort"]},
        )
        return []
