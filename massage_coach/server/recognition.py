"""Server-side command recognition for the widget's hands-free mode: the voice client's recogniser.

Each stream's audio goes through the voice client's Listener (its Segmenter cuts turns) and
CommandRecognizer (understanding.py): Whisper tiny.en transcribes a turn when its closing silence
begins, the classifier (commands.py; technique names matched by sound first: sound_alike.py)
maps the transcript to a typed command or "not for me" in
the stream's context (a routine runs: navigation, speech settings, mid-routine questions and
reports; none does: questions and routine starts; a question is open: yes/no answers), and the
decision is sent when the silence has gone on long enough to end the turn (0.25 s). So the user
waits for the silence, not for the decoding. Nothing here is a copy of the voice client's code.

Whisper holds ~255 MB, so it runs in a small pool of worker processes (`TranscriberPool`,
IsolatedTranscriber: restarted if its native code dies) that every stream shares: a turn waits
for a free one, which limits how many decodings run at once, whatever the number of streams.
Cutting turns (the energy of 10 ms frames) runs in threads of the server's process.

The Whisper workers and those threads run at a lower CPU priority (RECOGNISER_NICENESS): when
the cores are busy, the site's chat turns (Rasa, the action server) go first, and a hands-free
command waits a little longer instead.
"""

from __future__ import annotations

import asyncio
import itertools
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, cast

import numpy as np

from massage_coach.clients.voice.audio import RATE
from massage_coach.clients.voice.grammar import ASKED
from massage_coach.clients.voice.isolated import IsolatedTranscriber
from massage_coach.clients.voice.listener import HeardTurn, Listener
from massage_coach.clients.voice.recognizer import Recognizer
from massage_coach.clients.voice.sound_alike import SoundAlikeInterpreter
from massage_coach.clients.voice.transcriber import Transcript
from massage_coach.clients.voice.understanding import CommandRecognizer, describe
from massage_coach.clients.voice.worker import lower_priority
from massage_coach.domain.requests import request

# A turn longer than any command or question (talk, narration) is not decoded further: Whisper
# would transcribe it again at each of its pauses.
MAX_COMMAND_S = 4.0
# In hands-free mode a spoken "stop the massage" only pauses: a mishearing must never lose the
# user's place (Stop on the card ends the routine).
HANDS_FREE_INTENTS = {"/stop_routine": request("pause_routine")}
# How much lower the recogniser's CPU priority is than chat's (nice 5: a quarter of a core's
# share against a process at 0, when both want it).
RECOGNISER_NICENESS = 5


def lower_this_threads_priority() -> None:
    """Linux keeps a nice value per thread: this lowers the calling thread's only."""
    lower_priority(threading.get_native_id(), RECOGNISER_NICENESS)


class TranscriberPool:
    """`workers` Whisper processes shared by all streams; a transcription waits for a free one."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = [IsolatedTranscriber(niceness=RECOGNISER_NICENESS) for _ in range(workers)]
        self._free: "queue.Queue[IsolatedTranscriber]" = queue.Queue()
        for worker in self.workers:
            worker.transcribe(np.zeros(RATE // 2, dtype=np.int16))  # loaded (and its model checked) now
            self._free.put(worker)

    @property
    def pids(self) -> List[Optional[int]]:
        """The workers' process ids (a benchmark counts their CPU time)."""
        return [worker.worker.pid for worker in self.workers]

    def transcribe(self, samples: np.ndarray, suppressed: bool = True) -> Transcript:
        worker = self._free.get()
        try:
            return worker.transcribe(samples, suppressed)
        finally:
            self._free.put(worker)

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


@dataclass
class StreamContext:
    """What the page says about where its user is: the step of a running routine (None: no
    routine runs) and whether a question waits for a yes or no."""
    step: Optional[int] = None
    routine: bool = True  # a page that says nothing is following a routine (what hands-free is for)
    question_open: bool = False

    def update(self, settings: Dict[str, Any]) -> None:
        if "question_open" in settings:
            self.question_open = bool(settings["question_open"])
        if "step" in settings:
            step = settings["step"]
            self.step = step if isinstance(step, int) and not isinstance(step, bool) else None
            self.routine = self.step is not None

    @property
    def name(self) -> str:
        """The classifier's context (commands.CONTEXT_INTENTS)."""
        base = "routine" if self.routine else "idle"
        return f"{base}+{ASKED}" if self.question_open else base


class StreamListener(Listener):
    """One stream's listener: reports each turn's start (barge-in) and stops decoding talk."""

    def __init__(self, recognizer: CommandRecognizer, context: StreamContext) -> None:
        # CommandRecognizer offers the grammar Recognizer's streaming interface (understanding.py).
        super().__init__(cast(Recognizer, recognizer), lambda start_s: (False, context.name))
        self.voice_began = False  # since the last chunk
        self.turn_s = 0.0

    def started(self, samples: np.ndarray, start_s: float) -> None:
        self.voice_began = True
        self.turn_s = len(samples) / RATE
        super().started(samples, start_s)

    def extended(self, frame: np.ndarray, at_s: float) -> None:
        self.turn_s += len(frame) / RATE
        if self._streaming and self.turn_s > MAX_COMMAND_S:
            self._streaming = False
            self.recognizer.cancel()  # the turn ends as "not for me", undecoded
        super().extended(frame, at_s)


def turn_event(heard: HeardTurn) -> Optional[Dict[str, Any]]:
    """What the page is told of a turn: a typed request to send, a place-losing one to confirm
    first ("Did you say ...?"), a speech setting ("slower": the audio server applies it to its
    stream), or nothing (talk, the rest of a split turn)."""
    recognition = heard.recognition
    if recognition is None or not recognition.action:
        return None
    if recognition.action not in ("command", "confirm"):
        return {"setting": recognition.action, "heard": recognition.best_guess}
    typed = HANDS_FREE_INTENTS.get(recognition.text, recognition.text)
    if recognition.action == "confirm" and typed == recognition.text:
        return {"confirm": typed, "question": f"Did you say {describe(typed)}?", "heard": recognition.best_guess}
    return {"request": typed, "heard": recognition.best_guess}


class RecognitionPool:
    """The streams' listeners and the Whisper workers they share (see the module's doc).

    `transcribers`: Whisper processes (~255 MB each), at most that many turns decoded at once.
    Each stream's audio is handled by one thread at a time, so the server's loop never waits."""

    def __init__(self, transcribers: int = 1, max_streams: int = 16) -> None:
        self.transcriber = TranscriberPool(transcribers)
        self.interpreter = SoundAlikeInterpreter()
        self._threads = ThreadPoolExecutor(max_streams, thread_name_prefix="recognition",
                                           initializer=lower_this_threads_priority)
        self._streams: Dict[int, tuple] = {}  # stream -> (listener, context)
        self._ids = itertools.count()

    @property
    def pids(self) -> List[Optional[int]]:
        return self.transcriber.pids

    def open(self) -> int:
        stream = next(self._ids)
        context = StreamContext()
        recognizer = CommandRecognizer(self.transcriber, self.interpreter)
        recognizer.position = lambda: context.step
        self._streams[stream] = (StreamListener(recognizer, context), context)
        return stream

    def update(self, stream: int, settings: Dict[str, Any]) -> None:
        """The page's news: `{"step": 3}` (None: no routine runs), `{"question_open": true}`."""
        self._streams[stream][1].update(settings)

    def feed_now(self, stream: int, pcm: bytes) -> List[Dict[str, Any]]:
        """Events in this chunk of 16-bit PCM: `{"voice": true}` when speech begins (the widget
        stops speaking), then a request (or a confirmation to ask) when a command's turn ends."""
        listener, _ = self._streams[stream]
        events = [event for heard in listener.feed(np.frombuffer(pcm, dtype="<i2"))
                  for event in [turn_event(heard)] if event]
        if listener.voice_began:
            listener.voice_began = False
            events.insert(0, {"voice": True})
        return events

    async def feed(self, stream: int, pcm: bytes) -> List[Dict[str, Any]]:
        return await asyncio.get_running_loop().run_in_executor(self._threads, self.feed_now, stream, pcm)

    async def close(self, stream: int) -> None:
        listener, _ = self._streams.pop(stream)
        listener.dropped()

    def shutdown(self) -> None:
        self._threads.shutdown()
        self.transcriber.close()
