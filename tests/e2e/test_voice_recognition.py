"""The voice client's recogniser (issue 12): Whisper tiny.en + the command interpreter decide
between a command and "not for me", on voices of synthesisers it was not tuned on.

Real parts only: the utterances are spoken by flite and festival (the synthesiser families
left out when the thresholds were chosen: see README), transcribed by the real model.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from massage_coach.clients.voice.__main__ import main as voice_main
from massage_coach.clients.voice.audio import add_noise, silence, write_wav
from massage_coach.clients.voice.listener import hear
from massage_coach.clients.voice.transcriber import MODEL_SHA256, ModelError, model_dir, verify_model
from massage_coach.clients.voice.understanding import CommandRecognizer, strip_wake_phrase
from tests.support.synthetic import say
from tests.support.voice_corpus import synthesise

# (family, voice): a diphone voice of festival and a clustergen voice of flite.
UNTUNED_VOICES = [("festival", "ked_diphone"), ("flite", "awb")]
# Phrasings that are not in the grammar or the NLU data, with what they mean.
COMMANDS = [
    ("could we move on to the following step", "/next_step"),
    ("please go back one step", "/previous_step"),
    ("hold on for a moment", "/pause_routine"),
    ("jump to step number six", '/go_to_step{"number": 6}'),
    ("could you speak a little louder", "louder"),
    ("would you say that one again", "/repeat_step"),
    ("skip this step for now", "/skip_step"),
    ("we're ready to carry on now", "/resume_routine"),
    ("how many more steps are there to go", "/routine_progress"),
    ("please talk a bit more slowly", "slower"),
]
# What the locked corpus measures on these families (README, 77-93 % clean): a command missed is
# said again; one acted on wrongly loses the user's place, so none may be.
LEAST_RIGHT = 0.7
TALK = ["your shoulders feel really tight today", "did you remember to call your brother",
        "this oil smells like oranges", "I'm going to make some tea afterwards"]


@pytest.fixture(scope="module")
def recogniser() -> CommandRecognizer:
    return CommandRecognizer()


def spoken(text: str, family: str, voice: str, snr_db: float | None = None) -> np.ndarray:
    audio = np.concatenate([silence(0.3), synthesise(text, family, voice, 1.0), silence(0.5)])
    return add_noise(audio, snr_db, seed=1) if snr_db is not None else audio


def meaning(recogniser: CommandRecognizer, audio: np.ndarray, context: str = "routine") -> str:
    """What the client does: a local setting, a typed request, "?request" when it asks "Did you say
    ...?" first (nothing happens unless the user says yes), or "" (nothing)."""
    decision = recogniser.decide(audio, context)
    if decision.command is None:
        return ""
    if decision.command.local:
        return decision.command.intent
    return ("?" if decision.confirm else "") + decision.command.request()


@pytest.mark.parametrize("family, voice", UNTUNED_VOICES)
def test_commands_in_voices_of_families_not_used_for_tuning(recogniser, family, voice):
    heard = [meaning(recogniser, spoken(text, family, voice)) for text, _ in COMMANDS]
    wanted = [request for _, request in COMMANDS]
    right = sum(h == w for h, w in zip(heard, wanted))
    wrong = [(h, w) for h, w in zip(heard, wanted) if h and h != w and not h.startswith("?")]
    assert right >= LEAST_RIGHT * len(COMMANDS) and not wrong, list(zip(heard, wanted))


@pytest.mark.parametrize("family, voice", UNTUNED_VOICES)
def test_everyday_talk_is_not_for_me(recogniser, family, voice):
    for text in TALK:
        decision = recogniser.decide(spoken(text, family, voice), "routine")
        assert decision.outcome == "not_for_me" and decision.action == "", (text, decision)


def test_silence_noise_and_a_hum_are_not_for_me(recogniser):
    quiet = silence(2.0)
    t = np.arange(16000) / 16000
    hum = (6000 * np.sin(2 * np.pi * 180 * t)).astype(np.int16)
    for audio in (quiet, add_noise(quiet + 1, 10), hum):
        assert recogniser.decide(audio, "routine").outcome == "not_for_me"


def test_a_yes_or_no_counts_only_while_a_question_is_open(recogniser):
    audio = np.concatenate([silence(0.3), say("yes please"), silence(0.5)])
    assert recogniser.decide(audio, "routine").outcome == "not_for_me"
    assert meaning(recogniser, audio, "routine+asked") == "/affirm"


def test_the_wake_phrase_option(recogniser):
    waking = CommandRecognizer(recogniser.transcriber, recogniser.interpreter, wake_phrase="coach")
    with_wake = np.concatenate([silence(0.3), say("coach, next step"), silence(0.5)])
    without = np.concatenate([silence(0.3), say("next step"), silence(0.5)])
    assert meaning(waking, with_wake) == "/next_step"
    assert waking.decide(without, "routine").outcome == "not_for_me"
    assert meaning(recogniser, without) == "/next_step"  # off by default
    # The answer to a question needs no wake phrase.
    answer = np.concatenate([silence(0.3), say("no"), silence(0.5)])
    assert meaning(waking, answer, "routine+asked") == "/deny"
    assert strip_wake_phrase("Couch, go back.", "coach") == "go back"
    assert strip_wake_phrase("go back", "coach") is None


@pytest.mark.parametrize("family, voice", UNTUNED_VOICES)
def test_questions_a_couple_ask_each_other_count_only_said_to_the_coach(recogniser, family, voice):
    waking = CommandRecognizer(recogniser.transcriber, recogniser.interpreter, wake_phrase="coach")
    assert meaning(waking, spoken("coach, how hard should I press", family, voice)) == "/ask_pressure"
    assert meaning(recogniser, spoken("how hard should I press", family, voice)) == ""
    assert meaning(waking, spoken("how hard should I press", family, voice)) == ""


def test_a_place_losing_command_is_confirmed_unless_sure(recogniser):
    stop = np.concatenate([silence(0.3), say("let's end the routine here"), silence(0.5)])
    far = np.concatenate([silence(0.3), say("go to step nine"), silence(0.5)])
    careful = CommandRecognizer(recogniser.transcriber, recogniser.interpreter, confirm_always=True)
    careful.position = lambda: 8
    decision = careful.decide(stop, "routine")
    assert decision.command.intent == "stop_routine" and decision.confirm and decision.action == "confirm"
    assert not careful.decide(far, "routine").confirm, "step 8 to 9 loses nothing"
    careful.position = lambda: 2
    assert careful.decide(far, "routine").confirm
    # Unsure: a command the interpreter is not confident of is confirmed even by default.
    unsure = copy.copy(recogniser.interpreter)
    unsure.high_confidence = 1.01
    assert CommandRecognizer(recogniser.transcriber, unsure).decide(stop, "routine").confirm
    # Safe commands never are.
    assert not careful.decide(np.concatenate([silence(0.3), say("go back"), silence(0.5)]), "routine").confirm


class CountingTranscriber:
    """The real transcriber, counting the turns it decodes (a turn heard again without noise
    suppression, when it was not surely a command, counts once)."""

    def __init__(self, transcriber) -> None:
        self.transcriber, self.decoded = transcriber, []

    def transcribe(self, samples, suppressed=True):
        if suppressed:
            self.decoded.append(len(samples))
        return self.transcriber.transcribe(samples, suppressed)


def test_the_turn_is_decoded_when_its_closing_silence_begins(recogniser):
    counting = CountingTranscriber(recogniser.transcriber)
    listening = CommandRecognizer(counting, recogniser.interpreter)
    audio = np.concatenate([silence(0.5), synthesise("could you go back one step", "flite", "slt", 1.0), silence(1.0)])
    [turn] = hear(listening, audio, "routine")
    assert turn.recognition.text == "/previous_step"
    # Decoded once, at the pause, before the rest of the silence that ends the turn came in.
    [decoded] = counting.decoded
    assert decoded < len(turn.segment.samples) - 0.1 * 16000
    # A pause inside the turn is decoded too, and what follows it decided anew.
    counting.decoded.clear()
    next_word = say("next")[:-round(0.15 * 16000)]  # espeak-ng ends with 0.29 s of silence: a 0.14 s pause left
    two_parts = np.concatenate([silence(0.5), next_word, say("week we are visiting your parents"), silence(1.0)])
    turns = hear(listening, two_parts, "routine")
    assert len(turns) == 1 and turns[0].recognition.action == "", turns[0].recognition
    assert len(counting.decoded) == 2 and counting.decoded[1] > counting.decoded[0]


def test_the_model_file_is_checked_at_start_up(tmp_path):
    verify_model(model_dir())
    (tmp_path / "model.bin").write_bytes(b"not the model")
    with pytest.raises(ModelError, match=MODEL_SHA256):
        verify_model(tmp_path)


def test_a_routine_driven_by_voice_in_a_voice_not_used_for_tuning(servers, tmp_path):
    # Headless, the default recogniser: what it understands goes to Rasa as typed requests, and
    # talk in between changes nothing and says nothing.
    turns = [("start the quick massage", 30), ("none of those", 40), ("next step", 15), ("that tickles", 6),
             ("go back one step", 8)]
    # Not here: a bare "pause" in this voice, which Whisper hears as "pls" or "close" when the turn is
    # cut at its sound (README: known misses); tests/e2e/test_voice.py drives it with the grammar.
    pieces = [silence(0.5)]
    for text, pause_s in turns:
        pieces += [synthesise(text, "flite", "rms", 1.0), silence(pause_s)]
    write_wav(tmp_path / "turns.wav", np.concatenate(pieces))
    out = tmp_path / "out"
    assert voice_main(["--rest-url", servers.rest_url, "--audio-in", str(tmp_path / "turns.wav"),
                       "--audio-out", str(out), "--no-auto-advance"]) == 0
    records = [json.loads(line) for line in (out / "transcript.jsonl").read_text().splitlines()]
    voice = [r for r in records if r["source"] == "voice"]
    assert [r["request"] for r in voice if r.get("request")] == [
        '/start_routine{"routine": "home"}', "/deny", "/next_step", "/previous_step"], voice
    [talk] = [r for r in voice if "unrecognised" in r]
    # Heard (Whisper writes it as "That tickles" or "That equals") and let be: no request, no speech.
    assert talk["unrecognised"] and not talk["speech"] and not talk["replies"]
    steps = [reply["custom"]["step"] for r in records for reply in r["replies"]
             if (reply.get("custom") or {}).get("type") == "step"]
    assert steps == [1, 2, 1]
