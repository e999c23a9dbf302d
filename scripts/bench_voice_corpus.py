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
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from massage_coach.voice.commands import LOCAL_INTENTS, Command, CommandInterpreter  # noqa: E402
from massage_coach.voice.corpus import CONDITIONS, Utterance, utterances  # noqa: E402
from massage_coach.voice.corpus_decodes import key, load  # noqa: E402
from massage_coach.voice.grammar import normalise  # noqa: E402

THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]
WRONG_COST = 5  # choosing a threshold: a wrong command or a false trigger costs five missed commands

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


def decisions(interpreter: CommandInterpreter) -> Dict[str, Decision]:
    grammar, whisper = load("grammar"), load("whisper")

    def grammar_meaning(phrase: str, action: str) -> Optional[Command]:
        if not action:
            return None
        if action in LOCAL_INTENTS:
            return Command(action, {}, 1.0, phrase)
        if action == "pause":
            return Command("pause_routine", {}, 1.0, phrase)
        meaning = CommandInterpreter.interpret(interpreter, phrase, "routine+asked+idle")
        return meaning or Command("unknown", {}, 1.0, phrase)

    def by_grammar(item, condition, threshold):
        record = grammar[key(item, condition)]
        return grammar_meaning(record["phrase"], record["action"])

    def by_whisper(item, condition, threshold):
        interpreter.threshold = threshold
        return interpreter.interpret(whisper[key(item, condition)]["text"], context_of(item))

    def agreeing(item, condition, threshold):
        """Whisper's command, also taken at a lower threshold when the grammar heard the same."""
        interpreter.threshold = min(threshold, 0.3)
        heard = interpreter.interpret(whisper[key(item, condition)]["text"], context_of(item))
        if heard is None or heard.confidence >= threshold:
            return heard
        record = grammar[key(item, condition)]
        same = grammar_meaning(record["phrase"], record["action"])
        return heard if same is not None and same.intent == heard.intent else None

    return {"grammar": by_grammar, "whisper": by_whisper, "whisper+grammar": agreeing}


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recognisers", default="grammar,whisper,whisper+grammar")
    args = parser.parse_args()
    interpreter = CommandInterpreter()
    caches = [load(name) for name in ("grammar", "whisper")]
    decoded = [(item, c) for item in utterances() for c in CONDITIONS if all(key(item, c) in cache for cache in caches)]
    all_decisions = decisions(interpreter)
    print(f"{len(decoded)} utterances decoded by every recogniser")
    for name in args.recognisers.split(","):
        decide = all_decisions[name]
        dev = [(i, c) for i, c in decoded if i.part == "dev"]
        threshold = choose_threshold(dev, decide, interpreter) if name != "grammar" else 0.0
        print(f"\n== {name} (threshold {threshold:g}, chosen on the development part)")
        for part in ("dev", "locked"):
            print(f" {part}:")
            part_items = [(i, c) for i, c in decoded if i.part == part and i.kind in ("command", "talk")]
            for condition in CONDITIONS:
                chosen = [(i, c) for i, c in part_items if c == condition]
                if chosen:
                    print(row(condition, score(chosen, decide, threshold, interpreter)))
            families = sorted({i.family for i, _ in part_items})
            for family in families:
                for condition in ("clean", "snr10"):
                    chosen = [(i, c) for i, c in part_items if i.family == family and c == condition]
                    if chosen:
                        print(row(f"{family} {condition}", score(chosen, decide, threshold, interpreter)))
            answers = [(i, c) for i, c in decoded if i.part == part and i.kind == "answer"]
            print(row("answers (yes/no asked)", score(answers, decide, threshold, interpreter)))
        human = [(i, c) for i, c in decoded if i.part == "human"]
        print(row("human recordings (talk)", score(human, decide, threshold, interpreter)))
        if name != "grammar":
            print(" leave-one-family-out (threshold chosen on the dev part of the other families, "
                  "tested on all of this family):")
            for family in sorted({i.family for i, _ in decoded if i.part != "human"}):
                tuned = choose_threshold([(i, c) for i, c in decoded if i.part == "dev" and i.family != family],
                                         decide, interpreter)
                held = [(i, c) for i, c in decoded if i.family == family and i.kind in ("command", "talk")]
                print(row(f"{family} (t={tuned:g})", score(held, decide, tuned, interpreter)))
        whisper_ms = [r["ms"] for r in load("whisper").values()]
        grammar_ms = [r["ms"] for r in load("grammar").values()]
        for label, values in (("grammar", grammar_ms), ("whisper", whisper_ms)):
            if values and label in name:
                values.sort()
                print(f" decode time {label}: p50 {statistics.median(values):.0f} ms, "
                      f"p95 {values[int(0.95 * (len(values) - 1))]:.0f} ms (whole turn, after it ended)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
