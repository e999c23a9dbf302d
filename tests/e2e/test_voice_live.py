"""The live voice client on a real (virtual) sound device: a private PulseAudio daemon with two
null sinks. The client records "room.monitor" and plays to "speaker" through ALSA's pulse
plugin (arecord / aplay -D pulse), exactly as it would use a sound card; the test speaks into
the room (paplay) and listens to the speaker (parecord of its monitor)."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import pytest
from scipy.signal import fftconvolve

from massage_coach.clients.voice.audio import RATE, read_recogniser_audio, wav_duration, write_wav
from massage_coach.settings import PROJECT_DIR
from tests.support.synthetic import DIGITAL_SILENCE, say

SPEAKER_RATE = 22050  # the synthesiser's: the speaker's monitor then holds its samples unresampled
DAEMON_CONFIG = """
load-module module-native-protocol-unix socket={socket} auth-anonymous=1
load-module module-null-sink sink_name=speaker rate=22050 channels=1
load-module module-null-sink sink_name=room rate=16000 channels=1
set-default-sink speaker
set-default-source room.monitor
"""
PULSE_TOOLS = ("pulseaudio", "pactl", "paplay", "parecord")
# The user: a voice the default recogniser (Whisper) hears well, of a family it was not tuned on.
USER = "festival-hts:cmu_us_slt_arctic_hts"


@dataclass
class SoundDevice:
    env: Dict[str, str]  # for clients of the daemon: PULSE_SERVER points at its socket

    def speak_into_room(self, path: Path) -> float:
        """Plays `path` into the room (the client's microphone); returns when its speech ended there
        (time.monotonic()): paplay returns once the file has been played, its trailing silence too."""
        samples = read_recogniser_audio(path)
        trailing_s = (len(samples) - np.flatnonzero(np.abs(samples) > DIGITAL_SILENCE)[-1]) / RATE
        subprocess.run(["paplay", "--device=room", str(path)], env=self.env, check=True, timeout=30)
        return time.monotonic() - trailing_s

    def record_speaker(self, path: Path) -> Tuple[subprocess.Popen, float]:
        """Records the speaker to `path`; returns the recorder and when its first sample was heard
        (time.monotonic()): data never arrives before it is recorded, so of all (time seen - audio
        so far) while it comes in, the least is nearest the recording's true start."""
        recorder = subprocess.Popen(["parecord", "--device=speaker.monitor", "--raw", "--format=s16le",
                                     f"--rate={SPEAKER_RATE}", "--channels=1", "--latency-msec=20", str(path)],
                                    env=self.env)
        estimates = []
        deadline = time.monotonic() + 30
        while len(estimates) < 100 and time.monotonic() < deadline:
            size = path.stat().st_size if path.exists() else 0
            if size:
                estimates.append(time.monotonic() - size / 2 / SPEAKER_RATE)
            time.sleep(0.01)
        assert estimates, "the speaker's monitor records nothing"
        return recorder, min(estimates)


@pytest.fixture(scope="session")
def sound_device(tmp_path_factory) -> SoundDevice:
    """A PulseAudio daemon of its own (as any user, root too; no D-Bus, no session), for the session."""
    missing = [tool for tool in PULSE_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: install system-packages.txt (scripts/setup-system.sh)")
    work = tmp_path_factory.mktemp("pulse")
    socket = work / "native"
    config = work / "daemon.pa"
    config.write_text(DAEMON_CONFIG.format(socket=socket))
    daemon_env = {**os.environ, "HOME": str(work), "PULSE_RUNTIME_PATH": str(work / "run"),
                  "PULSE_STATE_PATH": str(work / "state"), "XDG_RUNTIME_DIR": str(work / "run")}
    log = (work / "daemon.log").open("w")
    daemon = subprocess.Popen(["pulseaudio", "-n", "-F", str(config), "--daemonize=no", "--exit-idle-time=-1",
                               "--disallow-exit", "--use-pid-file=no", "--disable-shm=yes", "--log-target=stderr"],
                              env=daemon_env, stdout=log, stderr=subprocess.STDOUT)
    device = SoundDevice({**os.environ, "PULSE_SERVER": f"unix:{socket}"})
    deadline = time.monotonic() + 30
    while subprocess.run(["pactl", "info"], env=device.env, capture_output=True).returncode != 0:
        if daemon.poll() is not None or time.monotonic() > deadline:
            daemon.kill()
            pytest.fail(f"the PulseAudio daemon did not start: {(work / 'daemon.log').read_text()}")
        time.sleep(0.2)
    yield device
    daemon.terminate()
    daemon.wait(10)
    log.close()


class Client:
    """The live client as a user starts it; its printed lines are collected as they come."""

    def __init__(self, servers, device: SoundDevice, out: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "massage_coach.clients.voice", "--rest-url", servers.rest_url,
             "--audio-out", str(out), "--device", "pulse", "--no-auto-advance"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_DIR,
            env={**device.env, "PYTHONPATH": str(PROJECT_DIR)})
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.seen: List[str] = []
        threading.Thread(target=lambda: [self.lines.put(line.strip()) for line in self.process.stdout],
                         daemon=True).start()

    def wait_for(self, start: str, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if line.startswith(start):
                return line
        raise AssertionError(f"no line starting {start!r}; saw {self.seen}; stderr: {self.stop()[1]}")

    def stop(self) -> Tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # Ctrl-C: how a user leaves
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait(), self.process.stderr.read()


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == SPEAKER_RATE
        return np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float64)


def where_played(reply: np.ndarray, heard: np.ndarray) -> Tuple[float, float]:
    """(Where `reply` starts in the speaker's recording, how much of it was played), in seconds.
    Played: up to its first 0.3 s of loud audio that the recording no longer follows (in 0.1 s
    blocks, each matched within +-20 ms: the sound server may drop or stretch a few samples)."""
    lead = int(np.flatnonzero(np.abs(reply) > 1000)[0])
    head = reply[lead:lead + SPEAKER_RATE]
    offset = int(np.argmax(fftconvolve(heard, head[::-1], mode="valid"))) - lead
    block, lag = SPEAKER_RATE // 10, SPEAKER_RATE // 50
    misses = 0
    for start in range(0, len(reply) - block, block):
        wanted = reply[start:start + block]
        if np.std(wanted) < 300:  # a pause: anything matches it
            continue
        best = 0.0
        for shift in range(-lag, lag + 1, 2):
            got = heard[max(0, offset + start + shift):offset + start + shift + block]
            if len(got) == block:
                best = max(best, np.dot(wanted, got) / np.sqrt(np.dot(wanted, wanted) * np.dot(got, got) + 1e-9))
        misses = misses + 1 if best < 0.5 else 0
        if misses == 3:
            return offset / SPEAKER_RATE, (start - 2 * block) / SPEAKER_RATE
    return offset / SPEAKER_RATE, len(reply) / SPEAKER_RATE


def test_the_live_client_hears_the_room_answers_through_the_speaker_and_stops_when_spoken_over(
        servers, sound_device, tmp_path):
    commands = {}
    for name, text in [("start", "start the quick massage"), ("none", "none of those"), ("next", "move on")]:
        commands[name] = tmp_path / f"{name}.wav"
        write_wav(commands[name], say(text, USER))
    out = tmp_path / "out"
    recorder, recording_since = sound_device.record_speaker(tmp_path / "speaker.raw")
    client = Client(servers, sound_device, out)
    try:
        client.wait_for("Listening.", timeout_s=180)
        said = {"start": sound_device.speak_into_room(commands["start"])}
        client.wait_for("you>", 30)  # Whisper's words may differ a little ("quote" for "quick"): the reply tells
        assert client.wait_for("coach>", 30).startswith("coach> Before we start the Quick massage")
        time.sleep(3.0)  # into the screening question, which takes ~20 s: speaking over it
        said["none"] = sound_device.speak_into_room(commands["none"])
        client.wait_for("you>", 30)
        assert "Step 1 of 7" in client.wait_for("coach>", 30), client.seen
        time.sleep(3.0)  # into step 1's narration (~35 s)
        said["next"] = sound_device.speak_into_room(commands["next"])
        client.wait_for("you>", 30)
        assert client.wait_for("coach>", 30).startswith("coach> Step 2 of 7"), client.seen
        time.sleep(2.0)
    finally:
        code, errors = client.stop()
        recorder.terminate()
        recorder.wait(10)
    assert code == 0, errors
    assert len([line for line in client.seen if line.startswith("you>")]) == 3, client.seen
    heard = np.fromfile(tmp_path / "speaker.raw", dtype="<i2").astype(np.float64)
    question, step_1, step_2 = (read_wav(path) for path in sorted(out.glob("turn-*.wav")))
    question_at, question_played = where_played(question, heard)
    step_1_at, step_1_played = where_played(step_1, heard)
    step_2_at, _ = where_played(step_2, heard)
    # Each reply came out of the speaker soon after the command that asked for it (measured here:
    # 0.3-0.5 s from the end of the user's speech to the reply's first sound).
    assert 0 < question_at - (said["start"] - recording_since) < 3.0
    assert 0 < step_1_at - (said["none"] - recording_since) < 3.0
    assert 0 < step_2_at - (said["next"] - recording_since) < 3.0
    # Spoken over, the question and the narration fell silent far before their own end: after the
    # user began the command, and within 2 s of its end (measured: while the user still spoke).
    for at, played, full, command in [(question_at, question_played, question, "none"),
                                      (step_1_at, step_1_played, step_1, "next")]:
        assert played < len(full) / SPEAKER_RATE - 5.0
        said_s = said[command] - recording_since
        assert said_s - wav_duration(commands[command]) < at + played < said_s + 2.0
