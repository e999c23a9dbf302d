"""Synthetic users for the tests and the benchmark: commands spoken by espeak-ng."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, List, Tuple

import numpy as np

from massage_coach.voice.audio import add_noise, read_recogniser_audio, silence, write_wav

# (espeak-ng voice, words per minute): a US and a British male voice and a female variant.
USER_VOICES: List[Tuple[str, int]] = [("en-us", 175), ("en", 140), ("en-us+f3", 210)]


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
    pieces = [silence(0.5)]
    for text, pause_s in turns:
        pieces += [say(text, voice, speed), silence(pause_s)]
    samples = np.concatenate(pieces)
    return add_noise(samples, snr_db) if snr_db is not None else samples


def write_conversation(path: Path, turns: Iterable[Tuple[str, float]], **options) -> Path:
    write_wav(path, conversation(turns, **options))
    return path
