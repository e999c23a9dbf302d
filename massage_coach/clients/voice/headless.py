"""Headless voice turns: user speech from a WAV file, replies as WAV files and a transcript.

    python -m massage_coach.clients.voice --audio-in turns.wav --audio-out DIR

The file is fed in 100 ms chunks as if it came from a microphone, so segmentation,
barge-in and the step clock run on the file's own time. With `room_echo_db` the client's
own replies are mixed into it as a microphone across the room would hear them (the echo
gate must tell them from the user).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from massage_coach.clients.voice.audio import RATE, read_recogniser_audio
from massage_coach.clients.voice.commands import words
from massage_coach.clients.voice.echo import EchoGate
from massage_coach.clients.voice.echo_cancel import EchoCanceller
from massage_coach.clients.voice.listener import HeardTurn, Listener
from massage_coach.clients.voice.recognizer import Recognizer
from massage_coach.clients.voice.room import ROOM_RESPONSE_S, room_echo
from massage_coach.clients.voice.session import Turn, VoiceSession

CHUNK_S = 0.1


def run_headless(session: VoiceSession, recognizer: Recognizer, audio_in: Path,
                 room_echo_db: Optional[float] = None) -> List[Dict]:
    """Every turn of the file, also appended to DIR/transcript.jsonl as it happens; with
    `room_echo_db`, the replies are heard back at that gain through a room (synthetic.room_echo).
    The recogniser hears the input with the replies' echo cancelled (echo_cancel.py)."""
    samples = read_recogniser_audio(audio_in)
    canceller = EchoCanceller(session.played)
    try:
        return _hear_file(session, recognizer, samples, room_echo_db, canceller)
    finally:
        canceller.close()


def _hear_file(session: VoiceSession, recognizer: Recognizer, samples: np.ndarray, room_echo_db: Optional[float],
               canceller: EchoCanceller) -> List[Dict]:
    # Chosen when speech begins: through the echo gate if the client was still speaking.
    listener = Listener(recognizer, lambda start_s: (start_s < session.speaking_until, session.context),
                        EchoGate(session.played, canceller), on_user_voice=session.interrupt)
    session.out_dir.mkdir(parents=True, exist_ok=True)
    transcript = session.out_dir / "transcript.jsonl"
    transcript.write_text("")
    records: List[Dict] = []

    def write(record: Dict) -> None:
        records.append(record)
        with transcript.open("a") as out:
            out.write(json.dumps(record) + "\n")

    # Where in the file the spoken turn being answered ended (its last voiced frame).
    spoken_until = {"at_s": None}
    session.on_turn = lambda turn: write(turn.record()
                                         | ({"at_s": spoken_until["at_s"]} if turn.source == "voice" else {}))

    def act(turn: HeardTurn, now: float) -> None:
        recognition, segment = turn.recognition, turn.segment
        spoken_until["at_s"] = round(segment.end_s, 2)
        if recognition is not None and recognition.action:
            session.hear(recognition.text, recognition.action, now, turn.waited_ms,
                         heard=words(recognition.best_guess))
            return
        if recognition is None:
            write(Turn("", [], "", source="voice").record() | {"echo": True, "at_s": spoken_until["at_s"]})
        else:  # noise or a phrase we don't know: no answer, but say so in the record
            write(Turn("", [], "", latency_ms=turn.waited_ms, source="voice").record()
                  | {"unrecognised": recognition.best_guess, "at_s": spoken_until["at_s"]})
        session.resume(now)  # if the client fell silent for it

    chunk = int(RATE * CHUNK_S)
    history = int(RATE * ROOM_RESPONSE_S)  # playback still echoing in the room
    for start in range(0, len(samples), chunk):
        now = (start + chunk) / RATE
        heard = samples[start:start + chunk]
        if room_echo_db is not None:
            played = session.played.played((start - history) / RATE, history + len(heard))
            echo = room_echo(played, gain_db=room_echo_db, snr_db=None)[history:]
            heard = np.clip(heard.astype(np.int32) + echo, -32768, 32767).astype(np.int16)
        canceller.feed(heard, start / RATE)
        for turn in listener.feed(heard):
            act(turn, now)  # the reply plays from the next chunk on: this one is already heard
        session.tick(now)
    last = listener.flush()
    if last is not None:
        act(last, len(samples) / RATE)
    return records
