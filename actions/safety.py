"""Contraindications and safety verdicts for a person's conditions."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import QUESTION_ANSWERS
from actions.shared import CONTENT, ENGINE, apply, entity_ids, for_person, intent_of, send
from massage_coach.domain import knowledge
from massage_coach.domain.engine import Outcome
from massage_coach.domain.safety import (
    CLEARANCE_ENTITY,
    FAMILY_ROLE,
    GO_AHEAD_ENTITY,
    HISTORICAL_ROLE,
    MEDICINE_GROUP,
    NEGATED_ROLE,
    TENSION_ROLE,
    assess,
)


class ActionListContraindications(Action):
    def name(self) -> Text:
        return "action_list_contraindications"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        send(dispatcher, [knowledge.contraindications(CONTENT)])
        return []


class ActionCheckCondition(Action):
    """Gives the safety verdict for what the latest message says about the person."""

    def name(self) -> Text:
        return "action_check_condition"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        return check_condition(dispatcher, tracker)


def words_said(tracker: Tracker) -> Dict[str, str]:
    """Condition id -> the words of the latest message it was recognised in, for those said
    present or past ("gout" for arthritis, "gallbladder removed ten years ago" for surgery)."""
    text = tracker.latest_message.get("text") or ""
    return {e["value"]: text[e["start"] : e["end"]] for e in tracker.latest_message.get("entities", [])
            if e.get("entity") == "condition" and e.get("role") in (None, HISTORICAL_ROLE)
            and "start" in e and "end" in e}


def check_condition(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict]:
    assessment = assess(CONTENT, entity_ids(tracker, "condition"), entity_ids(tracker, "condition", NEGATED_ROLE),
                        entity_ids(tracker, "condition", HISTORICAL_ROLE))
    entities = tracker.latest_message.get("entities", [])
    # Medical words no condition names ("lupus"), not ruled out and about the person.
    heard = list(dict.fromkeys(e["value"] for e in entities if e.get("entity") == "medical_term" and not e.get("role")))
    medicines = [e["value"] for e in entities if e.get("entity") == "medical_term" and e.get("group") == MEDICINE_GROUP]
    # "No" / "none of those" / "he is healthy": nothing on the list applies.
    denies_all = intent_of(tracker) == "deny" or any(e.get("entity") == "health_status" for e in entities)
    # "She's sick of her job": health words in everyday senses only, nothing medical said. Someone else's
    # condition says nothing of the person either ("my dad had a heart attack, it's my wife I'm rubbing").
    everyday = any(e.get("entity") == "everyday_sense" or e.get("role") == FAMILY_ROLE for e in entities)
    # The classifier's own first choice, before a reported condition made this a safety question.
    ranking = tracker.latest_message.get("intent_ranking") or [{}]
    tension = ranking[0].get("name") == "muscle_tension"
    # "So can i massage her or not": asked again, the standing answer is said again.
    asked_again = any(e.get("entity") == GO_AHEAD_ENTITY for e in entities)
    # "The cardiologist gave him the all clear": not ours to give; the answer says so.
    doctor_cleared = any(e.get("entity") == CLEARANCE_ENTITY for e in entities)
    # "His shoulders are tight": back pain heard as muscle tension only, no pain word.
    tension_only = bool(entity_ids(tracker, "condition", TENSION_ROLE))
    outcome = for_person(tracker, lambda state: ENGINE.report(state, assessment, denies_all=denies_all, heard=heard,
                                                              tension=tension, tension_only=tension_only,
                                                              said=words_said(tracker), medicines=medicines,
                                                              everyday=everyday, asked_again=asked_again,
                                                              doctor_cleared=doctor_cleared,
                                                              routine=next(iter(entity_ids(tracker, "routine")), None)))
    question = QUESTION_ANSWERS.get(ranking[0].get("name") or "")
    if question and everyday and any(r.response == "utter_safety_nothing_medical" for r in outcome.replies):
        # "Which oil should I use? I'm dying to try it": the question's answer after the all-clear.
        outcome = Outcome(outcome.state, [*outcome.replies, *question(tracker)])
    return apply(dispatcher, tracker, outcome)
