"""A turn heard two ways, with and without noise suppression (commands.interpret_views), read by the
real classifier: agreement lowers the bar, disagreement blocks."""

from __future__ import annotations

import pytest

from massage_coach.clients.voice.commands import AGREED, UNCONFIRMED, CommandInterpreter


@pytest.fixture(scope="module")
def interpreter() -> CommandInterpreter:
    return CommandInterpreter()


def confidence(interpreter: CommandInterpreter, text: str) -> float:
    command = interpreter.interpret(text, "routine", threshold=0.0)
    assert command is not None
    return command.confidence


def test_one_transcript_acts_only_when_sure(interpreter):
    command = interpreter.interpret_views(["Back one, please."])
    assert command is not None and command.request() == "/previous_step"
    assert interpreter.interpret_views(["Miss a step out."]) is None  # the client then transcribes it again
    assert interpreter.interpret_views(["Mach 1 clean."]) is None
    assert interpreter.interpret_views([""]) is None


def test_an_unsure_command_heard_alike_both_ways_is_acted_on(interpreter):
    unsure = "Miss a step out."
    assert AGREED <= confidence(interpreter, unsure) < interpreter.threshold  # alone it would be missed
    assert interpreter.interpret(unsure) is None
    command = interpreter.interpret_views([unsure, unsure])
    assert command is not None and command.request() == "/skip_step"


def test_an_unsure_command_heard_one_way_only_is_not(interpreter):
    assert interpreter.interpret_views(["Miss a step out.", "Lisa stepped out."]) is None


def test_a_sure_command_heard_one_way_only_is_acted_on(interpreter):
    assert confidence(interpreter, "Back one, please.") >= UNCONFIRMED
    command = interpreter.interpret_views(["Mach 1 clean.", "Back one, please."])
    assert command is not None and command.request() == "/previous_step"


def test_two_ways_hearing_different_commands_is_not_for_me(interpreter):
    assert interpreter.interpret_views(["Miss a step out.", "Next one, please."]) is None
    assert interpreter.interpret_views(["Miss a step out.", "Go to step 5."]) is None


def test_a_sure_first_transcript_decides_alone(interpreter):
    command = interpreter.interpret_views(["Back one, please.", "Next one, please."])
    assert command is not None and command.request() == "/previous_step"
