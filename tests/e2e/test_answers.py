"""End to end over REST against a real Rasa server and action server: what people ask, what they get."""

import pytest

from massage_coach.domain.content import load_content
from massage_coach.domain.wording import RULE_LABELS

CONTENT = load_content()
STOP_IDS = ["pregnancy", "fever", "vein_disease", "cancer", "heart_disease", "skin_disease", "allergy",
            "recent_surgery", "spine_injury"]


@pytest.mark.parametrize(
    "question, technique",
    [
        ("what is kneading?", "kneading"),
        ("How do I do effleurage?", "stroking"),
        ("explain petrissage please", "kneading"),
        ("wait what's tapotement", "percussion"),
        ("how hard should I press when rubbing", "rubbing"),
        ("what does vibration mean in massage", "vibration"),
    ],
)
def test_technique_question_names_the_technique(conversation, question, technique):
    answer = conversation.payload(question)
    assert answer["type"] == "technique" and answer["technique"] == technique
    assert CONTENT.techniques[technique]["how"] in answer["_text"]


def test_technique_list_offers_all_seven(conversation):
    answer = conversation.payload("which massage techniques are there?")
    assert answer == {**answer, "type": "techniques", "techniques": list(CONTENT.techniques)}


@pytest.mark.parametrize(
    "question, zone",
    [("where does the lumbar zone start?", "lumbar"), ("what is the collar zone", "collar"),
     ("which part is the middle back", "dorsal")],
)
def test_zone_question(conversation, question, zone):
    answer = conversation.payload(question)
    assert answer["type"] == "zone" and answer["zone"] == zone
    assert CONTENT.zones[zone]["starts"] in answer["_text"]


def test_zones_overview(conversation):
    answer = conversation.payload("how do I divide the back into zones?")
    assert answer["type"] == "zones" and answer["zones"] == ["collar", "dorsal", "lumbar"]


@pytest.mark.parametrize(
    "question, part, rule",
    [("can I press on the spine?", "spine", "never"),
     ("is it ok to massage near the kidneys", "kidneys", "gently"),
     ("can I massage the tailbone", "sacrum_coccyx", "not_if_injured"),
     ("should I work around the shoulder blades", "shoulder_blades", "recommended")],
)
def test_anatomy_question(conversation, question, part, rule):
    answer = conversation.payload(question)
    assert answer["type"] == "anatomy" and answer["parts"] == [
        {"id": part, "rule": rule, "rule_label": RULE_LABELS[rule]}]
    assert answer["names"] == {part: CONTENT.body_parts[part]["name"]}


def test_anatomy_overview_says_never_the_spine(conversation):
    answer = conversation.payload("what should I never press on?")
    assert {"id": "spine", "rule": "never", "rule_label": "Never press"} in answer["parts"]


def test_duration(conversation):
    answer = conversation.payload("how long should a back massage last?")
    assert (answer["type"], answer["min_minutes"], answer["max_minutes"], answer["whole_back_minutes"]) == (
        "duration", 30, 60, 45)


def test_preparation(conversation):
    answer = conversation.payload("what do I need to prepare before the massage?")
    assert answer["type"] == "preparation"
    assert answer["items"] == [item["id"] for item in CONTENT.preparation["items"]]


@pytest.mark.parametrize(
    "question, topic",
    [("how hard should I press on his back?", "beginner_rules"), ("any tips, it's my first time", "beginner_rules"),
     ("which warning signs should make me stop?", "stop_signs"),
     ("when should I stop the massage?", "stop_signs"),  # the lead's find, session 14: was the duration answer
     ("what should she do after the massage?", "aftercare")],
)
def test_safe_practice_questions_answer_from_the_guidance(conversation, question, topic):
    answer = conversation.payload(question)
    assert (answer["type"], answer["topic"]) == ("guidance", topic)
    assert answer["items"] == CONTENT.safety[topic]


def test_contraindication_list(conversation):
    answer = conversation.payload("when should I not give a back massage?")
    assert answer["type"] == "contraindications"
    assert answer["conditions"] == STOP_IDS
    assert "physician" in answer["_text"]


def test_the_time_the_person_has_gets_the_routine_that_fits(conversation):
    answer = conversation.payload("we have about 20 minutes, what can we do?")
    assert (answer["type"], answer["available_minutes"], answer["fits"]) == ("routines", 20, ["home"])
    assert "fits" in answer["_text"]
    duration, routines = conversation.payloads("is half an hour enough for a back massage?")
    assert (duration["type"], routines["available_minutes"]) == ("duration", 30)


def test_a_routine_asked_about_is_described_not_started(conversation):
    replies = conversation.say("what does the relaxing massage involve?")
    (answer,) = [r["custom"] for r in replies if "custom" in r]
    assert (answer["type"], answer["routine"]["id"]) == ("routine_overview", "relaxing")
    assert [b["payload"] for r in replies for b in r.get("buttons", [])] == ['/start_routine{"routine": "relaxing"}']
    assert conversation.payload("ok, start it")["routine"] == "relaxing"  # its screening


def test_routine_list(conversation):
    answer = conversation.payload("which routines can you guide me through?")
    assert [r["id"] for r in answer["routines"]] == ["classic", "relaxing", "osteochondrosis", "home"]


@pytest.mark.parametrize(
    "question, condition",
    [
        ("can I massage my pregnant wife?", "pregnancy"),
        ("my girlfriend is expecting a baby, is a back massage ok?", "pregnancy"),
        ("he has a fever", "fever"),
        ("she is running a temperature tonight", "fever"),
        ("my mum has varicose veins", "vein_disease"),
        ("he had a blood clot last year", "vein_disease"),
        ("she is on chemo", "cancer"),
        ("my husband has a heart condition", "heart_disease"),
        ("she has eczema on her back", "skin_disease"),
        ("he is allergic to the massage oil", "allergy"),
        ("she had an operation two weeks ago", "recent_surgery"),
        ("he has a spinal injury", "spine_injury"),
    ],
)
def test_contraindication_gives_stop(conversation, question, condition):
    answer = conversation.payload(question)
    assert answer["type"] == "safety" and answer["verdict"] == "stop"
    assert condition in answer["conditions"]
    assert "don't massage" in answer["_text"].lower() and "physician" in answer["_text"]


@pytest.mark.parametrize(
    "question, condition",
    [("my husband has osteochondrosis", "osteochondrosis"),
     ("she has a herniated disc", "spine_disease"),
     ("he still has pain from an injury", "injury_pain")],
)
def test_spine_disease_needs_a_professional(conversation, question, condition):
    answer = conversation.payload(question)
    assert (answer["type"], answer["verdict"], answer["conditions"]) == ("safety", "caution", [condition])
    assert "professional" in answer["_text"] and "physician" in answer["_text"]


@pytest.mark.parametrize(
    "message, condition",
    [("he says his chest hurts, chest pain", "chest_pain"), ("her arm went numb", "numbness"),
     ("she fainted", "fainting"), ("he has sudden severe pain in his back", "sudden_severe_pain"),
     ("I think she's having a stroke", "stroke_signs")],
)
def test_red_flags_are_emergencies(conversation, message, condition):
    answer = conversation.payload(message)
    assert answer["type"] == "emergency" and condition in answer["conditions"]
    # Stop first, emergency services named, each said once.
    assert answer["_text"].startswith("Stop the massage now.")
    assert answer["_text"].lower().count("stop the massage") == 1
    assert answer["_text"].count("emergency services") == 1


@pytest.mark.parametrize(
    "question, condition",
    [("can I massage someone with diabetes?", "diabetes"), ("he has high blood pressure", "high_blood_pressure"),
     ("my dad had a stroke", "stroke")],
)
def test_conditions_outside_the_content_are_never_cleared(conversation, question, condition):
    answer = conversation.payload(question)
    assert (answer["verdict"], answer["conditions"]) == ("unknown", [condition])
    assert "physician" in answer["_text"]


def test_a_period_is_named_and_not_cleared(conversation):
    answer = conversation.payload("she's on her period, can I still massage her back?")
    assert (answer["type"], answer["verdict"], answer["conditions"]) == ("safety", "unknown", ["menstruation"])
    assert "physician" in answer["_text"]


def test_an_unrecognised_condition_is_unknown_not_ok(conversation):
    answer = conversation.payload("is it safe to massage someone with fibrodysplasia?")
    assert (answer["type"], answer["verdict"]) == ("safety", "unknown")


@pytest.mark.parametrize(
    "message, negated",
    [("she is not pregnant", ["pregnancy"]), ("he doesn't have a fever", ["fever"]),
     ("no fever and no rash", ["fever", "skin_disease"])],
)
def test_negated_condition_is_ok(conversation, message, negated):
    answer = conversation.payload(message)
    assert (answer["verdict"], answer["conditions"], answer["negated"]) == ("ok", [], negated)


def test_none_of_those_after_the_list_is_ok(conversation):
    conversation.payload("what are the contraindications?")
    answer = conversation.payload("none of those")
    assert (answer["type"], answer["verdict"], answer["conditions"]) == ("safety", "ok", [])


def test_negation_does_not_clear_a_second_condition(conversation):
    answer = conversation.payload("she's not pregnant but she has a rash")
    assert (answer["verdict"], answer["conditions"], answer["negated"]) == ("stop", ["skin_disease"], ["pregnancy"])


@pytest.mark.parametrize("later", ["no", "none of those", "she has no fever"])
def test_a_later_no_does_not_clear_a_reported_condition(conversation, later):
    conversation.payload("can I massage my pregnant wife?")
    answer = conversation.payload(later)
    assert (answer["verdict"], answer["conditions"]) == ("stop", ["pregnancy"])
    assert "go ahead" not in answer["_text"]
    assert conversation.payload("start the relaxing massage")["verdict"] == "stop"


def test_ruling_out_the_reported_condition_corrects_it(conversation):
    conversation.payload("she is pregnant")
    answer = conversation.payload("sorry, my mistake, she is not pregnant")
    assert (answer["verdict"], answer["negated"]) == ("ok", ["pregnancy"])
    assert conversation.payload("start the relaxing massage")["type"] == "screening"


@pytest.mark.parametrize("message", ["she isn't pregnant and has no fever, start the quick routine",
                                     "no fever or pregnancy here, let's do the quick one"])
def test_ruling_out_while_asking_for_a_routine_screens_only_the_rest(conversation, message):
    answered, screening = conversation.payloads(message)
    assert (answered["verdict"], sorted(answered["negated"])) == ("ok", ["fever", "pregnancy"])
    assert (screening["type"], screening["routine"]) == ("screening", "home")
    assert not {"fever", "pregnancy"} & set(screening["conditions"])
    assert conversation.payloads("no")[-1]["step"] == 1


def test_doubt_is_not_a_negation(conversation):
    answer = conversation.payload("I'm not sure she isn't pregnant")
    assert answer["verdict"] == "stop"


def test_a_reported_condition_wins_over_the_question(conversation):
    """Whatever else is asked, a contraindication in the same message gets the safety answer."""
    answer = conversation.payload("what is kneading? she is pregnant by the way")
    assert (answer["type"], answer["verdict"]) == ("safety", "stop")


def test_the_verdict_is_remembered_in_the_conversation(conversation):
    conversation.payload("she has a fever")
    # A how-to answer after it says first that the verdict stands: alone it would read as a go-ahead.
    reminder, answer = conversation.say("what is stroking?")
    assert (reminder["custom"]["type"], reminder["custom"]["verdict"], reminder["custom"]["conditions"]) == (
        "safety", "stop", ["fever"])
    assert reminder["text"].startswith("First, remember") and answer["custom"]["type"] == "technique"
    slots = conversation.tracker()["slots"]
    assert slots["safety_verdict"] == "stop" and slots["reported_conditions"] == ["fever"]
    conversation.payload("she has no fever after all")  # corrected: nothing stands to remind of
    assert conversation.payload("what is stroking?")["type"] == "technique"


@pytest.mark.parametrize("again", ["ok so can i massage her or not", "so is it safe then?", "so yes or no?"])
def test_asked_again_with_nothing_new_the_verdict_is_said_again(conversation, again):
    """After a verdict, a question with no new facts gets that verdict again, short, not another topic."""
    conversation.payload("my wife is pregnant")
    answer = conversation.payload(again)
    assert (answer["type"], answer["verdict"], answer["conditions"]) == ("safety", "stop", ["pregnancy"])
    assert answer["_text"].startswith("No") and "pregnancy" in answer["_text"]


@pytest.mark.parametrize("question", ["can I massage my wife?", "am I ok to give my boyfriend a back rub",
                                      "can my husband massage me"])
def test_asking_whether_to_massage_a_person_gets_the_go_ahead_with_the_checklist(conversation, question):
    """Nothing said against a massage: go ahead once none of the listed conditions applies, never
    "I didn't catch that" (the classifier alone could not place these)."""
    answer = conversation.payload(question)
    assert (answer["type"], answer["verdict"], answer["conditions"]) == ("safety", "ok", [])
    assert "pregnancy" in answer["_text"]


def test_a_cold_is_named_and_not_cleared_and_a_fever_with_it_stops(conversation):
    answer = conversation.payload("my wife has a bit of a cold")
    assert (answer["type"], answer["verdict"], answer["conditions"]) == ("safety", "unknown", ["common_cold"])
    assert "fever" in answer["_text"]
    assert conversation.payload("she has a temperature too")["verdict"] == "stop"


def test_an_everyday_word_beside_a_question_gets_the_all_clear_and_the_answer(conversation):
    payloads = conversation.payloads("which oil should I use on his back? I'm dying to try the massage")
    assert [p["type"] for p in payloads] == ["safety", "preparation"] and payloads[0]["verdict"] == "ok"


@pytest.mark.parametrize(
    "message, payload_type",
    [("hello", "help"), ("what can you do?", "help"), ("thanks a lot", "acknowledgement"),
     ("bye", "goodbye"), ("what's the weather tomorrow?", "fallback"),
     ("wait, am I talking to a real person?", "about")],
)
def test_small_talk_has_text_and_payload(conversation, message, payload_type):
    answer = conversation.payload(message)
    assert answer["type"] == payload_type and answer["_text"].strip()


def test_out_of_scope_says_what_it_can_do(conversation):
    answer = conversation.payload("can you book me a table at a restaurant?")
    assert answer == {**answer, "type": "fallback", "reason": "out_of_scope"}
    assert "techniques" in answer["_text"]
