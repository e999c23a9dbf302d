"""Commands during a routine: next, back, repeat, go to step N, pause, continue, skip,
progress, restart, stop (typed by a person, said to the voice client, sent by a button or
by a front end's step clock); and advice when the massage is uncomfortable."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import ENGINE, apply, entity_ids, intent_of, number_entity, state_of, triage_reply


class ActionRoutineCommand(Action):
    def name(self) -> Text:
        return "action_routine_command"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        outcome = ENGINE.command(state_of(tracker), intent_of(tracker), number=number_entity(tracker, "number"),
                                 timer_step=number_entity(tracker, "timer_step"),
                                 technique=next(iter(entity_ids(tracker, "technique")), None),
                                 routine=next(iter(entity_ids(tracker, "routine")), None),
                                 last_step=any(e.get("entity") == "last_step"
                                               for e in tracker.latest_message.get("entities", [])))
        return apply(dispatcher, tracker, outcome)


class ActionDiscomfortAdvice(Action):
    def name(self) -> Text:
        return "action_discomfort_advice"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        return apply(dispatcher, tracker, ENGINE.discomfort(state_of(tracker), triage_reply(tracker)))
