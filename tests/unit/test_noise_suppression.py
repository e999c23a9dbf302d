"""WebRTC noise suppression before Whisper (issue 12): steady noise goes, speech stays."""

from __future__ import annotations

import numpy as np

from massage_coach.clients.voice.audio import RATE, add_noise, silence, speech_power
from massage_coach.clients.voice.transcriber import NOISE_SUPPRESSION, suppress_noise
from tests.support.synthetic import say


def power_db(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(samples.astype(np.float64) ** 2) + 1.0))


def test_steady_noise_is_suppressed_and_speech_kept():
    speech = say("please go back one step")
    turn = np.concatenate([silence(0.5), speech, silence(0.5)])
    noisy = add_noise(turn, 10.0, seed=3)
    cleaned = suppress_noise(noisy, NOISE_SUPPRESSION)
    assert len(cleaned) == len(noisy) and cleaned.dtype == np.int16
    # The pause after the words: only noise, which must drop by far more than the speech does.
    tail = slice(len(noisy) - RATE // 4, len(noisy))
    assert power_db(noisy[tail]) - power_db(cleaned[tail]) > 10.0
    words = slice(int(0.5 * RATE), int(0.5 * RATE) + len(speech))
    assert abs(10 * np.log10(speech_power(cleaned[words]) / speech_power(noisy[words]))) < 3.0


def test_level_zero_leaves_the_audio_as_it_is():
    noisy = add_noise(silence(0.3), 0.0, seed=1) + 100
    assert suppress_noise(noisy, 0) is noisy
