"""Text to speech with pyttsx3 (espeak-ng on Linux), rendered to WAV files.

pyttsx3's save_to_file returns before espeak-ng has always finished the file (once the
very first file appeared late), so every file is checked: it must exist, parse as WAV
and hold as many samples as its header says, or it is rendered again.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import List

import numpy as np
import pyttsx3

from massage_coach.voice.audio import read_wav, write_wav

RATE_STEP = 25  # words per minute per "slower" / "faster"
VOLUME_STEP = 0.2
MIN_RATE, MAX_RATE = 90, 300


class SpeechError(RuntimeError):
    """The synthesiser produced no usable audio."""


@dataclass
class SpeechSettings:
    voice: str = "gmw/en-us"
    rate: int = 165  # words per minute; a little slower than espeak's 175 for instructions
    volume: float = 1.0

    def apply(self, action: str) -> str:
        """Change a setting for "slower" / "faster" / "louder" / "quieter"; what to say back."""
        if action == "slower":
            self.rate = max(MIN_RATE, self.rate - RATE_STEP)
            return "Slower." if self.rate > MIN_RATE else "This is the slowest I can go."
        if action == "faster":
            self.rate = min(MAX_RATE, self.rate + RATE_STEP)
            return "Faster." if self.rate < MAX_RATE else "This is the fastest I can go."
        if action == "louder":
            self.volume = round(min(1.0, self.volume + VOLUME_STEP), 2)
            return "Louder." if self.volume < 1.0 else "This is as loud as I can speak."
        if action == "quieter":
            self.volume = round(max(0.2, self.volume - VOLUME_STEP), 2)
            return "Quieter."
        raise ValueError(f"unknown speech setting action {action!r}")


def sentences(text: str) -> List[str]:
    """Speakable pieces: list items and sentences, without symbols that espeak would read out."""
    text = re.sub(r"\n\s*[-*]\s*", ". ", text).replace("\n", ". ")
    text = re.sub(r"[*_#`]", "", text)
    pieces = re.split(r"(?<=[.!?:])\s+", text)
    return [piece.strip() for piece in pieces if re.search(r"\w", piece)]


class Speaker:
    """Renders text to 22.05 kHz WAV, sentence by sentence, with the current settings."""

    def __init__(self, settings: SpeechSettings | None = None) -> None:
        self.settings = settings or SpeechSettings()
        self.engine = pyttsx3.init()
        self._work = tempfile.TemporaryDirectory(prefix="massage-coach-tts-")
        self._count = 0

    def _configure(self) -> None:
        self.engine.setProperty("voice", self.settings.voice)
        self.engine.setProperty("rate", self.settings.rate)
        self.engine.setProperty("volume", self.settings.volume)

    @staticmethod
    def _complete(path: Path) -> bool:
        try:
            with wave.open(str(path), "rb") as wav:
                expected = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
                return expected > 0 and len(wav.readframes(wav.getnframes())) == expected
        except (FileNotFoundError, wave.Error, EOFError):
            return False

    def render_sentence(self, text: str, path: Path) -> Path:
        """One WAV for `text`, checked complete; one retry, then SpeechError."""
        self._configure()
        for _attempt in range(2):
            with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved to ..."
                self.engine.save_to_file(text, str(path))
                self.engine.runAndWait()
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                if self._complete(path):
                    return path
                time.sleep(0.01)
        raise SpeechError(f"espeak-ng produced no complete audio for {text[:40]!r}")

    def render(self, text: str) -> tuple:
        """(samples, rate, seconds until the first sentence was ready)."""
        started = time.perf_counter()
        first_ready = None
        chunks = []
        rate = 22050
        for sentence in sentences(text):
            self._count += 1
            path = Path(self._work.name) / f"sentence-{self._count}.wav"
            samples, rate = read_wav(self.render_sentence(sentence, path))
            path.unlink()
            chunks.append(samples)
            if first_ready is None:
                first_ready = time.perf_counter() - started
        if not chunks:
            return np.zeros(0, dtype=np.int16), rate, 0.0
        return np.concatenate(chunks), rate, first_ready

    def render_to(self, text: str, path: Path) -> float:
        """Writes the whole text to `path`; returns seconds until its first sentence was ready."""
        samples, rate, first_ready = self.render(text)
        write_wav(path, samples, rate)
        return first_ready
