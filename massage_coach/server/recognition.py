"""Server-side command recognition for the widget's hands-free mode.

The interface is one function, `recognise(samples_16k_int16, question_open)`: a turn of
16 kHz mono speech in, a TYPED request out (`/next_step`, `/affirm`) or None for talk and
anything that is no command. Today it adapts the voice client's pocketsphinx grammar
recogniser (`_pocketsphinx_request`, the only place that knows it); a better recogniser
plugs in by replacing that one function. `RecognitionPool` runs it in worker processes so
that decoding never holds up chat turns.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Optional

import numpy as np

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

_recognizer: Any = None  # one per worker process, built once


def _pocketsphinx_request(samples: np.ndarray, question_open: bool) -> Optional[str]:
    """The adapter: massage_coach.clients.voice's grammar recogniser, in the routine's context."""
    global _recognizer
    if _recognizer is None:
        from massage_coach.clients.voice.recognizer import Recognizer

        _recognizer = Recognizer()
    heard = _recognizer.recognise(samples, "routine+asked" if question_open else "routine")
    if not heard.text:
        return None
    intent = (PHRASE_INTENTS.get(heard.text) or _recognizer.grammar.intents.get(heard.text)
              or ACTION_INTENTS.get(heard.action))
    return request(intent) if intent else None


def recognise(samples_16k_int16: np.ndarray, question_open: bool) -> Optional[str]:
    """The typed request said in one turn of speech, or None for talk."""
    return _pocketsphinx_request(np.asarray(samples_16k_int16, dtype=np.int16), question_open)


def _warm_up() -> None:
    recognise(np.zeros(1600, dtype=np.int16), False)


class RecognitionPool:
    """`workers` processes (spawned: no threads or sockets of the server inherited), each with
    its own recogniser, ready before the first turn."""

    def __init__(self, workers: int = 1) -> None:
        self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_warm_up)
        self._executor.submit(_warm_up).result()  # fails here, not on a user's first command

    async def recognise(self, samples: np.ndarray, question_open: bool) -> Optional[str]:
        return await asyncio.get_running_loop().run_in_executor(self._executor, recognise, samples, question_open)

    def shutdown(self) -> None:
        self._executor.shutdown(cancel_futures=True)
