"""Offline command recognition: pocketsphinx with a grammar generated from content/.

pocketsphinx's open language model turns espeak-ng speech into nonsense, so the decoder
only searches the grammar's phrases. A grammar always finds its closest phrase, so a
result only counts when the search reached the end of a whole phrase in a turn not far
longer than that phrase. The client's own voice never gets here: the echo gate
(echo.py) drops it first.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import numpy as np
from pocketsphinx import Decoder, get_model_path

from massage_coach.clients.voice.audio import RATE
from massage_coach.clients.voice.grammar import ASKED, Grammar, build_grammar
from massage_coach.clients.voice.pronounce import espeak_pronunciation

MODEL_DIR = Path(get_model_path()) / "en-us"
ACOUSTIC_MODEL = MODEL_DIR / "en-us"
DICTIONARY = MODEL_DIR / "cmudict-en-us.dict"
# Extra pronunciations, measured on espeak-ng speech (pronunciations.dict says why each).
VARIANTS = Path(__file__).with_name("pronunciations.dict")
# Decoder settings measured on espeak-ng speech (scripts/bench_voice.py): dither keeps
# the synthesiser's digital silence from breaking the features, the Viterbi path (not the
# lattice's best path) keeps results to whole phrases, wider beams keep short words alive.
DECODER_SETTINGS = dict(dither=True, bestpath=False, beam=1e-60, wbeam=1e-40, pbeam=1e-60, wip=0.2, topn=16,
                        silprob=0.1)
# A segment longer than its phrase could take is narration or talk, not a command: the
# segment's padding (0.1 s before, 0.25 s of silence after) plus this much per phone.
SEGMENT_PADDING_S = 0.35
MAX_PHONE_S = 0.22
# ... but a one-word command said slowly ("no" at 140 words a minute) may always take this long.
MIN_TURN_S = 1.0
# espeak-ng's pauses are digital zeros, which no microphone produces and which derail
# the features; this much noise (std, 16-bit) made recognition of its speech much better.
NOISE_FLOOR = 100.0


@dataclass
class Recognition:
    text: str  # the phrase heard, "" when rejected
    action: str  # "send", a local action, or "" when rejected
    best_guess: str  # what the decoder found, even when rejected
    decode_ms: float
    views: Tuple[str, ...] = ()  # every transcript of the turn (Whisper's; none from the grammar)


def read_dictionary(path: Path) -> Dict[str, List[str]]:
    """word -> pronunciations, with "word(2)" variants folded under "word"."""
    entries: Dict[str, List[str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith(";"):
            word = parts[0].split("(")[0]
            entries.setdefault(word, []).append(" ".join(parts[1:]))
    return entries


def search_name(context: str) -> str:
    return f"context:{context}"


class Recognizer:
    """Decodes one turn of 16 kHz mono speech into one of the grammar's phrases, or nothing."""

    def __init__(self, grammar: Optional[Grammar] = None) -> None:
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
        self.decoder = Decoder(hmm=str(ACOUSTIC_MODEL), dict=str(dict_path), loglevel="FATAL", lm=None,
                               **DECODER_SETTINGS)
        # Phones per phrase, for the duration check: narration is far longer than any phrase.
        self.phone_counts = {phrase: sum(len(dictionary[word][0].split()) for word in phrase.split())
                             for phrase in self.grammar.phrases}
        # A search per context ("routine", "idle", each with "+asked" while a question is open;
        # "" for every phrase).
        base = sorted({c for contexts in self.grammar.contexts.values() for c in contexts} - {ASKED})
        self.contexts = ["", *base, *(f"{context}+{ASKED}" for context in base)]
        meanings = self._meanings()
        self._final_phrases: Dict[str, Set[str]] = {}  # per context, see `complete`
        for context in self.contexts:
            self.decoder.add_jsgf_string(search_name(context), self.grammar.jsgf(context or None))
            self._final_phrases[context] = self._final(
                [p for p in self.grammar.phrases if self.grammar.searched(self.grammar.contexts[p], context)], meanings)
        self._noise = np.random.default_rng(0)
        self._context, self._turn = "", []
        self._calibrated = False  # see `_calibrate`

    def _meanings(self) -> Dict[str, str]:
        """phrase -> what the client does with it: its local action, or the NLU intent it is an
        example of (phrases of neither have no known meaning)."""
        meanings = {phrase: action for phrase, action in self.grammar.phrases.items() if action != "send"}
        return {**{phrase: intent for phrase, intent in self.grammar.intents.items()
                   if self.grammar.phrases[phrase] == "send"}, **meanings}

    @staticmethod
    def _final(phrases: List[str], meanings: Dict[str, str]) -> Set[str]:
        """The phrases after which a turn may end early: no longer phrase starts with them, or
        every one that does means the same ("next step" after "next"; not "stop the massage")."""
        going_on: Dict[str, Set[Optional[str]]] = {}  # a phrase's start -> meanings of the phrases that go on
        for phrase in phrases:
            words = phrase.split()
            for n in range(1, len(words)):
                going_on.setdefault(" ".join(words[:n]), set()).add(meanings.get(phrase))
        return {phrase for phrase in phrases
                if phrase not in going_on or (phrase in meanings and going_on[phrase] == {meanings[phrase]})}

    def begin(self, context: str = "") -> None:
        """Starts a turn that is decoded while it is spoken: `feed` it from its first sample.
        `context`: only that context's phrases ("routine", "idle+asked"), or "" for all of them."""
        self._context = context
        self._mean_before = self.decoder.get_cmn()
        self.decoder.activate_search(search_name(context))
        self.decoder.start_utt()
        self._turn: List[np.ndarray] = []

    def feed(self, samples: np.ndarray) -> None:
        noisy = np.clip(samples + self._noise.normal(0, NOISE_FLOOR, len(samples)), -32768, 32767).astype("<i2")
        # Live cepstral mean normalisation (full_utt=False): the mean comes from the turns
        # before, so no look at the whole turn is needed first.
        self.decoder.process_raw(noisy.tobytes(), full_utt=False)
        self._turn.append(noisy)

    def complete(self) -> bool:
        """Is the best phrase so far whole, and does every longer phrase of the search that starts
        with it mean the same? ("next" may go on as "next step": fine; "stop" as "stop the massage":
        wait; "go to step" is no phrase.) Then the turn may end before the usual silence. Before the
        first command is heard, the live mean is no good (see `_calibrate`), but this only decides
        when the turn ends: `finish` then decodes it again as a whole."""
        hyp = self.decoder.hyp()
        return hyp is not None and self.ends_turn(hyp.hypstr, self._context)

    def ends_turn(self, phrase: str, context: str) -> bool:
        """May a turn end right after `phrase` (see `complete`)?"""
        return phrase in self._final_phrases[context]

    def finish(self, length_s: Optional[float] = None) -> Recognition:
        """The phrase of the turn fed so far; `decode_ms`: the work left after its last sample.
        `length_s`: the turn's length had the usual silence ended it (a turn that ended early
        is shorter; the length check must not get looser for it); else what was fed."""
        started = time.perf_counter()
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        heard = hyp.hypstr if hyp else ""
        if not self._calibrated:
            heard = self._calibrate()
        elapsed = (time.perf_counter() - started) * 1000
        action = self.grammar.phrases.get(heard, "")  # a partial phrase or garbage is not a command
        if length_s is None:
            length_s = sum(map(len, self._turn)) / RATE
        if action and not self.plausible_length(heard, length_s):
            action = ""
        return Recognition(heard if action else "", action, heard, elapsed)

    def cancel(self) -> None:
        """Drops the turn fed so far (a click, the client's own voice): the cepstral mean forgets it."""
        self.decoder.end_utt()
        self.decoder.set_cmn(self._mean_before)

    def _calibrate(self) -> str:
        """Until a first command is heard, the live mean is the model's, far from this microphone's
        (measured: most first commands misheard). Then the turn is decoded again with its own mean
        (the decoder keeps it for the next turns) - a whole-turn decode, for the first command only."""
        before = self.decoder.get_cmn()
        self.decoder.start_utt()
        self.decoder.process_raw(np.concatenate(self._turn).tobytes(), full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        heard = hyp.hypstr if hyp else ""
        self._calibrated = heard in self.grammar.phrases
        if not self._calibrated:  # noise or a cough: its mean is no microphone's speech
            self.decoder.set_cmn(before)
        return heard

    def recognise(self, samples: np.ndarray, context: str = "") -> Recognition:
        """The phrase in one whole turn (see `begin`); `decode_ms` covers all of its decoding."""
        started = time.perf_counter()
        self.begin(context)
        self.feed(samples)
        recognition = self.finish()
        recognition.decode_ms = (time.perf_counter() - started) * 1000
        return recognition

    def plausible_length(self, phrase: str, seconds: float) -> bool:
        """Could `phrase` take `seconds` (with the segment's padding), even spoken slowly?"""
        return seconds <= max(MIN_TURN_S, SEGMENT_PADDING_S + MAX_PHONE_S * self.phone_counts[phrase])
