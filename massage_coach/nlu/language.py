"""spaCy pipeline for Massage Coach: a blank English model with rule components.

No trained English model can be installed here, so the pipeline is
`spacy.blank("en")` plus two registered components:

- `lemma_norm` writes the lookup lemma of the lower-cased word into `token.norm_`,
  so phrase patterns match "Expecting a baby", "expects a baby" and "expecting babies";
- `negation_scope` marks entities that a cue such as "not", "no" or "never" negates
  ("she is not pregnant", "no fever"), unless the sentence voices doubt ("not sure").

The entity ruler (spaCy's own) matches on NORM with patterns generated from content/.
"""


import os
import re
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.lookups import Table, load_lookups
from spacy.tokens import Doc, Span

from massage_coach.domain.numbers import ORDINALS, TENS, parse_number  # noqa: F401 (parse_number: used by the components)

Span.set_extension("negated", default=False, force=True)

# Lemmas of words that negate what follows them in the same clause.
DEFAULT_NEGATION_CUES = [
    "not", "no", "never", "without", "neither", "nor", "none", "free", "deny", "nothing",
]
# Lemmas that end a clause: a negation before them does not reach past them.
# "and" is one on purpose: "no fever and she is pregnant" must not clear the pregnancy;
# so are nouns a negation can attach to instead ("no problem with her being pregnant").
DEFAULT_SCOPE_BREAKERS = [
    "but", "however", "although", "though", "yet", "except", "and", "also", "plus",
    "because", "while", "whereas", ",", ";", ".", "?", "!", ":", "-",
    "problem", "issue", "worry", "concern", "risk", "one", "body",
]
# Doubt or reported speech turns a negation into a possibility, which must not clear a
# condition: "I'm not sure she isn't pregnant", "no one told me she was pregnant".
DEFAULT_DOUBT_CUES = [
    "sure", "know", "certain", "maybe", "might", "perhaps", "possibly", "unsure", "think",
    "suspect", "wonder", "whether", "probably", "idea", "doubt", "tell", "say", "mention",
    "realize", "realise", "aware", "forget", "ask", "check", "remember",
]
# "No she is pregnant": a leading "no" followed by a new subject answers something else.
DEFAULT_SUBJECTS = ["she", "he", "they", "i", "we", "my", "his", "her", "their", "it", "the"]


class LemmaNorm:
    """Sets token.norm_ to the lookup lemma of the lower-cased token."""

    def __init__(self, lookup_table: Table, overrides: Dict[str, str]) -> None:
        self.lookup_table = lookup_table
        self.overrides = overrides

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            lemma = self.overrides.get(token.lower_) or self.lookup_table.get(token.lower_)
            if lemma:
                token.norm_ = lemma.lower()
        return doc


@lru_cache(maxsize=None)
def lemma_table(lang: str = "en") -> Table:
    # A spaCy Table, not a dict: its keys are string hashes, looked up by string.
    return load_lookups(lang=lang, tables=["lemma_lookup"]).get_table("lemma_lookup")


@lru_cache(maxsize=None)
def english_lexicon() -> FrozenSet[str]:
    """Lower-cased English lemmas known to spaCy's lookup tables."""
    return frozenset(lemma.lower() for lemma in lemma_table("en").values())


# Lookup lemmas that would turn an everyday word into a condition: the table reads
# "number" as the comparative of "numb", so "step number six" looked like numbness.
# "&" is written for "and" ("pins & needles").
DEFAULT_LEMMA_OVERRIDES = {"number": "number", "numbers": "number", "&": "and"}


@Language.factory("lemma_norm", default_config={"lang": "en", "overrides": DEFAULT_LEMMA_OVERRIDES})
def make_lemma_norm(nlp: Language, name: str, lang: str, overrides: Dict[str, str]) -> LemmaNorm:
    return LemmaNorm(lemma_table(lang), overrides)


class NegationScope:
    """Marks `span._.negated` on entities preceded by a negation cue in their clause."""

    def __init__(
        self,
        cues: Iterable[str],
        scope_breakers: Iterable[str],
        doubt_cues: Iterable[str],
        subjects: Iterable[str],
        window: int,
    ) -> None:
        self.cues = set(cues)
        self.scope_breakers = set(scope_breakers)
        self.doubt_cues = set(doubt_cues)
        self.subjects = set(subjects)
        self.window = window

    def __call__(self, doc: Doc) -> Doc:
        doubtful = any(token.norm_ in self.doubt_cues for token in doc)
        for entity in doc.ents:
            entity._.negated = not doubtful and self._negated(doc, entity)
        return doc

    def _negated(self, doc: Doc, entity: Span) -> bool:
        start = max(0, entity.start - self.window)
        for token in reversed(doc[start : entity.start]):
            if token.norm_ in self.scope_breakers or token.text in self.scope_breakers:
                return False
            if self._is_cue(doc, token.i):
                return True
        return False

    def _is_cue(self, doc: Doc, i: int) -> bool:
        token = doc[i]
        if token.lower_ in ("n't", "nt", "not") and i <= 1 and doc[-1].text == "?":
            return False  # "Isn't she pregnant?" asks; it does not deny
        if token.lower_ == "no" and i == 0 and i + 1 < len(doc) and doc[i + 1].lower_ in self.subjects:
            return False  # "No she is pregnant" answers a question; it does not deny
        return token.norm_ in self.cues or token.lower_ in ("n't", "nt")


@Language.factory(
    "negation_scope",
    default_config={
        "cues": DEFAULT_NEGATION_CUES,
        "scope_breakers": DEFAULT_SCOPE_BREAKERS,
        "doubt_cues": DEFAULT_DOUBT_CUES,
        "subjects": DEFAULT_SUBJECTS,
        "window": 6,
    },
)
def make_negation_scope(
    nlp: Language,
    name: str,
    cues: List[str],
    scope_breakers: List[str],
    doubt_cues: List[str],
    subjects: List[str],
    window: int,
) -> NegationScope:
    return NegationScope(cues, scope_breakers, doubt_cues, subjects, window)


# "step five", "number 12", "to twenty five": a step number. The leading word keeps
# "this one" or "no one" from reading as numbers; the extractor drops it from the entity
# (number_words).
NUMBER_PATTERN = {"label": "number", "pattern": [{"LOWER": {"IN": ["step", "number", "to"]}}, {"LIKE_NUM": True},
                                                 {"ORTH": "-", "OP": "?"}, {"LIKE_NUM": True, "OP": "?"}]}
# "the fourth step", "the 3rd step", "the twenty-first step": an ordinal before "step".
# Only ordinals: "one step back" is a move back, not step 1.
ORDINAL_STEP_PATTERNS = [
    {"label": "number", "pattern": [{"LOWER": {"IN": list(TENS)}, "OP": "?"}, {"ORTH": "-", "OP": "?"},
                                    {"LOWER": {"IN": ORDINALS[1:]}}, {"LOWER": "step"}]},
    {"label": "number", "pattern": [{"TEXT": {"REGEX": r"^\d+(st|nd|rd|th)$"}}, {"LOWER": "step"}]},
]
STEP_NUMBER_CONTEXT = {"step", "number", "to"}
# Patterns of what a person asks the routines for, not of health talk (the clinical pipeline has
# none of them: "pain down to the end of her leg", "fainted 10 minutes ago").
# "the last step", "skip to the end": the routine's last step, whichever number it has.
LAST_STEP_PATTERNS: List[Dict[str, Any]] = [
    {"label": "last_step", "pattern": [{"LOWER": {"IN": ["last", "final", "closing"]}},
                                       {"LOWER": {"IN": ["step", "move"]}}]},
    {"label": "last_step", "pattern": [{"LOWER": "to"}, {"LOWER": "the"}, {"LOWER": {"IN": ["end", "finish"]}}]},
]
# The time the person has: "20 minutes", "15 mins", "half an hour" (the id is the minutes).
MINUTE_WORDS = ["minute", "minutes", "min", "mins"]
AVAILABLE_TIME_PATTERNS: List[Dict[str, Any]] = [
    {"label": "minutes", "pattern": [{"LIKE_NUM": True}, {"ORTH": "-", "OP": "?"}, {"LOWER": {"IN": MINUTE_WORDS}}]},
    {"label": "minutes", "id": "30", "pattern": [{"LOWER": "half"}, {"LOWER": {"IN": ["an", "a"]}}, {"LOWER": "hour"}]},
    {"label": "minutes", "id": "15", "pattern": [{"LOWER": "quarter"}, {"LOWER": "of"}, {"LOWER": {"IN": ["an", "a"]}},
                                                 {"LOWER": "hour"}]},
    {"label": "minutes", "id": "60", "pattern": [{"LOWER": {"IN": ["an", "one"]}}, {"LOWER": "hour"}]},
]
ROUTINE_REQUEST_PATTERNS: List[Dict[str, Any]] = [*LAST_STEP_PATTERNS, *AVAILABLE_TIME_PATTERNS]


def number_words(span: Span) -> Span:
    """The number in a step-number match, without its context words ("step", "to")."""
    start, end = span.start, span.end
    while start < end and span.doc[start].lower_ in STEP_NUMBER_CONTEXT:
        start += 1
    while end > start and span.doc[end - 1].lower_ in STEP_NUMBER_CONTEXT:
        end -= 1
    return span.doc[start:end]


def build_pipeline(patterns: Optional[List[Dict[str, Any]]] = None, read_typos: bool = True) -> Language:
    """Tokenizer and lemma norms; with patterns, also typos read as the patterns' words (unless the
    caller reads them its own way), the entity ruler and negation."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemma_norm")
    if patterns is not None:
        if read_typos:  # "the relaxng one", "kneeding": no English word, one edit from a word of the patterns
            nlp.add_pipe("typo_norm", config={"vocabulary": pattern_words(patterns)})
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM"})
        # spaCy types add_pipe as any pipe; this one is the EntityRuler.
        ruler.add_patterns([*patterns, NUMBER_PATTERN, *ORDINAL_STEP_PATTERNS])  # type: ignore[attr-defined]
        nlp.add_pipe("negation_scope")
    return nlp


def pattern_words(patterns: Iterable[Dict[str, Any]]) -> List[str]:
    """The words entity-ruler patterns match: those of phrase patterns and of token patterns' lists."""
    words: Set[str] = set()
    for entry in patterns:
        pattern = entry["pattern"]
        if isinstance(pattern, str):
            words.update(pattern.lower().split())
            continue
        for token in pattern:
            for value in token.values():
                if isinstance(value, dict):
                    words.update(value.get("IN", []))
                elif isinstance(value, str):
                    words.add(value)
    return sorted(word for word in words if word.isalpha())


# "The" in a phrase also matches a possessive: "between his shoulder blades", "top of her back".
POSSESSIVES_FOR_THE = ("his", "her", "my", "their", "your")


def patterns_from_phrases(phrases_by_label: Dict[str, Iterable[tuple]]) -> List[Dict[str, str]]:
    """Entity-ruler phrase patterns: {label, pattern, id} for each (id, phrase), and each
    phrase with "the" also with a possessive in its place."""
    return [
        {"label": label, "pattern": variant, "id": entry_id}
        for label, phrases in phrases_by_label.items()
        for entry_id, phrase in phrases
        for variant in [phrase, *(re.sub(r"\bthe\b", owner, phrase) for owner in POSSESSIVES_FOR_THE
                                  if re.search(r"\bthe\b", phrase))]
    ]


# Typo candidates: shorter words are one edit from too many others; longer ones are no
# typos, and their edits would cost seconds ("x" * 20,000).
MIN_TYPO_LENGTH, MAX_TYPO_LENGTH = 4, 20
# A word cut short ("osteochondros"): at least this long, and this share of the one word it begins.
MIN_TRUNCATED_LENGTH, MIN_TRUNCATED_SHARE = 6, 0.75
# "afebrile", "atypical": a prefix that makes a word its opposite, so no typo of it.
NEGATING_PREFIX = "a"


def one_edit_away(word: str) -> Set[str]:
    """Words one deletion, swap of neighbours, substitution or insertion from `word`."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    )


@lru_cache(maxsize=1)
def english_words() -> Set[str]:
    """Words spaCy knows as English: the lookup table's lemmas and the stop words."""
    return set(english_lexicon()) | set(STOP_WORDS)


class TypoNorm:
    """A word unknown to English and one edit from a single lexicon word reads as it
    ("pregnent" -> "pregnant"); "never" stays "never", not "fever". A clipped form read as
    its word ("preg", "yrs": recognition.yml `clipped_forms`), and a word cut short as the one
    lexicon word it begins ("osteochondros"). A word spelt as another language spells the ending
    ("osteochondroza": `foreign_endings`) is tried in English spelling too."""

    def __init__(self, vocabulary: Iterable[str], known: Iterable[str],
                 clipped: Optional[Dict[str, str]] = None, foreign_endings: Iterable[Sequence[str]] = ()) -> None:
        self.vocabulary = set(vocabulary)
        self.known = english_words() | set(known)
        self.lemmas = lemma_table()
        self.clipped = clipped or {}
        self.foreign_endings = [(re.compile(pattern), english) for pattern, english in foreign_endings]
        self.long_words = sorted(w for w in self.vocabulary if len(w) >= MIN_TRUNCATED_LENGTH)

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            word = token.lower_
            if word in self.clipped:
                token.norm_ = self._lemma(self.clipped[word])
            elif (MIN_TYPO_LENGTH <= len(word) <= MAX_TYPO_LENGTH and word.isalpha() and word not in self.vocabulary
                    and token.norm_ not in self.vocabulary and not {word, token.norm_} & self.known):
                # (an inflected English word is known by its lemma: "injections" is no typo of "infections")
                # "afebrile" is not febrile: a word that is a lexicon word after "a" is its opposite.
                for spelt in dict.fromkeys([word, *(pattern.sub(english, word)
                                                    for pattern, english in self.foreign_endings)]):
                    candidates = self._candidates(spelt)
                    if len(candidates) == 1:  # its lemma, as for any word: "exspecting" -> "expect"
                        token.norm_ = self._lemma(candidates[0])
                        break
        return doc

    def _candidates(self, word: str) -> List[str]:
        if word in self.vocabulary:
            return [word]
        candidates = sorted(c for c in one_edit_away(word) & self.vocabulary if word != NEGATING_PREFIX + c)
        if len(candidates) > 1 and len(os.path.commonprefix(candidates)) >= MIN_TRUNCATED_LENGTH:
            # Forms of one word ("diabeties": diabetes or diabetics): the shortest, the word itself.
            return [min(candidates, key=lambda c: (len(c), c))]
        return candidates or self._completions(word)

    def _lemma(self, word: str) -> str:
        return (self.lemmas.get(word) or word).lower()

    def _completions(self, word: str) -> List[str]:
        """The lexicon words a long unknown word begins, when it is most of each."""
        if len(word) < MIN_TRUNCATED_LENGTH:
            return []
        return [w for w in self.long_words if w.startswith(word) and len(word) >= MIN_TRUNCATED_SHARE * len(w)]


@Language.factory("typo_norm", default_config={"vocabulary": [], "known": [], "clipped": {}, "foreign_endings": []})
def make_typo_norm(nlp: Language, name: str, vocabulary: List[str], known: List[str],
                   clipped: Dict[str, str], foreign_endings: List[List[str]]) -> TypoNorm:
    return TypoNorm(vocabulary, known, clipped, foreign_endings)
