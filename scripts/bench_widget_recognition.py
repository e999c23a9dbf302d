"""The widget's hands-free recogniser measured before it was switched (issue 14): the pocketsphinx
grammar it used against the voice client's Whisper recogniser, on the same audio of the spoken
corpus, and Whisper with technique names matched by sound (massage_coach/clients/voice/sound_alike.py)
on spoken mid-routine questions (tests/hands_free_questions.yml).

    python scripts/voice_corpus.py && python scripts/voice_decode.py grammar --share 0.25 \\
        && python scripts/voice_decode.py whisper      # the corpus and its decodes (cached, shared)
    python scripts/bench_widget_recognition.py          # renders and transcribes the questions once

The widget decodes as the voice client's listener does (Segmenter, a decision when the closing
silence begins), so the corpus's cached decodes are the widget's. Thresholds are chosen on the
development part only (scripts/bench_voice_corpus.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import yaml

from massage_coach.clients.voice.audio import silence
from massage_coach.clients.voice.commands import CommandInterpreter
from massage_coach.clients.voice.sound_alike import SoundAlikeInterpreter
from scripts.bench_voice_corpus import decisions, row, score
from tests.support.voice_corpus import CACHE_DIR, CONDITIONS, stable_hash, synthesise, utterances, voices
from tests.support.voice_decodes import key, load

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "hands_free_questions.yml"
QUESTION_CACHE = CACHE_DIR / "decodes" / "hands-free-questions.jsonl"


def side_by_side() -> None:
    plain, by_sound = CommandInterpreter(), SoundAlikeInterpreter()
    deciders = {"grammar": decisions(plain)["grammar"], "whisper": decisions(plain)["whisper"],
                "whisper + names by sound": decisions(by_sound)["whisper"]}
    interpreters = {"grammar": plain, "whisper": plain, "whisper + names by sound": by_sound}
    everything = [(item, c) for item in utterances() for c in CONDITIONS]
    grammar, whisper = load("grammar"), load("whisper")
    both = [(i, c) for i, c in everything if key(i, c) in grammar and key(i, c) in whisper]
    by_whisper = [(i, c) for i, c in everything if key(i, c) in whisper]
    if not both:
        print("No decoded corpus: see this script's doc.")
        return
    # Both Whisper rows at the voice client's threshold (chosen on the development part).
    thresholds = {name: 0.0 if name == "grammar" else plain.threshold for name in deciders}
    print(f"== Side by side on the same audio ({len(both)} utterances; classifier thresholds: {thresholds})")
    for name, decide in deciders.items():
        for part in ("dev", "locked"):
            for label, conditions in (("clean", ("clean",)), ("noisy", ("snr20", "snr10", "snr5", "room"))):
                chosen = [(i, c) for i, c in both if i.part == part and c in conditions and i.kind != "answer"]
                print(row(f"{name} {part} {label}", score(chosen, decide, thresholds[name], interpreters[name])))
    print(f"\n== Whisper with and without names by sound, all {len(by_whisper)} utterances it decoded")
    for name in ("whisper", "whisper + names by sound"):
        for part in ("dev", "locked"):
            for condition in ("clean", "snr10"):
                chosen = [(i, c) for i, c in by_whisper if i.part == part and c == condition and i.kind != "answer"]
                print(row(f"{name} {part} {condition}", score(chosen, deciders[name], thresholds[name],
                                                               interpreters[name])))
        human = [(i, c) for i, c in by_whisper if i.part == "human"]
        print(row(f"{name} human recordings", score(human, deciders[name], thresholds[name], interpreters[name])))


def question_transcripts() -> List[Dict]:
    """Each question in each voice of its part, transcribed by the widget's Whisper (cached)."""
    cached = {}
    if QUESTION_CACHE.exists():
        cached = {record["key"]: record for record in map(json.loads, QUESTION_CACHE.read_text().splitlines())}
    spec, families = yaml.safe_load(QUESTIONS.read_text()), voices()["families"]
    work: List[Tuple[str, str, str, Dict]] = []
    for part in ("dev", "locked"):
        for question in spec[part]:
            for family, split in families.items():
                for voice in split[part]:
                    work.append((part, family, voice, question))
    transcriber = None
    with QUESTION_CACHE.open("a") as out:
        for part, family, voice, question in work:
            record_key = f"{part}/{family}/{voice}/{question['text']}"
            if record_key in cached:
                continue
            if transcriber is None:
                from massage_coach.clients.voice.transcriber import Transcriber

                transcriber = Transcriber()
            name, _, speed = voice.partition("@")
            speeds = voices()["speeds"]
            audio = synthesise(question["text"], family, name,
                               float(speed) if speed else speeds[stable_hash(record_key) % len(speeds)])
            text = transcriber.transcribe(np.concatenate([silence(0.1), audio, silence(0.1)])).text
            cached[record_key] = {"key": record_key, "part": part, "family": family, "text": text,
                                  "technique": question["technique"]}
            out.write(json.dumps(cached[record_key]) + "\n")
            out.flush()
    return list(cached.values())


def questions() -> None:
    records = question_transcripts()
    print(f"\n== Spoken mid-routine questions (tests/hands_free_questions.yml), {len(records)} transcripts:"
          " asked about the right technique")
    for name, interpreter in (("whisper", CommandInterpreter()), ("whisper + names by sound", SoundAlikeInterpreter())):
        for part in ("dev", "locked"):
            chosen = [r for r in records if r["part"] == part]
            right = sum(1 for r in chosen for command in [interpreter.interpret(r["text"], "routine")]
                        if command and command.intent == "ask_technique"
                        and command.entities.get("technique") == r["technique"])
            print(f"  {name:<28} {part:<6} {right}/{len(chosen)} = {100 * right / max(1, len(chosen)):.0f} %")


if __name__ == "__main__":
    side_by_side()
    questions()
    sys.exit(0)
