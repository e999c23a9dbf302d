"""Decoding the spoken corpus once per recogniser and caching what each heard.

A recogniser's raw output (the grammar phrase, the Whisper transcript) does not depend on
the thresholds tuned after it, so it is decoded once and kept in
CACHE_DIR/decodes/<recogniser>.jsonl; scoring then costs nothing. Whisper takes about a
second per utterance on two busy cores, so it decodes a fixed subset (`sampled`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Tuple

from tests.support.voice_corpus import CACHE_DIR, Utterance, stable_hash

DECODES_DIR = CACHE_DIR / "decodes"
# Share of the utterances decoded by the slow recognisers, per (part, kind, condition);
# everything not listed: none. The locked commands count most. Shares only ever shrink or grow:
# a smaller share keeps a subset of what a larger one decoded (the same hash decides).
SUBSET = {
    ("locked", "command", "clean"): 0.5, ("locked", "command", "snr10"): 0.5,
    ("locked", "command", "snr20"): 0.15, ("locked", "command", "snr5"): 0.15, ("locked", "command", "room"): 0.15,
    ("locked", "talk", "clean"): 0.6, ("locked", "talk", "snr10"): 0.15, ("locked", "answer", "clean"): 0.5,
    ("dev", "command", "clean"): 1.0, ("dev", "command", "snr10"): 1.0, ("dev", "command", "snr5"): 0.1,
    ("dev", "talk", "clean"): 1.0, ("dev", "talk", "snr10"): 0.1, ("dev", "answer", "clean"): 0.5,
    ("human", "talk", "clean"): 1.0, ("human", "talk", "snr10"): 1.0,
}


def sampled(item: Utterance, condition: str) -> bool:
    share = SUBSET.get((item.part, item.kind, condition), 0.0)
    return (stable_hash(f"{item.id}|{condition}") % 1000) < share * 1000


def key(item: Utterance, condition: str) -> str:
    return f"{item.part}/{item.family}/{item.id}|{condition}"


def load(recogniser: str) -> Dict[str, Dict]:
    path = DECODES_DIR / f"{recogniser}.jsonl"
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            found[record["key"]] = record
    return found


def decode_all(recogniser: str, work: Iterable[Tuple[Utterance, str]], decode: Callable[[Utterance, str], Dict],
               progress: Callable[[int, int], None] = lambda done, total: None) -> Dict[str, Dict]:
    """Decodes what is not cached yet, appending each result as it comes (an interrupted run resumes)."""
    DECODES_DIR.mkdir(parents=True, exist_ok=True)
    done = load(recogniser)
    todo: List[Tuple[Utterance, str]] = [(item, c) for item, c in work if key(item, c) not in done]
    path: Path = DECODES_DIR / f"{recogniser}.jsonl"
    with path.open("a") as out:
        for number, (item, condition) in enumerate(todo, start=1):
            record = {"key": key(item, condition), **decode(item, condition)}
            out.write(json.dumps(record) + "\n")
            out.flush()
            done[record["key"]] = record
            progress(number, len(todo))
    return done
