"""Voice client figures: command accuracy (clean, 10 dB SNR), false triggers, latency.

    make bench-voice                  # everything, about 5 min
    make bench-voice ARGS=--quick     # listening accuracy per context and latency only

Commands are spoken by espeak-ng in three voices/speeds (massage_coach.voice.synthetic).
A command counts as recognised when the phrase heard means the same to the assistant as
the phrase spoken (same intent and entities from Rasa's /model/parse), or is the same
local speech setting. False triggers: every routine step's narration, rendered by the
client's own voice and heard back through a synthetic room (synthetic.room_echo: 20-80 ms
delay, reverberation time 0.3 s, small-speaker bass loss, 10 dB quieter, 25 dB SNR).
Barge-in: each command spoken 1.5 s into a step's narration, whose room echo is mixed in
ECHO_BELOW_DB quieter than the command (the user is nearer the microphone), or
HARDER_ECHO_BELOW_DB, and goes through the echo gate (echo.py), then the listening search.
Every turn is heard as in a session (listener.py: decoded while spoken, ended early when
its phrase is whole). Latency: from the end of a spoken command to the first sentence of
the reply ready to play (silence that ends the turn + decoding left then + Rasa + speech
synthesis), over headless runs, for all turns and for those spoken while the client was
silent or speaking (barge-in); once with no echo of the replies in the microphone (headphones),
once with them echoing back through a room (a laptop's loudspeaker).
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
from massage_coach.voice.audio import RATE, add_noise, silence, to_recogniser_rate  # noqa: E402
from massage_coach.voice.echo import EchoGate, PlaybackTimeline  # noqa: E402
from massage_coach.voice.headless import run_headless  # noqa: E402
from massage_coach.voice.listener import hear  # noqa: E402
from massage_coach.voice.recognizer import Recognizer  # noqa: E402
from massage_coach.voice.session import SETTING_ACTIONS, VoiceSession  # noqa: E402
from massage_coach.voice.speaker import Speaker  # noqa: E402
from massage_coach.voice.synthetic import USER_VOICES, mix_under, room_echo, say, write_conversation  # noqa: E402

import numpy as np  # noqa: E402

COMMANDS = [
    "next", "next step", "go back", "previous step", "repeat", "say that again", "pause", "continue",
    "stop the massage", "how long is left", "go to step five", "go to step twelve", "slower", "faster",
    "louder", "quieter", "yes", "no", "none of those", "stop", "start the quick massage",
    "start the relaxing massage", "what is kneading", "explain effleurage", "is it safe near the kidneys",
    "can i press on the spine", "where is the lumbar zone", "she has a fever", "he has varicose veins",
    "which routines do you have", "what do i need", "help",
]
ECHO_BELOW_DB = 6.0  # the command's speech power over the echo's: the harder end of 6-10 dB
HARDER_ECHO_BELOW_DB = 0.0  # the loudspeaker as loud at the microphone as the user
NARRATION_LEAD_S = 1.5  # the narration has been playing this long when the user speaks
ROOM_ECHO_DB = -10.0  # latency with the replies heard back through a room, as tests/test_voice.py does


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


def narrations() -> List[tuple]:
    """(routine id, 16 kHz samples) of every step's narration in the client's own voice."""
    speaker = Speaker()
    found = []
    for routine in load_content().routines.values():
        for step in routine["steps"]:
            samples, rate, _ = speaker.render(step["speech"])
            found.append((routine["id"], to_recogniser_rate(samples, rate)))
    return found


def room(played: np.ndarray, seed: int) -> np.ndarray:
    """`played` heard back through a room whose delay differs from trial to trial (20-80 ms)."""
    return room_echo(played, gain_db=-10.0, snr_db=25.0, seed=seed, delay_s=0.02 + 0.06 * (seed * 7 % 11) / 10)


def heard(recognizer: Recognizer, audio: np.ndarray, context: str, timeline: PlaybackTimeline | None = None) -> str:
    """The command(s) a session hears in `audio`; with `timeline`, the client was speaking that
    playback all along, so every turn goes through the echo gate."""
    gate = EchoGate(timeline) if timeline is not None else None
    texts = [turn.recognition.text for turn in hear(recognizer, audio, context, gate) if turn.recognition]
    return " + ".join(text for text in texts if text)


def accuracy(servers: Servers, recognizer: Recognizer, snr_db, while_speaking: bool, contextual: bool,
             narration: List[tuple] = (), echo_below_db: float = ECHO_BELOW_DB) -> tuple:
    """Each command in each context it is used in, searched in that context's phrases
    (`contextual`) or in all phrases (the same audio, for comparison). `while_speaking`: spoken
    over the echo of a step's `narration`, `echo_below_db` quieter."""
    right, total, misses, cache = 0, 0, [], {}
    for voice, speed in USER_VOICES:
        for command, context in [(command, context) for command in COMMANDS
                                 for context in used_in(recognizer, command)]:
            search = context if contextual else ""
            spoken = say(command, voice, speed)
            if while_speaking:
                lead = int(RATE * NARRATION_LEAD_S)
                user = np.concatenate([silence(NARRATION_LEAD_S), spoken, silence(0.5)])
                played = narration[total % len(narration)][1]
                timeline = PlaybackTimeline()
                timeline.play(0.0, played)
                echo = room(np.pad(played, (0, max(0, len(user) - len(played))))[: len(user)], seed=total)
                audio = mix_under(user, echo, echo_below_db)
                assert lead < len(played), "the command must fall inside the narration"
            else:
                audio = np.concatenate([silence(0.5), spoken, silence(0.5)])
            if snr_db is not None:
                audio = add_noise(audio, snr_db, seed=total)
            # As in a session: one command must come of it ("a + b" when a turn was split).
            text = heard(recognizer, audio, search, timeline if while_speaking else None)
            total += 1
            if same_meaning(servers, recognizer, command, text, cache):
                right += 1
            else:
                misses.append(f"{voice}/{speed} {search or 'all'}: {command!r} -> {text or '(rejected)'!r}")
    return right, total, misses


def false_triggers(recognizer: Recognizer, narration: List[tuple]) -> tuple:
    """Every step's narration as the microphone hears it, with nobody else speaking."""
    triggers, pieces = [], 0
    for number, (routine, played) in enumerate(narration):
        timeline = PlaybackTimeline()
        timeline.play(0.3, played)
        audio = room(np.concatenate([silence(0.3), played, silence(0.5)]), seed=number)
        turns = hear(recognizer, audio, "routine", EchoGate(timeline))
        pieces += len(turns)
        triggers += [f"{routine}: {turn.recognition.text!r}" for turn in turns
                     if turn.recognition and turn.recognition.text]
    return triggers, pieces


def latencies(servers: Servers, recognizer: Recognizer, room_echo_db: float | None = None) -> List[Tuple[float, bool]]:
    """(latency in ms, barged in) of every answered voice turn; with `room_echo_db`, the replies
    echo back into the microphone at that gain (headless --room-echo)."""
    turns = [("start the quick massage", 3), ("none of those", 4), ("next step", 3), ("repeat", 3),
             ("pause", 3), ("continue", 3), ("how long is left", 3), ("what is kneading", 3),
             ("go back", 3), ("louder", 2), ("stop the massage", 3)]
    found: List[Tuple[float, bool]] = []
    with tempfile.TemporaryDirectory() as work:
        for voice, speed in USER_VOICES:
            audio_in = write_conversation(Path(work) / f"{voice}.wav", turns, voice=voice, speed=speed)
            session = VoiceSession(servers.rest_url, Speaker(), Path(work) / voice, auto_advance=False)
            found += [(r["latency_ms"], r["barged_in"])
                      for r in run_headless(session, recognizer, audio_in, room_echo_db=room_echo_db)
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
            narration = narrations()
            modes = [("listening, per context", False, True, {}), ("listening, all phrases", False, False, {}),
                     (f"barge-in over narration {ECHO_BELOW_DB:g} dB below, per context", True, True, {}),
                     (f"barge-in over narration {HARDER_ECHO_BELOW_DB:g} dB below, per context", True, True,
                      {"echo_below_db": HARDER_ECHO_BELOW_DB})][:1 if quick else 4]
            for mode, while_speaking, contextual, options in modes:
                for label, snr in (("clean", None), ("10 dB SNR", 10.0)):
                    right, total, misses = accuracy(servers, recognizer, snr, while_speaking, contextual,
                                                    narration, **options)
                    print(f"command accuracy {mode}, {label}: {right}/{total} = {100 * right / total:.1f} %")
                    for miss in misses:
                        print(f"    {miss}")
            if not quick:
                triggers, pieces = false_triggers(recognizer, narration)
                print(f"false triggers from narration through a room: {len(triggers)} of {pieces} "
                      "narration segments")
                for trigger in triggers:
                    print(f"    {trigger}")
            for room_label, room_echo_db in [("", None), (f", replies echoing back at {ROOM_ECHO_DB:g} dB", ROOM_ECHO_DB)]:
                found = latencies(servers, recognizer, room_echo_db)
                for label, which in (("", (False, True)), (", while silent", (False,)), (", barge-in", (True,))):
                    figures = [ms for ms, barged_in in found if barged_in in which]
                    if figures:
                        print(f"latency, end of command to first reply audio{room_label}{label}: "
                              f"p50 {statistics.median(figures):.0f} ms, p95 {percentile(figures, 0.95):.0f} ms "
                              f"({len(figures)} turns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
