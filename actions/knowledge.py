"""Answers about techniques, zones, anatomy, duration and preparation, from content/."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import CONTENT, entity_ids, send
from massage_coach.domain import knowledge


class ActionExplainTechnique(Action):
    def name(self) -> Text:
        return "action_explain_technique"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, knowledge.techniques(CONTENT, entity_ids(tracker, "technique")))
        return []


class ActionExplainZone(Action):
    def name(self) -> Text:
        return "action_explain_zone"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, knowledge.zones(CONTENT, entity_ids(tracker, "zone")))
        return []


class ActionExplainAnatomy(Action):
    def name(self) -> Text:
        return "action_explain_anatomy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        body_parts, zones = entity_ids(tracker, "body_part"), entity_ids(tracker, "zone")
        # "What about the spot between his shoulder blades": a zone named, no body part: the zone.
        send(dispatcher, knowledge.zones(CONTENT, zones) if zones and not body_parts
             else knowledge.anatomy(CONTENT, body_parts))
        return []


class ActionExplainDuration(Action):
    def name(self) -> Text:
        return "action_explain_duration"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, [knowledge.duration(CONTENT)])
        return []


class ActionExplainPreparation(Action):
    def name(self) -> Text:
        return "action_explain_preparation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, [knowledge.preparation(CONTENT)])
        return []
