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
    """`text` spoken by espeak-ng, at 16 kHz; a voice "family:name" (e.g. "flite:slt") is another
    synthesiser's (tests.support.voice_corpus.synthesise, at its own speed)."""
    if ":" in voice:
        from tests.support.voice_corpus import synthesise  # it mixes rooms from here

        family, name = voice.split(":")
        return synthesise(text, family, name, 1.0)
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


def over_narration(command: np.ndarray, before: np.ndarray, played: np.ndarray, echo_below_db: float,
                   lead_s: float = 1.5, **room) -> Tuple[np.ndarray, np.ndarray]:
    """`command` spoken `lead_s` into the narration `played` (which starts at 0 s), its echo through
    a room (`room_echo(**room)`) `echo_below_db` under the command; the reply `before` played just
    before it through the same room. Returns (the microphone from 0 s on, the microphone during
    `before`): a session's echo canceller learnt the room from the replies before."""
    user = np.concatenate([silence(lead_s), command, silence(0.6)])
    played = np.pad(played, (0, max(0, len(user) - len(played))))[: len(user)]
    echo = room_echo(np.concatenate([before, played]), snr_db=None, **room).astype(np.float64)
    echo *= np.sqrt(speech_power(user) / speech_power(echo[len(before):]) / 10 ** (echo_below_db / 10))
    heard = np.clip(user + echo[len(before):], -32768, 32767).astype(np.int16)
    return heard, np.clip(echo[:len(before)], -32768, 32767).astype(np.int16)
