"""Headless voice turns: user speech from a WAV file, replies as WAV files and a transcript.

    python -m massage_coach.voice --audio-in turns.wav --audio-out DIR

The file is fed in 100 ms chunks as if it came from a microphone, so segmentation,
barge-in and the step clock run on the file's own time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

from massage_coach.voice.audio import RATE, read_recogniser_audio
from massage_coach.voice.listener import HeardTurn, Listener
from massage_coach.voice.recognizer import Recognizer
from massage_coach.voice.session import Turn, VoiceSession

CHUNK_S = 0.1


def run_headless(session: VoiceSession, recognizer: Recognizer, audio_in: Path) -> List[Dict]:
    """Every turn of the file, also appended to DIR/transcript.jsonl as it happens."""
    samples = read_recogniser_audio(audio_in)
    # The search is chosen when speech begins: the strict one if the client was still speaking.
    listener = Listener(recognizer, lambda start_s: (start_s < session.speaking_until, session.context))
    session.out_dir.mkdir(parents=True, exist_ok=True)
    transcript = session.out_dir / "transcript.jsonl"
    transcript.write_text("")
    records: List[Dict] = []

    def write(record: Dict) -> None:
        records.append(record)
        with transcript.open("a") as out:
            out.write(json.dumps(record) + "\n")

    session.on_turn = lambda turn: write(turn.record())

    def act(turn: HeardTurn) -> None:
        recognition, segment = turn.recognition, turn.segment
        if recognition.action:
            session.hear(recognition.text, recognition.action, segment.closed_s, turn.waited_ms)
        else:  # narration, noise or a phrase we don't know: stay silent, but say so in the record
            write(Turn("", [], "", latency_ms=turn.waited_ms, source="voice").record()
                  | {"unrecognised": recognition.best_guess, "at_s": round(segment.end_s, 2)})

    chunk = int(RATE * CHUNK_S)
    for start in range(0, len(samples), chunk):
        now = (start + chunk) / RATE
        for turn in listener.feed(samples[start:start + chunk]):
            act(turn)
        session.tick(now)
    last = listener.flush()
    if last is not None:
        act(last)
    return records
