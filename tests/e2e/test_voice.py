"""The voice client end to end: espeak-ng speaks the user's turns, pocketsphinx hears them,
the real servers answer, pyttsx3 speaks the replies. Headless (WAV in, WAVs out)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest

from massage_coach.clients.voice.__main__ import main as voice_main
from massage_coach.clients.voice.audio import RATE, add_noise, segments, silence, wav_duration, write_wav
from massage_coach.clients.voice.echo import EchoGate, PlaybackTimeline
from massage_coach.clients.voice.echo_cancel import EchoCanceller
from massage_coach.clients.voice.grammar import normalise
from massage_coach.clients.voice.listener import hear
from massage_coach.clients.voice.live import missing_devices
from massage_coach.clients.voice.recognizer import Recognizer
from massage_coach.clients.voice.session import spoken_text
from massage_coach.clients.voice.speaker import SpeechSettings
from massage_coach.clients.voice.understanding import CommandRecognizer
from massage_coach.domain.content import load_content
from massage_coach.settings import PROJECT_DIR
from tests.support.assistant import Conversation
from tests.support.synthetic import (
    USER_VOICES,
    conversation,
    mix_under,
    over_narration,
    room_echo,
    say,
    spoken_ends,
    write_conversation,
)
from tests.support.voice_corpus import synthesise

# The user of the sessions spoken over with the default recogniser: a voice Whisper hears well
# (espeak-ng's are its weak spot: "none of those" is "Dev pose."), of a family not tuned on.
USER = "festival:kal_diphone"
# Commands heard right in every voice, clean and at 10 dB SNR (scripts/bench_voice.py has the rest).
# Measured; since turns are decoded while spoken, "louder" at 10 dB in en-us+f3 is sometimes "help".
ROBUST_COMMANDS = ["move on", "repeat", "pause", "continue", "quieter", "what is kneading", "go to step three"]


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer()


def heard(recognizer: Recognizer, audio: np.ndarray) -> List[str]:
    return [text for text in (turn.recognition.text for turn in hear(recognizer, audio)) if text]


@pytest.mark.parametrize("voice, speed", USER_VOICES)
@pytest.mark.parametrize("snr_db", [None, 10.0], ids=["clean", "10dB"])
def test_spoken_commands_are_recognised(recognizer, voice, speed, snr_db):
    for command in ROBUST_COMMANDS:
        audio = np.concatenate([silence(0.5), say(command, voice, speed), silence(0.5)])
        if snr_db is not None:
            audio = add_noise(audio, snr_db)
        assert heard(recognizer, audio) == [command], f"{command!r} in {voice} at {speed} wpm, SNR {snr_db}"


def test_silence_and_noise_are_not_commands(recognizer):
    quiet = silence(3.0)
    assert heard(recognizer, quiet) == []
    assert heard(recognizer, add_noise(quiet + 1, 10)) == []


def test_a_whole_command_ends_its_turn_early_unless_a_longer_one_may_follow(recognizer):
    def turn(command: str):
        audio = np.concatenate([silence(0.5), say(command), silence(0.5)])
        [only] = hear(recognizer, audio, context="routine")
        return only.recognition.text, only.segment.closed_s - only.segment.end_s, only
    turn("repeat")  # a first command sets the microphone's cepstral mean (Recognizer._calibrate)
    # "pause" may go on only as "pause please" (the same command): no need to wait the full silence.
    text, silent_s, early = turn("pause")
    assert text == "pause" and silent_s < 0.2
    # The silence and the decoding left when it ends are what the user waits for.
    assert early.waited_ms >= silent_s * 1000
    # "stop" may go on as "stop the massage": the usual silence ends the turn.
    text, silent_s, _ = turn("stop")
    assert text == "stop" and silent_s >= 0.25
    # No turn is cut short inside a longer phrase.
    assert turn("go to step twenty two")[0] == "go to step twenty two"


def test_grammar_comes_from_content_and_nlu_data(recognizer):
    grammar = recognizer.grammar
    for phrase in ("what is kneading", "what is effleurage", "is it safe near the kidneys", "she has fever",
                   "start the quick massage", "go to step twenty six", "move on", "slower", "stop the massage"):
        assert phrase in grammar.phrases
    assert grammar.phrases["slower"] == "slower"
    assert grammar.phrases["stop"] == "pause"  # a bare "stop" only pauses; see phrases.yml
    assert grammar.phrases["stop the massage"] == "confirm"
    assert not any(phrase.startswith("what is") for phrase in grammar.unpronounceable)  # espeak-ng fills in
    # "she has [a] {}": with and without the article, but no second one before "the flu"
    assert {"she has a fever", "she has fever", "she has the flu"} <= set(grammar.phrases)
    assert "she has a the flu" not in grammar.phrases and "what is petrissage" in grammar.phrases
    # A carrier is one path shared by all its names, not a copy per name.
    assert grammar.jsgf().count("she has [a] (") == 1


def test_a_running_routine_has_its_own_smaller_grammar(recognizer):
    grammar = recognizer.grammar
    routine, idle = grammar.jsgf("routine"), grammar.jsgf("idle")
    assert len(routine) < len(grammar.jsgf()) and len(idle) < len(grammar.jsgf())
    for phrase in ("next step", "move on", "go to step three", "it hurts", "stop the massage"):
        assert "routine" in grammar.contexts[phrase] and "idle" not in grammar.contexts[phrase], phrase
    for phrase in ("start the quick massage", "which routines do you have"):
        assert "idle" in grammar.contexts[phrase] and "routine" not in grammar.contexts[phrase], phrase
    for phrase in ("what is kneading", "is it safe near the kidneys", "she has fever", "louder", "help"):
        assert grammar.contexts[phrase] == {"routine", "idle"}, phrase
    # Answers only while a question is open: "routine+asked" has them, "routine" does not.
    for phrase in ("yes", "no", "none of those"):
        assert grammar.contexts[phrase] == {"asked"}, phrase
        alternative = re.compile(rf"/ {phrase}( \||;)")
        assert alternative.search(grammar.jsgf("routine+asked")) and not alternative.search(grammar.jsgf("routine"))


def test_the_back_pain_question_is_answered_by_voice_while_it_is_open(recognizer):
    """Every button of the back-pain question (content/triage.yml), bladder or bowel control too,
    is a phrase heard only while a question is open, and a spoken one is decoded as said."""
    grammar = recognizer.grammar
    for option in load_content().triage["options"]:
        assert grammar.contexts[normalise(option["title"])] == {"asked"}, option["title"]
    answer = "loss of bladder or bowel control"
    audio = np.concatenate([silence(0.5), say(answer), silence(0.5)])
    assert [t.recognition.text for t in hear(recognizer, audio, context="idle+asked")] == [answer]
    assert answer not in grammar.jsgf("idle")


def test_each_message_is_said_in_its_spoken_form(servers):
    conversation = Conversation(servers)
    conversation.say("start the relaxing massage")
    replies = conversation.say("none of those")
    entry = load_content().routines["relaxing"]["steps"][0]
    total = len(load_content().routines["relaxing"]["steps"])
    # The opening has no spoken form of its own: its text is said; the step is said as the assistant wrote it.
    assert spoken_text(replies) == f"{replies[0]['text']} Step 1 of {total}. {entry['speech']}"
    skipped = conversation.say("skip this one")
    assert spoken_text(skipped) == f"Skipping step 1. Step 2 of {total}. " + \
        load_content().routines["relaxing"]["steps"][1]["speech"]


def test_speech_settings_change_on_the_fly():
    settings = SpeechSettings(rate=165, volume=0.6)
    settings.apply("slower")
    settings.apply("louder")
    assert (settings.rate, settings.volume) == (140, 0.8)
    for _ in range(20):
        settings.apply("faster")
    assert settings.rate == 300


def run(servers, tmp_path: Path, turns, *options: str, recogniser: str = "grammar", voice: str = "en-us") -> List[Dict]:
    audio_in = write_conversation(tmp_path / "turns.wav", turns, voice=voice)
    out = tmp_path / "out"
    # The grammar recogniser unless said: these tests are about the session (pacing, confirmation) on the
    # espeak-ng voice it was tuned on; tests/test_voice_recognition.py drives the default recogniser end to end.
    assert voice_main(["--rest-url", servers.rest_url, "--audio-in", str(audio_in), "--audio-out", str(out),
                       "--recogniser", recogniser, *options]) == 0
    return [json.loads(line) for line in (out / "transcript.jsonl").read_text().splitlines()]


def payload_types(record: Dict) -> List[str]:
    return [reply["custom"]["type"] for reply in record["replies"] if reply.get("custom")]


def steps(records: List[Dict]) -> List[int]:
    return [reply["custom"]["step"] for record in records for reply in record["replies"]
            if (reply.get("custom") or {}).get("type") == "step"]


def test_a_whole_routine_driven_by_voice(servers, tmp_path):
    # Pauses long enough for each reply to be spoken: no barge-in here.
    turns = [("start the quick massage", 30), ("none of those", 40), ("go to step three", 15), ("repeat", 15),
             ("pause", 8), ("continue", 15), ("louder", 4), ("move on", 15), ("move on", 15), ("move on", 15),
             ("move on", 15), ("move on", 30)]
    records = run(servers, tmp_path, turns, "--no-auto-advance")
    voice_turns = [r for r in records if r["source"] == "voice"]
    assert [r["heard"] for r in voice_turns] == [text for text, _ in turns]
    assert payload_types(voice_turns[0]) == ["screening"]
    assert payload_types(voice_turns[4]) == ["paused"]
    assert voice_turns[6]["replies"] == []  # "louder" is the client's own business
    assert steps(records) == [1, 3, 3, 3, 4, 5, 6, 7]
    assert payload_types(voice_turns[-1]) == ["routine_done"]
    for record in records:
        assert record["audio"], record
        seconds = wav_duration(tmp_path / "out" / record["audio"])
        words = len(record["speech"].split())
        # 165 words a minute, plus pauses between sentences
        assert 0.5 * words / 165 * 60 < seconds < 2.0 * words / 165 * 60 + 1, (record["speech"], seconds)
        assert record["latency_ms"] > 0


def test_pacing_moves_on_by_itself_and_pause_stops_the_clock(servers, tmp_path):
    # Steps last 2% of their time (120 s -> 2.4 s) once their narration has been spoken.
    turns = [("start the quick massage", 30), ("none of those", 75), ("pause", 40), ("continue", 30)]
    records = run(servers, tmp_path, turns, "--duration-scale", "0.02")
    sources = [(r["source"], r["heard"]) for r in records]
    pause_at = sources.index(("voice", "pause"))
    continue_at = sources.index(("voice", "continue"))
    automatic = [r for r in records[:pause_at] if r["source"] == "timer"]
    assert any(r["heard"] == "next" for r in automatic), sources
    heads_up = [r for r in automatic if r["heard"] == ""]
    assert heads_up and all(r["audio"] for r in heads_up)
    assert steps(records[:pause_at])[:3] == [1, 2, 3]
    assert payload_types(records[pause_at]) == ["paused"]
    assert continue_at == pause_at + 1, "the clock ran on while paused"
    assert any(r["source"] == "timer" and r["heard"] == "next" for r in records[continue_at:])


def test_ending_the_routine_by_voice_needs_a_yes(servers, tmp_path):
    turns = [("start the quick massage", 30), ("none of those", 40), ("stop the massage", 6), ("move on", 15),
             ("stop the massage", 6), ("yes", 10)]
    records = [r for r in run(servers, tmp_path, turns, "--no-auto-advance") if r["source"] == "voice"]
    assert [r["heard"] for r in records] == [text for text, _ in turns]
    assert records[2]["replies"] == [] and "Did you say stop the massage" in records[2]["speech"]
    assert steps(records[3:4]) == [2]  # anything but "yes" drops the question
    assert records[4]["replies"] == []
    assert payload_types(records[5]) == ["routine_stopped"]


def test_an_unreadable_input_file_is_a_clear_error(servers, tmp_path, capsys):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not a wav")
    assert voice_main(["--rest-url", servers.rest_url, "--audio-in", str(bad), "--audio-out",
                       str(tmp_path / "out")]) == 1
    assert "not a readable WAV file" in capsys.readouterr().err


@pytest.mark.skipif(missing_devices() is None, reason="this machine has a microphone and a sound card")
def test_without_sound_devices_it_says_so_and_takes_typed_input(servers, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "massage_coach.clients.voice", "--rest-url", servers.rest_url, "--audio-out", str(out)],
        input="what is kneading\nslower\n", capture_output=True, text=True, timeout=120, cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
    )
    assert result.returncode == 0, result.stderr
    assert "Voice input and output are not available" in result.stdout
    assert "Falling back to typed input" in result.stdout
    assert "Gather the muscle gently" in result.stdout  # the technique's speech, not its text
    assert "Slower." in result.stdout
    wavs = sorted(out.glob("turn-*.wav"))
    assert len(wavs) == 2 and all(wav_duration(wav) > 0.3 for wav in wavs)


@pytest.fixture(scope="module")
def narration() -> List[np.ndarray]:
    """The quick massage's steps in the client's voice and rate (espeak-ng en-us, 165 wpm), 16 kHz.
    Rendered by espeak-ng itself: pyttsx3's renderings differ by a few samples from run to run."""
    routine = next(r for r in load_content().routines.values() if r["id"] == "home")
    return [say(step["speech"], "en-us", SpeechSettings.rate) for step in routine["steps"]]


@pytest.mark.parametrize("delay_s", [0.02, 0.05, 0.08])
def test_the_clients_own_narration_heard_through_a_room_triggers_nothing(recognizer, narration, delay_s):
    for number, played in enumerate(narration):
        timeline = PlaybackTimeline()
        timeline.play(0.3, played)
        audio = room_echo(np.concatenate([silence(0.3), played, silence(0.5)]), delay_s=delay_s, seed=number)
        gate = EchoGate(timeline)
        found = segments(audio)
        assert found, "the echo is loud enough to be segmented"
        assert [gate.user_speech(s.samples, s.start_s) for s in found] == [None] * len(found)


@pytest.fixture(scope="module")
def whisper() -> CommandRecognizer:
    return CommandRecognizer()


# Commands said over step 2's narration by voices of three synthesiser families (none locked).
# With the echo gate's per-band suppression alone, Whisper transcribed the narration instead:
# "next step" in festival kal was "Let's go step.", "move on" in espeak-ng "Move arms.".
OVER_THE_NARRATION = [("next step", "festival", "kal_diphone", "/next_step"),
                      ("go back", "flite", "kal", "/previous_step"),
                      ("go to step three", "flite", "slt", '/go_to_step{"number": 3}'),
                      ("move on", "espeak-ng", "en-us", "/next_step")]


# 3 of 4 each: espeak-ng's "move on" is misheard ("Lu Far.") since noise suppression came before
# Whisper; without the canceller, as loud, 1 of 4 (the case that shows the canceller is needed).
@pytest.mark.parametrize("echo_below_db, least_right", [(6.0, 3), (0.0, 3)], ids=["echo-6dB", "echo-as-loud"])
def test_whisper_hears_a_command_over_the_narration_once_its_echo_is_cancelled(whisper, narration, echo_below_db,
                                                                               least_right):
    # The user speaks 1.5 s into a step's narration, which goes on; its echo comes back through a
    # room 6 dB under the user's voice, or as loud. The canceller learnt the room on the step before.
    heard = []
    for text, family, voice, _ in OVER_THE_NARRATION:
        audio, heard_before = over_narration(synthesise(text, family, voice, 1.0), narration[0], narration[1],
                                             echo_below_db, delay_s=0.05)
        timeline = PlaybackTimeline()
        timeline.play(-len(narration[0]) / RATE, narration[0])
        timeline.play(0.0, narration[1])
        canceller = EchoCanceller(timeline, isolated=False)
        canceller.feed(heard_before, -len(heard_before) / RATE)
        canceller.feed(audio, 0.0)
        turns = hear(whisper, audio, "routine", EchoGate(timeline, canceller))
        heard.append(" + ".join(turn.recognition.text for turn in turns if turn.recognition and turn.recognition.text))
    wanted = [request for *_, request in OVER_THE_NARRATION]
    assert sum(got == want for got, want in zip(heard, wanted)) >= least_right, heard
    assert all(got in ("", want) for got, want in zip(heard, wanted)), f"a wrong command: {heard}"


def test_the_echo_canceller_follows_a_reply_that_plays_later_than_asked(narration):
    # A player starting up and a sound server's buffers delay a reply by 50-250 ms (measured through
    # PulseAudio), more than the room itself: the canceller finds the delay and still cancels the echo.
    late_s = 0.3
    timeline = PlaybackTimeline()
    timeline.play(0.0, narration[1])
    heard = room_echo(np.concatenate([silence(late_s), narration[1]]), delay_s=0.02, snr_db=40)[:len(narration[1])]
    canceller = EchoCanceller(timeline, isolated=False)
    for start in range(0, len(heard), 320):  # 20 ms reads, as the live client's
        canceller.feed(heard[start:start + 320], start / RATE)
    assert abs(canceller.lag / RATE - (late_s + 0.02)) < 0.02
    cancelled = canceller.cancelled(0.0, len(heard), heard)
    later = slice(3 * RATE, None)  # once the filter has converged
    power = [np.mean(samples[later].astype(float) ** 2) for samples in (heard, cancelled)]
    reduction_db = 10 * np.log10(power[0] / power[1])
    assert reduction_db > 10, reduction_db


def test_a_command_over_the_narration_ends_its_turn_early_too(recognizer, narration):
    def turn(command: str):
        user = np.concatenate([silence(1.5), say(command), silence(0.5)])
        timeline = PlaybackTimeline()
        timeline.play(0.0, narration[1])
        audio = mix_under(user, room_echo(narration[1][: len(user)], delay_s=0.05), echo_below_db=6.0)
        [heard] = [t for t in hear(recognizer, audio, echo_gate=EchoGate(timeline)) if t.recognition]
        return heard.recognition.text, heard.segment.closed_s - heard.segment.end_s

    text, silent_s = turn("pause")
    assert text == "pause" and silent_s < 0.2
    text, silent_s = turn("go to step twenty")  # may go on as "twenty two": the usual silence
    assert text == "go to step twenty" and silent_s >= 0.25


def test_a_command_over_a_reply_the_microphone_does_not_hear_is_decoded_as_it_is_spoken(recognizer, narration,
                                                                                         monkeypatch):
    # Headphones, or a quiet loudspeaker: the client speaks, but no echo reaches the microphone.
    # The gate finds the user's voice from the turn's start, so the decoding done while it was
    # spoken stands: nothing is decoded again after the turn ends.
    decoded_again = []
    real_recognise = Recognizer.recognise
    monkeypatch.setattr(Recognizer, "recognise", lambda self, *args, **kwargs: decoded_again.append(args)
                        or real_recognise(self, *args, **kwargs))
    timeline = PlaybackTimeline()
    timeline.play(0.0, narration[1])
    for command in ["pause", "how long is left"]:
        audio = np.concatenate([silence(1.5), say(command), silence(0.5)])
        [turn] = hear(recognizer, audio, "routine", echo_gate=EchoGate(timeline))
        assert turn.recognition.text == command
        assert turn.segment.closed_s - turn.segment.end_s < 0.2, "ended early"
    assert decoded_again == []
    # With the echo under the command, the stream is dropped and the echo-suppressed stretch decoded.
    audio = mix_under(np.concatenate([silence(1.5), say("pause"), silence(0.5)]),
                      room_echo(narration[1][: int(3.5 * 16000)], delay_s=0.05), echo_below_db=6.0)
    assert [t.recognition.text for t in hear(recognizer, audio, "routine", EchoGate(timeline)) if t.recognition] \
        == ["pause"]
    assert decoded_again


def test_barge_in_with_the_replies_echoing_in_the_room(servers, tmp_path):
    # The client's replies come back into the microphone through a room: its own narration
    # triggers nothing, and "move on" said 3 s into step 1's narration moves on at once. The default
    # recogniser (Whisper) hears the user, whose voice is festival's kal, with the echo cancelled.
    turns = [("start the quick massage", 30), ("none of those", 3), ("move on", 40), ("pause", 10)]
    records = run(servers, tmp_path, turns, "--no-auto-advance", "--room-echo", "-10", recogniser="whisper",
                  voice=USER)
    voice_turns = [r for r in records if r["source"] == "voice" and r["heard"]]
    assert [r["request"] for r in voice_turns] == ['/start_routine{"routine": "home"}', "/deny", "/next_step",
                                                  "/pause_routine"]
    assert not any(r.get("unrecognised") for r in records), records
    assert any(r.get("echo") for r in records), "the narration was heard back and set aside"
    assert voice_turns[2]["barged_in"] and steps(records) == [1, 2]
    assert payload_types(voice_turns[3]) == ["paused"]
    # The client fell silent as soon as the user spoke over it, so the end of "move on" was heard
    # then, not when the narration next paused (its echo had hidden it).
    said_s = spoken_ends(turns, voice=USER)[2]
    assert voice_turns[2]["at_s"] - said_s < 0.1


def test_the_client_goes_on_where_it_stopped_when_a_sound_over_it_was_no_command(servers, tmp_path):
    # The user hums (0.6 s at 180 Hz) 3 s into step 1's narration: the client falls silent for
    # it, hears no command, and says the rest of the step (from a second before it stopped).
    turns = [("start the quick massage", 30), ("none of those", 20)]
    audio = conversation(turns, voice=USER)
    hum_s = spoken_ends(turns, voice=USER)[1] + 3.0
    t = np.arange(int(0.6 * RATE)) / RATE
    start = int(hum_s * RATE)
    audio[start:start + len(t)] = (8000 * np.sin(2 * np.pi * 180 * t) * np.hanning(len(t))).astype(np.int16)
    write_wav(tmp_path / "turns.wav", audio)
    out = tmp_path / "out"
    assert voice_main(["--rest-url", servers.rest_url, "--audio-in", str(tmp_path / "turns.wav"),
                       "--audio-out", str(out), "--no-auto-advance", "--room-echo", "-10"]) == 0
    records = [json.loads(line) for line in (out / "transcript.jsonl").read_text().splitlines()]
    step_1 = next(r for r in records if "step" in payload_types(r))
    [resumed] = [r for r in records if r["source"] == "resume"]
    heard_hum = records[records.index(resumed) - 1]
    assert not heard_hum["heard"] and hum_s < heard_hum["at_s"] < hum_s + 1.0
    step_1_s, resumed_s = wav_duration(out / step_1["audio"]), wav_duration(out / resumed["audio"])
    assert 1.0 < resumed_s < step_1_s - 2.0  # the rest of the step, not all of it
