"""Guided routines end to end over REST against the real servers: screening, every
navigation command, questions in the middle, safety stops, and a restart mid-routine."""

import pytest

from massage_coach.domain.content import load_content
from tests.support.assistant import Conversation

CONTENT = load_content()


def step_of(answer):
    assert answer["type"] == "step", answer
    return answer["step"]


def expected_step(routine_id, n):
    entry = CONTENT.routines[routine_id]["steps"][n - 1]
    return {"type": "step", "routine": routine_id, "step": n, "total": len(CONTENT.routines[routine_id]["steps"]),
            "zone": entry["zone"], "technique": entry["techniques"][0], "duration_s": entry["duration_s"]}


def is_step(answer, routine_id, n):
    """The step's fields, its whole spoken form ("[lead] Step n of N. ...") and its display names."""
    entry = CONTENT.routines[routine_id]["steps"][n - 1]
    total = len(CONTENT.routines[routine_id]["steps"])
    lead = f"{answer['lead']} " if answer.get("lead") else ""
    return (answer == {**answer, **expected_step(routine_id, n)}
            and answer["speech"] == f"{lead}Step {n} of {total}. {entry['speech']}"
            and answer["names"][routine_id] == CONTENT.routines[routine_id]["title"]
            and answer["names"][entry["zone"]] == CONTENT.zones[entry["zone"]]["name"])


def start(conversation, request="start the relaxing massage", routine="relaxing"):
    """Starts a routine through the screening; returns the first step."""
    screening = conversation.payload(request)
    assert screening["type"] == "screening" and screening["routine"] == routine
    return conversation.payload("none of those")


def test_a_whole_routine_step_by_step(conversation):
    replies = conversation.say("start the relaxing massage")
    screening = next(r["custom"] for r in replies if "custom" in r)
    stops = CONTENT.conditions_with_verdict("stop")
    assert screening == {"type": "screening", "routine": "relaxing", "conditions": stops, "expects": "none_of_those",
                         "names": {"relaxing": CONTENT.routines["relaxing"]["title"],
                                   **{c: CONTENT.conditions[c]["name"] for c in stops}}}
    assert any("pregnancy" in r.get("text", "") for r in replies)
    assert {b["payload"] for r in replies for b in r.get("buttons") or []} == {"/deny", "/affirm"}

    first = conversation.payload("no, none of those")
    total = len(CONTENT.routines["relaxing"]["steps"])
    assert is_step(first, "relaxing", 1)
    assert f"Step 1 of {total}" in first["_text"]
    for n in range(2, total + 1):
        answer = conversation.payload("next")
        assert is_step(answer, "relaxing", n)
        assert CONTENT.routines["relaxing"]["steps"][n - 1]["instruction"] in answer["_text"]

    done = conversation.payload("next")
    assert done == {**done, "type": "routine_done", "routine": "relaxing"}
    assert CONTENT.safety["aftercare"][0] in done["_text"]
    after = conversation.payload("next")
    assert after["type"] == "routines" and "No routine is running" in after["_text"]


def test_screening_is_remembered(conversation):
    start(conversation, "let's do the home massage", "home")
    conversation.payload("stop the routine")
    assert step_of(conversation.payload("start the relaxing massage")) == 1


def test_a_condition_at_screening_means_no_routine(conversation):
    conversation.payload("start the classic massage")
    answer = conversation.payload("she is pregnant")
    assert (answer["verdict"], answer["conditions"]) == ("stop", ["pregnancy"])
    blocked = conversation.payload("start the classic massage")
    assert (blocked["type"], blocked["verdict"], blocked["conditions"]) == ("safety", "stop", ["pregnancy"])
    assert conversation.payload("next")["type"] == "routines"


def test_yes_at_screening_means_no_routine(conversation):
    conversation.payload("start the relaxing massage")
    answer = conversation.payload("yes")
    assert (answer["type"], answer["verdict"]) == ("safety", "stop")
    assert conversation.payload("next")["type"] == "routines"


def test_ruling_one_condition_out_asks_about_the_others(conversation):
    conversation.payload("start the relaxing massage")
    replies = conversation.say("she is not pregnant")
    customs = [r["custom"] for r in replies if "custom" in r]
    assert customs[0] == {"type": "safety", "verdict": "ok", "label": "Go ahead gently", "conditions": [],
                          "negated": ["pregnancy"], "names": {"pregnancy": "Pregnancy"}}
    # The question about the others is open: its payload says what it awaits.
    others = [c for c in CONTENT.conditions_with_verdict("stop") if c != "pregnancy"]
    assert customs[1] == {**customs[1], "type": "screening", "routine": "relaxing", "conditions": others,
                          "expects": "none_of_those"}
    assert any("Does any of the others apply" in r.get("text", "") for r in replies)
    assert step_of(conversation.payload("no")) == 1


def test_a_caution_condition_allows_only_the_professional_routine(conversation):
    caution = conversation.payload("he has osteochondrosis")
    assert caution["verdict"] == "caution"
    blocked = conversation.payload("start the relaxing massage")
    assert (blocked["type"], blocked["verdict"]) == ("safety", "caution")
    conversation.payload("start the osteochondrosis massage")
    confirmation = conversation.payload("none of those")
    assert confirmation["type"] == "confirmation" and "physician" in confirmation["_text"]
    assert step_of(conversation.payload("yes")) == 1


def test_the_professional_routine_needs_confirmation(conversation):
    conversation.payload("start the osteochondrosis massage")
    confirmation = conversation.payload("none of those")
    assert confirmation == {**confirmation, "type": "confirmation", "routine": "osteochondrosis",
                            "audience": "professional"}
    assert "professional" in confirmation["_text"] and "physician" in confirmation["_text"]
    declined = conversation.payload("no")
    assert declined["type"] == "acknowledgement"
    assert conversation.payload("next")["type"] == "routines"

    assert conversation.payload("start the osteochondrosis massage")["type"] == "confirmation"
    first = conversation.payload("yes")
    assert is_step(first, "osteochondrosis", 1)


@pytest.fixture
def in_classic(servers):
    """A conversation standing at step 3 of the classic routine."""
    conversation = Conversation(servers)
    start(conversation, "guide me through the classic massage", "classic")
    conversation.payload("next")
    assert step_of(conversation.payload("next")) == 3
    return conversation


@pytest.mark.parametrize(
    "command, step",
    [("back", 2), ("go back", 2), ("previous step", 2), ("repeat", 3), ("say that again", 3),
     ("next", 4), ("skip this one", 4), ("go to step 7", 7), ("step twelve", 12), ("jump to step 20", 20),
     ("continue", 3), ("start over", 1), ("can we do step two again", 2), ("skip to step 8", 8),
     ("go to the fourth step", 4), ("take me to the 3rd step", 3), ("go forward", 4), ("proceed", 4)],
)
def test_navigation(in_classic, command, step):
    answer = in_classic.payload(command)
    assert is_step(answer, "classic", step)


@pytest.mark.parametrize(
    "command, step, technique",
    [("skip to the kneading part", 8, "kneading"), ("let's get to the tapping", 17, "percussion")],
)
def test_a_named_technique_jumps_to_the_next_step_that_uses_it(in_classic, command, step, technique):
    answer = in_classic.payload(command)
    assert is_step(answer, "classic", step) and technique in answer["techniques"]
    assert answer["lead"] == f"On to the {technique}."


def test_a_technique_the_routine_lacks_keeps_the_place(in_classic):
    answer = in_classic.payload("go to the bit with the squeezing")
    assert (answer["type"], answer["step"]) == ("progress", 3) and "no squeezing step" in answer["_text"]
    assert step_of(in_classic.payload("repeat")) == 3


@pytest.mark.parametrize(
    "command, lead", [("skip", "Skipping step 3."), ("continue", "Continuing."), ("start over", "From the beginning.")],
)
def test_a_remark_with_a_step_is_in_its_payload(in_classic, command, lead):
    answer = in_classic.payload(command)
    assert answer["lead"] == lead and lead in answer["_text"]
    assert "lead" not in in_classic.payload("next")


def test_go_to_a_step_that_does_not_exist(in_classic):
    answer = in_classic.payload("go to step 99")
    total = len(CONTENT.routines["classic"]["steps"])
    assert (answer["type"], answer["step"]) == ("progress", 3)
    assert f"from 1 to {total}" in answer["_text"]
    assert step_of(in_classic.payload("repeat")) == 3


def test_pause_and_continue(in_classic):
    paused = in_classic.payload("pause")
    assert paused == {**paused, "type": "paused", "routine": "classic", "step": 3}
    assert step_of(in_classic.payload("continue")) == 3


def test_progress(in_classic):
    progress = in_classic.payload("how many steps are left?")
    steps = CONTENT.routines["classic"]["steps"]
    assert progress == {**progress, "type": "progress", "step": 3, "total": len(steps),
                        "steps_left": len(steps) - 3, "seconds_left": sum(s["duration_s"] for s in steps[2:])}


def test_switch_routine(in_classic):
    answer = in_classic.payload("switch to the relaxing routine")
    assert is_step(answer, "relaxing", 1)
    assert "Switching" in answer["_text"]


def test_stop(in_classic):
    stopped = in_classic.payload("stop the routine")
    assert stopped == {**stopped, "type": "routine_stopped", "routine": "classic", "step": 3}
    assert in_classic.payload("next")["type"] == "routines"


@pytest.mark.parametrize(
    "question, payload_type",
    [("wait, what is kneading?", "technique"), ("is it ok near the kidneys?", "anatomy"),
     ("how do I prepare?", "preparation"), ("how hard am I supposed to press?", "guidance")],
)
def test_a_question_in_the_middle_keeps_the_place(in_classic, question, payload_type):
    assert in_classic.payload(question)["type"] == payload_type
    assert step_of(in_classic.payload("continue")) == 3


def test_discomfort_gets_lighter_pressure_and_keeps_the_place(in_classic):
    advice = in_classic.payload("it hurts")
    assert advice == {**advice, "type": "advice", "topic": "discomfort"}
    assert "lighter" in advice["_text"]
    assert step_of(in_classic.payload("repeat")) == 3


def test_health_talk_with_nothing_medical_eases_off_and_waits(in_classic):
    # The classifier's check_condition with nothing medical heard (the typed request carries no
    # condition): discomfort advice and a pause at the step, not the end of the routine.
    advice, paused = in_classic.payloads("/check_condition")
    assert advice == {**advice, "type": "advice", "topic": "discomfort"}
    assert paused == {**paused, "type": "paused", "routine": "classic", "step": 3}
    assert step_of(in_classic.payload("continue")) == 3


@pytest.mark.parametrize(
    "message, verdict",
    [("she says she's pregnant", "stop"), ("he has a sharp pain in his back", "stop")],
)
def test_a_safety_stop_ends_the_routine(in_classic, message, verdict):
    payloads = in_classic.payloads(message)
    assert payloads[0]["verdict"] == verdict
    assert payloads[1] == {"type": "routine_stopped", "routine": "classic", "step": 3,
                           "names": {"classic": CONTENT.routines["classic"]["title"]}}
    assert in_classic.payload("next")["type"] == "routines"


def test_an_emergency_ends_the_routine(in_classic):
    payloads = in_classic.payloads("her arm went numb")
    assert payloads[0]["type"] == "emergency" and payloads[1]["type"] == "routine_stopped"


@pytest.mark.parametrize(
    "message, reason", [("pasue", "not_understood"), ("xqzv plokmn", "out_of_scope"),
                        ("what's the weather tomorrow?", "out_of_scope")],
)
def test_not_understood_in_the_middle_says_where_we_are(in_classic, message, reason):
    replies = in_classic.say(message)
    answer = next(r["custom"] for r in replies if "custom" in r)
    assert answer == {"type": "fallback", "reason": reason, "routine": "classic", "step": 3,
                      "names": {"classic": CONTENT.routines["classic"]["title"]}}
    text = " ".join(r.get("text", "") for r in replies)
    assert f"step 3 of {len(CONTENT.routines['classic']['steps'])}" in text
    buttons = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert buttons == ["/previous_step", "/repeat_step", "/next_step", "/pause_routine", "/stop_routine"]
    assert step_of(in_classic.payload("repeat")) == 3


@pytest.mark.parametrize("message", ["ok", "got it", "yes"])
def test_an_ok_between_steps_waits_for_next(in_classic, message):
    replies = in_classic.say(message)
    assert [r["custom"] for r in replies if "custom" in r] == [{"type": "acknowledgement"}]
    assert "next" in " ".join(r.get("text", "") for r in replies).lower()
    assert step_of(in_classic.payload("next")) == 4


def test_navigation_without_a_routine_offers_the_list(conversation):
    answer = conversation.payload("next")
    assert answer["type"] == "routines" and "No routine is running" in answer["_text"]
    assert [r["id"] for r in answer["routines"]] == list(CONTENT.routines)


def test_two_conversations_keep_their_own_place(servers):
    first, second = Conversation(servers), Conversation(servers)
    start(first)
    start(second, "start the classic massage", "classic")
    first.payload("next")
    first.payload("next")
    assert step_of(second.payload("repeat")) == 1
    assert step_of(first.payload("repeat")) == 3


def test_the_place_survives_a_restart_of_both_servers(servers):
    conversation = Conversation(servers)
    start(conversation)
    for _ in range(3):
        conversation.payload("next")
    servers.stop()
    servers.start()
    answer = conversation.payload("repeat")
    assert is_step(answer, "relaxing", 4)
    assert step_of(conversation.payload("next")) == 5


def test_typed_requests_need_no_classifying(in_classic):
    assert step_of(in_classic.payload('/go_to_step{"number": 6}')) == 6
    assert step_of(in_classic.payload("/previous_step")) == 5


def test_a_step_clock_moves_on_only_from_the_step_it_timed(in_classic):
    assert in_classic.payload('/next_step{"timer_step": 2}')["type"] == "unchanged"  # the user is on step 3
    assert step_of(in_classic.payload('/next_step{"timer_step": 3}')) == 4
    in_classic.payload("pause")
    assert in_classic.payload('/next_step{"timer_step": 4}')["type"] == "unchanged"
    assert step_of(in_classic.payload("continue")) == 4
