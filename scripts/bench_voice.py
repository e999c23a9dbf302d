"""Voice client figures: command accuracy (clean, 10 dB SNR), false triggers, latency.

    make bench-voice                  # everything, about 4.5 min
    make bench-voice ARGS=--quick     # listening accuracy per context and latency only

Commands are spoken by espeak-ng in three voices/speeds (massage_coach.voice.synthetic).
A command counts as recognised when the phrase heard means the same to the assistant as
the phrase spoken (same intent and entities from Rasa's /model/parse), or is the same
local speech setting. False triggers: every routine step's narration, rendered by the
client's own voice, fed back into the recogniser. Latency: from the end of a spoken
command to the first sentence of the reply ready to play (silence that ends the turn +
recognition + Rasa + speech synthesis), over headless runs.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from massage_coach.content import load_content  # noqa: E402
from massage_coach.servers import Servers  # noqa: E402
from massage_coach.voice.audio import add_noise, silence, to_recogniser_rate  # noqa: E402
from massage_coach.voice.headless import run_headless  # noqa: E402
from massage_coach.voice.listener import hear  # noqa: E402
from massage_coach.voice.recognizer import Recognizer  # noqa: E402
from massage_coach.voice.session import SETTING_ACTIONS, VoiceSession  # noqa: E402
from massage_coach.voice.speaker import Speaker  # noqa: E402
from massage_coach.voice.synthetic import USER_VOICES, say, write_conversation  # noqa: E402

import numpy as np  # noqa: E402

COMMANDS = [
    "next", "next step", "go back", "previous step", "repeat", "say that again", "pause", "continue",
    "stop the massage", "how long is left", "go to step five", "go to step twelve", "slower", "faster",
    "louder", "quieter", "yes", "no", "none of those", "stop", "start the quick massage",
    "start the relaxing massage", "what is kneading", "explain effleurage", "is it safe near the kidneys",
    "can i press on the spine", "where is the lumbar zone", "she has a fever", "he has varicose veins",
    "which routines do you have", "what do i need", "help",
]


def parse(servers: Servers, text: str) -> tuple:
    request = urllib.request.Request(f"{servers.base_url}/model/parse?token={servers.api_token}",
                                     json.dumps({"text": text}).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        result = json.loads(response.read())
    entities = sorted((e["entity"], str(e.get("value")), e.get("role") or "") for e in result.get("entities", []))
    return result["intent"]["name"], tuple(entities)


def effect(recognizer: Recognizer, phrase: str) -> str:
    """What the client does with a phrase: a speech setting, or the text it sends (a bare
    "stop" sends "pause")."""
    action = recognizer.grammar.phrases.get(phrase, "send")
    if action in SETTING_ACTIONS:
        return f"setting:{action}"
    return "pause" if action == "pause" else phrase


def same_meaning(servers: Servers, recognizer: Recognizer, spoken: str, heard: str, cache: Dict) -> bool:
    if heard == spoken:
        return True
    if not heard:
        return False
    spoken, heard = effect(recognizer, spoken), effect(recognizer, heard)
    if spoken.startswith("setting:") or heard.startswith("setting:"):
        return spoken == heard
    for text in (spoken, heard):
        if text not in cache:
            cache[text] = parse(servers, text)
    return cache[spoken] == cache[heard]


def used_in(recognizer: Recognizer, command: str) -> List[str]:
    """The contexts a command is heard in (a question may come during a routine or before it),
    those with an open question ("idle+asked") for an answer such as "yes", and every plain one
    for a phrasing the grammar lacks ("she has a fever")."""
    groups = recognizer.grammar.contexts.get(command, set())
    contexts = [context for context in recognizer.contexts if context]
    plain = [context for context in contexts if "+" not in context]
    return ([context for context in plain if context in groups]
            or [context for context in contexts if set(context.split("+")) & groups] or plain)


def accuracy(servers: Servers, recognizer: Recognizer, snr_db, while_speaking: bool, contextual: bool) -> tuple:
    """Each command in each context it is used in, searched in that context's phrases
    (`contextual`) or in all phrases (the same audio, for comparison)."""
    right, total, misses, cache = 0, 0, [], {}
    for voice, speed in USER_VOICES:
        for command, context in [(command, context) for command in COMMANDS
                                 for context in used_in(recognizer, command)]:
            audio = np.concatenate([silence(0.5), say(command, voice, speed), silence(0.5)])
            if snr_db is not None:
                audio = add_noise(audio, snr_db, seed=total)
            # As in a session: decoded while spoken, the turn cut out as it ends; one command must come of it.
            search = context if contextual else ""
            heard = [turn.recognition.text for turn in hear(recognizer, audio, while_speaking, search)]
            heard = [text for text in heard if text]
            heard = heard[0] if len(heard) == 1 else " + ".join(heard)
            total += 1
            if same_meaning(servers, recognizer, command, heard, cache):
                right += 1
            else:
                misses.append(f"{voice}/{speed} {search or 'all'}: {command!r} -> {heard or '(rejected)'!r}")
    return right, total, misses


def false_triggers(recognizer: Recognizer) -> tuple:
    speaker = Speaker()
    triggers, pieces = [], 0
    for routine in load_content().routines.values():
        for step in routine["steps"]:
            samples, rate, _ = speaker.render(step["speech"])
            audio = np.concatenate([silence(0.3), to_recogniser_rate(samples, rate), silence(0.5)])
            for turn in hear(recognizer, audio, while_speaking=True, context="routine"):
                pieces += 1
                heard = turn.recognition.text
                if heard:
                    triggers.append(f"{routine['id']}: {heard!r}")
    return triggers, pieces


def latencies(servers: Servers, recognizer: Recognizer) -> List[Tuple[float, bool]]:
    """(latency in ms, barged in) of every answered voice turn."""
    turns = [("start the quick massage", 3), ("none of those", 4), ("next step", 3), ("repeat", 3),
             ("pause", 3), ("continue", 3), ("how long is left", 3), ("what is kneading", 3),
             ("go back", 3), ("louder", 2), ("stop the massage", 3)]
    found: List[float] = []
    with tempfile.TemporaryDirectory() as work:
        for voice, speed in USER_VOICES:
            audio_in = write_conversation(Path(work) / f"{voice}.wav", turns, voice=voice, speed=speed)
            session = VoiceSession(servers.rest_url, Speaker(), Path(work) / voice, auto_advance=False)
            found += [(r["latency_ms"], r["barged_in"]) for r in run_headless(session, recognizer, audio_in)
                      if r["source"] == "voice" and r["audio"]]
    return found


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="only listening accuracy per context and latency (for iterating on latency)")
    quick = parser.parse_args().quick
    with tempfile.TemporaryDirectory() as work:
        servers = Servers(rasa_port=5915, actions_port=5965, tracker_db=Path(work) / "t.db",
                          log_dir=Path(work) / "log", api_token=secrets.token_hex(8))
        with servers:
            recognizer = Recognizer()
            print(f"grammar: {len(recognizer.grammar.phrases)} phrases "
                  f"({len(recognizer.grammar.unpronounceable)} left out: words not in the dictionary)")
            modes = [("listening, per context", False, True), ("listening, all phrases", False, False),
                     ("while speaking (barge-in), per context", True, True)][:1 if quick else 3]
            for mode, while_speaking, contextual in modes:
                for label, snr in (("clean", None), ("10 dB SNR", 10.0)):
                    right, total, misses = accuracy(servers, recognizer, snr, while_speaking, contextual)
                    print(f"command accuracy {mode}, {label}: {right}/{total} = {100 * right / total:.1f} %")
                    for miss in misses:
                        print(f"    {miss}")
            if not quick:
                triggers, pieces = false_triggers(recognizer)
                print(f"false triggers from narration: {len(triggers)} of {pieces} narration segments")
                for trigger in triggers:
                    print(f"    {trigger}")
            found = latencies(servers, recognizer)
            # Turns spoken over the client's own voice wait the usual silence (see Recognizer.complete).
            for label, which in (("", (False, True)), (", while silent", (False,)), (", barge-in", (True,))):
                figures = [ms for ms, barged_in in found if barged_in in which]
                if figures:
                    print(f"latency, end of command to first reply audio{label}: p50 {statistics.median(figures):.0f} "
                          f"ms, p95 {percentile(figures, 0.95):.0f} ms ({len(figures)} turns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
