"""Text to speech with pyttsx3 (espeak-ng on Linux), rendered to WAV files.

pyttsx3's save_to_file returns before espeak-ng has always finished the file (once the
very first file appeared late), and about 1 sentence in 150 comes out as a WAV header
without audio (measured: 4 of 600), so every file is checked: it must exist, parse as
WAV and hold as many samples as its header says, and an empty one is rendered again.
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
from typing import List, Optional

import numpy as np
import pyttsx3

from massage_coach.clients.voice.audio import read_wav, write_wav

RATE_STEP = 25  # words per minute per "slower" / "faster"
VOLUME_STEP = 0.2
MIN_RATE, MAX_RATE = 90, 300
HEADER_BYTES = 44  # of the plain PCM WAV files espeak-ng writes
RENDER_ATTEMPTS = 3
LATE_FILE_S = 1.0  # a file not complete by then is rendered again
# An empty file (header only) that stays so this long is a failed rendering, not a slow one
# (a sentence renders in ~11 ms).
EMPTY_FILE_S = 0.02


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
        # pyttsx3 2.99 queues these and may apply them after this sentence's synthesis began: a new
        # rate took effect one sentence late about 1 time in 10. espeak-ng's own parameters, set
        # at once, are in its queue ahead of the sentence. (Imported here: only the speech worker
        # loads espeak-ng.)
        from pyttsx3.drivers import _espeak

        _espeak.SetParameter(_espeak.RATE, self.settings.rate, 0)
        _espeak.SetParameter(_espeak.VOLUME, round(self.settings.volume * 100), 0)

    @staticmethod
    def _frames(path: Path) -> Optional[int]:
        """Audio frames in a finished WAV file; None while it is missing or still being written."""
        try:
            with wave.open(str(path), "rb") as wav:
                expected = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
                complete = len(wav.readframes(wav.getnframes())) == expected
                return wav.getnframes() if complete and path.stat().st_size == HEADER_BYTES + expected else None
        except (FileNotFoundError, wave.Error, EOFError):
            return None

    def render_sentence(self, text: str, path: Path) -> Path:
        """A complete WAV for `text` (the returned path); SpeechError after RENDER_ATTEMPTS."""
        self._configure()
        for attempt in range(RENDER_ATTEMPTS):
            target = path if attempt == 0 else path.with_name(f"{path.stem}-retry{attempt}.wav")
            with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved to ..."
                self.engine.save_to_file(text, str(target))
                self.engine.runAndWait()
            started = time.monotonic()
            empty_since = None
            while time.monotonic() - started < LATE_FILE_S:
                frames = self._frames(target)
                if frames:
                    return target
                if frames == 0:  # a header without audio: stays so, render again at once
                    empty_since = empty_since or time.monotonic()
                    if time.monotonic() - empty_since >= EMPTY_FILE_S:
                        break
                time.sleep(0.002)
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
            rendered = self.render_sentence(sentence, path)
            samples, rate = read_wav(rendered)
            rendered.unlink()
            chunks.append(samples)
            if first_ready is None:
                first_ready = time.perf_counter() - started
        if not chunks:
            return np.zeros(0, dtype=np.int16), rate, 0.0
        return np.concatenate(chunks), rate, first_ready

    def render_with(self, settings: SpeechSettings, text: str) -> tuple:
        """`render` with these settings (a worker's request brings the client's settings)."""
        self.settings = settings
        return self.render(text)

    def render_to(self, text: str, path: Path) -> float:
        """Writes the whole text to `path`; returns seconds until its first sentence was ready."""
        samples, rate, first_ready = self.render(text)
        write_wav(path, samples, rate)
        return first_ready
