"""The spoken test corpus (issue 12): phrases of tests/voice_corpus/ rendered by several speech
synthesiser families, plus real human recordings, cached as WAV files and never committed.

    python scripts/voice_corpus.py            # render what is missing (a few minutes, once)
    python scripts/voice_corpus.py --check    # no corpus phrasing is a grammar or NLU phrase

Each utterance is one clean file with a little silence around it; the noisy and reverberant
conditions are made from it on the fly (`condition`), deterministically.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import numpy as np
import yaml

from massage_coach.clients.voice.audio import add_noise, read_recogniser_audio, silence, write_wav
from massage_coach.settings import PROJECT_DIR
from tests.support.synthetic import room_echo

CORPUS_DIR = PROJECT_DIR / "tests" / "voice_corpus"
CACHE_DIR = Path(os.environ.get("VOICE_CORPUS_DIR", Path.home() / ".cache" / "massage-coach" / "voice-corpus"))
PARTS = ("dev", "locked")
CONDITIONS = ("clean", "snr20", "snr10", "snr5", "room")
LEAD_S, TRAIL_S = 0.3, 0.6  # silence around each utterance, as a microphone turn would have
ESPEAK_WPM = 175  # espeak-ng's default speed, stretched by the speed factor
HUMAN_TALK = {  # pocketsphinx-testdata: file -> what is said (none is one of our commands)
    "cards/001.wav": "ten of clubs", "cards/002.wav": "four queen of clubs", "cards/003.wav": "seven of clubs",
    "cards/004.wav": "five five", "cards/005.wav": "eight of spades four of clubs seven of hearts",
    "goforward.raw": "go forward ten meters", "numbers.raw": "numbers", "something.raw": "something",
    **{f"librivox/sense_and_sensibility_01_austen_64kb-0{n}.wav": "sense and sensibility"
       for n in (870, 880, 890, 920, 930)},
}


@dataclass
class Utterance:
    id: str
    part: str  # dev | locked | human
    kind: str  # command | answer | talk
    text: str
    family: str
    voice: str
    speed: float  # duration factor: 1.2 is 20 % slower
    intent: str = ""
    entities: Dict[str, object] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return CACHE_DIR / self.part / self.family / f"{self.id}.wav"

    def audio(self, condition: str = "clean") -> np.ndarray:
        return apply_condition(read_recogniser_audio(self.path), condition, seed=stable_hash(self.id))


def stable_hash(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def apply_condition(samples: np.ndarray, condition: str, seed: int = 0) -> np.ndarray:
    """clean; snrN: white noise N dB below the speech; room: heard across a room (reverberation)."""
    if condition == "clean":
        return samples
    if condition.startswith("snr"):
        return add_noise(samples, float(condition[3:]), seed)
    if condition == "room":
        return room_echo(samples, gain_db=0.0, snr_db=30.0, seed=seed % 1000)
    raise ValueError(f"unknown condition {condition!r}")


def load_part(part: str) -> Dict:
    return yaml.safe_load((CORPUS_DIR / f"{part}.yml").read_text())


def voices() -> Dict:
    return yaml.safe_load((CORPUS_DIR / "voices.yml").read_text())


def utterances(parts=PARTS, human: bool = True) -> List[Utterance]:
    """Every utterance of `parts` in every voice of that part (and the human recordings)."""
    spec = voices()
    found: List[Utterance] = []
    for part in parts:
        phrases = load_part(part)
        items = ([("command", item) for item in phrases["commands"]] + [("answer", item) for item in phrases["answers"]]
                 + [("talk", {"text": text}) for text in phrases["talk"]])
        for family, split in spec["families"].items():
            for voice_spec in split[part]:
                voice, _, fixed_speed = voice_spec.partition("@")
                for kind, item in items:
                    key = f"{part}|{family}|{voice_spec}|{item['text']}"
                    speeds = spec["speeds"]
                    speed = float(fixed_speed) if fixed_speed else speeds[stable_hash(key) % len(speeds)]
                    slug = re.sub(r"[^a-z0-9]+", "-", item["text"].lower()).strip("-")[:40]
                    found.append(Utterance(f"{voice_spec.replace('@', '-')}-{slug}-{stable_hash(key) % 10000:04d}",
                                           part, kind, item["text"], family, voice, speed,
                                           item.get("intent", ""), item.get("entities") or {}))
    if human:
        root = Path(spec["human"])
        for name, text in HUMAN_TALK.items():
            if (root / name).exists():
                found.append(Utterance(Path(name).stem, "human", "talk", text, "human", name, 1.0))
    return found


def synthesise(text: str, family: str, voice: str, speed: float) -> np.ndarray:
    """`text` spoken by one synthesiser voice at 16 kHz."""
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "say.wav"
        if family == "espeak-ng":
            command = ["espeak-ng", "-v", voice, "-s", str(round(ESPEAK_WPM / speed)), "-w", str(out), text]
        elif family == "flite":
            command = ["flite", "-voice", voice, "--setf", f"duration_stretch={speed}", "-t", text, "-o", str(out)]
        elif family.startswith("festival"):
            text_file = Path(work) / "text.txt"
            text_file.write_text(text + "\n")
            stretch = (f"(set! hts_engine_params (append hts_engine_params (list '(\"-r\" {1 / speed:.3f}))))"
                       if family == "festival-hts" else f"(Parameter.set 'Duration_Stretch {speed})")
            command = ["text2wave", "-o", str(out), "-eval", f"({'voice_' + voice})", "-eval", stretch, str(text_file)]
        else:
            raise ValueError(f"unknown synthesiser family {family!r}")
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return read_recogniser_audio(out)


def human_audio(path: Path) -> np.ndarray:
    if path.suffix == ".raw":  # pocketsphinx's raw files: 16 kHz 16-bit mono
        return np.frombuffer(path.read_bytes(), dtype="<i2").copy()
    return read_recogniser_audio(path)


def render(utterance: Utterance) -> None:
    if utterance.part == "human":
        samples = human_audio(Path(voices()["human"]) / utterance.voice)
    else:
        samples = synthesise(utterance.text, utterance.family, utterance.voice, utterance.speed)
    utterance.path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(utterance.path, np.concatenate([silence(LEAD_S), samples, silence(TRAIL_S)]))


def ensure_rendered(items: List[Utterance], progress=None) -> int:
    """Renders the missing files; returns how many were made."""
    made = 0
    for item in items:
        if not item.path.exists():
            render(item)
            made += 1
            if progress and made % 50 == 0:
                progress(made)
    (CACHE_DIR / "manifest.json").write_text(json.dumps([asdict(item) for item in items], indent=0))
    return made


def select(items: List[Utterance], part: Optional[str] = None, kind: Optional[str] = None,
           family: Optional[str] = None, exclude_family: Optional[str] = None) -> Iterator[Utterance]:
    for item in items:
        if ((part is None or item.part == part) and (kind is None or item.kind == kind)
                and (family is None or item.family == family) and item.family != exclude_family):
            yield item

