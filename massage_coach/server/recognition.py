"""Server-side command recognition for the widget's hands-free mode.

The plug-in interface is one function, `recognise(samples_16k_int16, question_open)`: a turn of
16 kHz mono speech in, a TYPED request out (`/next_step`, `/affirm`) or None for talk and
anything that is no command. Today it adapts the voice client's pocketsphinx grammar
recogniser (`_pocketsphinx_request`); a better recogniser plugs in by replacing that function.

So that a reply can start soon after a command ends, turns are also decoded WHILE they are
spoken (`StreamRecognition`): each stream's audio goes through the voice client's Segmenter,
and a turn is fed frame by frame to a streaming decoder (pocketsphinx's begin/feed/complete/
finish, as the voice client's listener does), so only the last frames are left when it ends,
and a whole command that nothing longer may follow ends the turn after a shorter silence.
A decoder holds ~100 MB, so each worker keeps `STREAMING_DECODERS` of them and lends one to a
stream for the length of a turn; a turn that finds none free is decoded whole when it ends,
with `recognise` (as is every turn with STREAMING_DECODERS = 0, e.g. for a recogniser that
cannot stream). `RecognitionPool` runs this in worker processes (massage_coach.clients.voice.worker:
a native crash costs a restart, not the server) so that decoding never holds up chat turns.
"""

from __future__ import annotations

import asyncio
import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional

import numpy as np

from massage_coach.clients.voice.audio import FRAME_S, RATE, Segment, Segmenter
from massage_coach.clients.voice.recognizer import Recognition, Recognizer
from massage_coach.clients.voice.worker import Worker
from massage_coach.domain.requests import request

# What the grammar's "always" phrases mean as typed requests (its NLU phrases carry their intent).
PHRASE_INTENTS = {
    "next": "next_step", "next step": "next_step", "go back": "previous_step", "previous step": "previous_step",
    "repeat": "repeat_step", "say that again": "repeat_step", "pause": "pause_routine",
    "continue": "resume_routine", "how long is left": "routine_progress",
    "yes": "affirm", "no": "deny", "none of those": "deny",
}
# The voice client's own actions: "stop" / "quiet" pause; a risky "stop the massage" (which
# noise makes of "go back") only pauses too, so a mishearing never loses the user's place.
ACTION_INTENTS = {"pause": "pause_routine", "confirm": "pause_routine"}
# Decoders per worker lent to turns while they are spoken (see the module's doc).
STREAMING_DECODERS = 2
# A turn longer than any command (talk, narration) is not decoded: its decoder is freed.
MAX_COMMAND_S = 3.0

_recognizer: Any = None  # the whole-turn recogniser of this process, built once


def _context(question_open: bool) -> str:
    return "routine+asked" if question_open else "routine"


def _typed(heard: Recognition, grammar: Any) -> Optional[str]:
    """The typed request a recognised phrase stands for, in the routine's context."""
    if not heard.text:
        return None
    # The local action first: "stop" is also an example of stop_routine, but must only pause.
    intent = PHRASE_INTENTS.get(heard.text) or ACTION_INTENTS.get(heard.action) or grammar.intents.get(heard.text)
    return request(intent) if intent else None


def _pocketsphinx_request(samples: np.ndarray, question_open: bool) -> Optional[str]:
    """The adapter: massage_coach.clients.voice's grammar recogniser, in the routine's context."""
    global _recognizer
    if _recognizer is None:
        _recognizer = Recognizer()
    return _typed(_recognizer.recognise(samples, _context(question_open)), _recognizer.grammar)


def recognise(samples_16k_int16: np.ndarray, question_open: bool) -> Optional[str]:
    """The typed request said in one turn of speech, or None for talk."""
    return _pocketsphinx_request(np.asarray(samples_16k_int16, dtype=np.int16), question_open)


class _Turn:
    """One stream's end-pointing and decoding (the Segmenter's observer)."""

    def __init__(self, decoders: List[Recognizer]) -> None:
        self.decoders = decoders  # the worker's free streaming decoders, shared by its streams
        self.segmenter = Segmenter(observer=self)
        self.question_open = False
        self.decoder: Optional[Recognizer] = None  # lent for the turn being spoken
        self.length_s = 0.0
        self.voice_began = False  # since the last `feed`
        # Speech starting within the usual silence after a turn that ended early is the rest of
        # that turn (a weak sound split it): never a command of its own (as in the voice client).
        self.rest_until_s = 0.0
        self.rest = False

    def started(self, samples: np.ndarray, start_s: float) -> None:
        self.voice_began = True
        self.rest = start_s + len(samples) / RATE - FRAME_S < self.rest_until_s
        self.length_s = len(samples) / RATE
        if self.decoders and not self.rest:
            self.decoder = self.decoders.pop()
            self.decoder.begin(_context(self.question_open))
            self.decoder.feed(samples)

    def extended(self, frame: np.ndarray, at_s: float) -> None:
        self.length_s += len(frame) / RATE
        if self.decoder is None:
            return
        if self.length_s > MAX_COMMAND_S:
            self.dropped()
        else:
            self.decoder.feed(frame)

    def complete(self, at_s: float) -> bool:
        return self.decoder is not None and self.decoder.complete()

    def dropped(self) -> None:
        if self.decoder is not None:
            self.decoder.cancel()
            self._release()

    def _release(self) -> None:
        if self.decoder is not None:
            self.decoders.append(self.decoder)
            self.decoder = None

    def ended(self, segment: Segment) -> Optional[str]:
        """The typed request said in the turn that just ended, or None."""
        hangover_s = self.segmenter.hangover_frames * FRAME_S
        if segment.closed_s - segment.end_s < hangover_s:
            self.rest_until_s = segment.end_s + hangover_s
        if self.decoder is not None:
            decoder = self.decoder
            heard = decoder.finish(segment.end_s - segment.start_s + hangover_s)
            self._release()
            return _typed(heard, decoder.grammar)
        if self.rest or len(segment.samples) > MAX_COMMAND_S * RATE:
            return None
        return recognise(segment.samples, self.question_open)


class StreamRecognition:
    """What a recogniser worker runs: the streams it serves, each fed its audio as it arrives."""

    def __init__(self, streaming_decoders: int = STREAMING_DECODERS) -> None:
        recognise(np.zeros(1600, dtype=np.int16), False)  # the whole-turn recogniser, built now
        self.decoders = [Recognizer() for _ in range(streaming_decoders)]
        self.turns: Dict[int, _Turn] = {}

    def feed(self, stream: int, pcm: bytes, question_open: bool) -> List[Dict[str, Any]]:
        """Events in this chunk of 16-bit PCM: `{"voice": true}` when speech begins (the widget
        stops speaking), `{"request": "/next_step"}` when a command ends."""
        turn = self.turns.get(stream)
        if turn is None:  # a new stream, or this worker was restarted after a crash
            turn = self.turns[stream] = _Turn(self.decoders)
        turn.question_open = question_open
        events: List[Dict[str, Any]] = []
        for segment in turn.segmenter.feed(np.frombuffer(pcm, dtype="<i2")):
            typed = turn.ended(segment)
            if typed:
                events.append({"request": typed})
        if turn.voice_began:
            turn.voice_began = False
            events.insert(0, {"voice": True})
        return events

    def close(self, stream: int) -> None:
        turn = self.turns.pop(stream, None)
        if turn is not None:
            turn.dropped()


class RecognitionPool:
    """`workers` recogniser processes, ready before the first turn; a stream keeps its worker.
    Each worker is called from a thread of its own, so the server's loop never waits on it."""

    def __init__(self, workers: int = 1, streaming_decoders: int = STREAMING_DECODERS) -> None:
        self._workers = [Worker(_Factory(streaming_decoders), "recogniser") for _ in range(workers)]
        self._threads = [ThreadPoolExecutor(1, thread_name_prefix="recogniser") for _ in range(workers)]
        self._streams: Dict[int, int] = {}  # stream -> its worker
        self._ids = itertools.count()
        for worker in self._workers:  # fails here (e.g. no model), not on a user's first command
            worker.call("close", -1)

    @property
    def pids(self) -> List[Optional[int]]:
        """The workers' process ids (a benchmark counts their CPU time)."""
        return [worker.pid for worker in self._workers]

    def open(self) -> int:
        """A new stream, on the worker with the fewest."""
        stream = next(self._ids)
        load = [list(self._streams.values()).count(index) for index in range(len(self._workers))]
        self._streams[stream] = load.index(min(load))
        return stream

    async def feed(self, stream: int, pcm: bytes, question_open: bool) -> List[Dict[str, Any]]:
        index = self._streams[stream]
        return await asyncio.get_running_loop().run_in_executor(
            self._threads[index], self._workers[index].call, "feed", stream, pcm, question_open)

    async def close(self, stream: int) -> None:
        index = self._streams.pop(stream)
        await asyncio.get_running_loop().run_in_executor(
            self._threads[index], self._workers[index].call, "close", stream)

    def shutdown(self) -> None:
        for thread, worker in zip(self._threads, self._workers):
            thread.shutdown()
            worker.close()


class _Factory:
    """Builds a worker's StreamRecognition (a picklable callable: the worker is a new process)."""

    def __init__(self, streaming_decoders: int) -> None:
        self.streaming_decoders = streaming_decoders

    def __call__(self) -> StreamRecognition:
        return StreamRecognition(self.streaming_decoders)
