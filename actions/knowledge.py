"""Answers about techniques, zones, anatomy, duration, preparation and safe practice, from content/."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import CONTENT, ENGINE, PEOPLE, entity_ids, intent_of, number_entity, send, state_of
from massage_coach.domain import knowledge
from massage_coach.domain.replies import Reply


def anatomy_answer(tracker: Tracker) -> List[Reply]:
    body_parts, zones = entity_ids(tracker, "body_part"), entity_ids(tracker, "zone")
    # "What about the spot between his shoulder blades": a zone named, no body part: the zone.
    return knowledge.zones(CONTENT, zones) if zones and not body_parts else knowledge.anatomy(CONTENT, body_parts)


def duration_answer(tracker: Tracker) -> List[Reply]:
    # "Is 15 minutes enough?": how long a massage takes, then the routine that fits the time.
    minutes = number_entity(tracker, "minutes")
    return [knowledge.duration(CONTENT), *([ENGINE.routines_for(minutes)] if minutes else [])]


def guidance_answer(topic: knowledge.GuidanceTopic) -> Callable[[Tracker], List[Reply]]:
    return lambda tracker: [knowledge.guidance(CONTENT, topic)]


# How hard to press, when to stop, what to do after: one answer each, from content's safety guidance.
GUIDANCE_TOPICS: Dict[str, knowledge.GuidanceTopic] = {
    "ask_pressure": "beginner_rules", "ask_stop_signs": "stop_signs", "ask_aftercare": "aftercare"}
# The answer to each question about the massage, for the latest message.
QUESTION_ANSWERS: Dict[str, Callable[[Tracker], List[Reply]]] = {
    "ask_technique": lambda tracker: knowledge.techniques(CONTENT, entity_ids(tracker, "technique")),
    "ask_zone": lambda tracker: knowledge.zones(CONTENT, entity_ids(tracker, "zone")),
    "ask_anatomy": anatomy_answer,
    "ask_duration": duration_answer,
    "ask_preparation": lambda tracker: [knowledge.preparation(CONTENT)],
    **{intent: guidance_answer(topic) for intent, topic in GUIDANCE_TOPICS.items()},
}


def answered(tracker: Tracker, answer: List[Reply]) -> List[Reply]:
    """The answer, after a reminder when the conditions of the person it is about rule a massage out
    ("how long should it take?" after "she's pregnant"; not "how long for my husband?")."""
    about = ENGINE.regard_person(state_of(tracker), PEOPLE.named_in(tracker.latest_message.get("text") or ""))
    return [*ENGINE.reminder(about.state), *answer]


class ActionExplainTechnique(Action):
    def name(self) -> Text:
        return "action_explain_technique"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, answered(tracker, QUESTION_ANSWERS["ask_technique"](tracker)))
        return []


class ActionExplainZone(Action):
    def name(self) -> Text:
        return "action_explain_zone"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, answered(tracker, QUESTION_ANSWERS["ask_zone"](tracker)))
        return []


class ActionExplainAnatomy(Action):
    def name(self) -> Text:
        return "action_explain_anatomy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, answered(tracker, QUESTION_ANSWERS["ask_anatomy"](tracker)))
        return []


class ActionExplainDuration(Action):
    def name(self) -> Text:
        return "action_explain_duration"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, answered(tracker, QUESTION_ANSWERS["ask_duration"](tracker)))
        return []


class ActionExplainPreparation(Action):
    def name(self) -> Text:
        return "action_explain_preparation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, answered(tracker, QUESTION_ANSWERS["ask_preparation"](tracker)))
        return []


class ActionExplainGuidance(Action):
    """How hard to press, when to stop, what to do after: the latest intent says which."""

    def name(self) -> Text:
        return "action_explain_guidance"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        topic = GUIDANCE_TOPICS.get(intent_of(tracker), "beginner_rules")  # only its rule's intents reach it
        send(dispatcher, answered(tracker, [knowledge.guidance(CONTENT, topic)]))
        return []
