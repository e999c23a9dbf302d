"""Acoustic echo cancellation: the client's own voice taken out of what the microphone hears.

The client knows exactly what it plays and when (`PlaybackTimeline`). An adaptive filter
(Speex's MDF, the multi-delay block frequency-domain canceller of libspeexdsp, as in
PulseAudio's echo-cancel module) learns the room's response from that playback to the
microphone and subtracts its prediction, frame by frame, so that a user who speaks over the
narration is heard without it. Whisper, unlike a phrase grammar, transcribes whatever voice
is loudest: the echo gate's per-band suppression (echo.py) left enough of the narration under a
command for Whisper to transcribe the narration instead.

The filter runs in a worker process (native code: a fault costs a restart, and the filter
converges again within a second or two), on the whole microphone stream, also while the client
is silent, so that it stays converged from one reply to the next: the room does not change.
A reply plays a little later than asked, by a varying delay: it is found in the microphone
(`EchoCanceller._follow_delay`) and the reference aligned to it.
The echo gate still decides on the microphone as heard whether a turn holds the user at all
(its false triggers stay as measured); only what the recogniser is given comes from here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import Callable, List, Optional, Protocol, Tuple

import numpy as np

from massage_coach.clients.voice.audio import FRAME, RATE, speech_power
from massage_coach.clients.voice.worker import Worker, WorkerCrashed

# The filter covers the sound's travel and most of a living room's reverberation (RT60 0.3-0.5 s:
# its tail after 0.4 s is 25-35 dB down); the playback's latency is followed (below).
FILTER_S = 0.4
KEEP_S = 30.0  # cancelled audio kept for the listener: longer than any turn
# The playback's delay is followed (`EchoCanceller._follow_delay`): measured every LAG_EVERY_S
# over the last LAG_WINDOW_S, up to LAG_SEARCH_S; the reference is moved when the delay leaves
# the LAG_SLACK_S the filter follows by itself (past it, too little of the filter is left for the
# reverberation; a move within it cost more than it gave: the filter converges anew), and then
# the direct sound is put LAG_MARGIN_S into the filter (it cannot predict the past); a peak
# CLEAR_PEAK times the median counts.
LAG_WINDOW_S, LAG_SEARCH_S, LAG_EVERY_S, LAG_SLACK_S, LAG_MARGIN_S = 1.0, 0.5, 0.5, 0.2, 0.01
LAG_AGREE_S = 0.002  # two measurements this close are the same delay
CLEAR_PEAK = 8.0
QUIET_PLAYBACK = 1e4  # speech power of a playback too quiet to find in the microphone (-40 dBFS)
SPEEX_ECHO_SET_SAMPLING_RATE = 24  # speex_echo.h


class Filter(Protocol):
    def process(self, heard: np.ndarray, played: np.ndarray) -> np.ndarray: ...


class SpeexEchoCanceller:
    """libspeexdsp's MDF echo canceller on 10 ms frames (run it in a worker: see EchoCanceller)."""

    def __init__(self, filter_s: float = FILTER_S) -> None:
        path = ctypes.util.find_library("speexdsp")
        if path is None:
            raise OSError("libspeexdsp is not installed (Debian package libspeexdsp1)")
        self.lib = ctypes.CDLL(path)
        self.lib.speex_echo_state_init.restype = ctypes.c_void_p
        self.lib.speex_echo_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
        self.lib.speex_echo_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        self.lib.speex_echo_cancellation.argtypes = [ctypes.c_void_p] + [ctypes.POINTER(ctypes.c_int16)] * 3
        self.lib.speex_echo_state_destroy.argtypes = [ctypes.c_void_p]
        self.state = self.lib.speex_echo_state_init(FRAME, int(filter_s * RATE))
        rate = ctypes.c_int(RATE)
        self.lib.speex_echo_ctl(self.state, SPEEX_ECHO_SET_SAMPLING_RATE, ctypes.byref(rate))

    def process(self, heard: np.ndarray, played: np.ndarray) -> np.ndarray:
        """`heard` (microphone) with the echo of `played` (aligned in time) taken out; both
        int16, a whole number of 10 ms frames long."""
        if len(heard) != len(played) or len(heard) % FRAME:
            raise ValueError("heard and played must be as long, a whole number of 10 ms frames")
        mic = np.ascontiguousarray(heard, dtype=np.int16)
        ref = np.ascontiguousarray(played, dtype=np.int16)
        out = np.empty_like(mic)
        pointer = ctypes.POINTER(ctypes.c_int16)
        for start in range(0, len(mic), FRAME):
            self.lib.speex_echo_cancellation(self.state, mic[start:start + FRAME].ctypes.data_as(pointer),
                                             ref[start:start + FRAME].ctypes.data_as(pointer),
                                             out[start:start + FRAME].ctypes.data_as(pointer))
        return out

    def __del__(self) -> None:
        if getattr(self, "state", None):
            self.lib.speex_echo_state_destroy(self.state)


class EchoCanceller:
    """The microphone stream with the client's own voice cancelled, kept for the listener.

    `feed` takes the microphone's samples in order as they arrive (the time of the first on the
    listener's clock); the playback over the same span comes from the timeline. `cancelled`
    gives any recent span back; what is not cancelled (yet) is given as heard. The filter
    (`factory()`: a class or a picklable callable) runs in a worker unless `isolated` is False."""

    def __init__(self, timeline, factory: Callable[[], Filter] = SpeexEchoCanceller, isolated: bool = True) -> None:
        self.timeline = timeline
        self.worker: Optional[Worker] = Worker(factory, "echo canceller") if isolated else None
        self.filter: Optional[Filter] = None if isolated else factory()
        self._pending = np.zeros(0, dtype=np.int16)  # heard samples short of a whole frame
        self._next = 0  # the sample index (listener's clock) of the first pending sample
        self._history: List[Tuple[int, np.ndarray]] = []  # (first sample index, cancelled samples)
        self._heard = np.zeros(0, dtype=np.int16)  # the microphone's last LAG_WINDOW_S, for the delay
        self.lag = 0  # samples the playback is heard later than the timeline says, less LAG_MARGIN_S
        self._lag_checked = 0
        self._measured: Optional[int] = None  # the delay measured last (samples)

    def feed(self, samples: np.ndarray, start_s: float) -> None:
        if not len(self._pending):
            self._next = int(round(start_s * RATE))
        self._pending = np.concatenate([self._pending, np.asarray(samples, dtype=np.int16)])
        whole = len(self._pending) // FRAME * FRAME
        if not whole:
            return
        heard, self._pending = self._pending[:whole], self._pending[whole:]
        played = self.timeline.played((self._next - self.lag) / RATE, whole)
        played = np.clip(played, -32768, 32767).astype(np.int16)
        self._history.append((self._next, self._cancel(heard, played)))
        self._next += whole
        while self._next - self._history[0][0] > KEEP_S * RATE:
            self._history.pop(0)
        self._heard = np.concatenate([self._heard, heard])[-int(LAG_WINDOW_S * RATE):]
        if self._next - self._lag_checked >= LAG_EVERY_S * RATE:
            self._lag_checked = self._next
            self._follow_delay()

    def _follow_delay(self) -> None:
        """Where the playback is heard, by GCC-PHAT of the microphone's last second against it:
        a reply starts playing a little later than the client asked (a player starting up, a sound
        server's buffers: 50-250 ms through PulseAudio), and the filter can only follow a room
        whose delay stays put. Kept when the playback was too quiet or the peak unclear."""
        window, search = int(LAG_WINDOW_S * RATE), int(LAG_SEARCH_S * RATE)
        if len(self._heard) < window:
            return
        played = self.timeline.played((self._next - window - search) / RATE, window + search)
        if speech_power(played[search:]) < QUIET_PLAYBACK:
            return
        size = 1 << int(np.ceil(np.log2(2 * (window + search))))
        cross = np.conj(np.fft.rfft(self._heard.astype(np.float64), size)) * np.fft.rfft(played, size)
        correlation = np.fft.irfft(cross / (np.abs(cross) + 1e-9), size)[: search + 1]
        best = int(np.argmax(correlation))
        if correlation[best] < CLEAR_PEAK * np.median(np.abs(correlation)):
            return
        delay = search - best
        # A peak of speech over speech (the user over the echo) or of noise may be anywhere: a delay
        # counts when measured twice in a row. The reference is moved only when the filter cannot
        # follow by itself: every shift unsettles it.
        confirmed = self._measured is not None and abs(delay - self._measured) <= LAG_AGREE_S * RATE
        self._measured = delay
        if confirmed and (delay < self.lag or delay > self.lag + LAG_SLACK_S * RATE):
            self.lag = max(0, delay - int(LAG_MARGIN_S * RATE))

    def _cancel(self, heard: np.ndarray, played: np.ndarray) -> np.ndarray:
        if self.filter is not None:
            return self.filter.process(heard, played)
        try:
            return self.worker.call("process", heard, played)
        except WorkerCrashed as crash:  # heard as it is, echo and all: the gate still finds the user's stretch
            print(f"voice: {crash}; this audio is heard without echo cancellation", file=sys.stderr, flush=True)
            return heard

    def cancelled(self, start_s: float, count: int, heard: np.ndarray) -> np.ndarray:
        """`count` samples from `start_s` on, the echo cancelled; where the canceller has not got
        them (not yet fed, or forgotten), `heard` (the same span as the listener got it)."""
        first = int(round(start_s * RATE))
        out = np.array(heard[:count], dtype=np.int16)
        for start, piece in self._history:
            begin, end = max(first, start), min(first + count, start + len(piece))
            if begin < end:
                out[begin - first:end - first] = piece[begin - start:end - start]
        return out

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
