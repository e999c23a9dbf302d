"""Medical nouns from WordNet 3.0, read at training time (never at run time).

Debian's `wordnet-base` ships the WordNet database in /usr/share/wordnet; NLTK's
WordNetCorpusReader reads it. The trained model stores the word lists, so the servers
need neither NLTK nor the data, and nothing is ever downloaded.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Set

WORDNET_DIR = Path(os.environ.get("WORDNET_DIR", "/usr/share/wordnet"))
# WordNet's lexicographer files, numbered as in its lexnames(5WN) page. Debian leaves the
# `lexnames` file out of wordnet-base; NLTK's reader needs it to start.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()


# A word counts as a noun unless its other uses are this many times more frequent
# (counts plus one, so a word seen once as an adjective and never as a noun still counts):
# "antibiotic" is an adjective now and then, "cold" mostly.
NOUN_WEIGHT = 3


class WordNetUnavailable(RuntimeError):
    """The WordNet data is not installed (Debian package wordnet-base)."""


@lru_cache(maxsize=1)
def wordnet():
    """NLTK's reader over Debian's WordNet files (a scratch folder adds `lexnames`)."""
    if not (WORDNET_DIR / "data.noun").exists():
        raise WordNetUnavailable(f"no WordNet data in {WORDNET_DIR}: install the Debian package wordnet-base")
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class LocalWordNet(WordNetCorpusReader):
        def map_wn(self, version: str = "wordnet"):
            return None  # maps other WordNet versions' ids (multilingual data): not used, not installed

    scratch = Path(tempfile.mkdtemp(prefix="wordnet-"))
    for path in WORDNET_DIR.iterdir():
        (scratch / path.name).symlink_to(path)
    (scratch / "lexnames").write_text("".join(f"{i:02d}\t{name}\t0\n" for i, name in enumerate(LEXNAMES)))
    return LocalWordNet(str(scratch), None)


def _mostly_noun(wn, lemma: str) -> bool:
    """True when WordNet's sense counts use the word more as a noun than otherwise
    ("cold" is mostly an adjective, "fever" a noun); unseen words count as nouns."""
    counts: Dict[str, int] = {}
    for synset in wn.synsets(lemma):
        pos = "n" if synset.pos() == "n" else "other"
        counts[pos] = counts.get(pos, 0) + sum(entry.count() for entry in synset.lemmas()
                                                 if entry.name().lower() == lemma)
    return (counts.get("n", 0) + 1) * NOUN_WEIGHT >= counts.get("other", 0)  # +1: unseen senses


def _hyponym_lemmas(wn, roots: Iterable[str], instances: bool = True) -> Dict[str, Set[str]]:
    """lemma -> names of the synsets under `roots` (all levels) it names; with `instances`, also
    named instances ("Parkinson", a physician)."""
    found: Dict[str, Set[str]] = {}
    for root in roots:
        top = wn.synset(root)
        for synset in [top, *top.closure(lambda s: s.hyponyms() + (s.instance_hyponyms() if instances else []))]:
            for lemma in synset.lemma_names():
                found.setdefault(lemma.lower(), set()).add(synset.name())
    return found


def nouns_under(roots: Iterable[str], exclude: Iterable[str] = (), excluded_roots: Iterable[str] = (),
                any_sense: bool = False, instances: bool = True) -> List[str]:
    """Words (spaces for WordNet's underscores) whose most frequent noun sense (or, with `any_sense`,
    any sense: "lithium" is a metal first, a drug too) lies under one of `roots` but not under
    `excluded_roots`, used mostly as nouns, minus `exclude`."""
    wn = wordnet()
    excluded = {e.lower() for e in exclude}
    left_out = {name for names in _hyponym_lemmas(wn, excluded_roots).values() for name in names}
    words = []
    for lemma, names in _hyponym_lemmas(wn, roots, instances).items():
        synsets = names - left_out
        word = lemma.replace("_", " ")
        if word in excluded or not word.replace(" ", "").replace("-", "").replace("'", "").isalpha():
            continue
        senses = wn.synsets(lemma, "n")[: None if any_sense else 1]
        if any(sense.name() in synsets for sense in senses) and _mostly_noun(wn, lemma):
            words.append(word)
    return sorted(words)


def nouns_in_lexfiles(lexnames: Iterable[str], adjectives: bool = True) -> List[str]:
    """Single words whose most frequent noun sense is filed in one of `lexnames` ("noun.artifact")
    and that are used mostly as nouns: "jacuzzi", "sauna" (things), not "well" (mostly an adverb).
    Without `adjectives`, none that may be an adjective too ("slight": a snub, and "a slight fever")."""
    wn, wanted = wordnet(), set(lexnames)
    words = set()
    for synset in wn.all_synsets("n"):
        if synset.lexname() not in wanted:
            continue
        for lemma in synset.lemma_names():
            word = lemma.lower()
            if word.isalpha() and wn.synsets(word, "n")[0] == synset and _mostly_noun(wn, word) and (
                    adjectives or not wn.synsets(word, "a")):
                words.add(word)
    return sorted(words)
