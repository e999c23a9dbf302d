"""Content names heard by their sound: what Whisper writes for a name it does not know.

Whisper tiny.en spells a word of the trade as words it knows: "kneading" as "needing",
"effleurage" as "Effler age" or "Ethelerage". The classifier then finds no technique in the
transcript ("What is needing?" is no question it can answer), or no command at all. So before
the classifier reads a transcript, each span of its words that SOUNDS like the name of a
technique (compared as espeak-ng's phonemes) is respelled as it. Names and words are turned
into phonemes once and remembered. Measured: scripts/bench_widget_recognition.py.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from typing import Dict, List, Optional, Sequence, Set, Tuple

from massage_coach.clients.voice.commands import Command, CommandInterpreter, words
from massage_coach.clients.voice.pronounce import ESPEAK_TO_ARPABET, arpabet

# How alike a span and a name must sound (phone sequences, difflib ratio); chosen on the spoken
# corpus's development part (scripts/bench_widget_recognition.py).
SIMILARITY = 0.75
# Names looked for by sound: the trade's own words, which Whisper does not know. (Conditions are
# not: everyday words sound like too many of them, "tell me" like "tumours".)
SOUGHT = ("technique",)
# A span's phones against the name's: "effler age" (6 of 9) is effleurage, "need" (3 of 5) is not kneading.
LENGTHS = (0.65, 1.4)
# A name must be this many phones long to be looked for by sound: short ones ("back", "neck")
# sound like too many everyday words.
MIN_NAME_PHONES = 5
VOWELS = {phone for phone in ESPEAK_TO_ARPABET.values() if phone[0] in "AEIOU"} | {"ER"}
CACHE_LIMIT = 20000  # words remembered (a long-running server hears many)


def skeleton(phones: str) -> List[str]:
    """ARPAbet phones with every vowel as "V": vowels are what a recogniser (and a synthesiser's
    accent) gets wrong most, the consonants carry a word."""
    return ["V" if phone in VOWELS else phone for phone in phones.split()]


class Phonemes:
    """Words to phones by espeak-ng (one call for all the words not seen before)."""

    def __init__(self) -> None:
        self._known: Dict[str, List[str]] = {}

    def __call__(self, spoken: Sequence[str]) -> List[List[str]]:
        new = sorted({word for word in spoken if word not in self._known})
        if new:
            if len(self._known) > CACHE_LIMIT:
                self._known.clear()
            found = self._espeak(new)
            self._known.update(zip(new, found) if len(found) == len(new) else
                               ((word, (self._espeak([word]) or [[]])[0]) for word in new))
        return [self._known[word] for word in spoken]

    @staticmethod
    def _espeak(spoken: List[str]) -> List[List[str]]:
        try:
            result = subprocess.run(["espeak-ng", "-q", "-x", "-v", "en-us", " ".join(spoken)], capture_output=True,
                                    text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return []
        return [skeleton(arpabet(token)) for token in result.stdout.split()]


class SoundAlikeInterpreter(CommandInterpreter):
    """The voice client's classifier, reading transcripts with content names respelled by sound."""

    def __init__(self, similarity: float = SIMILARITY, **options) -> None:
        super().__init__(**options)
        self.similarity = similarity
        self.phonemes = Phonemes()
        names = sorted({name for name, entity, _ in self.names if entity in SOUGHT})
        sounds = [sum(self.phonemes(name.split()), []) for name in names]
        self.sounds = [(name, sound) for name, sound in zip(names, sounds) if len(sound) >= MIN_NAME_PHONES]
        # Words the classifier learnt keep their meaning ("keep going" is no "cupping"), unless they
        # sound exactly like the name ("needing", "ringing").
        words_features = dict(self.model.steps[0][1].transformer_list)["words"]
        self.known = {term for term in words_features.vocabulary_ if " " not in term}

    def respell(self, transcript: str) -> str:
        """`transcript` in words (commands.words) with each span that sounds like a name replaced by it.
        Words that already spell a content name (of any kind) are left as they are."""
        said = words(transcript).split()
        phones = self.phonemes(said)
        spelled = set()
        padded = f" {' '.join(said)} "
        for name, _, _ in self.names:
            if f" {name} " in padded:
                start = padded[:padded.index(f" {name} ") + 1].count(" ") - 1
                spelled |= set(range(start, start + len(name.split())))
        while True:  # the most alike span of all first: "ringing" is wringing before it is rubbing
            found = [(closest, name) for name, sound in self.sounds
                     for closest in [self._closest(said, phones, name, sound, spelled)] if closest]
            if not found:
                break
            (_, _, start, end), name = min(found)
            said[start:end] = name.split()
            phones[start:end] = self.phonemes(name.split())
            spelled = {i if i < start else i + len(name.split()) - (end - start) for i in spelled}
            spelled |= set(range(start, start + len(name.split())))
        return " ".join(said)

    def _closest(self, said: List[str], phones: List[List[str]], name: str, sound: List[str],
                 spelled: Set[int]) -> Optional[Tuple[float, int, int, int]]:
        """The span of up to one word more than the name that sounds most like it (the shortest of
        equals), if alike enough and of a like length."""
        found = []
        for start in range(len(phones)):
            for end in range(start + 1, min(len(phones), start + len(name.split()) + 1) + 1):
                span = sum(phones[start:end], [])
                # A word's first and last sounds are the surest ("eating" is no "patting", "sticky" no "stroking").
                if not span or (span[0], span[-1]) != (sound[0], sound[-1]) or spelled & set(range(start, end)):
                    continue
                ratio = difflib.SequenceMatcher(None, span, sound, autojunk=False).ratio()
                needed = 1.0 if self.known & set(said[start:end]) else self.similarity
                if ratio >= needed and LENGTHS[0] <= len(span) / len(sound) <= LENGTHS[1]:
                    found.append((-ratio, end - start, start, end))
        return min(found) if found else None  # (-ratio, words, start, end)

    def interpret(self, transcript: str, context: str = "routine",
                  threshold: Optional[float] = None) -> Optional[Command]:
        return super().interpret(self.respell(transcript) if re.search(r"[a-z]", transcript.lower()) else transcript,
                                 context, threshold)
