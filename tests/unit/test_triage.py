"""The back-pain triage decision (massage_coach/triage.py), on the real content: pure Python."""

import re
import shutil

import pytest
import yaml

from massage_coach.domain.content import ENTITY_SECTIONS, ContentError, load_content
from massage_coach.domain.triage import (
    ASK,
    EMERGENCY,
    GO_AHEAD,
    PHYSICIAN,
    UNCLEAR,
    Reply,
    change_hint,
    decide,
    involved,
    triggers,
)
from massage_coach.nlu.language import build_pipeline, patterns_from_phrases
from massage_coach.settings import DEFAULT_CONTENT_DIR

CONTENT = load_content()


def test_back_pain_opens_the_question_instead_of_a_verdict():
    outcome = decide(CONTENT, Reply(reported=["back_pain"]))
    assert (outcome.kind, outcome.verdict, outcome.conditions) == (ASK, "unknown", ["back_pain"])
    assert outcome.awaits_answer


def test_muscle_tension_clears_the_back_pain_and_goes_ahead():
    outcome = decide(CONTENT, Reply(tension=True), earlier=["back_pain"], awaiting=True)
    assert (outcome.kind, outcome.verdict, outcome.conditions) == (GO_AHEAD, "ok", [])
    assert outcome.tension_confirmed and not outcome.awaits_answer


def test_tension_with_nothing_reported_is_ok_not_unknown():
    """"He is healthy, just stressed from work": nothing to clear, go ahead."""
    assert decide(CONTENT, Reply(tension=True)).kind == GO_AHEAD


@pytest.mark.parametrize("red_flag, kind, verdict", [
    ("fever", PHYSICIAN, "stop"), ("sharp_pain", PHYSICIAN, "stop"), ("injury_pain", PHYSICIAN, "caution"),
    ("night_pain", PHYSICIAN, "unknown"), ("numbness", EMERGENCY, "emergency"),
    ("sudden_severe_pain", EMERGENCY, "emergency"),
])
def test_a_red_flag_escalates_with_the_verdict_its_content_gives(red_flag, kind, verdict):
    assert red_flag in CONTENT.triage["red_flags"]
    outcome = decide(CONTENT, Reply(reported=[red_flag]), earlier=["back_pain"], awaiting=True)
    assert (outcome.kind, outcome.verdict, outcome.red_flags) == (kind, verdict, [red_flag])
    assert outcome.conditions == ["back_pain", red_flag]


def test_a_red_flag_wins_over_tension_in_the_same_answer():
    """"Just tension, but his leg goes numb": the numbness decides."""
    outcome = decide(CONTENT, Reply(reported=["numbness"], tension=True), earlier=["back_pain"], awaiting=True)
    assert outcome.kind == EMERGENCY


def test_back_pain_with_a_red_flag_in_one_message_needs_no_question():
    outcome = decide(CONTENT, Reply(reported=["back_pain", "fever"]))
    assert (outcome.kind, outcome.verdict, outcome.red_flags) == (PHYSICIAN, "stop", ["fever"])


def test_tension_does_not_clear_another_condition_reported_earlier():
    outcome = decide(CONTENT, Reply(tension=True), earlier=["pregnancy", "back_pain"])
    assert (outcome.kind, outcome.verdict, outcome.conditions) == (PHYSICIAN, "stop", ["pregnancy"])
    assert outcome.red_flags == []  # nothing in this message escalated


def test_an_answer_that_names_nothing_asks_again():
    outcome = decide(CONTENT, Reply(), earlier=["back_pain"], awaiting=True)
    assert (outcome.kind, outcome.conditions) == (UNCLEAR, ["back_pain"])
    assert outcome.awaits_answer


def test_ruling_out_a_red_flag_asks_about_the_back_pain_again():
    outcome = decide(CONTENT, Reply(negated=["fever"]), earlier=["back_pain", "fever"])
    assert (outcome.kind, outcome.conditions, outcome.negated) == (ASK, ["back_pain"], ["fever"])


def test_ruling_out_the_back_pain_goes_ahead():
    outcome = decide(CONTENT, Reply(negated=["back_pain"]), earlier=["back_pain"], awaiting=True)
    assert (outcome.kind, outcome.negated) == (GO_AHEAD, ["back_pain"])


def test_once_tension_is_confirmed_back_pain_mentioned_again_needs_no_question():
    outcome = decide(CONTENT, Reply(reported=["back_pain"]), tension_confirmed=True)
    assert (outcome.kind, outcome.conditions) == (GO_AHEAD, [])
    # ...but a red flag still escalates.
    assert decide(CONTENT, Reply(reported=["back_pain", "fever"]), tension_confirmed=True).kind == PHYSICIAN


def test_only_back_pain_tension_or_an_open_question_involve_the_triage():
    assert involved(CONTENT, Reply(reported=["back_pain"]), awaiting=False)
    assert involved(CONTENT, Reply(tension=True), awaiting=False)
    assert involved(CONTENT, Reply(reported=["pregnancy"]), awaiting=True)
    assert not involved(CONTENT, Reply(reported=["pregnancy"]), awaiting=False)
    assert involved(CONTENT, Reply(negated=["fever"]), awaiting=False, earlier=["back_pain", "fever"])
    assert not involved(CONTENT, Reply(negated=["fever"]), awaiting=False, earlier=["fever"])
    assert triggers(CONTENT, ["pregnancy", "back_pain"]) == ["back_pain"]


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(patterns_from_phrases({label: list(CONTENT.phrases(label)) for label in ENTITY_SECTIONS}))


def test_every_refusal_hint_is_a_correction_the_recogniser_understands(nlp):
    """The example in "tell me (for example "no fever after all")" rules out exactly that condition."""
    wrong = []
    for condition_id, condition in CONTENT.conditions.items():
        if condition["verdict"] == "emergency" or condition_id in CONTENT.triage["triggers"]:
            continue
        example = re.search(r'"(.*)"', change_hint(CONTENT, [condition_id])).group(1)
        found = [(span.ent_id_, span._.negated) for span in nlp(example).ents]
        if found != [(condition_id, True)]:
            wrong.append((condition_id, example, found))
    assert wrong == []


def test_the_hint_names_the_condition_that_still_blocks():
    assert "muscle tension" in change_hint(CONTENT, ["back_pain"])
    assert "fever" in change_hint(CONTENT, ["back_pain", "fever"])


def break_red_flag(triage):
    triage["red_flags"].append("broken_leg")
    return "triage.red_flags: 'broken_leg' is not an id in conditions"


def break_avoid(triage):
    triage["go_ahead"]["avoid"].append("elbow")
    return "triage.go_ahead.avoid: 'elbow' is not an id in body_parts"


def break_change_hint(triage):
    triage["change_hint"] = "Tell me if anything changed."
    return "triage.change_hint: 'Tell me if anything changed.' does not match"


def break_tension_option(triage):
    triage["options"][0]["condition"] = "fever"
    return "triage.options: exactly one option (muscle tension) has no condition"


@pytest.mark.parametrize("mutate", [break_red_flag, break_avoid, break_change_hint, break_tension_option])
def test_broken_triage_content_names_file_and_field(tmp_path, mutate):
    content_dir = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content_dir)
    path = content_dir / "triage.yml"
    data = yaml.safe_load(path.read_text())
    expected = mutate(data["triage"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ContentError) as error:
        load_content(content_dir)
    assert f"{path}: {expected}" in str(error.value), str(error.value)
