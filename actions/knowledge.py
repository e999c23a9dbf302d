"""Answers about techniques, zones, anatomy, duration and preparation, from content/."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.shared import CONTENT, entity_ids, join_words, sentence_list
from massage_coach import payloads


class ActionExplainTechnique(Action):
    def name(self) -> Text:
        return "action_explain_technique"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        asked = entity_ids(tracker, "technique")
        for technique_id in asked:
            entry = CONTENT.techniques[technique_id]
            dispatcher.utter_message(
                response="utter_technique",
                json_message=payloads.technique(CONTENT, technique_id),
                **{k: entry[k] for k in ("name", "summary", "how", "where", "pressure")},
            )
        if not asked:
            dispatcher.utter_message(
                response="utter_technique_list",
                names=join_words(t["name"].lower() for t in CONTENT.techniques.values()),
                buttons=[
                    {"title": t["name"], "payload": f"What is {t['name'].lower()}?"}
                    for t in CONTENT.techniques.values()
                ],
                json_message=payloads.technique_list(CONTENT),
            )
        return []


class ActionExplainZone(Action):
    def name(self) -> Text:
        return "action_explain_zone"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        asked = entity_ids(tracker, "zone")
        for zone_id in asked:
            entry = CONTENT.zones[zone_id]
            dispatcher.utter_message(
                response="utter_zone",
                json_message=payloads.zone(CONTENT, zone_id),
                **{k: entry[k] for k in ("name", "starts", "ends", "focus")},
            )
        if not asked:
            zones = sentence_list(
                f"{z['name']}. Starts: {z['starts']} Ends: {z['ends']}" for z in CONTENT.zones.values()
            )
            dispatcher.utter_message(
                response="utter_zone_list", zones="\n" + zones, json_message=payloads.zone_list(CONTENT)
            )
        return []


class ActionExplainAnatomy(Action):
    def name(self) -> Text:
        return "action_explain_anatomy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        asked = entity_ids(tracker, "body_part")
        for part_id in asked:
            entry = CONTENT.body_parts[part_id]
            dispatcher.utter_message(
                response="utter_body_part",
                name=entry["name"],
                advice=entry["advice"],
                json_message=payloads.anatomy(CONTENT, [part_id]),
            )
        if not asked:
            overview = sentence_list(f"{p['name']}: {p['advice']}" for p in CONTENT.body_parts.values())
            dispatcher.utter_message(
                response="utter_anatomy_overview",
                overview=overview,
                json_message=payloads.anatomy(CONTENT, list(CONTENT.body_parts)),
            )
        return []


class ActionExplainDuration(Action):
    def name(self) -> Text:
        return "action_explain_duration"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        dispatcher.utter_message(
            response="utter_duration",
            summary=CONTENT.duration["summary"],
            notes=sentence_list(CONTENT.duration["notes"]),
            json_message=payloads.duration(CONTENT),
        )
        return []


class ActionExplainPreparation(Action):
    def name(self) -> Text:
        return "action_explain_preparation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        dispatcher.utter_message(
            response="utter_preparation",
            summary=CONTENT.preparation["summary"],
            items=sentence_list(item["text"] for item in CONTENT.preparation["items"]),
            json_message=payloads.preparation(CONTENT),
        )
        return []
