"""Headless voice turns: user speech from a WAV file, replies as WAV files and a transcript.

    python -m massage_coach.voice --audio-in turns.wav --audio-out DIR

The file is fed in 100 ms chunks as if it came from a microphone, so segmentation,
barge-in and the step clock run on the file's own time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

from massage_coach.voice.audio import RATE, Segmenter, read_recogniser_audio
from massage_coach.voice.recognizer import Recognizer
from massage_coach.voice.session import Turn, VoiceSession

CHUNK_S = 0.1


def run_headless(session: VoiceSession, recognizer: Recognizer, audio_in: Path,
                 segmenter: Segmenter | None = None) -> List[Dict]:
    """Every turn of the file, also appended to DIR/transcript.jsonl as it happens."""
    samples = read_recogniser_audio(audio_in)
    segmenter = segmenter or Segmenter()
    session.out_dir.mkdir(parents=True, exist_ok=True)
    transcript = session.out_dir / "transcript.jsonl"
    transcript.write_text("")
    records: List[Dict] = []

    def write(record: Dict) -> None:
        records.append(record)
        with transcript.open("a") as out:
            out.write(json.dumps(record) + "\n")

    session.on_turn = lambda turn: write(turn.record())

    def act(segment) -> None:
        recognition = recognizer.recognise(segment.samples, while_speaking=segment.start_s < session.speaking_until,
                                           context=session.context)
        waited_ms = (segment.closed_s - segment.end_s) * 1000 + recognition.decode_ms
        if recognition.action:
            session.hear(recognition.text, recognition.action, segment.closed_s, waited_ms)
        else:  # narration, noise or a phrase we don't know: stay silent, but say so in the record
            write(Turn("", [], "", latency_ms=waited_ms, source="voice").record()
                  | {"unrecognised": recognition.best_guess, "at_s": round(segment.end_s, 2)})

    chunk = int(RATE * CHUNK_S)
    for start in range(0, len(samples), chunk):
        now = (start + chunk) / RATE
        for segment in segmenter.feed(samples[start:start + chunk]):
            act(segment)
        session.tick(now)
    last = segmenter.flush()
    if last is not None:
        act(last)
    return records
