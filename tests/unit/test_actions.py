"""The actions as thin adapters, in the style of Rasa's reference assistants: a real
`CollectingDispatcher` and `Tracker`, and the slot events each action returns."""

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionNotUnderstood
from actions.knowledge import ActionExplainDuration, ActionExplainGuidance, ActionExplainTechnique
from actions.navigation import ActionRoutineCommand
from actions.routines import ActionAnswerYesNo, ActionListRoutines, ActionStartRoutine
from actions.safety import ActionCheckCondition
from actions.shared import PEOPLE
from massage_coach.domain import payloads


def tracker(intent: str, entities: Optional[List[Dict[str, Any]]] = None, text: str = "", **slots: Any) -> Tracker:
    return Tracker(
        sender_id="test", slots=slots, latest_message={"intent": {"name": intent}, "entities": entities or [],
                                                       "text": text},
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen",
    )


def run(action, tracker_: Tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_, {})
    for message in dispatcher.messages:
        if message.get("custom"):
            payloads.parse(message["custom"])  # every payload an action sends is in the contract
    return dispatcher.messages, events


def test_start_asks_the_screening_question():
    messages, events = run(ActionStartRoutine(), tracker("start_routine", [{"entity": "routine", "value": "home"}]))
    assert messages[0]["response"] == "utter_screening" and messages[0]["custom"]["expects"] == "none_of_those"
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/deny", "/affirm"]
    assert events == [SlotSet("pending_routine", "home"), SlotSet("awaiting", "screening")]


def test_a_start_that_rules_conditions_out_answers_them_and_screens_the_rest():
    messages, events = run(ActionStartRoutine(), tracker("start_routine", [
        {"entity": "routine", "value": "home"}, {"entity": "condition", "value": "pregnancy", "role": "negated"}]))
    assert [m["response"] for m in messages] == ["utter_safety_ruled_out", "utter_screening_others"]
    assert "pregnancy" not in messages[1]["custom"]["conditions"]
    assert SlotSet("awaiting", "screening") in events


def test_no_at_screening_starts_the_routine_and_sets_only_changed_slots():
    messages, events = run(ActionAnswerYesNo(), tracker("deny", pending_routine="home", awaiting="screening"))
    assert [m["response"] for m in messages] == ["utter_routine_start", "utter_step"]
    assert messages[1]["custom"]["step"] == 1 and messages[1]["instruction"].startswith("Step 1 of ")
    assert sorted(events, key=lambda e: e["name"]) == [
        SlotSet("active_routine", "home"), SlotSet("awaiting", None), SlotSet("pending_routine", None),
        SlotSet("screened", True), SlotSet("step", 1)]


def test_next_moves_one_step_on():
    messages, events = run(ActionRoutineCommand(), tracker("next_step", active_routine="classic", step=3.0))
    assert messages[0]["custom"]["step"] == 4 and events == [SlotSet("step", 4)]


def test_a_stale_timer_changes_nothing():
    messages, events = run(ActionRoutineCommand(), tracker(
        "next_step", [{"entity": "timer_step", "value": 2}], active_routine="classic", step=3.0))
    assert [m["custom"]["type"] for m in messages] == ["unchanged"] and not messages[0]["response"]
    assert events == []


def test_a_negated_condition_is_ruled_out():
    messages, events = run(ActionCheckCondition(), tracker(
        "check_condition", [{"entity": "condition", "value": "pregnancy", "role": "negated"}]))
    assert messages[0]["custom"]["verdict"] == "ok" and messages[0]["custom"]["negated"] == ["pregnancy"]
    assert SlotSet("safety_verdict", "ok") in events


def test_a_stop_mid_routine_ends_it():
    messages, events = run(ActionCheckCondition(), tracker(
        "check_condition", [{"entity": "condition", "value": "fever"}], active_routine="classic", step=2.0))
    assert [m["custom"]["type"] for m in messages] == ["safety", "routine_stopped"]
    assert SlotSet("active_routine", None) in events and SlotSet("reported_conditions", ["fever"]) in events


def test_technique_buttons_are_typed_requests():
    messages, _ = run(ActionExplainTechnique(), tracker("ask_technique"))
    assert messages[0]["buttons"][0]["payload"] == '/ask_technique{"technique": "stroking"}'
    assert messages[0]["custom"]["names"]["kneading"] == "Kneading"


@pytest.mark.parametrize("intent, topic, first_item", [
    ("ask_pressure", "beginner_rules", "no strong pressure"),
    ("ask_stop_signs", "stop_signs", "Sharp, shooting or stabbing pain"),
    ("ask_aftercare", "aftercare", "slow, light strokes"),
])
def test_safe_practice_questions_answer_from_the_guidance(intent, topic, first_item):
    messages, events = run(ActionExplainGuidance(), tracker(intent))
    (message,) = messages
    assert message["response"] == f"utter_guidance_{topic}" and message["custom"]["topic"] == topic
    assert first_item in message["custom"]["items"][0] and message["items"].startswith("- ")
    assert events == []


def test_a_how_to_answer_after_a_stop_reminds_of_it_first():
    wife = PEOPLE.named_in("my wife is pregnant")
    stopped = {"reported_conditions": ["pregnancy"], "safety_verdict": "stop", "person": next(iter(wife))}
    messages, events = run(ActionExplainGuidance(), tracker("ask_aftercare", text="should i carry on after", **stopped))
    assert [m["response"] for m in messages] == ["utter_safety_standing", "utter_guidance_aftercare"]
    assert messages[0]["answer"].startswith("First, remember")
    assert messages[0]["custom"]["verdict"] == "stop" and messages[0]["custom"]["conditions"] == ["pregnancy"]
    assert "no pregnancy after all" in messages[0]["change_hint"] and events == []
    # Not for another person, not while untriaged back pain waits for its question, not mid-routine.
    for asked in (tracker("ask_duration", text="how long for my husband", **stopped),
                  tracker("ask_duration", reported_conditions=["back_pain"], safety_verdict="unknown"),
                  tracker("ask_duration", active_routine="home", step=2, **stopped)):
        messages, _ = run(ActionExplainDuration(), asked)
        assert [m["response"] for m in messages] == ["utter_duration"]


def test_asking_about_a_named_routine_describes_it_without_starting_it():
    messages, events = run(ActionListRoutines(), tracker("list_routines", [{"entity": "routine", "value": "relaxing"}]))
    (message,) = messages
    assert message["response"] == "utter_routine_overview" and message["custom"]["routine"]["id"] == "relaxing"
    assert [b["payload"] for b in message["buttons"]] == ['/start_routine{"routine": "relaxing"}']
    assert events == [SlotSet("pending_routine", "relaxing")]  # "start it" starts it


def test_not_understood_outside_a_routine_uses_the_domain_fallback():
    messages, events = run(ActionNotUnderstood(), tracker("out_of_scope"))
    assert messages[0]["response"] == "utter_out_of_scope" and events == []


def test_not_understood_while_the_back_pain_question_is_open_asks_it_again():
    messages, events = run(ActionNotUnderstood(), tracker("out_of_scope", reported_conditions=["back_pain"],
                                                          safety_verdict="unknown", awaiting="triage"))
    assert messages[0]["response"] == "utter_triage_unclear" and messages[0]["custom"]["repeat"] is True
    assert [b["payload"] for b in messages[0]["buttons"]][0] == "/muscle_tension"


def test_health_talk_with_nothing_medical_mid_routine_eases_off_and_pauses():
    # "he keeps squirming", taken for health talk: discomfort advice, and the routine waits at its step.
    messages, events = run(ActionCheckCondition(), tracker("check_condition", active_routine="classic", step=2.0))
    assert [m["custom"]["type"] for m in messages] == ["advice", "paused"]
    assert messages[0]["custom"]["topic"] == "discomfort" and messages[1]["response"] == "utter_paused_to_check"
    assert messages[1]["custom"]["step"] == 2 and SlotSet("active_routine", None) not in events


def test_an_unlisted_medical_word_mid_routine_still_ends_it():
    messages, events = run(ActionCheckCondition(), tracker(
        "check_condition", [{"entity": "medical_term", "value": "lupus"}], active_routine="classic", step=2.0))
    assert [m["custom"]["type"] for m in messages] == ["safety", "routine_stopped"]
    assert messages[0]["custom"]["verdict"] == "unknown" and SlotSet("active_routine", None) in events


def technique(value: str) -> List[Dict[str, Any]]:
    return [{"entity": "technique", "value": value}]


def test_a_named_technique_jumps_to_the_next_step_that_uses_it():
    # Classic routine: steps 1-3 stroke, 8 is the first kneading step, 17 the first percussion.
    for intent, value, step in (("go_to_step", "kneading", 8), ("skip_step", "percussion", 17)):
        messages, events = run(ActionRoutineCommand(), tracker(intent, technique(value), active_routine="classic",
                                                               step=3.0))
        assert messages[0]["custom"]["step"] == step and events == [SlotSet("step", step)]
        assert messages[0]["custom"]["lead"] == f"On to the {value}." and value in messages[0]["custom"]["techniques"]


def test_back_to_a_technique_goes_to_the_last_step_before_that_uses_it():
    messages, events = run(ActionRoutineCommand(), tracker("previous_step", technique("stroking"),
                                                           active_routine="classic", step=8.0))
    assert messages[0]["custom"]["step"] == 5 and messages[0]["custom"]["lead"] == "Back to the stroking."


def test_skipping_the_technique_of_this_step_skips_only_this_step():
    messages, events = run(ActionRoutineCommand(), tracker("skip_step", technique("kneading"),
                                                           active_routine="classic", step=8.0))
    assert messages[0]["custom"]["step"] == 9 and messages[0]["custom"]["lead"] == "Skipping step 8."


def test_a_technique_the_routine_lacks_keeps_the_step():
    messages, events = run(ActionRoutineCommand(), tracker("go_to_step", technique("squeezing"),
                                                           active_routine="classic", step=3.0))
    assert messages[0]["response"] == "utter_no_technique_step" and events == []
    assert messages[0]["custom"]["type"] == "progress" and messages[0]["custom"]["step"] == 3
    assert messages[0]["technique"] == "squeezing"
