"""Listing and starting guided routines, and the answers to their yes/no questions."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.safety import check_condition
from actions.shared import ENGINE, apply, entity_ids, for_person, intent_of, number_entity, state_of, triage_reply
from massage_coach.domain.safety import NEGATED_ROLE


class ActionListRoutines(Action):
    def name(self) -> Text:
        return "action_list_routines"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        named = next(iter(entity_ids(tracker, "routine")), None)
        return apply(dispatcher, tracker,
                     ENGINE.list_routines(state_of(tracker), number_entity(tracker, "minutes"), named))


class ActionStartRoutine(Action):
    def name(self) -> Text:
        return "action_start_routine"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        requested = next(iter(entity_ids(tracker, "routine")), None)
        ruled_out = entity_ids(tracker, "condition", NEGATED_ROLE)
        return apply(dispatcher, tracker, for_person(tracker, lambda state: ENGINE.start(state, requested, ruled_out)))


class ActionAnswerYesNo(Action):
    """Yes and no: what they mean depends on the question the assistant asked last."""

    def name(self) -> Text:
        return "action_answer_yes_no"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        outcome = ENGINE.answer(state_of(tracker), yes=intent_of(tracker) == "affirm", reply=triage_reply(tracker))
        if outcome is None:  # "no" to nothing asked: none of the contraindications apply
            return check_condition(dispatcher, tracker)
        return apply(dispatcher, tracker, outcome)
