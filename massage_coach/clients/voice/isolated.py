"""The synthesiser and the recognisers, each in a worker process (worker.py).

`IsolatedSpeaker`, `IsolatedTranscriber` and `IsolatedRecognizer` stand in for `Speaker`,
`Transcriber` (Whisper) and `Recognizer` (the pocketsphinx grammar): the client calls them as
it would call those, and a crash of the native code in them costs a restart of the worker
(about a second), not the conversation. Should a worker fail twice
on the same request, the turn goes on without it: a reply whose audio could not be made is
silent (its text is still printed and written to the transcript), a turn that could not be
decoded is heard as no command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from massage_coach.clients.voice.audio import write_wav
from massage_coach.clients.voice.recognizer import Recognition, Recognizer
from massage_coach.clients.voice.speaker import Speaker, SpeechSettings
from massage_coach.clients.voice.transcriber import Transcriber, Transcript
from massage_coach.clients.voice.worker import Request, Worker, WorkerCrashed

SILENT_RATE = 22050


class IsolatedSpeaker:
    """Speaker's interface (`settings`, `render`, `render_to`); synthesis runs in a worker."""

    def __init__(self, settings: Optional[SpeechSettings] = None) -> None:
        self.settings = settings or SpeechSettings()
        self.worker = Worker(Speaker, "speech synthesiser")

    def render(self, text: str, settings: Optional[SpeechSettings] = None) -> Tuple[np.ndarray, int, float]:
        """(samples, rate, seconds until the first sentence was ready), with `settings` or its own;
        no samples if it failed twice."""
        try:
            return self.worker.call("render_with", settings or self.settings, text)
        except WorkerCrashed as crash:
            print(f"voice: {crash}; this reply stays silent: {text}", file=sys.stderr, flush=True)
            return np.zeros(0, dtype=np.int16), SILENT_RATE, 0.0

    def render_to(self, text: str, path: Path) -> float:
        """Writes the whole text to `path`; returns seconds until its first sentence was ready."""
        samples, rate, first_ready = self.render(text)
        write_wav(path, samples, rate)
        return first_ready

    def close(self) -> None:
        self.worker.close()


class IsolatedTranscriber:
    """Transcriber's interface (`transcribe`); Whisper (CTranslate2) runs in a worker. A turn it
    failed on twice is heard as nothing (no command). `niceness`: see Worker."""

    def __init__(self, niceness: int = 0) -> None:
        self.worker = Worker(Transcriber, "transcriber", niceness=niceness)

    def transcribe(self, samples: np.ndarray, suppressed: bool = True) -> Transcript:
        try:
            return self.worker.call("transcribe", samples, suppressed)
        except WorkerCrashed as crash:
            print(f"voice: {crash}; this turn is dropped", file=sys.stderr, flush=True)
            return Transcript("", -10.0, 1.0, 0.0)

    def close(self) -> None:
        self.worker.close()


def turn_journal(request: Request, calls: List[Request]) -> List[Request]:
    """What a new recogniser worker must be given to carry on: the turn being decoded so far
    (its `begin` and every `feed` since). A finished or dropped turn leaves nothing to replay.
    (The cepstral mean the old worker had learnt from earlier turns is learnt again.)"""
    if request.method == "begin":
        return [request]
    if request.method == "feed" and calls:
        return [*calls, request]
    return []


def rejected(*args: Any, **kwargs: Any) -> Recognition:
    return Recognition("", "", "", 0.0)


class IsolatedRecognizer:
    """A recogniser in a worker, with the interface of the object `factory` builds (by default
    `Recognizer`: begin / feed / complete / ends_turn / finish / cancel / recognise).

    Methods are forwarded by name, so another recogniser with the same streaming protocol
    plugs in through `factory` (a class or module-level function), with its plain-data
    attributes in `copied`. Each call waits for its answer (a round trip costs ~70 us, a
    10 ms frame's decoding far more), so the listener's latency accounting stays exact.
    After a second failure in a row a call gives its `fallbacks` answer (a rejected turn,
    "not complete"), or None."""

    def __init__(self, factory: Callable[[], Any] = Recognizer, copied: Tuple[str, ...] = ("grammar", "contexts"),
                 fallbacks: Optional[Dict[str, Callable[..., Any]]] = None) -> None:
        self.worker = Worker(factory, "recogniser", copied, journal=turn_journal)
        self.__dict__.update(self.worker.attributes)
        self._fallbacks = fallbacks or {"finish": rejected, "recognise": rejected, "complete": lambda: False,
                                        "ends_turn": lambda *args: False, "plausible_length": lambda *args: False}

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("_"):
            raise AttributeError(method)

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return self.worker.call(method, *args, **kwargs)
            except WorkerCrashed as crash:
                print(f"voice: {crash}; this turn is dropped", file=sys.stderr, flush=True)
                fallback = self._fallbacks.get(method)
                return fallback(*args, **kwargs) if fallback else None
        return call

    def close(self) -> None:
        self.worker.close()
