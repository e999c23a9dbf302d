"""A room between the client's loudspeaker and its microphone: what headless runs
(`--room-echo`) mix into the input so that the echo gate has the client's own voice to tell
from the user's."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, fftconvolve, lfilter

from massage_coach.clients.voice.audio import RATE, add_noise

ROOM_RESPONSE_S = 0.5  # longer than the default room's response (delay + reverberation time)


def room_impulse_response(delay_s: float = 0.05, rt60_s: float = 0.3, direct_to_reverb_db: float = 3.0,
                          seed: int = 0, bass_cut_hz: float = 250.0) -> np.ndarray:
    """How a microphone hears a laptop's loudspeaker across a room: the direct sound after
    `delay_s` (playback latency + distance), a small speaker's missing bass (below `bass_cut_hz`;
    0: a speaker with bass), then diffuse reverb decaying by 60 dB in `rt60_s`."""
    rng = np.random.default_rng(seed)
    delay = int(delay_s * RATE)
    times = np.arange(int(rt60_s * RATE)) / RATE
    reverb = rng.normal(0, 1, len(times)) * np.exp(-6.9 * times / rt60_s)
    reverb[: int(0.003 * RATE)] = 0  # the first reflection arrives after the direct sound
    reverb *= np.sqrt(10 ** (-direct_to_reverb_db / 10) / np.sum(reverb ** 2))
    response = np.zeros(delay + len(times))
    response[delay] = 1.0
    response[delay:] += reverb
    return lfilter(*butter(2, bass_cut_hz, "highpass", fs=RATE), response) if bass_cut_hz else response


def room_echo(played: np.ndarray, gain_db: float = -10.0, snr_db: float | None = 25.0, seed: int = 0,
              **room) -> np.ndarray:
    """`played` as the microphone hears it: through `room_impulse_response(**room)`, `gain_db`
    quieter, with a little noise (`snr_db` below the echo); as long as `played`."""
    heard = fftconvolve(played.astype(np.float64), room_impulse_response(seed=seed, **room))[: len(played)]
    heard = np.clip(heard * 10 ** (gain_db / 20), -32768, 32767).astype(np.int16)
    return add_noise(heard, snr_db, seed) if snr_db is not None else heard
