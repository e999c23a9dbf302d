"""Routines named as people point at them (massage_coach/nlu/routine_names.py): the patterns
built from content/, the intent rule, the content checks, and a named routine starting from a
navigation command when none runs."""

from pathlib import Path
from typing import Optional

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.navigation import ActionRoutineCommand
from massage_coach.domain.content import ContentError, load_content
from massage_coach.nlu.language import build_pipeline, patterns_from_phrases
from massage_coach.nlu.routine_names import NamedRoutineIntent, routine_patterns
from massage_coach.settings import DEFAULT_CONTENT_DIR
from tests.unit.test_actions import run, tracker


@pytest.fixture(scope="module")
def nlp():
    content = load_content(DEFAULT_CONTENT_DIR)
    return build_pipeline(patterns_from_phrases({"routine": list(content.phrases("routine"))})
                          + routine_patterns(content))


def routine_named(nlp, text: str) -> Optional[str]:
    return next((span.ent_id_ for span in nlp(text).ents if span.label_ == "routine"), None)


@pytest.mark.parametrize("text, routine", [
    ("let's do the shorter one", "home"),               # a comparative, by its lemma
    ("the quick little one please", "home"),            # one word between
    ("start the full back one", "classic"),             # "back" may stand between
    ("the one with a jar", "home"),                     # after a word for a routine and a linker
    ("go for the calming version", "relaxing"),
    ("the 45 minute one", "classic"),                   # nearest in length: 46 against 35
    ("the forty minute one", "relaxing"),               # 35 against 46
    ("the 30-minute one", "osteochondrosis"),           # 28
    ("the ten step routine", "relaxing"),               # that many steps
    ("the therapeutic sequence for my client", "osteochondrosis"),
    ("the second one on the list", "relaxing"),          # its place in the list shown
    ("the last one", "home"),
])
def test_a_routine_is_named_by_its_words_its_length_or_its_steps(nlp, text, routine):
    assert routine_named(nlp, text) == routine


@pytest.mark.parametrize("text", [
    "how long is the massage",                          # "long" is a word of the classic routine
    "I've been sitting at my desk all day",             # and "sitting", "desk" of the home one
    "a massage for his back",                           # "massage" names no routine after a linker
    "the quick and easy one",                           # a stop word between breaks it
    "the ninety minute one",                            # no routine near that length
    "she has been stressed for weeks",
])
def test_everyday_words_of_a_routine_name_none_alone(nlp, text):
    assert routine_named(nlp, text) is None


def test_a_word_may_name_one_routine_only(tmp_path: Path):
    target = tmp_path / "content"
    target.mkdir()
    for path in Path(DEFAULT_CONTENT_DIR).glob("*.yml"):
        (target / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    routines = yaml.safe_load((target / "routines.yml").read_text(encoding="utf-8"))
    routines["routines"][1]["words"].append("quick")
    (target / "routines.yml").write_text(yaml.safe_dump(routines, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContentError, match=r"routines\[[0-9]\]\.words: 'quick' already names 'relaxing'"):
        load_content(target)


def message(intent: str, text: str, name: str) -> Message:
    """A classified message whose `name` (if in `text`) was found as the relaxing routine."""
    start = text.find(name)
    entities = [{"entity": "routine", "value": "relaxing", "start": start, "end": start + len(name)}] if name else []
    return Message({TEXT: text, INTENT: {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 0.5}, ENTITIES: entities})


@pytest.mark.parametrize("intent, text, name, after", [
    ("muscle_tension", "she had a long day, the calming one", "calming one", "start_routine"),
    ("muscle_tension", "she had a long day", "", "muscle_tension"),         # the tension answer
    ("muscle_tension", "I want to help him relax", "relax", "muscle_tension"),  # one word: a verb
    ("nlu_fallback", "calm one", "calm one", "start_routine"),
    ("nlu_fallback", "sdfg", "", "nlu_fallback"),
    ("check_condition", "the calming one, she is pregnant", "calming one", "check_condition"),
    ("ask_duration", "how long is the calming one", "calming one", "ask_duration"),
    # Asked about, it is described; named right after a verb of starting, it starts.
    ("list_routines", "what does the calming one involve", "calming one", "list_routines"),
    ("list_routines", "please do the calming one for him", "calming one", "start_routine"),
    ("list_routines", "kindly commence the calming one", "calming one", "start_routine"),
    ("list_routines", "start the fast calming one", "calming one", "start_routine"),
    ("list_routines", "what do i have to do in the calming one", "calming one", "list_routines"),
    ("ask_technique", "which moves do you do in the calming one", "calming one", "ask_technique"),
    ("start_routine", "tell me about the calming one", "calming one", "list_routines"),
    ("start_routine", "what's the calming one like", "calming one", "list_routines"),
    ("start_routine", "she's stressed, let's do the calming one", "calming one", "start_routine"),
])
def test_a_named_routine_turns_only_tension_into_a_start(intent, text, name, after):
    classified = message(intent, text, name)
    NamedRoutineIntent(NamedRoutineIntent.get_default_config()).process([classified])
    assert classified.get(INTENT)[INTENT_NAME_KEY] == after


def test_a_command_naming_a_routine_starts_it_when_none_runs():
    messages, _ = run(ActionRoutineCommand(), tracker("resume_routine", [{"entity": "routine", "value": "home"}]))
    assert messages[0]["response"] == "utter_screening" and messages[0]["custom"]["routine"] == "home"


def test_a_step_clock_never_starts_a_routine():
    messages, _ = run(ActionRoutineCommand(), tracker(
        "next_step", [{"entity": "routine", "value": "home"}, {"entity": "timer_step", "value": 2}]))
    assert messages[0]["response"] == "utter_no_routine_running"
