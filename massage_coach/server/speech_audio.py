"""Answers' speech rendered on the server, for the widget's hands-free mode (`data-speech="server"`).

The project's own TTS renders it: pyttsx3 + espeak-ng in a worker process that is started
again should the native code crash (massage_coach.clients.voice.isolated.IsolatedSpeaker),
kept warm from the start. Text is rendered sentence by sentence, so the first sentence can
play while the rest is still being rendered. The widget only ever sends a payload's `speech`
(the assistant owns the wording); what is rendered is never stored.
"""

from __future__ import annotations

import asyncio
import struct
from concurrent.futures import ThreadPoolExecutor
from typing import AsyncIterator, Optional

import numpy as np

from massage_coach.clients.voice.isolated import IsolatedSpeaker
from massage_coach.clients.voice.speaker import SpeechError, SpeechSettings, sentences

# Longer than any answer's speech: a page cannot turn the server into a free speech service.
MAX_SPEECH_CHARS = 2000
# Binary messages to the browser: this header (speech id, sample rate), then 16-bit mono PCM.
HEADER = struct.Struct("<II")


class SpeechRenderer:
    """One TTS worker shared by all streams (each with its own settings), called from a thread of its own."""

    def __init__(self) -> None:
        self.speaker = IsolatedSpeaker()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="speech")
        self.speaker.render("Ready.")  # the worker is up and espeak-ng loaded before the first answer

    async def render(self, text: str, settings: Optional[SpeechSettings] = None) -> AsyncIterator[tuple]:
        """(samples, rate) of each sentence of `text`, in order, with a stream's `settings` (rate, volume);
        a sentence that could not be rendered is skipped."""
        loop = asyncio.get_running_loop()
        for sentence in sentences(text[:MAX_SPEECH_CHARS]):
            try:
                samples, rate, _ = await loop.run_in_executor(self._thread, self.speaker.render, sentence, settings)
            except SpeechError:  # espeak-ng made no audio for it three times: the rest is still said
                continue
            if len(samples):
                yield samples, rate

    def close(self) -> None:
        self._thread.shutdown()
        self.speaker.close()


def audio_message(speech_id: int, samples: np.ndarray, rate: int) -> bytes:
    return HEADER.pack(speech_id, rate) + np.asarray(samples, dtype="<i2").tobytes()
