"""Echo gate: the microphone also hears the client's own voice from the loudspeaker.

The client knows exactly what it played and when (`PlaybackTimeline`). For a segment heard
while it spoke, `EchoGate.user_speech` compares the microphone with that playback over the
same time span, in per-band energy envelopes: the room delays the echo (an unknown lag up
to `MAX_DELAY_S`), filters it (a fixed gain per band) and smears it (reverb, a decay no
slower than `REVERB_DECAY_DB` per frame). Frames the playback explains are echo; frames
with clearly more energy than the echo can have (the user's voice, over the narration or
in one of its pauses) are kept; the echo under them is suppressed (`suppress_echo`), and
only that stretch goes to the recogniser, which searches it like any other turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Protocol, Tuple

import numpy as np
from scipy.signal import istft, stft

from massage_coach.clients.voice.audio import FRAME, RATE

MAX_DELAY_S = 0.15  # playback latency + sound travel; a laptop's is ~20-80 ms
LAG_SLACK = 1  # frames either side of the best lag
WINDOW = 512  # 32 ms analysis window, every 10 ms frame
BAND_EDGES_HZ = np.geomspace(150, 7000, 17)  # 16 bands, log-spaced like hearing
# The echo's tail may fade no slower than this per 10 ms frame (1 dB: a reverberation
# time of 0.6 s, twice a living room's), so reverb is not mistaken for the user.
REVERB_DECAY_DB = 1.0
# Where the playback is this far below its loudest, its echo is under the room's noise.
ACTIVE_RANGE_DB = 30.0
# A frame holds the user's voice when its energy exceeds the most the echo (plus the
# noise) can explain by this much, on average over the bands and 50 ms, for 50 ms; the
# stretch then extends while the excess stays over WEAK_EXCESS_DB.
EXCESS_DB = 4.0
WEAK_EXCESS_DB = 2.0
SMOOTH_FRAMES = 5
SURE_FRAMES = 5
MIN_USER_S = 0.15  # the segmenter's shortest speech: shorter excess is a click or a glitch
# Padding of the user's stretch, as the segmenter pads a turn (the recogniser's length check
# expects it).
PAD_BEFORE_S, PAD_AFTER_S = 0.1, 0.25
# A stretch is the segment "as heard" when it starts at most this far into it, runs to its end,
# and suppression changed at most this share of its energy (-20 dB).
AS_HEARD_LEAD_S = 0.05
UNCHANGED_SHARE = 0.01
# The room is remembered from a stretch of echo alone with this many loud frames in every band;
# later, its delay is taken as it is, and its gain may measure at most this much lower.
ROOM_MEASURE_FRAMES = 50
ROOM_GAIN_SLACK_DB = 3.0
KEEP_S = 30.0  # playback older than any segment can be
REVERB_LOOKBACK_S = 0.5  # playback this long before a segment can still ring in it
# Echo suppression under the user's voice: 0.3 s of the room's response in 10 ms frames;
# subtract twice the echo's estimated power (an estimate errs), but keep at least 10 % of a bin.
ECHO_TAPS = 30
OVER_SUBTRACTION = 2.0
FLOOR_GAIN = 0.1


@dataclass
class PlaybackTimeline:
    """What the loudspeaker played recently: 16 kHz pieces and when each started (seconds)."""

    pieces: List[Tuple[float, np.ndarray]] = field(default_factory=list)

    def play(self, start_s: float, samples: np.ndarray) -> None:
        """A new piece starts: whatever still played is cut off (barge-in) and old pieces forgotten."""
        self.stop(start_s)
        self.pieces.append((start_s, np.asarray(samples, dtype=np.int16)))

    def stop(self, at_s: float, replay_s: float = 0.0) -> np.ndarray:
        """The loudspeaker falls silent at `at_s`; returns what it had still to play, from
        `replay_s` before that (to pick up again where the listener lost the thread)."""
        cut = int(RATE * at_s)
        resume = int(RATE * (at_s - replay_s))
        unplayed = [piece[max(0, resume - int(RATE * start)):] for start, piece in self.pieces
                    if cut - int(RATE * start) < len(piece)]
        self.pieces = [(start, piece[: max(0, cut - int(RATE * start))]) for start, piece in self.pieces
                       if at_s - start < KEEP_S + len(piece) / RATE]
        return np.concatenate(unplayed) if unplayed else np.zeros(0, dtype=np.int16)

    def played(self, start_s: float, samples: int) -> np.ndarray:
        """`samples` of the playback from `start_s` on, zeros where nothing played."""
        out = np.zeros(samples)
        first = int(round(RATE * start_s))
        for start, piece in self.pieces:
            offset = int(round(RATE * start)) - first
            begin, end = max(0, offset), min(samples, offset + len(piece))
            if begin < end:
                out[begin:end] = piece[begin - offset:end - offset]
        return out


class Cancelled(Protocol):
    def cancelled(self, start_s: float, count: int, heard: np.ndarray) -> np.ndarray: ...


def band_energies_db(samples: np.ndarray) -> np.ndarray:
    """Energy per band and 10 ms frame, in dB: shape (bands, frames)."""
    signal = np.pad(samples.astype(np.float64), (0, WINDOW))
    frames = (len(signal) - WINDOW) // FRAME
    index = np.arange(WINDOW)[None, :] + FRAME * np.arange(frames)[:, None]
    spectrum = np.abs(np.fft.rfft(signal[index] * np.hanning(WINDOW), axis=1)) ** 2
    bins = np.fft.rfftfreq(WINDOW, 1 / RATE)
    bands = [spectrum[:, (bins >= low) & (bins < high)].sum(axis=1)
             for low, high in zip(BAND_EDGES_HZ[:-1], BAND_EDGES_HZ[1:])]
    return 10 * np.log10(np.array(bands) + 1.0)


def with_reverb_tail(energies_db: np.ndarray) -> np.ndarray:
    """The most energy a room's reverb can leave behind each frame of playback."""
    held = energies_db.copy()
    for frame in range(1, held.shape[1]):
        held[:, frame] = np.maximum(held[:, frame], held[:, frame - 1] - REVERB_DECAY_DB)
    return held


def voice_frames(excess_db: np.ndarray) -> np.ndarray:
    """Frames with the user's voice: stretches above `EXCESS_DB` (smoothed over `SMOOTH_FRAMES`)
    for at least `SURE_FRAMES`, widened while they stay above `WEAK_EXCESS_DB` (hysteresis: the
    quiet ends of a word count once the word is sure)."""
    smoothed = np.convolve(excess_db, np.ones(SMOOTH_FRAMES) / SMOOTH_FRAMES, mode="same")
    sure, weak = smoothed > EXCESS_DB, smoothed > WEAK_EXCESS_DB
    voice = np.zeros(len(excess_db), dtype=bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], weak.astype(int), [0]])))
    for begin, end in zip(edges[::2], edges[1::2]):
        voice[begin:end] = sure[begin:end].sum() >= SURE_FRAMES
    return voice


@dataclass
class UserSpeech:
    samples: np.ndarray  # the user's stretch of a segment, the echo under it suppressed
    # The stretch is the whole segment (but for a little of its leading pad) and suppression
    # changed next to nothing: a decoder fed the segment as it came in heard the same.
    as_heard: bool
    begin: int  # where the stretch starts and ends in the segment (samples)
    end: int


@dataclass
class EchoVerdict:
    user_frames: np.ndarray  # per 10 ms frame of the segment: the user's voice is in it
    lag_s: float  # the echo delay that explains the segment best
    correlation: float  # of the envelopes at that lag, after removing each band's mean
    reference: np.ndarray  # the playback over the segment's span, aligned at that lag
    excess_db: np.ndarray  # per frame: how far the sound exceeds what the echo and noise explain


class EchoGate:
    """Tells the user's voice from the echo of the client's own playback."""

    def __init__(self, timeline: PlaybackTimeline, canceller: Optional["Cancelled"] = None) -> None:
        self.timeline = timeline
        # The microphone stream with the playback's echo cancelled (echo_cancel.py): the user's
        # stretch is taken from it; without it, the echo is suppressed per frequency bin here.
        self.canceller = canceller
        # The room's delay (in frames) and gain per band as last measured on a long stretch of echo
        # alone: the room does not change, and a short stretch (a turn's first 0.3 s, the start of
        # a reply) measures them badly, which makes the client's own echo look like the user.
        self.room_lag: Optional[int] = None
        self.room_gain: Optional[np.ndarray] = None

    def verdict(self, samples: np.ndarray, start_s: float) -> EchoVerdict:
        """Which frames of a segment heard from `start_s` on the playback cannot explain."""
        heard = band_energies_db(samples)
        lead = round(MAX_DELAY_S / (FRAME / RATE))
        before = lead + round(REVERB_LOOKBACK_S / (FRAME / RATE))  # earlier playback may still ring
        earlier = band_energies_db(self.timeline.played(start_s - before * FRAME / RATE, len(samples) + before * FRAME))
        played, tail = earlier[:, before - lead:], with_reverb_tail(earlier)[:, before - lead:]
        frames = heard.shape[1]
        active = played > played.max(axis=1, keepdims=True) - ACTIVE_RANGE_DB
        active &= played > 20.0  # digital silence between sentences is no echo
        if active.sum() < 10:  # nothing played in this span: all of it is the user (or noise)
            return EchoVerdict(np.ones(frames, dtype=bool), 0.0, 0.0, np.zeros(len(samples)), np.full(frames, 30.0))
        centred_heard = heard - heard.mean(axis=1, keepdims=True)
        best_lag, best_correlation = 0, -1.0
        for lag in range(lead + 1) if self.room_lag is None else [self.room_lag]:
            shifted = played[:, lead - lag: lead - lag + frames]
            centred = shifted - shifted.mean(axis=1, keepdims=True)
            correlation = float((centred * centred_heard).sum()
                                / (np.sqrt((centred ** 2).sum() * (centred_heard ** 2).sum()) + 1e-9))
            if correlation > best_correlation:
                best_lag, best_correlation = lag, correlation
        direct = played[:, lead - best_lag: lead - best_lag + frames]
        loud = active[:, lead - best_lag: lead - best_lag + frames]
        # A frame's lag is only known to a frame or so: the echo may be any of the neighbours'.
        echo_tail = np.max([tail[:, lead - lag: lead - lag + frames]
                            for lag in range(max(0, best_lag - LAG_SLACK), min(lead, best_lag + LAG_SLACK) + 1)],
                           axis=0)
        # The room's gain per band: a low quantile of heard - played over the loud playback frames,
        # so that the user's voice over part of them does not raise it.
        measured = np.array([np.percentile((heard[b] - direct[b])[loud[b]], 25) if loud[b].sum() >= 5 else -100.0
                             for b in range(heard.shape[0])])
        gain = measured if self.room_gain is None else np.maximum(measured, self.room_gain - ROOM_GAIN_SLACK_DB)
        noise = np.percentile(heard, 10, axis=1)
        explained = 10 * np.log10(10 ** ((echo_tail + gain[:, None]) / 10) + 10 ** (noise[:, None] / 10))
        excess = np.clip(heard - explained, 0, 30).mean(axis=0)
        if loud.sum(axis=1).min() >= ROOM_MEASURE_FRAMES and not voice_frames(excess).any():
            self.room_lag, self.room_gain = best_lag, measured
        lag_s = best_lag * FRAME / RATE
        reference = self.timeline.played(start_s - lag_s, len(samples))
        return EchoVerdict(voice_frames(excess), lag_s, best_correlation, reference, excess)

    @staticmethod
    def holds_user_voice(verdict: EchoVerdict) -> bool:
        return verdict.user_frames.sum() >= MIN_USER_S * RATE / FRAME

    def user_speech(self, samples: np.ndarray, start_s: float,
                    verdict: Optional[EchoVerdict] = None) -> Optional[UserSpeech]:
        """The stretch of the segment with the user's voice in it (padded like a turn), or None
        when the client's own playback explains all of it; `verdict`: the segment's, if known."""
        verdict = verdict or self.verdict(samples, start_s)
        user = verdict.user_frames
        if not self.holds_user_voice(verdict):
            return None
        # The echo under the user's voice would mislead the recogniser.
        cleaned = (self.canceller.cancelled(start_s, len(samples), samples) if self.canceller is not None
                   else suppress_echo(samples, verdict))
        voiced = np.flatnonzero(user)
        begin = max(0, (voiced[0] - round(PAD_BEFORE_S * RATE / FRAME)) * FRAME)
        end = min(len(samples), (voiced[-1] + 1 + round(PAD_AFTER_S * RATE / FRAME)) * FRAME)
        change = cleaned[begin:end].astype(np.float64) - samples[begin:end]
        heard_energy = float((samples[begin:end].astype(np.float64) ** 2).sum())
        unchanged = float((change ** 2).sum()) <= UNCHANGED_SHARE * heard_energy
        whole = begin <= AS_HEARD_LEAD_S * RATE and end == len(samples)
        return UserSpeech(cleaned[begin:end], as_heard=unchanged and whole, begin=begin, end=end)


def suppress_echo(samples: np.ndarray, verdict: EchoVerdict) -> np.ndarray:
    """`samples` with the echo's share of each frequency bin removed: the room's response is
    fitted per band (least squares over the frames without the user's voice, as power through
    `ECHO_TAPS` frames of delay and reverb), and each bin keeps only what the echo does not explain."""
    if not verdict.reference.any():
        return samples
    options = dict(fs=RATE, nperseg=WINDOW, noverlap=WINDOW - FRAME)
    _, _, heard = stft(samples.astype(np.float64), **options)
    _, _, played = stft(verdict.reference, **options)
    frames = min(heard.shape[1], played.shape[1])
    heard, played = heard[:, :frames], played[:, :frames]
    heard_power, played_power = np.abs(heard) ** 2, np.abs(played) ** 2
    bins = np.fft.rfftfreq(WINDOW, 1 / RATE)
    user = np.zeros(frames, dtype=bool)
    user[: min(frames, len(verdict.user_frames))] = verdict.user_frames[:frames]
    shift = WINDOW // 2 // FRAME  # stft centres its frames; the verdict's start there
    user = np.concatenate([np.ones(shift, dtype=bool), user[:-shift]])
    if (~user).sum() < 2 * ECHO_TAPS:  # too little echo alone to measure the room by
        return samples
    echo_power = np.zeros_like(heard_power)
    edges = np.concatenate([[0], BAND_EDGES_HZ[1:-1], [RATE]])
    for low, high in zip(edges[:-1], edges[1:]):
        band = (bins >= low) & (bins < high)
        mic = heard_power[band].sum(axis=0)
        ref = played_power[band].sum(axis=0)
        past = np.stack([np.concatenate([np.zeros(k), ref[: frames - k]]) for k in range(ECHO_TAPS)], axis=1)
        scale = ref.max() + 1e-9
        taps, *_ = np.linalg.lstsq(past[~user] / scale, mic[~user] / scale, rcond=None)
        taps = np.clip(taps, 0, None)
        echo_power[band] = np.stack([np.convolve(played_power[i], taps)[:frames] for i in np.flatnonzero(band)])
    gain = np.maximum(FLOOR_GAIN, 1 - OVER_SUBTRACTION * echo_power / (heard_power + 1e-9))
    _, cleaned = istft(heard * gain, **options)
    cleaned = np.pad(cleaned, (0, max(0, len(samples) - len(cleaned))))[: len(samples)]
    return np.clip(cleaned, -32768, 32767).astype(np.int16)
