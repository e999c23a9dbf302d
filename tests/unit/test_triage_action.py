"""The triage actions as a thin adapter: rasa_sdk's CollectingDispatcher and a Tracker
built from a tracker state, as the action server receives it (no servers needed)."""

from typing import Any, Dict, List, Optional

import jsonschema
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.navigation import ActionDiscomfortAdvice
from actions.routines import ActionAnswerYesNo, ActionStartRoutine
from actions.safety import ActionCheckCondition
from actions.triage import ActionTriage
from massage_coach.domain import payloads

SCHEMA = jsonschema.Draft7Validator(payloads.load_schema())
EMPTY_SLOTS = {"reported_conditions": None, "safety_verdict": None, "awaiting": None, "pending_routine": None,
               "active_routine": None, "step": None, "paused": None, "screened": None, "tension_confirmed": None,
               "person": None, "other_person_conditions": None}


def tracker_for(intent: str, text: str = "", conditions: List[str] = (), negated: List[str] = (),
                slots: Optional[Dict[str, Any]] = None, routine: Optional[str] = None) -> Tracker:
    """A tracker whose latest message has this intent and these condition entities."""
    entities = [{"entity": "condition", "value": c} for c in conditions]
    entities += [{"entity": "condition", "value": c, "role": "negated"} for c in negated]
    if routine:
        entities.append({"entity": "routine", "value": routine})
    return Tracker.from_dict({
        "sender_id": "test",
        "slots": {**EMPTY_SLOTS, **(slots or {})},
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 1.0},
                           "intent_ranking": [{"name": intent, "confidence": 1.0}], "entities": entities},
        "events": [],
        "latest_action_name": "action_listen",
    })


def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    for message in dispatcher.messages:
        if message.get("custom"):
            SCHEMA.validate(message["custom"])
    # The slots after the turn: the tracker's, with the action's changes.
    return dispatcher.messages, {**tracker.slots, **{e["name"]: e["value"] for e in events if e["event"] == "slot"}}


def custom_types(messages):
    return [m["custom"]["type"] for m in messages if m.get("custom")]


def test_back_pain_asks_one_question_with_typed_buttons():
    messages, slots = run(ActionCheckCondition(), tracker_for("check_condition", "he has a bad back", ["back_pain"]))
    question = messages[0]["custom"]
    assert question["type"] == "triage" and question["expects"] == "triage"
    assert [b["payload"] for b in messages[0]["buttons"]] == [o["request"] for o in question["options"]]
    assert "/muscle_tension" in [o["request"] for o in question["options"]]
    assert '/check_condition{"condition": "numbness"}' in [o["request"] for o in question["options"]]
    # Loss of bladder or bowel control is a red flag: asked about in words and with a button.
    assert '/check_condition{"condition": "bladder_bowel_control"}' in [o["request"] for o in question["options"]]
    assert "bladder or bowel control" in messages[0]["question"] and "bladder" in question["speech"]
    assert slots["awaiting"] == "triage" and slots["reported_conditions"] == ["back_pain"]
    assert slots["safety_verdict"] == "unknown"


def test_back_pain_in_other_words_asks_too():
    messages, slots = run(ActionTriage(), tracker_for("back_pain", "his back is killing him"))
    assert custom_types(messages) == ["triage"] and slots["reported_conditions"] == ["back_pain"]


def test_muscle_tension_answer_goes_ahead_and_offers_routines():
    open_question = {"awaiting": "triage", "reported_conditions": ["back_pain"], "safety_verdict": "unknown"}
    messages, slots = run(ActionTriage(), tracker_for("muscle_tension", "just tension", slots=open_question))
    outcome = messages[0]["custom"]
    assert (outcome["type"], outcome["outcome"], outcome["verdict"]) == ("triage_outcome", "go_ahead", "ok")
    assert outcome["avoid"] == ["spine", "kidneys", "sacrum_coccyx"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        f'/start_routine{{"routine": "{r}"}}' for r in outcome["routines"]]
    assert slots == {**slots, "awaiting": None, "reported_conditions": [], "safety_verdict": "ok",
                     "tension_confirmed": True}


def test_a_waiting_routine_goes_on_to_its_screening_after_the_go_ahead():
    waiting = {"awaiting": "triage", "reported_conditions": ["back_pain"], "pending_routine": "relaxing"}
    messages, slots = run(ActionTriage(), tracker_for("muscle_tension", slots=waiting))
    assert custom_types(messages) == ["triage_outcome", "screening"]
    assert slots["awaiting"] == "screening" and slots["pending_routine"] == "relaxing"


def test_a_red_flag_answer_escalates_and_cancels_the_waiting_routine():
    waiting = {"awaiting": "triage", "reported_conditions": ["back_pain"], "pending_routine": "relaxing"}
    messages, slots = run(ActionCheckCondition(), tracker_for("check_condition", conditions=["fever"], slots=waiting))
    outcome = messages[0]["custom"]
    assert (outcome["outcome"], outcome["verdict"], outcome["red_flags"]) == ("physician", "stop", ["fever"])
    assert messages[0]["response"] == "utter_safety_stop"
    assert "no fever after all" in messages[0]["change_hint"]
    assert slots["pending_routine"] is None and slots["awaiting"] is None


def test_a_bare_yes_to_the_question_asks_again():
    open_question = {"awaiting": "triage", "reported_conditions": ["back_pain"]}
    messages, slots = run(ActionAnswerYesNo(), tracker_for("affirm", "yes", slots=open_question))
    assert messages[0]["custom"]["repeat"] is True and slots["awaiting"] == "triage"


def test_the_routine_gate_asks_instead_of_refusing_for_back_pain():
    messages, slots = run(ActionStartRoutine(), tracker_for(
        "start_routine", routine="relaxing", slots={"reported_conditions": ["back_pain"]}))
    assert custom_types(messages) == ["triage"]
    assert (slots["pending_routine"], slots["awaiting"]) == ("relaxing", "triage")


def test_a_refused_routine_says_what_would_change_it():
    messages, _ = run(ActionStartRoutine(), tracker_for(
        "start_routine", routine="relaxing", slots={"reported_conditions": ["pregnancy"]}))
    assert messages[0]["response"] == "utter_routine_blocked"
    assert 'no pregnancy after all' in messages[0]["change_hint"]


@pytest.mark.parametrize("slots", [{}, {"tension_confirmed": True}])
def test_a_plain_contraindication_is_not_the_triage(slots):
    tracker = tracker_for("check_condition", conditions=["pregnancy"], slots=slots)
    messages, events = run(ActionCheckCondition(), tracker)
    assert messages[0]["custom"] == {"type": "safety", "verdict": "stop", "label": "Don't massage",
                                     "conditions": ["pregnancy"], "negated": [], "names": {"pregnancy": "Pregnancy"}}
    assert events["reported_conditions"] == ["pregnancy"]



def test_it_hurts_while_the_question_is_open_asks_again():
    open_question = {"awaiting": "triage", "reported_conditions": ["back_pain"]}
    messages, slots = run(ActionDiscomfortAdvice(), tracker_for("report_discomfort", "it hurts", slots=open_question))
    assert custom_types(messages) == ["advice", "triage"] and slots["awaiting"] == "triage"  # ease off; and?
    messages, slots = run(ActionDiscomfortAdvice(), tracker_for("report_discomfort", "it hurts at night",
                                                                ["night_pain"], slots=open_question))
    assert custom_types(messages) == ["triage_outcome"] and slots["awaiting"] is None  # the answer: a red flag
    in_routine = {**open_question, "active_routine": "relaxing", "step": 2}
    messages, _ = run(ActionDiscomfortAdvice(), tracker_for("report_discomfort", "it hurts", slots=in_routine))
    assert messages[0]["custom"]["type"] == "advice"


@pytest.mark.parametrize("answer, ordinary", [
    ("just sore i think", True), ("its only a bit achy", True), ("just a little tight", True),
    ("it's sore", False), ("it just started yesterday", False), ("just sore and his foot is numb", False),
    ("it's not just sore, it's getting worse", False)])
def test_the_pain_played_down_answers_the_question_as_tension(answer, ordinary):
    open_question = {"awaiting": "triage", "reported_conditions": ["back_pain"], "safety_verdict": "unknown"}
    conditions = ["numbness"] if "numb" in answer else []
    messages, slots = run(ActionDiscomfortAdvice(), tracker_for("report_discomfort", answer, conditions,
                                                                slots=open_question))
    outcome = messages[0]["custom"]
    assert (outcome["type"] == "triage_outcome" and outcome["outcome"] == "go_ahead") == ordinary, outcome
    assert (slots["awaiting"] is None) == (ordinary or bool(conditions))


def test_tension_in_the_middle_of_a_routine_carries_on_without_an_offer():
    in_routine = {"awaiting": "triage", "reported_conditions": ["back_pain"], "active_routine": "relaxing", "step": 3}
    messages, slots = run(ActionTriage(), tracker_for("muscle_tension", slots=in_routine))
    assert messages[0]["custom"]["routines"] == [] and not messages[0]["buttons"]
    assert "Say next to carry on." == messages[0]["offer"] and slots["active_routine"] == "relaxing"


def test_a_message_about_someone_else_sets_the_first_persons_conditions_aside():
    """"My wife is pregnant", then "his shoulders are tight": his answer, her stop kept for her."""
    her_stop = {"reported_conditions": ["pregnancy"], "safety_verdict": "stop", "person": "female"}
    tracker = tracker_for("check_condition", "his shoulders are super tight after the gym", slots=her_stop)
    tracker.latest_message["entities"] = [{"entity": "condition", "value": "back_pain", "role": "tension"}]
    messages, slots = run(ActionCheckCondition(), tracker)
    assert messages[0]["response"] == "utter_someone_else" and "(pregnancy)" in messages[0]["set_aside"]
    assert (messages[1]["custom"]["type"], messages[1]["custom"]["outcome"]) == ("triage_outcome", "go_ahead")
    assert (slots["person"], slots["reported_conditions"], slots["other_person_conditions"]) == (
        "male", [], ["pregnancy"])

    # Back to her: her pregnancy stands again, and his go-ahead cleared nothing of hers.
    messages, slots = run(ActionStartRoutine(), tracker_for(
        "start_routine", "start the relaxing routine for her", routine="relaxing", slots=slots))
    assert messages[0]["response"] == "utter_someone_else" and "pregnancy" in messages[0]["taken_up"]
    assert messages[1]["response"] == "utter_routine_blocked"
    assert (slots["person"], slots["reported_conditions"]) == ("female", ["pregnancy"])


@pytest.mark.parametrize("text", ["can he massage her shoulders?", "she is pregnant", "my partner's neck is stiff"])
def test_the_same_person_or_no_one_named_keeps_the_standing_conditions(text):
    her_stop = {"reported_conditions": ["pregnancy"], "safety_verdict": "stop", "person": "female"}
    messages, slots = run(ActionStartRoutine(), tracker_for("start_routine", text, routine="relaxing", slots=her_stop))
    assert messages[0]["response"] == "utter_routine_blocked" and slots["reported_conditions"] == ["pregnancy"]


def test_a_passing_condition_told_as_past_is_named_never_cleared_and_not_held_against_a_routine():
    tracker = tracker_for("check_condition", "he had a fever last week")
    tracker.latest_message["entities"] = [{"entity": "condition", "value": "fever", "role": "historical"}]
    messages, slots = run(ActionCheckCondition(), tracker)
    payload = messages[0]["custom"]
    # Named as past, not reported present.
    assert (payload["verdict"], payload["conditions"], payload["past"]) == ("unknown", [], ["fever"])
    assert "in the past" in messages[0]["advice"] and not slots.get("reported_conditions")
    # A lasting condition told as past ("a blood clot last year") comes without the role: it stands.
    messages, slots = run(ActionCheckCondition(), tracker_for("check_condition", conditions=["vein_disease"]))
    assert messages[0]["custom"]["verdict"] == "stop" and slots["reported_conditions"] == ["vein_disease"]


def test_a_condition_told_as_past_is_named_with_the_words_it_was_heard_in():
    text = "she had her gallbladder removed ten years ago"
    tracker = tracker_for("check_condition", text)
    start = text.index("gallbladder removed")
    tracker.latest_message["entities"] = [{"entity": "condition", "value": "recent_surgery", "role": "historical",
                                           "start": start, "end": start + len("gallbladder removed")}]
    messages, _ = run(ActionCheckCondition(), tracker)
    assert messages[0]["custom"]["verdict"] == "unknown"
    assert "I took 'gallbladder removed' as" in messages[0]["advice"]


def test_an_anatomy_question_that_names_only_a_zone_is_answered_with_the_zone():
    from actions.knowledge import ActionExplainAnatomy

    tracker = tracker_for("ask_anatomy", "what about the spot between his shoulder blades")
    tracker.latest_message["entities"] = [{"entity": "zone", "value": "dorsal"}]
    messages, _ = run(ActionExplainAnatomy(), tracker)
    assert [m["custom"]["type"] for m in messages if m.get("custom")] == ["zone"]


def test_a_zone_question_guessed_as_tension_gets_the_zone_not_a_go_ahead():
    tracker = tracker_for("muscle_tension", "any advice for the bit just under his neck")
    tracker.latest_message["entities"] = [{"entity": "zone", "value": "collar"}]
    messages, slots = run(ActionTriage(), tracker)
    assert [m["custom"]["type"] for m in messages if m.get("custom")] == ["zone"]
    # Tension said with a zone is still tension: "his upper back is tight".
    tracker.latest_message["entities"].append({"entity": "condition", "value": "back_pain", "role": "tension"})
    messages, _ = run(ActionTriage(), tracker)
    assert messages[0]["custom"]["outcome"] == "go_ahead"


def test_everyday_senses_alone_get_the_go_ahead_with_the_list_to_check():
    """"She's sick of her job": nothing medical said, so no "unknown"; anything medical beside it is not cleared."""
    tracker = tracker_for("check_condition", "she's sick of her job, can I massage her")
    tracker.latest_message["entities"] = [{"entity": "everyday_sense", "value": "sick of"}]
    messages, slots = run(ActionCheckCondition(), tracker)
    assert messages[0]["response"] == "utter_safety_nothing_medical" and messages[0]["custom"]["verdict"] == "ok"
    assert "pregnancy" in messages[0]["stop_names"].lower() and not slots.get("screened")

    tracker = tracker_for("check_condition", "she's sick of her lupus")
    tracker.latest_message["entities"] = [{"entity": "everyday_sense", "value": "sick of"},
                                          {"entity": "medical_term", "value": "lupus"}]
    messages, _ = run(ActionCheckCondition(), tracker)
    assert messages[0]["custom"]["verdict"] == "unknown"
    # A condition reported before still stands.
    tracker = tracker_for("check_condition", "she's sick of her job", slots={"reported_conditions": ["pregnancy"],
                                                                             "safety_verdict": "stop"})
    tracker.latest_message["entities"] = [{"entity": "everyday_sense", "value": "sick of"}]
    messages, slots = run(ActionCheckCondition(), tracker)
    assert messages[0]["custom"]["verdict"] == "stop" and slots["reported_conditions"] == ["pregnancy"]



def test_someone_elses_condition_alone_gets_the_go_ahead_with_the_list_to_check():
    """"My dad had a heart attack, it's my wife I'm rubbing": nothing said of the one massaged, so no "unknown";
    anything of hers beside it still counts."""
    tracker = tracker_for("check_condition", "me dad had a heart attack but its the missus im rubbin")
    tracker.latest_message["entities"] = [{"entity": "condition", "value": "heart_disease", "role": "family"}]
    messages, _ = run(ActionCheckCondition(), tracker)
    assert messages[0]["response"] == "utter_safety_nothing_medical" and messages[0]["custom"]["verdict"] == "ok"
    assert messages[0]["custom"]["conditions"] == []
    tracker.latest_message["entities"].append({"entity": "condition", "value": "pregnancy"})
    messages, _ = run(ActionCheckCondition(), tracker)
    assert messages[0]["custom"]["verdict"] == "stop" and messages[0]["custom"]["conditions"] == ["pregnancy"]

def test_two_people_of_the_same_kind_are_told_apart_by_who_they_are():
    """"My mum has DVT", then "my wife has tight shoulders": the wife's go-ahead, the mum's stop kept for her."""
    mums_stop = {"reported_conditions": ["vein_disease"], "safety_verdict": "stop", "person": "female:mum"}
    tracker = tracker_for("check_condition", "my wife has tight shoulders, can I massage her", slots=mums_stop)
    tracker.latest_message["entities"] = [{"entity": "condition", "value": "back_pain", "role": "tension"}]
    messages, slots = run(ActionCheckCondition(), tracker)
    assert messages[0]["response"] == "utter_someone_else" and "vein" in messages[0]["set_aside"].lower()
    assert (slots["person"], slots["reported_conditions"], slots["other_person_conditions"]) == (
        "female:wife", [], ["vein_disease"])
    # "Her back" is still the wife; "my mother" is the mum again, with her stop.
    messages, slots = run(ActionStartRoutine(), tracker_for("start_routine", "start the relaxing routine on her back",
                                                            routine="relaxing", slots=slots))
    assert messages[0]["response"] != "utter_someone_else" and slots["person"] == "female:wife"
    messages, slots = run(ActionStartRoutine(), tracker_for("start_routine", "now the relaxing routine for my mother",
                                                            routine="relaxing", slots=slots))
    assert messages[0]["response"] == "utter_someone_else" and messages[1]["response"] == "utter_routine_blocked"


def test_the_speaker_massaged_is_the_person_not_the_one_who_massages():
    """"I'm pregnant, can my husband massage me": the stop is the speaker's; his shoulders later are someone else's."""
    messages, slots = run(ActionCheckCondition(), tracker_for(
        "check_condition", "I'm pregnant, can my husband massage me", ["pregnancy"]))
    assert messages[0]["custom"]["verdict"] == "stop" and slots["person"] == "self"
    tracker = tracker_for("check_condition", "his shoulders are tight", slots=slots)
    tracker.latest_message["entities"] = [{"entity": "condition", "value": "back_pain", "role": "tension"}]
    messages, slots = run(ActionCheckCondition(), tracker)
    assert messages[0]["response"] == "utter_someone_else" and slots["other_person_conditions"] == ["pregnancy"]


def asked_again(text: str, slots: Optional[Dict[str, Any]] = None, intent: str = "check_condition") -> Tracker:
    tracker = tracker_for(intent, text, slots=slots)
    tracker.latest_message["entities"] = [{"entity": "go_ahead_question", "value": "asked_again"}]
    return tracker


def test_asked_again_with_nothing_new_the_standing_answer_is_said_again_short():
    """"Ok so can i massage her or not" after "she's pregnant": still no, for the pregnancy; not another topic."""
    standing = {"reported_conditions": ["pregnancy"], "safety_verdict": "stop"}
    messages, slots = run(ActionCheckCondition(), asked_again("ok so can i massage her or not", standing))
    assert [m["response"] for m in messages] == ["utter_safety_standing"]
    assert messages[0]["custom"]["verdict"] == "stop" and messages[0]["custom"]["conditions"] == ["pregnancy"]
    assert messages[0]["answer"].startswith("No") and slots["reported_conditions"] == ["pregnancy"]
    # A caution and an "unknown" stand too, each said as what it is.
    messages, _ = run(ActionCheckCondition(), asked_again("so yes or no?", {"reported_conditions": ["spine_disease"],
                                                                            "safety_verdict": "caution"}))
    assert messages[0]["custom"]["verdict"] == "caution" and "professional" in messages[0]["answer"]
    # With nothing told before, nothing was said against a massage: the go-ahead with the list to check.
    messages, _ = run(ActionCheckCondition(), asked_again("so is it safe then?"))
    assert messages[0]["response"] == "utter_safety_nothing_medical" and messages[0]["custom"]["verdict"] == "ok"
    # A new fact is answered as a new fact, not as the answer before.
    tracker = asked_again("so can i or not, she has no fever", standing)
    tracker.latest_message["entities"].append({"entity": "condition", "value": "fever", "role": "negated"})
    messages, _ = run(ActionCheckCondition(), tracker)
    assert messages[0]["response"] != "utter_safety_standing"


def test_an_everyday_sense_beside_a_question_gets_both_the_all_clear_and_the_answer():
    """"Which oil should I use? I'm dying to try it": the all-clear, then the preparation answer."""
    tracker = tracker_for("check_condition", "which oil should I use? I'm dying to try it")
    tracker.latest_message["entities"] = [{"entity": "everyday_sense", "value": "dying to"}]
    tracker.latest_message["intent_ranking"] = [{"name": "ask_preparation", "confidence": 0.8}]
    messages, _ = run(ActionCheckCondition(), tracker)
    assert [m.get("response") for m in messages][:1] == ["utter_safety_nothing_medical"]
    assert custom_types(messages) == ["safety", "preparation"]
    # Anything medical beside it gets no go-ahead and no answer that reads as one.
    tracker.latest_message["entities"].append({"entity": "condition", "value": "pregnancy"})
    messages, _ = run(ActionCheckCondition(), tracker)
    assert custom_types(messages) == ["safety"] and messages[0]["custom"]["verdict"] == "stop"


def test_a_doctors_clearance_is_theirs_the_answer_says_so_and_never_goes_ahead():
    """"His cardiologist gave him the all clear": heart disease still stops, and the answer says why."""
    tracker = tracker_for("check_condition", "his cardiologist gave him the all clear", conditions=["heart_disease"])
    tracker.latest_message["entities"].append({"entity": "doctor_clearance", "value": "doctor_clearance"})
    messages, _ = run(ActionCheckCondition(), tracker)
    assert messages[0]["custom"]["verdict"] == "stop" and "all clear" in messages[0]["advice"]
    # Nothing named beside it: not a go-ahead either ("the GP said it's fine").
    tracker = tracker_for("check_condition", "the GP said it's fine to massage her")
    tracker.latest_message["entities"] = [{"entity": "doctor_clearance", "value": "doctor_clearance"},
                                          {"entity": "everyday_sense", "value": "gp"}]
    messages, _ = run(ActionCheckCondition(), tracker)
    assert messages[0]["custom"]["verdict"] == "unknown" and "theirs to give" in messages[0]["advice"]
