"""Renders the spoken test corpus (tests/support/voice_corpus.py) into its cache, or checks it.

    python scripts/voice_corpus.py           # render what is missing
    python scripts/voice_corpus.py --check   # no corpus phrasing is a grammar or NLU phrase
"""

from __future__ import annotations

import argparse
import collections
import sys

import yaml

from massage_coach.clients.voice.commands import SPEC_PATH, training_examples
from massage_coach.clients.voice.grammar import PHRASES_PATH, normalise
from tests.support.voice_corpus import CACHE_DIR, PARTS, ensure_rendered, load_part, utterances


def known_phrasings() -> set:
    """Every example the voice classifier learns from (the NLU data, its spoken phrasings, speech
    settings and talk) and every phrase written in phrases.yml, normalised."""
    known = {normalise(text) for text, _ in training_examples(yaml.safe_load(SPEC_PATH.read_text()))}
    spec = yaml.safe_load(PHRASES_PATH.read_text())
    known.update(normalise(p) for p in [*spec["local"], *spec["confirm"]])
    known.update(normalise(p) for group in spec["always"].values() for p in group)
    return known


def check() -> int:
    known, clashes = known_phrasings(), []
    for part in PARTS:
        phrases = load_part(part)
        for item in phrases["commands"] + phrases["answers"] + [{"text": t} for t in phrases["talk"]]:
            if normalise(item["text"]) in known:
                clashes.append(f"{part}: {item['text']}")
    print("\n".join(clashes) or "no corpus phrasing is in the grammar or the NLU data")
    return 1 if clashes else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        return check()
    items = utterances()
    made = ensure_rendered(items, progress=lambda n: print(f"  {n} rendered...", flush=True))
    counts = collections.Counter((item.part, item.kind) for item in items)
    print(f"{made} new files in {CACHE_DIR}; " + ", ".join(f"{p}/{k}: {n}" for (p, k), n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
