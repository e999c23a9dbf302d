"""Hands-free test support: a shared recogniser pool, speech renderer and audio server, and commands
spoken by synthesiser voices of the spoken corpus's development part (never its locked voices)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from massage_coach.clients.voice.audio import RATE, silence, write_wav
from massage_coach.server.audio_stream import AudioServer, start_audio_server
from massage_coach.server.recognition import RecognitionPool
from massage_coach.server.speech_audio import SpeechRenderer
from tests.support.assistant import BROWSER_ORIGINS
from tests.support.voice_corpus import synthesise, voices

# Voices Whisper hears, from two synthesiser families; all in the corpus's development part.
TEST_VOICES = ("flite/slt", "flite/kal", "festival/kal_diphone")


@pytest.fixture(scope="session")
def recognition_pool() -> Iterator[RecognitionPool]:
    pool = RecognitionPool(transcribers=1)
    yield pool
    pool.shutdown()


@pytest.fixture(scope="session")
def speech_renderer() -> Iterator[SpeechRenderer]:
    renderer = SpeechRenderer()
    yield renderer
    renderer.close()


@pytest.fixture(scope="session")
def audio_server(recognition_pool, speech_renderer, servers) -> Iterator[AudioServer]:
    """The hands-free endpoint on a free port, open to the browser tests' origins, sending the
    requests of pages that name their conversation to the test's Rasa itself."""
    server = start_audio_server(0, BROWSER_ORIGINS, pool=recognition_pool, speech=speech_renderer,
                                rasa_url=servers.rest_url)
    yield server
    server.shutdown()


def spoken(text: str, voice: str = "flite/slt", before_s: float = 0.5, after_s: float = 1.0) -> np.ndarray:
    """`text` said by `voice` ("family/voice"), as 16 kHz 16-bit samples with silence around it.
    A locked voice of the spoken corpus is refused: what the tests pass must not tune on it."""
    family, name = voice.split("/")
    if name in voices()["families"].get(family, {}).get("locked", []):
        raise ValueError(f"{voice} is a locked voice of tests/voice_corpus/voices.yml")
    return np.concatenate([silence(before_s), synthesise(text, family, name, 1.0), silence(after_s)]).astype(np.int16)


def microphone_file(path: Path, *takes: np.ndarray) -> Path:
    """A WAV for Chromium's fake microphone (it plays it in a loop)."""
    write_wav(path, np.concatenate(takes), RATE)
    return path
