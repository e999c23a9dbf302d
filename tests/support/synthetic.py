"""Synthetic users for the tests and the benchmark: commands spoken by espeak-ng, and the
client's own voice as a microphone across the room hears it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, List, Tuple

import numpy as np

from massage_coach.clients.voice.audio import RATE, add_noise, read_recogniser_audio, silence, speech_power, write_wav
from massage_coach.clients.voice.room import ROOM_RESPONSE_S, room_echo  # noqa: F401 (tests mix rooms too)

# (espeak-ng voice, words per minute): a US and a British male voice and a female variant.
USER_VOICES: List[Tuple[str, int]] = [("en-us", 175), ("en", 140), ("en-us+f3", 210)]
CONVERSATION_LEAD_S = 0.5  # silence before a conversation's first turn
# espeak-ng pads its speech with exact zeros (resampling leaves a few units): anything louder is speech.
DIGITAL_SILENCE = 20


def say(text: str, voice: str = "en-us", speed: int = 175) -> np.ndarray:
    """`text` spoken by espeak-ng, at 16 kHz."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "say.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
                       check=True, stderr=subprocess.DEVNULL)
        return read_recogniser_audio(path)


def conversation(turns: Iterable[Tuple[str, float]], voice: str = "en-us", speed: int = 175,
                 snr_db: float | None = None) -> np.ndarray:
    """Spoken turns, each followed by its pause in seconds; noise over all of it if `snr_db`."""
    pieces = [silence(CONVERSATION_LEAD_S)]
    for text, pause_s in turns:
        pieces += [say(text, voice, speed), silence(pause_s)]
    samples = np.concatenate(pieces)
    return add_noise(samples, snr_db) if snr_db is not None else samples


def spoken_ends(turns: Iterable[Tuple[str, float]], voice: str = "en-us", speed: int = 175) -> List[float]:
    """Where each turn's speech ends in `conversation(turns, voice, speed)`, in seconds: its last
    sample that is not espeak-ng's digital silence."""
    ends, at_s = [], CONVERSATION_LEAD_S
    for text, pause_s in turns:
        spoken = say(text, voice, speed)
        ends.append(at_s + (np.flatnonzero(np.abs(spoken) > DIGITAL_SILENCE)[-1] + 1) / RATE)
        at_s += len(spoken) / RATE + pause_s
    return ends


def write_conversation(path: Path, turns: Iterable[Tuple[str, float]], **options) -> Path:
    write_wav(path, conversation(turns, **options))
    return path


def mix_under(command: np.ndarray, echo: np.ndarray, echo_below_db: float) -> np.ndarray:
    """`command` with `echo` added `echo_below_db` quieter (speech power against speech power):
    the user's mouth is nearer the microphone than the loudspeaker."""
    echo = echo[: len(command)].astype(np.float64)
    scale = np.sqrt(speech_power(command) / speech_power(echo) / 10 ** (echo_below_db / 10))
    return np.clip(command + scale * np.pad(echo, (0, len(command) - len(echo))), -32768, 32767).astype(np.int16)
