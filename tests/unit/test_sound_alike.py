"""Technique names heard by their sound (massage_coach/server/sound_alike.py), with the real espeak-ng."""

from __future__ import annotations

import pytest

from massage_coach.clients.voice.sound_alike import SoundAlikeInterpreter


@pytest.fixture(scope="module")
def interpreter() -> SoundAlikeInterpreter:
    return SoundAlikeInterpreter()


@pytest.mark.parametrize("transcript, respelled", [
    ("What is needing?", "what is kneading"),          # a homophone Whisper prefers
    ("Explain Effler age to me.", "explain effleurage to me"),  # a word it does not know, split
    ("How do you do ringing?", "how do you do wringing"),  # the most alike name wins ("rubbing" is near too)
])
def test_a_span_that_sounds_like_a_technique_is_respelled(interpreter, transcript, respelled):
    assert interpreter.respell(transcript) == respelled


@pytest.mark.parametrize("transcript", [
    "We can keep going now.",        # words the classifier knows keep their meaning: no "cupping"
    "Sorry, my hands are sticky.",   # first and last sounds differ from "stroking"
    "What's eating",                 # ... and from "patting"
    "I need more oil",               # too short for "kneading"
    "How do I do the rubbing?",      # a name already spelled is left alone
])
def test_everyday_words_are_left_alone(interpreter, transcript):
    assert interpreter.respell(transcript) == " ".join(transcript.lower().strip("?.").replace(",", "").split())


def test_the_respelled_question_reaches_the_classifier_with_its_technique(interpreter):
    command = interpreter.interpret("What is needing?", "routine")
    assert command is not None and (command.intent, command.entities) == ("ask_technique", {"technique": "kneading"})
