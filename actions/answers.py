"""Yes and no: what they mean depends on the question the assistant asked last."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import triage
from actions.routines import answer_confirmation, answer_screening
from actions.safety import ActionCheckCondition
from actions.shared import NAVIGATION_BUTTONS


class ActionAnswerYesNo(Action):
    def name(self) -> Text:
        return "action_answer_yes_no"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        yes = tracker.latest_message["intent"]["name"] == "affirm"
        awaiting = tracker.get_slot("awaiting")
        if awaiting == "screening":
            return answer_screening(dispatcher, tracker, yes)
        if awaiting == "confirmation":
            return answer_confirmation(dispatcher, tracker, yes)
        if awaiting == triage.AWAITING:
            # A bare yes or no does not say which of the question's alternatives it is.
            return triage.answer(dispatcher, tracker)
        if yes and tracker.get_slot("active_routine"):
            # "ok", "got it" between steps: the routine waits for "next".
            dispatcher.utter_message(response="utter_routine_waiting", buttons=NAVIGATION_BUTTONS,
                                     json_message={"type": "acknowledgement"})
            return []
        if yes:
            dispatcher.utter_message(response="utter_what_next")
            return []
        # "No" / "none of those" on its own: none of the contraindications apply.
        return ActionCheckCondition().run(dispatcher, tracker, domain)
