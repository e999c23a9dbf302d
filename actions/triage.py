"""Back pain and tension: "his back is killing him", "it's just muscle tension", "he's healthy,
just stressed" (intents back_pain and muscle_tension). The engine asks the one question and
answers it (massage_coach/domain/triage.py decides)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import CONTENT, ENGINE, apply, entity_ids, for_person, send, state_of, triage_reply
from massage_coach.domain import knowledge
from massage_coach.domain.engine import TRIAGE


class ActionTriage(Action):
    def name(self) -> Text:
        return "action_triage"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        zones = entity_ids(tracker, "zone")
        said_of_the_person = [e for e in tracker.latest_message.get("entities", [])
                              if e.get("entity") in ("condition", "medical_term", "health_status")]
        if zones and not said_of_the_person and state_of(tracker).awaiting != TRIAGE:
            # "Any advice for the bit just under his neck" is a question about a zone, not a
            # report of tension, whatever the classifier's guess: no go-ahead from it.
            send(dispatcher, knowledge.zones(CONTENT, zones))
            return []
        reply = triage_reply(tracker)
        return apply(dispatcher, tracker, for_person(tracker, lambda state: ENGINE.triage_turn(state, reply)))
