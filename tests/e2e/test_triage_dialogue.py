"""Back pain, tension and corrections end to end over REST against the real servers:
no dead end, and never stuck (issue 13, dialogue half)."""

import pytest

from massage_coach.clients.assistant import post_message
from massage_coach.domain.content import load_content
from scripts.bench_safety_dialogue import PARTS, evaluate

CONTENT = load_content()
# tests/safety_dialogue_dev.yml: 61 of 61 on 2026-11-26 (38 of 39 when first written).
MIN_DEV_ACCURACY = 0.9


def ask_triage(conversation, opener="my partner has a bad back, what should I do"):
    replies = conversation.say(opener)
    question = next(r["custom"] for r in replies if "custom" in r)
    assert (question["type"], question["expects"], question["conditions"]) == ("triage", "triage", ["back_pain"])
    assert any("muscle tension" in r.get("text", "") and "numbness" in r.get("text", "") for r in replies)
    buttons = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert buttons == [o["request"] for o in question["options"]]
    return question


def test_bad_back_then_muscle_tension_reaches_a_routine(conversation):
    ask_triage(conversation)
    replies = conversation.say("it's just muscle tension")
    outcome = next(r["custom"] for r in replies if "custom" in r)
    assert (outcome["type"], outcome["outcome"], outcome["verdict"]) == ("triage_outcome", "go_ahead", "ok")
    text = " ".join(r.get("text", "") for r in replies)
    assert "spine" in text and "kidneys" in text and "Stop at once" in text
    start_buttons = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert '/start_routine{"routine": "relaxing"}' in start_buttons

    screening = conversation.payload('/start_routine{"routine": "relaxing"}')
    assert screening["type"] == "screening"
    step = conversation.payload("none of those")
    assert (step["type"], step["routine"], step["step"]) == ("step", "relaxing", 1)


def test_the_buttons_answer_the_question(conversation):
    question = ask_triage(conversation, "she has lower back pain")
    tension = next(o["request"] for o in question["options"] if o["id"] == "muscle_tension")
    assert conversation.payload(tension)["outcome"] == "go_ahead"


def test_a_routine_asked_for_with_back_pain_waits_for_the_answer_then_starts(conversation):
    ask_triage(conversation, "his back is killing him")
    assert conversation.payload("start the classic massage")["type"] == "triage"
    customs = conversation.payloads("just stiffness from sitting all day")
    assert [c["type"] for c in customs] == ["triage_outcome", "screening"]
    assert conversation.payload("no")["type"] == "step"


@pytest.mark.parametrize("answer, outcome, verdict, red_flag", [
    ("he has a fever too", "physician", "stop", "fever"),
    ("there's a shooting pain down her leg", "physician", "stop", "sharp_pain"),
    ("it started after a fall", "physician", "caution", "injury_pain"),
    ("it's worse at night", "physician", "unknown", "night_pain"),
    ("his leg goes numb", "emergency", "emergency", "numbness"),
    ("tingling in her feet", "emergency", "emergency", "numbness"),
    ("it hurts mostly at night", "physician", "unknown", "night_pain"),
    ("he can't control his bladder", "emergency", "emergency", "bladder_bowel_control"),
])
def test_a_red_flag_goes_to_a_physician_or_emergency(conversation, answer, outcome, verdict, red_flag):
    ask_triage(conversation)
    replies = conversation.say(answer)
    got = next(r["custom"] for r in replies if "custom" in r)
    assert (got["type"], got["outcome"], got["verdict"], got["red_flags"]) == (
        "triage_outcome", outcome, verdict, [red_flag])
    text = " ".join(r.get("text", "") for r in replies)
    assert ("emergency services" if outcome == "emergency" else "physician") in text
    blocked = conversation.payload("start the relaxing massage")
    assert blocked["type"] in ("safety", "emergency") and red_flag in blocked["conditions"]


def test_tension_said_unasked_goes_ahead_and_a_later_pain_still_gets_the_question(conversation):
    outcome = conversation.payload("his shoulders are tight from the gym")
    assert (outcome["type"], outcome["outcome"]) == ("triage_outcome", "go_ahead")
    assert conversation.payload("now his lower back aches as well")["type"] == "triage"


def test_a_bare_yes_asks_again_and_the_conversation_goes_on(conversation):
    ask_triage(conversation)
    again = conversation.payload("yes")
    assert (again["type"], again["repeat"]) == ("triage", True)
    assert conversation.payload("what is kneading?")["type"] == "technique"
    assert conversation.payload("just tight muscles")["outcome"] == "go_ahead"


def test_ruling_out_a_red_flag_asks_about_the_back_pain_instead_of_refusing(conversation):
    ask_triage(conversation)
    assert conversation.payload("she has a fever as well")["verdict"] == "stop"
    assert conversation.payload("sorry, no fever after all")["type"] == "triage"
    assert conversation.payload("it's just tension")["outcome"] == "go_ahead"
    assert conversation.payload("start the relaxing massage")["type"] == "screening"


def test_a_stiff_neck_correction_unblocks_routines(conversation):
    ask_triage(conversation, "he has a sore back")
    assert conversation.payload("how long should a massage take?")["type"] == "duration"
    assert conversation.payload("start the home massage")["type"] == "triage"
    customs = conversation.payloads("oh it's just a stiff neck")
    assert [c["type"] for c in customs] == ["triage_outcome", "screening"]
    # Once it is muscle tension, mentioning the back again needs no new question.
    assert conversation.payloads("his back is sore")[0]["outcome"] == "go_ahead"


def test_pregnancy_corrected_later_unblocks_routines(conversation):
    conversation.payload("she is pregnant")
    blocked = conversation.payload("start the relaxing massage")
    assert (blocked["type"], blocked["verdict"]) == ("safety", "stop")
    assert "after all" in blocked["_text"]  # says what would change it
    assert conversation.payload("she isn't pregnant after all")["verdict"] == "ok"
    assert conversation.payload("start the relaxing massage")["type"] == "screening"


def test_a_second_person_gets_their_own_answer_and_the_first_keeps_hers(conversation):
    assert conversation.payload("can I massage my pregnant wife?")["verdict"] == "stop"
    replies = conversation.say("his shoulders are super tight after the gym")
    assert "someone else" in replies[0]["text"] and "pregnancy" in replies[0]["text"]
    outcome = next(r["custom"] for r in replies if "custom" in r)
    assert (outcome["type"], outcome["outcome"]) == ("triage_outcome", "go_ahead")
    # Talk of her again: her stop stands, whatever was cleared for him.
    blocked = conversation.payload("ok, can I start the relaxing massage on her now")
    assert (blocked["type"], blocked["verdict"], blocked["conditions"]) == ("safety", "stop", ["pregnancy"])


def test_two_people_of_the_same_kind_each_get_their_own_answer(conversation):
    assert conversation.payload("my mum has deep vein thrombosis, can I massage her?")["verdict"] == "stop"
    replies = conversation.say("my wife has really tight shoulders, can I give her a massage")
    assert "someone else" in replies[0]["text"]
    outcome = next(r["custom"] for r in replies if "custom" in r)
    assert (outcome["type"], outcome["outcome"]) == ("triage_outcome", "go_ahead")
    blocked = conversation.payload("and can I start the relaxing massage on my mother")
    assert (blocked["type"], blocked["verdict"]) == ("safety", "stop")


def test_the_speaker_is_the_one_massaged(conversation):
    answer = conversation.payload("I'm pregnant, can my husband massage me?")
    assert (answer["verdict"], answer["conditions"]) == ("stop", ["pregnancy"])
    # Still the speaker: the stop stands for a routine on "me".
    assert conversation.payload("can he start the relaxing massage on me")["verdict"] == "stop"


@pytest.mark.parametrize("message, answered", [("she's sick of her job and could do with a massage", []),
                                               ("he's been working like a dog and is dead on his feet", []),
                                               # A question beside the words: the health-looking word first,
                                               # then the question's answer.
                                               ("we're expecting visitors at six, how long should the massage take",
                                                ["duration"])])
def test_everyday_talk_with_health_words_is_no_false_alarm(conversation, message, answered):
    replies = conversation.say(message)
    customs = [r["custom"] for r in replies if "custom" in r]
    answer, text = customs[0], " ".join(r.get("text", "") for r in replies)
    assert (answer["type"], answer["verdict"], answer["conditions"]) == ("safety", "ok", [])
    assert "Nothing you said" in text and "pregnancy" in text.lower()
    assert [c["type"] for c in customs[1:]] == answered


def test_a_fever_that_is_over_is_named_not_a_stop_and_the_screening_asks_about_now(conversation):
    answer = conversation.payload("he had a fever last week")
    # Named as past (`past`), not reported present.
    assert (answer["verdict"], answer["conditions"], answer["past"]) == ("unknown", [], ["fever"])
    assert "in the past" in answer["_text"]
    assert conversation.payload("start the relaxing massage")["type"] == "screening"


@pytest.mark.parametrize("message", ["can I massage someone with diabetes?", "she is pregnant",
                                     "he has a herniated disc"])
def test_every_refusal_says_what_would_change_it(conversation, message):
    answer = conversation.payload(message)
    assert answer["verdict"] in ("stop", "unknown", "caution")
    assert "If I misunderstood, or it has changed, tell me" in answer["_text"]


@pytest.mark.parametrize("message", [
    "he is healthy, just stressed from work, can I massage him?",
    "no health problems, just tense",
])
def test_healthy_and_tense_goes_ahead(conversation, message):
    answer = conversation.payload(message)
    assert (answer["type"], answer["outcome"], answer["verdict"], answer["conditions"]) == (
        "triage_outcome", "go_ahead", "ok", [])
    assert "pregnancy" in answer["_text"]  # still names what to rule out before starting


@pytest.mark.parametrize("question, zone", [
    ("tell me about the middle part of the back", "dorsal"),
    ("how should I massage the lower back", "lumbar"),
    ("how do I massage between the shoulder blades", "dorsal"),
    ("how do I massage the neck and shoulders", "collar"),
    ("what about the upper back", "collar"),
    ("how do i work on the small of her back", "lumbar"),
])
def test_zone_questions_in_everyday_words(conversation, question, zone):
    answer = conversation.payload(question)
    assert (answer["type"], answer["zone"]) == ("zone", zone)
    assert CONTENT.zones[zone]["starts"] in answer["_text"] and "spine" in answer["_text"]


def test_development_set_figure(servers):
    """The development part of the safety-dialogue set (scripts/bench_safety_dialogue.py prints
    both parts; the locked part is never asserted on or tuned on)."""
    results = evaluate(lambda sender, text: post_message(servers.rest_url, sender, text), PARTS["dev"])
    rows = [row for section in results.values() for row in section]
    right = sum(expected == got for _, expected, got in rows)
    assert right / len(rows) >= MIN_DEV_ACCURACY, [row for row in rows if row[1] != row[2]]
    assert [row for row in rows if row[2] == "go_ahead" != row[1]] == []  # no unsafe go-ahead
    assert all(got == expected for _, expected, got in results["to_routine"]), results["to_routine"]

