"""The routine engine on the real content, without Rasa: who may start what, what a step
says, and every transition of screening, confirmation, navigation, pacing and safety."""

from dataclasses import replace

import jsonschema
import pytest

from massage_coach.domain import payloads
from massage_coach.domain.content import load_content
from massage_coach.domain.engine import RoutineEngine, State
from massage_coach.domain.safety import assess

CONTENT = load_content()
ENGINE = RoutineEngine(CONTENT)
VALIDATOR = jsonschema.Draft7Validator(payloads.load_schema())
IN_CLASSIC = State(active_routine="classic", step=3, screened=True)


def only_payload(outcome):
    sent = [reply.payload for reply in outcome.replies if reply.payload is not None]
    assert len(sent) == 1, outcome.replies
    VALIDATOR.validate(sent[0].json_message())
    return sent[0]


@pytest.mark.parametrize(
    "routine, reported, blocking",
    [
        ("classic", [], []),
        ("classic", ["pregnancy"], ["pregnancy"]),
        ("classic", ["diabetes"], ["diabetes"]),  # cannot be cleared, so no guided massage
        ("classic", ["chest_pain"], ["chest_pain"]),
        ("classic", ["osteochondrosis"], ["osteochondrosis"]),  # professional only
        ("osteochondrosis", ["osteochondrosis"], []),  # ...which this routine is for
        ("osteochondrosis", ["fever", "osteochondrosis"], ["fever"]),
    ],
)
def test_blocking_conditions(routine, reported, blocking):
    assert ENGINE.blocking_conditions(routine, reported) == blocking


@pytest.mark.parametrize(
    "routine, reported, needed",
    [("classic", [], False), ("home", [], False), ("osteochondrosis", [], True),
     ("osteochondrosis", ["osteochondrosis"], True)],
)
def test_needs_confirmation(routine, reported, needed):
    assert ENGINE.needs_confirmation(routine, reported) is needed


def test_every_step_of_every_routine_fits_the_contract():
    for routine_id, routine in CONTENT.routines.items():
        total = len(routine["steps"])
        for n in range(1, total + 1):
            payload = ENGINE.step_payload(routine_id, n)
            VALIDATOR.validate(payload.json_message())
            entry = routine["steps"][n - 1]
            assert payload.technique in payload.techniques
            assert payload.instruction == entry["instruction"]
            assert payload.speech == f"Step {n} of {total}. {entry['speech']}"
            assert set(payload.names) >= {routine_id, *payload.zones, *payload.techniques}
            assert payload.pacing.advance_after_s == entry["duration_s"]
            assert 0 <= payload.pacing.heads_up_before_s < payload.pacing.advance_after_s


def test_a_lead_is_said_before_the_step():
    payload = ENGINE.step_payload("classic", 3, "Skipping step 2.")
    assert payload.lead == "Skipping step 2." and payload.speech.startswith("Skipping step 2. Step 3 of ")


def test_the_whole_back_routines_take_about_45_minutes():
    assert 40 * 60 <= ENGINE.seconds_from("classic", 1) <= 50 * 60


def test_progress_counts_from_the_current_step():
    steps = CONTENT.routines["relaxing"]["steps"]
    progress = ENGINE.progress_payload("relaxing", 4)
    assert (progress.steps_left, progress.seconds_left) == (len(steps) - 4, sum(s["duration_s"] for s in steps[3:]))


def test_starting_screens_first_then_begins_at_step_one():
    asked = ENGINE.start(State(), "relaxing")
    screening = only_payload(asked)
    assert (screening.type, screening.expects, asked.state.awaiting) == ("screening", "none_of_those", "screening")
    assert screening.conditions == CONTENT.conditions_with_verdict("stop")
    begun = ENGINE.answer(asked.state, yes=False)
    assert (begun.state.active_routine, begun.state.step, begun.state.screened) == ("relaxing", 1, True)
    assert (begun.state.pending_routine, begun.state.awaiting) == (None, None)
    assert [r.response for r in begun.replies] == ["utter_routine_start", "utter_step"]


def test_conditions_ruled_out_with_the_request_leave_only_the_others_to_ask():
    asked = ENGINE.start(State(), "relaxing", ruled_out=["pregnancy", "fever"])
    answered, screening = [reply.payload for reply in asked.replies]
    assert (answered.verdict, answered.negated) == ("ok", ["pregnancy", "fever"])
    assert screening.type == "screening" and asked.state.awaiting == "screening"
    others = [c for c in CONTENT.conditions_with_verdict("stop") if c not in ("pregnancy", "fever")]
    assert screening.conditions == others
    begun = ENGINE.answer(asked.state, yes=False)
    assert (begun.state.active_routine, begun.state.step) == ("relaxing", 1)


def test_a_report_that_rules_out_and_names_a_routine_starts_its_screening():
    asked = ENGINE.report(State(), assess(CONTENT, [], ["pregnancy"]), routine="home")
    assert [r.response for r in asked.replies] == ["utter_safety_ruled_out", "utter_screening_others"]
    assert (asked.state.pending_routine, asked.state.awaiting) == ("home", "screening")
    healthy = ENGINE.report(State(), assess(CONTENT, []), denies_all=True, routine="home")
    assert [r.response for r in healthy.replies] == ["utter_screening"]
    reported = ENGINE.report(State(), assess(CONTENT, ["fever"]), routine="home")
    assert reported.state.pending_routine is None and only_payload(reported).verdict == "stop"


def test_ruling_out_does_not_lift_a_condition_reported_before():
    refused = ENGINE.start(State(reported_conditions=("cancer",), safety_verdict="stop"), "relaxing", ["fever"])
    assert refused.state.awaiting is None and refused.state.active_routine is None
    assert only_payload(refused).conditions == ["cancer"]


def test_yes_at_screening_is_a_stop():
    asked = ENGINE.start(State(), "classic")
    refused = ENGINE.answer(asked.state, yes=True)
    assert only_payload(refused).verdict == "stop" and refused.state.safety_verdict == "stop"
    assert refused.state.active_routine is None and refused.state.awaiting is None


def test_a_professional_routine_needs_a_yes():
    asked = ENGINE.start(State(screened=True), "osteochondrosis")
    assert only_payload(asked).expects == "yes_no" and asked.state.awaiting == "confirmation"
    assert ENGINE.answer(asked.state, yes=False).state.pending_routine is None
    assert ENGINE.answer(asked.state, yes=True).state.active_routine == "osteochondrosis"


def test_a_reported_stop_blocks_every_routine_until_corrected():
    stopped = ENGINE.report(State(screened=True), assess(CONTENT, ["pregnancy"]))
    assert stopped.state.reported_conditions == ("pregnancy",)
    blocked = ENGINE.start(stopped.state, "classic")
    assert only_payload(blocked).conditions == ["pregnancy"] and blocked.state.active_routine is None
    corrected = ENGINE.report(stopped.state, assess(CONTENT, [], ["pregnancy"]))
    assert corrected.state.reported_conditions == () and corrected.state.safety_verdict == "ok"
    assert ENGINE.start(corrected.state, "classic").state.active_routine == "classic"


def test_a_safety_stop_ends_the_running_routine():
    outcome = ENGINE.report(IN_CLASSIC, assess(CONTENT, ["fever"]))
    assert [r.payload.type for r in outcome.replies] == ["safety", "routine_stopped"]
    assert outcome.state.active_routine is None


def test_the_answer_says_which_words_it_took_for_a_condition():
    outcome = ENGINE.report(State(), assess(CONTENT, ["arthritis"]), said={"arthritis": "gout"})
    assert "I took 'gout' as arthritis." in outcome.replies[0].fill["advice"]
    # Words that already name the condition are not repeated.
    outcome = ENGINE.report(State(), assess(CONTENT, ["pregnancy"]), said={"pregnancy": "pregnant"})
    assert "I took" not in outcome.replies[0].fill["advice"]


def test_back_pain_with_something_medical_not_covered_goes_to_a_physician_not_the_question():
    outcome = ENGINE.report(State(), assess(CONTENT, ["back_pain"]), heard=["endometriosis"])
    payload = only_payload(outcome)
    assert payload.type == "safety" and payload.verdict == "unknown" and payload.heard == ["endometriosis"]
    assert only_payload(ENGINE.report(State(), assess(CONTENT, ["back_pain"]))).type == "triage"
    # A painkiller taken for it leaves the question open.
    taken = ENGINE.report(State(), assess(CONTENT, ["back_pain"]), heard=["ibuprofen"], medicines=["ibuprofen"])
    assert only_payload(taken).type == "triage"


def test_a_plain_no_to_nothing_asked_means_none_apply():
    assert ENGINE.answer(State(), yes=False) is None
    outcome = ENGINE.report(State(), assess(CONTENT, []), denies_all=True)
    assert only_payload(outcome).verdict == "ok"


@pytest.mark.parametrize(
    "intent, number, step, lead",
    [("next_step", None, 4, None), ("skip_step", None, 4, "Skipping step 3."), ("previous_step", None, 2, None),
     ("repeat_step", None, 3, None), ("resume_routine", None, 3, "Continuing."),
     ("restart_routine", None, 1, "From the beginning."), ("go_to_step", 7, 7, None), ("repeat_step", 2, 2, None)],
)
def test_navigation(intent, number, step, lead):
    outcome = ENGINE.command(IN_CLASSIC, intent, number=number)
    payload = only_payload(outcome)
    assert (payload.type, payload.step, payload.lead, outcome.state.step) == ("step", step, lead, step)


def test_past_the_last_step_the_routine_is_done():
    last = len(CONTENT.routines["classic"]["steps"])
    outcome = ENGINE.command(replace(IN_CLASSIC, step=last), "next_step")
    assert only_payload(outcome).type == "routine_done" and outcome.state.active_routine is None


def test_pause_keeps_the_place_and_continue_resumes_it():
    paused = ENGINE.command(IN_CLASSIC, "pause_routine")
    assert only_payload(paused).type == "paused" and paused.state.paused
    resumed = ENGINE.command(paused.state, "resume_routine")
    assert (resumed.state.step, resumed.state.paused) == (3, False)


def test_a_timer_moves_on_only_from_the_step_it_timed():
    assert ENGINE.command(IN_CLASSIC, "next_step", timer_step=3).state.step == 4
    overtaken = ENGINE.command(IN_CLASSIC, "next_step", timer_step=2)
    assert only_payload(overtaken).type == "unchanged" and overtaken.state == IN_CLASSIC
    paused = replace(IN_CLASSIC, paused=True)
    assert ENGINE.command(paused, "next_step", timer_step=3).state == paused


@pytest.mark.parametrize("intent, step", [("go_to_step", 26), ("skip_step", 26), ("previous_step", 2)])
def test_the_last_step_named_is_the_end_unless_going_back(intent, step):
    assert ENGINE.command(IN_CLASSIC, intent, last_step=True).state.step == step


def test_a_step_out_of_range_says_where_we_are():
    outcome = ENGINE.command(IN_CLASSIC, "go_to_step", number=99)
    assert only_payload(outcome).type == "progress" and outcome.state == IN_CLASSIC


def test_navigation_without_a_routine_offers_the_list():
    outcome = ENGINE.command(State(), "next_step")
    assert [r.id for r in only_payload(outcome).routines] == list(CONTENT.routines)
    assert all(b["payload"].startswith("/start_routine{") for r in outcome.replies for b in r.buttons)


def test_not_understood_mid_routine_offers_typed_commands():
    outcome = ENGINE.not_understood(IN_CLASSIC, "not_understood")
    assert only_payload(outcome).step == 3
    assert [b["payload"] for b in outcome.replies[0].buttons] == [
        "/previous_step", "/repeat_step", "/next_step", "/pause_routine", "/stop_routine"]


@pytest.mark.parametrize("minutes, response, pick, fits", [
    (20, "utter_routines_for_time", "Quick massage at home or at work", ["home"]),
    (30, "utter_routines_for_time", "Quick massage at home or at work", ["osteochondrosis", "home"]),  # not the pro one
    (40, "utter_routines_for_time", "Relaxing back massage", ["relaxing", "osteochondrosis", "home"]),
    (10, "utter_routines_too_long", "Quick massage at home or at work", []),
])
def test_the_time_the_person_has_picks_the_routine_that_fits(minutes, response, pick, fits):
    reply = ENGINE.list_routines(State(), minutes).replies[0]
    assert (reply.response, reply.fill["title"].lower(), reply.payload.fits) == (response, pick.lower(), fits)
    assert reply.payload.available_minutes == minutes and len(reply.buttons) == len(CONTENT.routines)


def test_a_routine_asked_about_is_described_with_a_start_button():
    reply = ENGINE.describe("home")
    assert reply.response == "utter_routine_overview"
    overview = reply.payload
    assert (overview.routine.id, overview.routine.steps) == ("home", len(CONTENT.routines["home"]["steps"]))
    assert overview.techniques[0] == "stroking" and "pressure" in overview.techniques  # the jar, step 5
    assert overview.zones == ["lumbar", "dorsal", "collar"]
    assert reply.buttons == [{"title": "Start: Quick massage at home or at work",
                              "payload": '/start_routine{"routine": "home"}'}]
    assert "jar" in reply.fill["summary"] and reply.fill["techniques"].startswith("stroking, rubbing")


def test_asked_which_routine_yes_or_next_starts_the_first_for_beginners():
    asked = ENGINE.start(State(), None)  # "start", no routine named
    assert asked.state.awaiting == "routine_choice" and asked.replies[0].payload.type == "routines"
    assert asked.replies[0].fill["first"] == "classic back massage for beginners"
    assert only_payload(asked).expects == "yes_no"  # a voice listens for the yes
    assert CONTENT.routines["classic"]["audience"] == "beginner"
    for chosen in (ENGINE.answer(asked.state, yes=True), ENGINE.command(asked.state, "next_step"),
                   ENGINE.command(asked.state, "resume_routine")):
        assert chosen.state.awaiting == "screening" and chosen.replies[0].payload.routine == "classic"
    assert ENGINE.answer(asked.state, yes=False) is None  # "no", "she's fine": none of the conditions apply
    # Not asked: "next" with no routine lists them, and a timer never starts one.
    assert ENGINE.command(State(), "next_step").replies[0].response == "utter_no_routine_running"
    assert ENGINE.command(asked.state, "next_step", timer_step=1).replies[0].response == "utter_no_routine_running"
    assert ENGINE.command(asked.state, "previous_step").replies[0].response == "utter_no_routine_running"


def test_a_routine_command_before_the_screening_answer_asks_the_question_again():
    screening = ENGINE.start(State(), "home").state
    for intent in ("next_step", "resume_routine", "repeat_step", "routine_progress"):
        again = ENGINE.command(screening, intent)
        assert again.state == screening and again.replies[0].response == "utter_screening"
    assert ENGINE.command(screening, "stop_routine").replies[0].response == "utter_no_routine_running"
    confirming = ENGINE.answer(ENGINE.start(State(), "osteochondrosis").state, yes=False).state
    assert confirming.awaiting == "confirmation"
    assert ENGINE.command(confirming, "next_step").replies[0].response == "utter_confirm_professional"


def test_a_described_routine_starts_on_start_it_or_yes():
    described = ENGINE.list_routines(State(), routine_id="relaxing")
    assert described.replies[0].payload.type == "routine_overview" and described.state.awaiting is None
    for started in (ENGINE.start(described.state, None), ENGINE.answer(described.state, yes=True)):
        assert started.state.awaiting == "screening" and started.replies[0].payload.routine == "relaxing"
    declined = ENGINE.answer(described.state, yes=False)  # "no": not that one, and no safety report
    assert declined.state.pending_routine is None and declined.replies[0].response == "utter_what_next"
    assert ENGINE.list_routines(State()).replies[0].payload.type == "routines"
