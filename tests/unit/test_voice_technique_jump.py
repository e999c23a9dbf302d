"""A jump to a step by its technique, said to the voice client ("skip to the kneading part"): the real
classifier keeps the technique for the assistant, and the jump counts as losing the user's place (the
step it lands on may be far), so it is asked first unless the classifier is sure, as a far numbered
jump is."""

from __future__ import annotations

import pytest

from massage_coach.clients.voice.commands import CommandInterpreter
from massage_coach.clients.voice.understanding import CommandRecognizer, describe


@pytest.fixture(scope="module")
def interpreter() -> CommandInterpreter:
    return CommandInterpreter()


@pytest.fixture(scope="module")
def careful(interpreter) -> CommandRecognizer:
    """Asks about every place-losing command, sure or not (`--confirm-always`), at step 3."""
    at_step_3 = CommandRecognizer(interpreter=interpreter, confirm_always=True)
    at_step_3.position = lambda: 3
    return at_step_3


@pytest.mark.parametrize("said, technique", [("skip to the kneading part", "kneading"),
                                             ("go to the tapping step", "percussion"),
                                             ("back to the stroking", "stroking")])
def test_a_technique_jump_keeps_the_technique_and_loses_the_place(interpreter, careful, said, technique):
    command = interpreter.interpret(said, "routine", threshold=0.0)
    assert command is not None and command.intent in ("go_to_step", "skip_step", "previous_step"), command
    assert command.entities == {"technique": technique}
    assert careful.needs_confirmation(command)


def test_a_numbered_near_jump_still_loses_nothing(interpreter, careful):
    command = interpreter.interpret("go to step four", "routine", threshold=0.0)
    assert command is not None and command.entities == {"number": 4}
    assert not careful.needs_confirmation(command)


@pytest.mark.parametrize("said", ["skip to the end", "jump to the final step"])
def test_the_last_step_is_a_jump_asked_first_in_words(interpreter, careful, said):
    command = interpreter.interpret(said, "routine", threshold=0.0)
    assert command is not None and command.request() == '/go_to_step{"last_step": "last"}', command
    assert careful.needs_confirmation(command)
    assert describe(command.request()) == "go to the last step"


def test_every_jump_is_described_for_its_question():
    assert describe('/go_to_step{"number": 9}') == "go to step 9"
    assert describe('/go_to_step{"technique": "kneading"}') == "go to the kneading step"  # was a KeyError
    assert describe('/start_routine{"routine": "home"}') == "start the home routine"
    assert describe("/stop_routine") == "stop the massage"


def test_back_to_the_last_step_is_no_jump_to_the_end(interpreter):
    command = interpreter.interpret("take me back to the last step", "routine", threshold=0.0)
    assert command is None or "last_step" not in command.entities
