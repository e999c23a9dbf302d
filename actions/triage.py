"""Back pain and tension: "his back is killing him", "it's just muscle tension", "he's healthy,
just stressed" (intents back_pain and muscle_tension). The engine asks the one question and
answers it (massage_coach/domain/triage.py decides)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import ENGINE, apply, for_person, triage_reply


class ActionTriage(Action):
    def name(self) -> Text:
        return "action_triage"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        reply = triage_reply(tracker)
        return apply(dispatcher, tracker, for_person(tracker, lambda state: ENGINE.triage_turn(state, reply)))
