"""Crash isolation of the voice client's native code: the synthesiser and the recogniser run in
worker processes (massage_coach/clients/voice/worker.py); these tests kill the real workers mid-session
and check that the conversation goes on."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from massage_coach.clients.voice.audio import RATE, silence
from massage_coach.clients.voice.echo import PlaybackTimeline
from massage_coach.clients.voice.echo_cancel import EchoCanceller
from massage_coach.clients.voice.headless import run_headless
from massage_coach.clients.voice.isolated import IsolatedRecognizer, IsolatedSpeaker, IsolatedTranscriber
from massage_coach.clients.voice.session import VoiceSession
from massage_coach.clients.voice.worker import Worker, WorkerCrashed
from tests.support.synthetic import room_echo, say, write_conversation


def kill(worker: Worker, sig: int = signal.SIGSEGV) -> None:
    """Kills the worker process as a fault in its native code would, and waits until it is gone."""
    pid = worker.pid
    os.kill(pid, sig)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if worker._process.poll() is not None:
            return
        time.sleep(0.01)
    raise AssertionError(f"worker {pid} did not die")


def test_a_recogniser_killed_in_the_middle_of_a_turn_still_hears_the_turn():
    recognizer = IsolatedRecognizer()
    audio = np.concatenate([silence(0.3), say("go to step three"), silence(0.3)])
    half = len(audio) // 2
    assert recognizer.recognise(audio, "routine").text == "go to step three"
    restarts = recognizer.worker.restarts
    recognizer.begin("routine")
    for start in range(0, half, 160):
        recognizer.feed(audio[start:start + 160])
    kill(recognizer.worker)
    for start in range(half, len(audio), 160):  # the first feed finds the worker dead
        recognizer.feed(audio[start:start + 160])
    assert recognizer.finish().text == "go to step three"  # the new worker was given the whole turn
    assert recognizer.worker.restarts == restarts + 1
    recognizer.close()


def test_whisper_killed_between_turns_costs_a_restart_not_the_conversation():
    transcriber = IsolatedTranscriber()
    audio = np.concatenate([silence(0.3), say("go back one step"), silence(0.5)])
    assert "back" in transcriber.transcribe(audio).text.lower()
    kill(transcriber.worker)
    assert "back" in transcriber.transcribe(audio).text.lower()  # a new worker, the same turn
    assert transcriber.worker.restarts == 1
    kill(transcriber.worker, signal.SIGKILL)
    transcriber.worker.factory = Dying  # it will die on every try from now on
    assert transcriber.transcribe(audio).text == ""  # twice: the turn is heard as nothing
    transcriber.close()


class Dying:
    """A worker's object whose process dies as soon as it is built."""

    def __init__(self) -> None:
        os.kill(os.getpid(), signal.SIGSEGV)


def test_a_hung_worker_is_killed_and_one_that_hangs_again_is_reported():
    # threading.Event().wait() without a timeout never returns: a real hang, in a real worker.
    with Worker(threading.Event, "event", reply_timeout_s=1.0) as worker:
        started = time.monotonic()
        with pytest.raises(WorkerCrashed, match="stopped answering"):
            worker.call("wait")
        assert worker.restarts == 1 and time.monotonic() - started < 10
        worker.call("set")  # the hung one was killed: a new one answers
        assert worker.call("is_set") is True and worker.restarts == 2
        # An exception raised by the method is the caller's: raised as it was, no restart.
        with pytest.raises(AttributeError):
            worker.call("no_such_method")
        assert worker.call("is_set") is True and worker.restarts == 2


def test_a_worker_killed_by_a_fault_leaves_no_temporary_files_behind():
    speaker = IsolatedSpeaker()
    try:
        assert len(speaker.render("Breathe slowly.")[0])
        first = Path(speaker.worker._scratch.name)
        assert any(first.iterdir())  # the synthesiser's own temporary directory is made in it
        kill(speaker.worker, signal.SIGKILL)  # no chance to clean up after itself
        assert len(speaker.render("Breathe slowly.")[0])  # said by a new worker
        assert not first.exists()
        second = Path(speaker.worker._scratch.name)
    finally:
        speaker.close()
    assert not second.exists()


class KillingSpeaker(IsolatedSpeaker):
    """Fault injection: before its `at`th reply it kills both workers (as a segfault would), so that
    this reply's synthesis and the next turn's decoding each find their worker dead."""

    def __init__(self, recognizer: IsolatedRecognizer, at: int) -> None:
        super().__init__()
        self.recognizer, self.at, self.replies = recognizer, at, 0

    def render(self, text: str):
        self.replies += 1
        if self.replies == self.at:
            kill(self.worker)
            kill(self.recognizer.worker, signal.SIGKILL)
        return super().render(text)


def test_a_session_goes_on_when_its_workers_die(servers, tmp_path):
    recognizer = IsolatedRecognizer()
    speaker = KillingSpeaker(recognizer, at=3)
    try:
        turns = [("start the quick massage", 30), ("none of those", 40), ("move on", 15), ("pause", 8)]
        audio_in = write_conversation(tmp_path / "turns.wav", turns)
        session = VoiceSession(servers.rest_url, speaker, tmp_path / "out", auto_advance=False)
        records = run_headless(session, recognizer, Path(audio_in))
    finally:
        speaker.close()
        recognizer.close()
    voice_turns = [r for r in records if r["source"] == "voice" and r["heard"]]
    assert [r["heard"] for r in voice_turns] == [text for text, _ in turns]
    assert speaker.worker.restarts == 1 and recognizer.worker.restarts == 1
    # The reply whose synthesis met the dead worker was spoken all the same.
    assert all(r["audio"] and (tmp_path / "out" / r["audio"]).stat().st_size > 10000 for r in voice_turns)
    types = [reply["custom"]["type"] for r in voice_turns for reply in r["replies"] if reply.get("custom")]
    assert types == ["screening", "step", "step", "paused"]


def test_an_echo_canceller_killed_mid_stream_costs_a_restart_not_the_microphone():
    played = say("Stroke lightly upward from the buttocks to the shoulders, on both sides of the spine.")
    timeline = PlaybackTimeline()
    timeline.play(0.0, played)
    heard = room_echo(played, snr_db=40)
    canceller = EchoCanceller(timeline)
    half = len(heard) // 2 // 320 * 320
    for start in range(0, half, 320):
        canceller.feed(heard[start:start + 320], start / RATE)
    kill(canceller.worker)
    for start in range(half, len(heard), 320):  # the first feed finds the worker dead: a new one takes over
        canceller.feed(heard[start:start + 320], start / RATE)
    assert canceller.worker.restarts == 1
    cancelled = canceller.cancelled(0.0, len(heard), heard)
    assert len(cancelled) == len(heard) and not np.array_equal(cancelled[half:], heard[half:])
    canceller.close()
