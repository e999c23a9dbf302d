"""Messages the assistant could not place: say so, and during a routine say where we are.

Hands-free users mishear and misspeak ("pasue"); mid-routine, the useful answer is the
step they are on and the commands that work, not the list of chat topics.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import CONTENT, NAVIGATION_BUTTONS
from massage_coach import routines as engine


class ActionNotUnderstood(Action):
    def name(self) -> Text:
        return "action_not_understood"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        reason = "out_of_scope" if tracker.latest_message["intent"]["name"] == "out_of_scope" else "not_understood"
        routine_id = tracker.get_slot("active_routine")
        if not routine_id:
            dispatcher.utter_message(response="utter_out_of_scope" if reason == "out_of_scope" else "utter_default")
            return []
        step = int(tracker.get_slot("step") or 1)
        dispatcher.utter_message(
            response=f"utter_{reason}_in_routine",
            title=CONTENT.routines[routine_id]["title"],
            step=step,
            total=engine.total_steps(CONTENT, routine_id),
            buttons=NAVIGATION_BUTTONS,
            json_message={"type": "fallback", "reason": reason, "routine": routine_id, "step": step},
        )
        return []
