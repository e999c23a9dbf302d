"""Barge-in with the default recogniser (Whisper): commands of the spoken corpus said over the
client's own narration, heard back through varied rooms, with and without echo cancellation.

    python scripts/voice_corpus.py          # render the corpus once (cached)
    python scripts/bench_barge_in.py        # ~15 min on 2 busy cores; --per-family N to go faster

Each command (or everyday-talk phrase) of the corpus, dev and locked parts, several synthesiser
families, is spoken 1.5 s into a step's narration (the client's voice: espeak-ng en-us at its
rate). The narration reaches the microphone through a room drawn per utterance: delay 20-150 ms,
reverberation time 0.2-0.7 s, a small speaker's bass cut (or none), and in half of the rooms
the loudspeaker's distortion (soft clipping), which no linear filter can follow. Its echo is
mixed 6 dB under the user's speech power, or as loud, clean and at 10 dB SNR (--conditions).
Every turn is heard as in a session (listener.py with the echo gate); methods:
  none   - the command alone, no narration (the ceiling for that audio)
  gate   - the echo gate's per-band suppression (echo.py), as before
  speex  - Speex's MDF echo canceller (echo_cancel.py) before the recogniser; the gate decides
  aec3   - WebRTC's AEC3 (pywebrtc-audio), if importable
The canceller is warm (the session's case: it learnt the room on the reply before), unless --cold.
Also: every routine step's narration alone through the rooms (false triggers, must be 0).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from massage_coach.clients.voice.audio import RATE, add_noise, silence, speech_power
from massage_coach.clients.voice.commands import CommandInterpreter
from massage_coach.clients.voice.echo import EchoGate, PlaybackTimeline
from massage_coach.clients.voice.echo_cancel import EchoCanceller, SpeexEchoCanceller
from massage_coach.clients.voice.listener import HeardTurn, Listener, hear
from massage_coach.clients.voice.room import room_echo
from massage_coach.clients.voice.speaker import SpeechSettings
from massage_coach.clients.voice.understanding import CommandRecognizer
from massage_coach.domain.content import load_content
from tests.support.synthetic import say
from tests.support.voice_corpus import Utterance, stable_hash, utterances

sys.path.insert(0, str(Path(__file__).parent))
from bench_voice_corpus import expected  # noqa: E402

NARRATION_LEAD_S = 1.5
WARM_S = 6.0  # the reply before, through the same room: what a session's canceller has learnt from


class WebRtcEchoCanceller:
    """WebRTC's AEC3 (pip pywebrtc-audio, not a dependency: it asks for numpy >= 1.24, Rasa pins < 1.25
    and TensorFlow < 1.24), for comparison."""

    def __init__(self) -> None:
        from pywebrtc_audio import EchoCanceller as Aec3

        self.aec = Aec3(sample_rate=RATE, num_channels=1)

    def process(self, heard: np.ndarray, played: np.ndarray) -> np.ndarray:
        return self.aec.process(np.ascontiguousarray(heard, dtype=np.int16),
                                np.ascontiguousarray(played, dtype=np.int16))


def room_for(seed: int) -> Dict:
    rng = np.random.default_rng(seed)
    return {"delay_s": float(rng.uniform(0.02, 0.15)), "rt60_s": float(rng.choice([0.2, 0.3, 0.5, 0.7])),
            "bass_cut_hz": float(rng.choice([0.0, 150.0, 250.0, 400.0])), "distortion": bool(rng.integers(2)),
            "seed": seed % 1000}


def through_room(played: np.ndarray, room: Dict) -> np.ndarray:
    """`played` as the microphone hears it; a distorting loudspeaker clips it softly first."""
    signal = played.astype(np.float64)
    if room["distortion"]:
        peak = np.abs(signal).max() + 1e-9
        signal = peak * np.tanh(2.0 * signal / peak) / np.tanh(2.0)
    options = {k: v for k, v in room.items() if k != "distortion"}
    return room_echo(signal, gain_db=0.0, snr_db=40.0, **options)


def narrations() -> List[np.ndarray]:
    """Every routine step's narration in the client's voice (espeak-ng en-us at its rate)."""
    return [say(step["speech"], "en-us", SpeechSettings.rate)
            for routine in load_content().routines.values() for step in routine["steps"]]


def sample(items: List[Utterance], part: str, kind: str, per_family: int) -> List[Utterance]:
    chosen = []
    for family in sorted({i.family for i in items if i.part == part}):
        pool = sorted((i for i in items if i.part == part and i.kind == kind and i.family == family),
                      key=lambda i: stable_hash(i.id))
        chosen += pool[:per_family]
    return chosen


def request_of(turns: List[HeardTurn]) -> Tuple[str, Dict]:
    for turn in turns:
        if turn.recognition is not None and turn.recognition.action:
            intent, _, entities = turn.recognition.text.lstrip("/").partition("{")
            return intent, json.loads("{" + entities) if entities else {}
    return "", {}


def trial(recognizer, item: Utterance, narration: List[np.ndarray], method: str, echo_below_db: float,
          snr_db: Optional[float], cold: bool, goes_on: bool) -> Tuple[str, Dict]:
    """What a session does with `item` said over a narration: fed in 0.1 s chunks as headless.py
    does, the narration stopping where the gate finds the user's voice (its echo dies away),
    unless it `goes_on`."""
    spoken = item.audio()
    seed = stable_hash(item.id)
    user = np.concatenate([silence(NARRATION_LEAD_S), spoken]).astype(np.float64)
    noise = np.zeros(len(user))
    if snr_db is not None:  # white noise at `snr_db` under the user's speech, all along
        noise = add_noise(user.astype(np.int16), snr_db, seed) - user
    if method == "none":
        audio = np.clip(user + noise, -32768, 32767).astype(np.int16)
        return request_of(hear(recognizer, audio, "routine"))
    room = room_for(seed)
    before = narration[(seed + 1) % len(narration)][: int(WARM_S * RATE)]
    played = narration[seed % len(narration)]
    played = np.pad(played, (0, max(0, len(user) - len(played))))[: len(user)]
    # The echo's speech power `echo_below_db` under the user's (as mix_under), the reply before too.
    echo = through_room(np.concatenate([before, played]), room).astype(np.float64)
    scale = np.sqrt(speech_power(user) / speech_power(echo[len(before):]) / 10 ** (echo_below_db / 10))
    timeline = PlaybackTimeline()
    timeline.play(-len(before) / RATE, before)
    timeline.play(0.0, played)
    canceller = None
    if method != "gate":
        canceller = EchoCanceller(timeline, SpeexEchoCanceller if method == "speex" else WebRtcEchoCanceller,
                                  isolated=False)
        if not cold:
            canceller.feed(np.clip(scale * echo[:len(before)], -32768, 32767).astype(np.int16), -len(before) / RATE)
    stopped = {"echo": scale * echo[len(before):]}

    def fall_silent(at_s: float) -> None:  # the rest of the narration is not played: only its reverb remains
        if goes_on:
            return
        timeline.stop(at_s)
        cut = np.concatenate([before, played[: int(at_s * RATE)], np.zeros(len(played) - int(at_s * RATE))])
        stopped["echo"] = scale * through_room(cut, room).astype(np.float64)[len(before):]

    listener = Listener(recognizer, lambda start_s: (True, "routine"), EchoGate(timeline, canceller),
                        on_user_voice=fall_silent)
    turns: List[HeardTurn] = []
    chunk = int(RATE * 0.1)
    for start in range(0, len(user), chunk):
        end = start + chunk
        heard = np.clip(user[start:end] + stopped["echo"][start:end] + noise[start:end], -32768, 32767)
        heard = heard.astype(np.int16)
        if canceller is not None:
            canceller.feed(heard, start / RATE)
        turns += list(listener.feed(heard))
    last = listener.flush()
    return request_of(turns + ([last] if last else []))


def false_triggers(recognizer, narration: List[np.ndarray], method: str) -> Tuple[int, int]:
    """Commands heard in each step's narration alone through a room (nobody speaking), of segments."""
    triggers, segments = 0, 0
    for number, played in enumerate(narration):
        room = room_for(number)
        timeline = PlaybackTimeline()
        timeline.play(0.3, played)
        audio = through_room(np.concatenate([silence(0.3), played, silence(0.5)]), room)
        audio = np.clip(audio * 10 ** (-10 / 20), -32768, 32767).astype(np.int16)  # a laptop across the room
        canceller = None
        if method != "gate":
            factory = SpeexEchoCanceller if method == "speex" else WebRtcEchoCanceller
            canceller = EchoCanceller(timeline, factory, isolated=False)
            canceller.feed(audio, 0.0)
        turns = hear(recognizer, audio, "routine", EchoGate(timeline, canceller))
        segments += len(turns)
        triggers += sum(1 for turn in turns if turn.recognition is not None and turn.recognition.action)
    return triggers, segments


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-family", type=int, default=6, help="commands per family and part")
    parser.add_argument("--talk-per-family", type=int, default=3, help="everyday-talk phrases per family and part")
    parser.add_argument("--methods", default="none,gate,speex,aec3")
    parser.add_argument("--cold", action="store_true", help="the canceller starts with this reply")
    parser.add_argument("--narration-goes-on", action="store_true",
                        help="the client does not fall silent for the user (the hardest case)")
    parser.add_argument("--conditions", default="6,0:clean,10",
                        help="echo levels under the user (dB) : noise (clean or SNR dB)")
    args = parser.parse_args()
    methods = args.methods.split(",")
    levels, noises = args.conditions.split(":")
    echo_levels = [float(level) for level in levels.split(",")]
    snrs = [None if noise == "clean" else float(noise) for noise in noises.split(",")]
    if "aec3" in methods:
        try:
            WebRtcEchoCanceller()
        except ImportError:
            methods.remove("aec3")
            print("aec3: pywebrtc-audio is not importable, left out")
    interpreter = CommandInterpreter()
    recognizer = CommandRecognizer(interpreter=interpreter)
    narration = narrations()
    items = utterances(human=False)
    counts: Dict[Tuple, Dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for part in ("dev", "locked"):
        commands = sample(items, part, "command", args.per_family)
        talk = sample(items, part, "talk", args.talk_per_family)
        for echo_below_db in echo_levels:
            for snr_db in snrs:
                condition = f"echo {echo_below_db:g} dB under, {'clean' if snr_db is None else f'{snr_db:g} dB SNR'}"
                for method in methods:
                    if method == "none" and echo_below_db != echo_levels[0]:
                        continue
                    tally = counts[(part, condition, method)]
                    for item in commands + talk:
                        intent, entities = trial(recognizer, item, narration, method, echo_below_db, snr_db,
                                                 args.cold, args.narration_goes_on)
                        if item.kind == "talk":
                            tally["talk"] += 1
                            tally["triggered"] += bool(intent)
                            continue
                        tally["commands"] += 1
                        want_intent, want_entities = expected(item, interpreter)
                        if not intent:
                            tally["missed"] += 1
                        elif intent == want_intent and {k: str(v) for k, v in entities.items()} == \
                                {k: str(v) for k, v in want_entities.items()}:
                            tally["right"] += 1
                        else:
                            tally["wrong"] += 1
                    print(f"{part:6} {condition:28} {method:6} commands right {tally['right']:3d}/{tally['commands']} "
                          f"= {100 * tally['right'] / max(1, tally['commands']):5.1f} %, wrong {tally['wrong']}; "
                          f"talk over the narration taken as a command {tally['triggered']}/{tally['talk']}",
                          flush=True)
    for method in methods:
        if method == "none":
            continue
        triggers, segments = false_triggers(recognizer, narration, method)
        print(f"false triggers, narration alone through the rooms, {method}: {triggers} of {segments} segments")
    return 0


if __name__ == "__main__":
    sys.exit(main())
