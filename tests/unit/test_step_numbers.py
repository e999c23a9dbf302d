"""Step numbers as a transcript says them (commands.CommandInterpreter.entities): after "step" or
"number", or as an ordinal before "step" or "one"; a cardinal before "step" is no step number."""

from __future__ import annotations

import pytest

from massage_coach.clients.voice.commands import CommandInterpreter, words


@pytest.fixture(scope="module")
def interpreter() -> CommandInterpreter:
    return CommandInterpreter()


@pytest.mark.parametrize("transcript, number", [
    ("Go to step 7.", 7),
    ("Jump to step number six.", 6),
    ("Can we go straight to number nine?", 9),
    ("Okay, so take us to the third step.", 3),
    ("Right, the fifth one, please.", 5),
    ("Go to the twenty first step.", 21),
    ("Back to the 2nd step.", 2),
    ("Go to step for.", 4),
])
def test_a_step_number_is_read_however_it_is_said(interpreter, transcript, number):
    assert interpreter.entities(words(transcript)).get("number") == number


@pytest.mark.parametrize("transcript", [
    "One step back.", "Skip this step for now.", "The next one, please.", "We tried a number of oils.",
    "Give me a second.",
])
def test_words_that_only_look_like_a_step_number_are_none(interpreter, transcript):
    assert "number" not in interpreter.entities(words(transcript))


def test_an_ordinal_step_is_a_jump_to_it(interpreter):
    command = interpreter.interpret("Okay, so take us to the third step.", "routine", threshold=0.5)
    assert command is not None and command.request() == '/go_to_step{"number": 3}'
