"""The microphone and the sound card, through ALSA's arecord and aplay.

Listening never stops, also while the assistant speaks: the user's voice over the
narration stops it at once (barge-in), and the command is acted on; a sound that was no
command lets the narration go on where it stopped. Without a capture or playback device the client
says so and falls back to typed input, writing the replies as WAV files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import numpy as np

from massage_coach.clients.voice.audio import RATE, read_recogniser_audio, write_wav
from massage_coach.clients.voice.commands import words
from massage_coach.clients.voice.echo import EchoGate
from massage_coach.clients.voice.echo_cancel import EchoCanceller
from massage_coach.clients.voice.grammar import normalise
from massage_coach.clients.voice.listener import Listener
from massage_coach.clients.voice.recognizer import Recognizer
from massage_coach.clients.voice.session import Turn, VoiceSession

# Small reads and ALSA periods: a turn's end is noticed within 10-20 ms, not a period later.
CHUNK_BYTES = int(RATE * 0.02) * 2  # 20 ms of 16-bit mono
PERIOD_US = 10000


DEFAULT_DEVICE = "default"  # ALSA's: a sound card, or a sound server (PulseAudio, PipeWire) through its plugin
RAW_AUDIO = ["-q", "-t", "raw", "-f", "S16_LE", "-r", str(RATE), "-c", "1"]


def missing_devices(device: str = DEFAULT_DEVICE) -> Optional[str]:
    """Why live audio cannot work here, or None when the ALSA `device` opens for recording and
    for playback. Opening it is the test: `arecord -l` lists hardware cards only, not a sound
    server that ALSA reaches through a plugin."""
    for tool, kind, opening in (("arecord", "microphone", ["-s", "1", "/dev/null"]),
                                ("aplay", "sound card for playback", ["/dev/null"])):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package alsa-utils), so no {kind} can be used"
        try:
            tried = subprocess.run([tool, "-D", device, *RAW_AUDIO, *opening], capture_output=True, text=True,
                                   timeout=10)
        except subprocess.TimeoutExpired:
            return f"the {kind} ({device!r}) did not open within 10 s"
        if tried.returncode != 0:
            reason = (tried.stderr.strip().splitlines() or ["it would not open"])[-1]
            return f"no {kind} ({tool} -D {device}: {reason})"
    return None


def chime(path: Path) -> Path:
    """A short rising two-note cue that means "I heard you"."""
    t = np.arange(int(RATE * 0.06)) / RATE
    notes = [np.sin(2 * np.pi * f * t) * np.hanning(len(t)) for f in (660, 880)]
    write_wav(path, (np.concatenate(notes) * 9000).astype(np.int16))
    return path


class Player:
    """Plays one WAV at a time; `stop` cuts it off (barge-in)."""

    def __init__(self, device: str = DEFAULT_DEVICE) -> None:
        self.device = device
        self.process: Optional[subprocess.Popen] = None

    def play(self, path: Path) -> None:
        self.stop()
        self.process = subprocess.Popen(["aplay", "-D", self.device, "-q", str(path)], stderr=subprocess.DEVNULL)

    @property
    def playing(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.playing:
            self.process.terminate()
            self.process.wait()


def run_live(session: VoiceSession, recognizer: Recognizer, device: str = DEFAULT_DEVICE) -> int:
    player = Player(device)
    cue = chime(session.out_dir / "chime.wav")
    cue_samples = read_recogniser_audio(cue)
    # One clock for everything: the microphone's samples. The listener times turns by them, so the
    # echo gate must find the playback on that clock too (the wall clock was off from it by
    # arecord's start-up, and a reply was put on the timeline before it was ready to play).
    captured = {"samples": 0, "read_at": time.monotonic()}

    def audio_now() -> float:
        """Where the microphone's stream is now, in seconds."""
        return captured["samples"] / RATE + time.monotonic() - captured["read_at"]

    def play_turn(turn: Turn) -> None:
        if not turn.audio:
            return
        player.play(session.out_dir / turn.audio)
        # The session put the reply on the echo gate's timeline at the time it was asked for;
        # it starts playing only now that it is ready.
        start_s, samples = session.played.pieces[-1]
        session.played.pieces[-1] = (max(start_s, audio_now()), samples)

    session.on_turn = play_turn
    # arecord's complaints (overruns while a reply is prepared) go to a file: a pipe nobody
    # reads would fill up and stop the microphone.
    complaints = tempfile.TemporaryFile()
    recorder = subprocess.Popen(["arecord", "-D", device, *RAW_AUDIO,
                                 f"--period-time={PERIOD_US}", f"--buffer-time={8 * PERIOD_US}"],
                                stdout=subprocess.PIPE, stderr=complaints)

    def fall_silent(_at_s: float) -> None:  # the user speaks over the narration
        player.stop()
        session.interrupt(audio_now())

    # What the microphone hears, the client's own voice cancelled (echo_cancel.py), for the recogniser.
    canceller = EchoCanceller(session.played)
    # Chosen when speech begins: through the echo gate while the client speaks.
    listener = Listener(recognizer, lambda start_s: (player.playing, session.context),
                        EchoGate(session.played, canceller), on_user_voice=fall_silent)
    listening = False
    try:
        while True:
            data = recorder.stdout.read(CHUNK_BYTES)
            if not data:
                recorder.wait()
                complaints.seek(0)
                print(f"The microphone stopped: {complaints.read().decode().strip()}", file=sys.stderr)
                return 1
            if not listening:  # not before the microphone gives its first sound: what was said before is lost
                print("Listening. Say \"start the quick massage\", \"what is kneading\", \"next\", \"pause\"... "
                      "(Ctrl-C to leave)", flush=True)
                listening = True
            chunk = np.frombuffer(data, dtype="<i2")
            canceller.feed(chunk, captured["samples"] / RATE)
            captured["samples"] += len(chunk)
            captured["read_at"] = time.monotonic()
            now = audio_now()
            speaking = player.playing
            session.speaking_until = now + 1.0 if speaking else 0.0
            for heard in listener.feed(chunk):
                recognition = heard.recognition
                if recognition is None or not recognition.action:  # its own echo, noise, other talk
                    session.resume(now)  # if it fell silent for it
                    continue
                player.stop()  # barge-in: the command wins over the narration
                player.play(cue)
                session.played.play(audio_now(), cue_samples)  # its echo is no user either
                heard = words(recognition.best_guess)  # what was said, not the typed request it became
                print(f"you> {heard}", flush=True)
                turn = session.hear(recognition.text, recognition.action, now, heard=heard)
                print(f"coach> {turn.speech}", flush=True)
            session.tick(now)
    except KeyboardInterrupt:
        return 0
    finally:
        player.stop()
        recorder.terminate()
        recorder.wait()
        complaints.close()
        canceller.close()


def run_typed(session: VoiceSession, recognizer: Recognizer) -> int:
    """No devices: typed turns, spoken replies written to the output directory."""
    print(f"Type what you would say (Ctrl-D to leave). Spoken replies are written to {session.out_dir}/.",
          flush=True)
    started = time.monotonic()
    for line in sys.stdin:
        phrase = normalise(line)
        if not phrase:
            continue
        now = time.monotonic() - started
        action = recognizer.grammar.phrases.get(phrase, "send")
        turn: Turn = session.hear(phrase, action, now, source="typed")
        print(f"coach> {turn.speech}\n       ({turn.audio})", flush=True)
        timer_turn = session.tick(time.monotonic() - started)
        if timer_turn:
            print(f"coach> {timer_turn.speech}", flush=True)
    return 0
