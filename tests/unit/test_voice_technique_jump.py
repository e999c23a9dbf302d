"""A jump to a step by its technique, said to the voice client ("skip to the kneading part"): the real
classifier keeps the technique for the assistant, and the client asks first, since the step it lands
on may be far from the user's place."""

from __future__ import annotations

import pytest

from massage_coach.clients.voice.commands import CommandInterpreter
from massage_coach.clients.voice.understanding import CommandRecognizer


@pytest.fixture(scope="module")
def interpreter() -> CommandInterpreter:
    return CommandInterpreter()


@pytest.fixture(scope="module")
def recogniser(interpreter) -> CommandRecognizer:
    at_step_3 = CommandRecognizer(interpreter=interpreter)
    at_step_3.position = lambda: 3
    return at_step_3


@pytest.mark.parametrize("said, technique", [("skip to the kneading part", "kneading"),
                                             ("let's get to the tapping", "percussion")])
def test_a_technique_jump_keeps_the_technique_and_is_confirmed(interpreter, recogniser, said, technique):
    command = interpreter.interpret(said, "routine", threshold=0.0)
    assert command is not None and command.intent in ("go_to_step", "skip_step"), command
    assert command.entities == {"technique": technique}
    assert recogniser.needs_confirmation(command)


def test_a_numbered_near_jump_is_still_not_confirmed(interpreter, recogniser):
    command = interpreter.interpret("go to step four", "routine", threshold=0.0)
    assert command is not None and command.entities == {"number": 4}
    assert not recogniser.needs_confirmation(command)
