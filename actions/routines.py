"""The routines the assistant knows, from content/routines.yml."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import CONTENT, sentence_list
from massage_coach import payloads


class ActionListRoutines(Action):
    def name(self) -> Text:
        return "action_list_routines"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        payload = payloads.routine_list(CONTENT)
        routines = sentence_list(
            f"{r['title']}: {r['steps']} steps, about {r['minutes']} minutes" for r in payload["routines"]
        )
        dispatcher.utter_message(response="utter_routine_list", routines=routines, json_message=payload)
        return []
