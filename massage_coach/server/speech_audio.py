"""Answers' speech rendered on the server, for the widget's hands-free mode (`data-speech="server"`).

The project's own TTS renders it: pyttsx3 + espeak-ng in a worker process that is started
again should the native code crash (massage_coach.clients.voice.isolated.IsolatedSpeaker),
kept warm from the start. Text is rendered sentence by sentence, so the first sentence can
play while the rest is still being rendered; recent sentences are kept rendered, in memory.
The widget only ever sends a payload's `speech` (the assistant owns the wording); what is
rendered is never stored on disk.
"""

from __future__ import annotations

import asyncio
import struct
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import AsyncIterator, Optional

import numpy as np

from massage_coach.clients.voice.isolated import IsolatedSpeaker
from massage_coach.clients.voice.speaker import SpeechError, SpeechSettings, sentences

# Longer than any answer's speech: a page cannot turn the server into a free speech service.
MAX_SPEECH_CHARS = 2000
# Binary messages to the browser: this header (speech id, sample rate), then 16-bit mono PCM.
HEADER = struct.Struct("<II")


# Sentences kept rendered (a step's sentences come back on "repeat", "back", "continue"): a hit
# saves the 15-25 ms a sentence takes to render before the first audio can leave; ~100 kB each.
CACHED_SENTENCES = 128


class SpeechRenderer:
    """One TTS worker shared by all streams (each with its own settings), called from a thread of its own."""

    def __init__(self) -> None:
        self.speaker = IsolatedSpeaker()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="speech")
        self._rendered: "OrderedDict[tuple, tuple]" = OrderedDict()  # (sentence, settings) -> (samples, rate)
        self.speaker.render("Ready.")  # the worker is up and espeak-ng loaded before the first answer

    def _render_sentence(self, sentence: str, settings: SpeechSettings) -> tuple:
        key = (sentence, settings.voice, settings.rate, settings.volume)
        if key in self._rendered:
            self._rendered.move_to_end(key)
            return self._rendered[key]
        samples, rate, _ = self.speaker.render(sentence, settings)
        if len(samples):  # a failed rendering (no samples) is tried again next time
            self._rendered[key] = (samples, rate)
            if len(self._rendered) > CACHED_SENTENCES:
                self._rendered.popitem(last=False)
        return samples, rate

    async def render(self, text: str, settings: Optional[SpeechSettings] = None) -> AsyncIterator[tuple]:
        """(samples, rate) of each sentence of `text`, in order, with a stream's `settings` (rate, volume);
        a sentence that could not be rendered is skipped."""
        loop = asyncio.get_running_loop()
        for sentence in sentences(text[:MAX_SPEECH_CHARS]):
            try:
                samples, rate = await loop.run_in_executor(self._thread, self._render_sentence, sentence,
                                                           settings or self.speaker.settings)
            except SpeechError:  # espeak-ng made no audio for it three times: the rest is still said
                continue
            if len(samples):
                yield samples, rate

    def close(self) -> None:
        self._thread.shutdown()
        self.speaker.close()


def audio_message(speech_id: int, samples: np.ndarray, rate: int) -> bytes:
    return HEADER.pack(speech_id, rate) + np.asarray(samples, dtype="<i2").tobytes()
