"""Messages the assistant could not place: say so, and during a routine say where we are.

Hands-free users mishear and misspeak ("pasue"); mid-routine, the useful answer is the
step they are on and the commands that work, not the list of chat topics.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import ENGINE, apply, intent_of, state_of


class ActionNotUnderstood(Action):
    def name(self) -> Text:
        return "action_not_understood"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        state = state_of(tracker)
        outcome = (ENGINE.not_understood(state, "out_of_scope") if intent_of(tracker) == "out_of_scope"
                   else ENGINE.not_understood(state, "not_understood"))
        return apply(dispatcher, tracker, outcome)
