"""Recognisers side by side on the spoken corpus (issue 12): development and locked parts,
per synthesiser family and condition, everyday talk, human recordings, leave-one-family-out.

    python scripts/voice_corpus.py                 # render the corpus once (cached)
    python scripts/voice_decode.py grammar         # decode it once per recogniser (cached)
    python scripts/voice_decode.py whisper
    python scripts/bench_voice_corpus.py           # score (seconds)

A command counts as acted on correctly when the recogniser's decision has the spoken
command's intent and entities; "wrong" when it acts on another command; talk counts as
ignored when no command comes of it. Only utterances every recogniser decoded are scored
(the same audio for all). Thresholds are chosen on the development part only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from typing import Callable, Dict, List, Optional, Tuple

from massage_coach.clients.voice.commands import Command, CommandInterpreter
from massage_coach.clients.voice.grammar import normalise
from massage_coach.clients.voice.sound_alike import SoundAlikeInterpreter
from tests.support.voice_corpus import CONDITIONS, Utterance, utterances
from tests.support.voice_decodes import key, load

THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
WRONG_COST = 10  # choosing a threshold: a wrong command or a false trigger costs ten missed commands

Decision = Callable[[Utterance, str, float], Optional[Command]]


def context_of(item: Utterance) -> str:
    return "routine+asked" if item.kind == "answer" else "routine"


def expected(item: Utterance, interpreter: CommandInterpreter) -> Tuple[str, Dict]:
    entities = {}
    for name, value in item.entities.items():
        if name == "number":
            entities[name] = int(value)
        else:
            entities[name] = interpreter.entities(normalise(str(value))).get(name, value)
    return item.intent, entities


WHISPERS = ("whisper", "whisper-nons", "whisper-beam1", "whisper-30s")


def decisions(interpreter: CommandInterpreter) -> Dict[str, Decision]:
    grammar = load("grammar")

    def by_grammar(item, condition, threshold):
        record = grammar[key(item, condition)]
        return interpreter.phrase_command(record["phrase"], record["action"]) if record["action"] else None

    def by_transcript(decodes):
        def decide(item, condition, threshold):
            """The first turn's command, as the client would act on it (older caches: one transcript a
            turn; `threshold`: for a command heard one way only)."""
            record = decodes[key(item, condition)]
            views = record.get("views") or [[text] for text in record.get("turns", [record["text"]])]
            heard = (interpreter.interpret_views(turn, context_of(item), unconfirmed=threshold) for turn in views)
            return next((command for command in heard if command is not None), None)
        return decide

    return {"grammar": by_grammar, **{name: by_transcript(load(name)) for name in WHISPERS}}


def score(items: List[Tuple[Utterance, str]], decide: Decision, threshold: float,
          interpreter: CommandInterpreter) -> Dict[str, float]:
    counts = defaultdict(int)
    for item, condition in items:
        heard = decide(item, condition, threshold)
        if item.kind == "talk":
            counts["talk"] += 1
            counts["triggered"] += heard is not None
            continue
        counts["commands"] += 1
        if heard is None:
            counts["missed"] += 1
        elif (heard.intent, heard.entities) == expected(item, interpreter):
            counts["right"] += 1
        else:
            counts["wrong"] += 1
    return counts


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    - "


def row(label: str, counts: Dict[str, float]) -> str:
    commands, talk = counts["commands"], counts["talk"]
    return (f"  {label:<28} commands right {pct(counts['right'], commands)} wrong {pct(counts['wrong'], commands)}"
            f" (n={commands:3d})   talk ignored {pct(talk - counts['triggered'], talk)} (n={talk:3d})")


def choose_threshold(items, decide, interpreter) -> float:
    def cost(threshold):
        counts = score(items, decide, threshold, interpreter)
        return counts["right"] - WRONG_COST * (counts["wrong"] + counts["triggered"])
    return max(THRESHOLDS, key=cost)


def report(name: str, decoded, decide: Decision, threshold: float, interpreter: CommandInterpreter) -> None:
    """Per part, condition and family; answers; human recordings; leave-one-family-out."""
    for part in ("dev", "locked"):
        print(f" {part}:")
        part_items = [(i, c) for i, c in decoded if i.part == part and i.kind in ("command", "talk")]
        for condition in CONDITIONS:
            chosen = [(i, c) for i, c in part_items if c == condition]
            if chosen:
                print(row(condition, score(chosen, decide, threshold, interpreter)))
        for family in sorted({i.family for i, _ in part_items}):
            for condition in ("clean", "snr10"):
                chosen = [(i, c) for i, c in part_items if i.family == family and c == condition]
                if chosen:
                    print(row(f"{family} {condition}", score(chosen, decide, threshold, interpreter)))
        answers = [(i, c) for i, c in decoded if i.part == part and i.kind == "answer"]
        print(row("answers (yes/no asked)", score(answers, decide, threshold, interpreter)))
    human = [(i, c) for i, c in decoded if i.part == "human"]
    print(row("human recordings (talk)", score(human, decide, threshold, interpreter)))
    if name == "grammar":
        return
    print(" leave-one-family-out (threshold chosen on the dev part of the other families, "
          "tested on both parts of this family):")
    for family in sorted({i.family for i, _ in decoded if i.part != "human"}):
        tuned = choose_threshold([(i, c) for i, c in decoded if i.part == "dev" and i.family != family],
                                 decide, interpreter)
        held = [(i, c) for i, c in decoded if i.family == family and i.kind in ("command", "talk")]
        for condition in ("clean", "snr10"):
            print(row(f"{family} {condition} (t={tuned:g})",
                      score([(i, c) for i, c in held if c == condition], decide, tuned, interpreter)))


def decode_times(name: str) -> str:
    values = sorted(ms for record in load(name).values() for ms in record.get("decode_ms", [record["ms"]]))
    return (f"p50 {statistics.median(values):.0f} ms, p95 {values[int(0.95 * (len(values) - 1))]:.0f} ms"
            if values else "-")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recognisers", default=",".join(("grammar", *WHISPERS)))
    args = parser.parse_args()
    interpreter = SoundAlikeInterpreter()  # as the client reads transcripts (understanding.py)
    names = args.recognisers.split(",")
    everything = [(item, c) for item in utterances() for c in CONDITIONS]
    caches = {name: load(name) for name in names}  # each cache file read once
    decoded_by = {name: [(i, c) for i, c in everything if key(i, c) in caches[name]] for name in names}
    both = [(i, c) for i, c in everything if all(key(i, c) in caches[name] for name in names)]
    by_whisper = decoded_by.get("whisper", [])
    if not both:
        print("No decoded corpus yet: run scripts/voice_corpus.py, then scripts/voice_decode.py NAME "
              "for each of " + ", ".join(names) + " (see the README).")
        return 0
    all_decisions = decisions(interpreter)
    # Each recogniser's threshold on the development utterances it decoded.
    thresholds = {name: 0.0 if name == "grammar" else
                  choose_threshold([(i, c) for i, c in decoded_by[name] if i.part == "dev"],
                                   all_decisions[name], interpreter)
                  for name in names}
    print(f"== Side by side on the same audio ({len(both)} utterances decoded by every recogniser; "
          f"thresholds chosen on the development part: {thresholds})")
    for name in names:
        for part in ("dev", "locked"):
            for label, conditions in (("clean", ("clean",)), ("noisy", ("snr20", "snr10", "snr5", "room"))):
                chosen = [(i, c) for i, c in both if i.part == part and c in conditions and i.kind != "answer"]
                print(row(f"{name} {part} {label}", score(chosen, all_decisions[name], thresholds[name], interpreter)))
    for name in names:
        if name != "whisper":  # the others decoded only the side-by-side share
            continue
        print(f"\n== {name}, all {len(by_whisper)} utterances it decoded (threshold {thresholds[name]:g}, "
              "chosen on the development part)")
        report(name, by_whisper, all_decisions[name], thresholds[name], interpreter)
    for name in names:
        print(f"decode time {name}, whole turn after it ended, as measured while decoding the corpus: "
              f"{decode_times(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
