"""Turns recognised while they are spoken: the segmenter and a streaming recogniser together.

The decoder is fed each 10 ms frame as it arrives, from the turn's leading pad on, so
when the turn ends only the decoder's last frames remain to be decoded. A turn ends
after the segmenter's usual silence, or sooner when the best phrase so far is whole and
no longer phrase that starts with it means something else (Recognizer.complete).

A turn that starts while the client itself speaks may hold its own voice: it is also kept
whole. Every 0.1 s the echo gate (echo.py) looks for the user's voice in it; once found,
the client falls silent (`on_user_voice`) and decoding restarts from that voice. At the
turn's pauses the gate drops it or finds the user's stretch: if that is where the
decoding began, the decoding stands; otherwise the stretch, its echo suppressed, is
decoded then.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterator, List, Optional, Tuple

import numpy as np

from massage_coach.clients.voice.audio import FRAME_S, RATE, Segment, Segmenter
from massage_coach.clients.voice.echo import AS_HEARD_LEAD_S, EchoGate, EchoVerdict
from massage_coach.clients.voice.recognizer import Recognition, Recognizer

# While the client speaks, a turn is checked for the user's voice every this many frames, once
# it is this long (the gate needs some of the echo alone to measure the room by).
ONSET_CHECK_FRAMES = 10
ONSET_MIN_S = 0.3

# How a turn is heard, chosen when speech begins, from its start time in seconds:
# (the client's own voice may be in it, context).
SearchChoice = Callable[[float], Tuple[bool, str]]


@dataclass
class HeardTurn:
    segment: Segment
    recognition: Optional[Recognition]  # None: the client's own voice, dropped by the echo gate
    # From the end of the last voiced frame to the phrase known: the silence that ended the
    # turn, then any decoding still queued then (see Listener._work) and the last decoding step.
    waited_ms: float


class Listener:
    """Feeds audio in chunks of any size; yields each turn with its recognition as it ends."""

    def __init__(self, recognizer: Recognizer, choose_search: SearchChoice = lambda start_s: (False, ""),
                 echo_gate: Optional[EchoGate] = None, on_user_voice: Optional[Callable[[float], None]] = None,
                 **segmenter_options) -> None:
        self.recognizer = recognizer
        self.choose_search = choose_search
        self.echo_gate = echo_gate
        # Called (with the time) as soon as the gate finds the user's voice in a turn heard while
        # the client speaks: the client falls silent then, or its echo would hide the turn's end.
        self.on_user_voice = on_user_voice
        self._user_voice_found = False
        self._gated_context: Optional[str] = None  # the turn in progress waits for the echo gate
        self._gated: List[np.ndarray] = []  # its samples so far, and where they start
        self._gated_start_s = 0.0
        # Early end of a gated turn: its result once the silence was long enough (see `complete`).
        self._early: Optional[Recognition] = None
        self._streaming = False  # the decoder is fed the turn in progress as it comes in
        self._stream_from: Optional[int] = None
        self._last_complete_s = -1.0
        self.segmenter = Segmenter(observer=self, **segmenter_options)
        # When the decoder would be done with the audio so far, on the audio's own clock: each
        # frame's decoding starts when the frame arrives, or when the frames before are done.
        # Decoding that keeps up with speech costs the user nothing; a backlog is waited for.
        self._busy_until_s = 0.0
        # Speech that starts within the usual silence after a turn that ended early is the rest
        # of that turn (split by a weak sound in noise): heard, but never a command of its own.
        self._rest_until_s = 0.0
        self._rest = False

    def _work(self, arrived_s: float, step: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = step()
        self._busy_until_s = max(self._busy_until_s, arrived_s) + time.perf_counter() - started
        return result

    # TurnObserver: called by the segmenter frame by frame.
    def started(self, samples: np.ndarray, start_s: float) -> None:
        while_speaking, context = self.choose_search(start_s)
        arrived_s = start_s + len(samples) / RATE
        self._gated_context = context if while_speaking and self.echo_gate else None
        if self._gated_context is not None:
            # The reply to the turn before may already play: the gate takes its echo out.
            self._rest = False
            self._gated, self._gated_start_s, self._early = [samples], start_s, None
            self._user_voice_found = False
            self._stream_from = None  # where a stream restarted at the user's voice began
        else:
            self._rest = arrived_s - FRAME_S < self._rest_until_s
        self._streaming = True

        def begin() -> None:
            self.recognizer.begin(context)
            self.recognizer.feed(samples)
        self._work(arrived_s, begin)

    def extended(self, frame: np.ndarray, at_s: float) -> None:
        if self._gated_context is not None:
            self._gated.append(frame)
            length_s = at_s - self._gated_start_s
            if not self._user_voice_found and length_s >= ONSET_MIN_S and len(self._gated) % ONSET_CHECK_FRAMES == 0:
                samples = np.concatenate(self._gated)
                verdict = self._work(at_s, lambda: self.echo_gate.verdict(samples, self._gated_start_s))
                if self.echo_gate.holds_user_voice(verdict):
                    self._user_voice_found = True
                    if self.on_user_voice:
                        self.on_user_voice(at_s)
                    self._work(at_s, lambda: self._stream_from_user_voice(samples, verdict))
                    return
        if self._streaming:
            canceller = self.echo_gate.canceller if self.echo_gate else None
            if self._stream_from is not None and canceller is not None:  # the user's voice, its echo cancelled
                frame = canceller.cancelled(at_s - FRAME_S, len(frame), frame)
            self._work(at_s, lambda: self.recognizer.feed(frame))

    def _stream_from_user_voice(self, samples: np.ndarray, verdict: EchoVerdict) -> None:
        """The user speaks over the client's voice (which now falls silent): decode on from the start
        of their stretch, its echo suppressed so far; what comes after is fed as it comes in."""
        user_speech = self.echo_gate.user_speech(samples, self._gated_start_s, verdict)
        if self._streaming:
            self.recognizer.cancel()
        self.recognizer.begin(self._gated_context)
        self.recognizer.feed(user_speech.samples)
        self._streaming, self._stream_from = True, user_speech.begin

    def complete(self, at_s: float) -> bool:
        if self._gated_context is None:
            return bool(self._work(at_s, self.recognizer.complete))
        # A gated turn is gated once per pause that is long enough to end it early (the segmenter
        # asks every frame of it): if that gives a whole phrase nothing longer may follow, the turn
        # ends there and keeps that result.
        first_of_pause = at_s - self._last_complete_s > 1.5 * FRAME_S
        self._last_complete_s = at_s
        if not first_of_pause:
            return False
        recognition, ended = self._work(at_s, lambda: self._gated_recognition(
            np.concatenate(self._gated), self._gated_start_s, self._gated_context, final=False))
        if ended or (recognition is not None and recognition.action
                     and self.recognizer.ends_turn(recognition.text, self._gated_context)):
            self._early = recognition
            return True
        return False

    def dropped(self) -> None:
        if self._streaming:
            self.recognizer.cancel()

    def _gated_recognition(self, samples: np.ndarray, start_s: float, context: str, final: bool,
                           length_s: Optional[float] = None) -> Tuple[Optional[Recognition], bool]:
        """(What the user said in a gated turn so far, or None; has the streaming decoder finished?)

        The turn is also decoded while it comes in: from its start, as any other, or from the user's
        voice once the gate found it over the client's (which fell silent then). When the gate now
        finds the user's stretch where that decoding began (and, from the start, next to no echo
        under it), the decoding heard the same and is used: no decoding is left to wait for.
        Otherwise the stream is dropped and the user's stretch, its echo suppressed, is decoded now."""
        user_speech = self.echo_gate.user_speech(samples, start_s)
        if self._stream_from is None:
            same = user_speech is not None and user_speech.as_heard
        else:  # the stream started at the user's voice, then heard the room with the client silent
            same = (user_speech is not None and abs(user_speech.begin - self._stream_from) <= AS_HEARD_LEAD_S * RATE
                    and user_speech.end == len(samples))
        if self._streaming and not same:
            if user_speech is not None or final:  # pure echo so far may yet become the user's turn
                self._streaming = False
                self.recognizer.cancel()
        if user_speech is None:
            return None, False
        if self._streaming:
            if final or self.recognizer.complete():
                self._streaming = False
                # A stream from the user's voice on is as long as that stretch, not the whole turn.
                return self.recognizer.finish(length_s if self._stream_from is None else None), True
            return None, False
        return self.recognizer.recognise(user_speech.samples, context), False

    def _heard(self, segment: Segment) -> HeardTurn:
        hangover_s = self.segmenter.hangover_frames * FRAME_S
        length_s = segment.end_s - segment.start_s + hangover_s
        context, self._gated_context = self._gated_context, None
        if context is not None and self._early is not None:
            recognition, self._early = self._early, None  # decoded when the turn ended early
        elif context is not None:
            recognition, _ = self._work(segment.closed_s, lambda: self._gated_recognition(
                segment.samples, segment.start_s, context, final=True, length_s=length_s))
        else:
            recognition = self._work(segment.closed_s, lambda: self.recognizer.finish(length_s))
        self._streaming = False
        if recognition is not None and self._rest:
            recognition = Recognition("", "", recognition.best_guess, recognition.decode_ms)
        if segment.closed_s - segment.end_s < hangover_s:
            self._rest_until_s = segment.end_s + hangover_s
        return HeardTurn(segment, recognition, (self._busy_until_s - segment.end_s) * 1000)

    def feed(self, chunk: np.ndarray) -> Iterator[HeardTurn]:
        for segment in self.segmenter.feed(chunk):
            yield self._heard(segment)

    def flush(self) -> Optional[HeardTurn]:
        """The turn in progress at the end of the input, if any."""
        segment = self.segmenter.flush()
        return self._heard(segment) if segment else None


def hear(recognizer: Recognizer, audio: np.ndarray, context: str = "", echo_gate: Optional[EchoGate] = None,
         **listener_options) -> List[HeardTurn]:
    """Every turn in a recording, as a session would hear it; with `echo_gate`, as if the client
    spoke all along (its playback is in the gate's timeline)."""
    listener = Listener(recognizer, lambda start_s: (echo_gate is not None, context), echo_gate,
                        **listener_options)
    found = list(listener.feed(audio))
    last = listener.flush()
    return found + ([last] if last else [])
