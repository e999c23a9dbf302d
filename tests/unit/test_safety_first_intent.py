"""SafetyFirstIntent (massage_coach/nlu/components.py): which messages become safety questions."""

from __future__ import annotations

from typing import Dict, List

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from massage_coach.nlu.components import SafetyFirstIntent


def routed(intent: str, text: str, entities: List[Dict]) -> str:
    message = Message(data={TEXT: text, INTENT: {INTENT_NAME_KEY: intent}, ENTITIES: entities})
    SafetyFirstIntent(SafetyFirstIntent.get_default_config()).process([message])
    return message.get(INTENT)[INTENT_NAME_KEY]


def condition(value: str, role: str = "", start: int = 0) -> Dict:
    entity = {"entity": "condition", "value": value, "start": start}
    return {**entity, "role": role} if role else entity


def test_several_conditions_ruled_out_are_a_safety_answer_whatever_the_intent():
    # Session 11: "Skin intact, no rashes or sores. No operations in past year." read as a step number.
    text = "Obs 10:15: temp 36.7. Skin intact, no rashes or sores. No operations in past year."
    entities = [condition("skin_disease", "negated"), condition("recent_surgery", "negated")]
    assert routed("go_to_step", text, entities) == "check_condition"


def test_one_condition_ruled_out_beside_a_command_leaves_the_command():
    assert routed("go_to_step", "go to step 3, no fever", [condition("fever", "negated")]) == "go_to_step"


def test_a_routines_condition_said_to_be_diagnosed_is_a_report():
    text = "his doctor wrote osteochondrosis on his report, can I massage him"
    assert routed("start_routine", text, [condition("osteochondrosis", start=text.index("osteo"))]) == "check_condition"
    assert routed("start_routine", "start the osteochondrosis routine",
                  [condition("osteochondrosis", start=10)]) == "start_routine"


def routed_with(intent: str, confidence: float, text: str, entities: List[Dict]) -> str:
    message = Message(data={TEXT: text, INTENT: {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: confidence},
                            ENTITIES: entities})
    SafetyFirstIntent(SafetyFirstIntent.get_default_config()).process([message])
    return message.get(INTENT)[INTENT_NAME_KEY]


def test_a_statement_that_rules_one_out_placed_nowhere_with_confidence_is_a_safety_answer():
    # Round 15: "Service user denies any numbness or tingling..." was read as a request for the routine list.
    text = "Service user denies any numbness or tingling in the limbs and there are no reported changes in continence."
    assert routed_with("list_routines", 0.58, text, [condition("numbness", "negated")]) == "check_condition"
    assert routed_with("ask_zone", 0.48, "Obs checked. Afebrile. Wants shoulders done.",
                       [condition("fever", "negated")]) == "check_condition"


def test_a_question_or_a_sure_intent_beside_one_ruled_out_stays_itself():
    assert routed_with("list_routines", 0.58, "no fever, which routines are there?",
                       [condition("fever", "negated")]) == "list_routines"
    assert routed_with("list_routines", 0.9, "no fever. the routines please",
                       [condition("fever", "negated")]) == "list_routines"
    assert routed_with("start_routine", 0.5, "no fever. the relaxing one",
                       [condition("fever", "negated")]) == "start_routine"


def test_a_questions_intent_with_no_question_beside_one_ruled_out_is_a_safety_answer():
    # Round 17: "The scan came back clear, no sign of any cancer ... So I thought I'd treat her to a back rub." was
    # taken for the stop-signs question, though nothing was asked.
    text = "The scan came back clear, no sign of any cancer. So I thought I'd treat her to a back rub."
    assert routed_with("ask_stop_signs", 0.77, text, [condition("cancer", "negated")]) == "check_condition"
    assert routed_with("ask_stop_signs", 0.77, "no fever. when should I stop?",
                       [condition("fever", "negated")]) == "ask_stop_signs"
    assert routed_with("list_routines", 0.9, "no fever. the routines please",
                       [condition("fever", "negated")]) == "list_routines"
