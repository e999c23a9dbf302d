"""Offline command recognition: pocketsphinx with a grammar generated from content/.

pocketsphinx's open language model turns espeak-ng speech into nonsense, so the decoder
only searches the grammar's phrases. A grammar always finds its closest phrase, so a
result only counts when the search reached the end of a whole phrase, and not when a
loop of single phones (the garbage rule, for narration, coughs, other talk) explained
the audio better than any phrase.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
from pocketsphinx import Decoder, get_model_path

from massage_coach.voice.audio import RATE
from massage_coach.voice.grammar import ASKED, Grammar, build_grammar
from massage_coach.voice.pronounce import espeak_pronunciation

MODEL_DIR = Path(get_model_path()) / "en-us"
ACOUSTIC_MODEL = MODEL_DIR / "en-us"
DICTIONARY = MODEL_DIR / "cmudict-en-us.dict"
# Extra pronunciations, measured on espeak-ng speech (pronunciations.dict says why each).
VARIANTS = Path(__file__).with_name("pronunciations.dict")
GARBAGE_PHONES = ("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH "
                  "T TH UH UW V W Y Z ZH").split()
GARBAGE_PREFIX = "garbage_"
# Decoder settings measured on espeak-ng speech (scripts/bench_voice.py): dither keeps
# the synthesiser's digital silence from breaking the features, the Viterbi path (not the
# lattice's best path) keeps results to whole phrases, wider beams keep short words alive.
DECODER_SETTINGS = dict(dither=True, bestpath=False, beam=1e-60, wbeam=1e-40, pbeam=1e-60, wip=0.2, topn=16, silprob=0.1)
# A segment longer than its phrase could take is narration or talk, not a command: the
# segment's padding (0.1 s before, 0.25 s of silence after) plus this much per phone.
SEGMENT_PADDING_S = 0.35
MAX_PHONE_S = 0.22
# ... but a one-word command said slowly ("no" at 140 words a minute) may always take this long.
MIN_TURN_S = 1.0
# JSGF weight of the garbage loop against all phrases, while the client itself speaks:
# its narration must not trigger commands (1e-20: ~3 % of narration segments still do;
# weights under ~1e-38 vanish). When it is silent, no garbage loop: more commands heard.
BARGE_IN_GARBAGE_WEIGHT = 1e-20
# espeak-ng's pauses are digital zeros, which no microphone produces and which derail
# the features; this much noise (std, 16-bit) made recognition of its speech much better.
NOISE_FLOOR = 100.0


@dataclass
class Recognition:
    text: str  # the phrase heard, "" when rejected
    action: str  # "send", a local action, or "" when rejected
    best_guess: str  # what the decoder found, even when rejected
    decode_ms: float


def read_dictionary(path: Path) -> Dict[str, List[str]]:
    """word -> pronunciations, with "word(2)" variants folded under "word"."""
    entries: Dict[str, List[str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith(";"):
            word = parts[0].split("(")[0]
            entries.setdefault(word, []).append(" ".join(parts[1:]))
    return entries


class Recognizer:
    """Decodes one turn of 16 kHz mono speech into one of the grammar's phrases, or nothing."""

    def __init__(self, grammar: Optional[Grammar] = None, garbage_weight: float = BARGE_IN_GARBAGE_WEIGHT) -> None:
        dictionary = read_dictionary(DICTIONARY)
        for word, pronunciations in read_dictionary(VARIANTS).items():
            dictionary[word] = pronunciations + [p for p in dictionary.get(word, []) if p not in pronunciations]

        def content_word(word: str) -> bool:
            if word not in dictionary:
                phones = espeak_pronunciation(word)
                if phones:
                    dictionary[word] = [phones]
            return word in dictionary

        self.grammar = grammar or build_grammar(lambda word: word in dictionary, content_word=content_word)
        self._work = tempfile.TemporaryDirectory(prefix="massage-coach-voice-")
        dict_path = Path(self._work.name) / "grammar.dict"
        with dict_path.open("w") as out:
            for word in sorted(self.grammar.words):
                for number, phones in enumerate(dictionary[word], start=1):
                    out.write(f"{word}{'' if number == 1 else f'({number})'} {phones}\n")
            for phone in GARBAGE_PHONES:
                out.write(f"{GARBAGE_PREFIX}{phone.lower()} {phone}\n")
        self.decoder = Decoder(hmm=str(ACOUSTIC_MODEL), dict=str(dict_path), loglevel="FATAL", lm=None,
                               **DECODER_SETTINGS)
        # Phones per phrase, for the duration check: narration is far longer than any phrase.
        self.phone_counts = {phrase: sum(len(dictionary[word][0].split()) for word in phrase.split())
                             for phrase in self.grammar.phrases}
        # A search per context ("routine", "idle", each with "+asked" while a question is open;
        # "" for every phrase), silent and speaking.
        base = sorted({c for contexts in self.grammar.contexts.values() for c in contexts} - {ASKED})
        self.contexts = ["", *base, *(f"{context}+{ASKED}" for context in base)]
        for context in self.contexts:
            self.decoder.add_jsgf_string(f"listening{context}", self.grammar.jsgf(context or None))
            self.decoder.add_jsgf_string(f"speaking{context}", self._jsgf(garbage_weight, context or None))
        self._noise = np.random.default_rng(0)

    def _jsgf(self, garbage_weight: float, context: Optional[str]) -> str:
        jsgf = self.grammar.jsgf(context)
        if garbage_weight <= 0:
            return jsgf
        phones = " | ".join(f"{GARBAGE_PREFIX}{phone.lower()}" for phone in GARBAGE_PHONES)
        head, public = jsgf.rstrip().rsplit("\n", 1)
        alternatives = public.split("=", 1)[1].rstrip(";").strip()
        return (f"{head}\n<garbage> = ({phones})+;\n"
                f"public <utterance> = /1/ ({alternatives}) | /{garbage_weight}/ <garbage>;\n")

    def recognise(self, samples: np.ndarray, while_speaking: bool = False, context: str = "") -> Recognition:
        """The phrase in one turn; `while_speaking`: the client's own voice may be in the audio;
        `context`: only that context's phrases ("routine", "idle+asked"), or "" for all of them."""
        started = time.perf_counter()
        noisy = np.clip(samples + self._noise.normal(0, NOISE_FLOOR, len(samples)), -32768, 32767)
        self.decoder.activate_search(("speaking" if while_speaking else "listening") + context)
        self.decoder.start_utt()
        self.decoder.process_raw(noisy.astype("<i2").tobytes(), full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        heard = hyp.hypstr if hyp else ""
        elapsed = (time.perf_counter() - started) * 1000
        action = self.grammar.phrases.get(heard, "")  # a partial phrase or garbage is not a command
        if action and not self.plausible_length(heard, len(samples) / RATE):
            action = ""
        return Recognition(heard if action else "", action, heard, elapsed)

    def plausible_length(self, phrase: str, seconds: float) -> bool:
        """Could `phrase` take `seconds` (with the segment's padding), even spoken slowly?"""
        return seconds <= max(MIN_TURN_S, SEGMENT_PADDING_S + MAX_PHONE_S * self.phone_counts[phrase])
