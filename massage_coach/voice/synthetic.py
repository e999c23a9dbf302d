"""Synthetic users for the tests and the benchmark: commands spoken by espeak-ng, and the
client's own voice as a microphone across the room hears it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, List, Tuple

import numpy as np
from scipy.signal import butter, fftconvolve, lfilter

from massage_coach.voice.audio import RATE, add_noise, read_recogniser_audio, silence, speech_power, write_wav

# (espeak-ng voice, words per minute): a US and a British male voice and a female variant.
USER_VOICES: List[Tuple[str, int]] = [("en-us", 175), ("en", 140), ("en-us+f3", 210)]
ROOM_RESPONSE_S = 0.5  # longer than the default room's response (delay + reverberation time)
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


def room_impulse_response(delay_s: float = 0.05, rt60_s: float = 0.3, direct_to_reverb_db: float = 3.0,
                          seed: int = 0) -> np.ndarray:
    """How a microphone hears a laptop's loudspeaker across a room: the direct sound after
    `delay_s` (playback latency + distance), a small speaker's missing bass, then diffuse reverb
    decaying by 60 dB in `rt60_s`."""
    rng = np.random.default_rng(seed)
    delay = int(delay_s * RATE)
    times = np.arange(int(rt60_s * RATE)) / RATE
    reverb = rng.normal(0, 1, len(times)) * np.exp(-6.9 * times / rt60_s)
    reverb[: int(0.003 * RATE)] = 0  # the first reflection arrives after the direct sound
    reverb *= np.sqrt(10 ** (-direct_to_reverb_db / 10) / np.sum(reverb ** 2))
    response = np.zeros(delay + len(times))
    response[delay] = 1.0
    response[delay:] += reverb
    return lfilter(*butter(2, 250, "highpass", fs=RATE), response)


def room_echo(played: np.ndarray, gain_db: float = -10.0, snr_db: float | None = 25.0, seed: int = 0,
              **room) -> np.ndarray:
    """`played` as the microphone hears it: through `room_impulse_response(**room)`, `gain_db`
    quieter, with a little noise (`snr_db` below the echo); as long as `played`."""
    heard = fftconvolve(played.astype(np.float64), room_impulse_response(seed=seed, **room))[: len(played)]
    heard = np.clip(heard * 10 ** (gain_db / 20), -32768, 32767).astype(np.int16)
    return add_noise(heard, snr_db, seed) if snr_db is not None else heard


def mix_under(command: np.ndarray, echo: np.ndarray, echo_below_db: float) -> np.ndarray:
    """`command` with `echo` added `echo_below_db` quieter (speech power against speech power):
    the user's mouth is nearer the microphone than the loudspeaker."""
    echo = echo[: len(command)].astype(np.float64)
    scale = np.sqrt(speech_power(command) / speech_power(echo) / 10 ** (echo_below_db / 10))
    return np.clip(command + scale * np.pad(echo, (0, len(command) - len(echo))), -32768, 32767).astype(np.int16)
