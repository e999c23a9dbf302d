"""Voice client figures: command accuracy (clean, 10 dB SNR), false triggers, latency.

    make bench-voice                  # everything, about 5 min
    make bench-voice ARGS=--quick     # listening accuracy per context and latency only
    make bench-voice ARGS="--recogniser grammar"   # the pocketsphinx grammar instead of Whisper

Then the spoken corpus of issue 12 (scripts/bench_voice_corpus.py): several synthesiser
families, development and locked parts, everyday talk, human recordings.

Commands are spoken by espeak-ng in three voices/speeds (tests.support.synthetic).
A command counts as recognised when the phrase heard means the same to the assistant as
the phrase spoken (same intent and entities from Rasa's /model/parse), or is the same
local speech setting. False triggers: every routine step's narration, rendered by the
client's own voice and heard back through a synthetic room (synthetic.room_echo: 20-80 ms
delay, reverberation time 0.3 s, small-speaker bass loss, 10 dB quieter, 25 dB SNR).
Barge-in: each command spoken 1.5 s into a step's narration, whose room echo is mixed in
ECHO_BELOW_DB quieter than the command (the user is nearer the microphone), or
HARDER_ECHO_BELOW_DB, and goes through the echo gate (echo.py) and the echo canceller
(echo_cancel.py; cold: it learns the room on this narration), then the listening search.
Every turn is heard as in a session (listener.py: decoded while spoken, ended early when
its phrase is whole). Latency: from the end of a spoken command (its last sample in the
synthesised conversation) to the first sentence of the reply ready to play (silence that
ends the turn + decoding left then + Rasa + speech synthesis), over headless runs, for all turns
and for those spoken while the client was silent or speaking (barge-in); once with no echo of
the replies in the microphone (headphones), once with them echoing back through a room (a laptop's loudspeaker).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

from massage_coach.clients.voice.audio import RATE, add_noise, silence, to_recogniser_rate
from massage_coach.clients.voice.echo import EchoGate, PlaybackTimeline
from massage_coach.clients.voice.echo_cancel import EchoCanceller
from massage_coach.clients.voice.headless import run_headless
from massage_coach.clients.voice.listener import hear
from massage_coach.clients.voice.recognizer import Recognizer
from massage_coach.clients.voice.session import SETTING_ACTIONS, VoiceSession
from massage_coach.clients.voice.speaker import Speaker
from massage_coach.clients.voice.understanding import CommandRecognizer
from massage_coach.domain.content import load_content
from massage_coach.server.launcher import Servers
from tests.support.synthetic import (
    DIGITAL_SILENCE,
    USER_VOICES,
    mix_under,
    room_echo,
    say,
    spoken_ends,
    write_conversation,
)

COMMANDS = [
    "next", "next step", "go back", "previous step", "repeat", "say that again", "pause", "continue",
    "stop the massage", "how long is left", "go to step five", "go to step twelve", "slower", "faster",
    "louder", "quieter", "yes", "no", "none of those", "stop", "start the quick massage",
    "start the relaxing massage", "what is kneading", "explain effleurage", "is it safe near the kidneys",
    "can i press on the spine", "where is the lumbar zone", "she has a fever", "he has varicose veins",
    "which routines do you have", "what do i need", "help",
]
# Everyday talk during a massage that is no command: ideally none of it is taken as one.
EVERYDAY_TALK = [
    "okay", "mhm", "hmm", "oh", "right", "good", "that feels nice", "oh that's lovely", "right there",
    "that's the spot", "my phone is ringing", "the weather is nice today", "i like this music",
    "where did i put the towel", "thanks love",
]
ECHO_BELOW_DB = 6.0  # the command's speech power over the echo's: the harder end of 6-10 dB
HARDER_ECHO_BELOW_DB = 0.0  # the loudspeaker as loud at the microphone as the user
NARRATION_LEAD_S = 1.5  # the narration has been playing this long when the user speaks
# The segmenter's end of speech may lag the spoken end by its 50 ms smoothing (or come before
# a faint last sound): the command that ended up to this much after it is the one heard.
END_SLACK_S = 0.1
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


def talk_taken_as_commands(recognizer: Recognizer) -> Tuple[List[str], int]:
    """Each of EVERYDAY_TALK in each voice, heard during a routine (clean)."""
    taken = []
    for voice, speed in USER_VOICES:
        for talk in EVERYDAY_TALK:
            audio = np.concatenate([silence(0.5), say(talk, voice, speed), silence(0.5)])
            text, _ = heard(recognizer, audio, "routine")
            if text:
                taken.append(f"{voice}/{speed}: {talk!r} -> {text!r}")
    return taken, len(USER_VOICES) * len(EVERYDAY_TALK)


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


def heard(recognizer: Recognizer, audio: np.ndarray, context: str,
          timeline: PlaybackTimeline | None = None) -> Tuple[str, List[float]]:
    """The command(s) a session hears in `audio`, and when it would have fallen silent for the
    user's voice; with `timeline`, the client was speaking that playback all along, so every
    turn goes through the echo gate."""
    gate = None
    if timeline is not None:  # as the client: the recogniser hears the stretch with the echo cancelled
        canceller = EchoCanceller(timeline, isolated=False)
        canceller.feed(audio, 0.0)
        gate = EchoGate(timeline, canceller)
    fell_silent: List[float] = []
    turns = hear(recognizer, audio, context, gate, on_user_voice=fell_silent.append)
    texts = [turn.recognition.text for turn in turns if turn.recognition]
    return " + ".join(text for text in texts if text), fell_silent


def accuracy(servers: Servers, recognizer, grammar: Recognizer, snr_db, while_speaking: bool, contextual: bool,
             narration: List[tuple] = (), echo_below_db: float = ECHO_BELOW_DB) -> tuple:
    """Each command in each context it is used in, searched in that context's phrases
    (`contextual`) or in all phrases (the same audio, for comparison). `while_speaking`: spoken
    over the echo of a step's `narration`, `echo_below_db` quieter; then also how long after the
    command began the client fell silent for it (None: it never did)."""
    right, total, misses, cache, silent_after = 0, 0, [], {}, []
    for voice, speed in USER_VOICES:
        for command, context in [(phrase, context) for phrase in COMMANDS
                                 for context in used_in(grammar, phrase)]:
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
            text, fell_silent = heard(recognizer, audio, search, timeline if while_speaking else None)
            if while_speaking:  # how long after the user began the client would fall silent
                began_s = NARRATION_LEAD_S + np.flatnonzero(np.abs(spoken) > DIGITAL_SILENCE)[0] / RATE
                silent_after.append(fell_silent[0] - began_s if fell_silent else None)
            total += 1
            if same_meaning(servers, grammar, command, text, cache):
                right += 1
            else:
                misses.append(f"{voice}/{speed} {search or 'all'}: {command!r} -> {text or '(rejected)'!r}")
    return right, total, misses, silent_after


def false_triggers(recognizer: Recognizer, narration: List[tuple]) -> tuple:
    """Every step's narration as the microphone hears it, with nobody else speaking: commands
    heard, segments, and the times the client would have fallen silent for nobody."""
    triggers, pieces, interruptions = [], 0, []
    for number, (routine, played) in enumerate(narration):
        timeline = PlaybackTimeline()
        timeline.play(0.3, played)
        audio = room(np.concatenate([silence(0.3), played, silence(0.5)]), seed=number)
        fell_silent: List[float] = []
        canceller = EchoCanceller(timeline, isolated=False)
        canceller.feed(audio, 0.0)
        turns = hear(recognizer, audio, "routine", EchoGate(timeline, canceller), on_user_voice=fell_silent.append)
        pieces += len(turns)
        triggers += [f"{routine}: {turn.recognition.text!r}" for turn in turns
                     if turn.recognition and turn.recognition.text]
        interruptions += [f"{routine}: {at_s - 0.3:.1f} s into the narration" for at_s in fell_silent]
    return triggers, pieces, interruptions


def latencies(servers: Servers, recognizer: Recognizer, room_echo_db: float | None = None) -> List[Tuple[float, bool]]:
    """(latency in ms from the end of the command as spoken, barged in) of every answered voice
    turn; with `room_echo_db`, the replies echo back into the microphone at that gain (headless
    --room-echo)."""
    turns = [("start the quick massage", 3), ("none of those", 4), ("next step", 3), ("repeat", 3),
             ("pause", 3), ("continue", 3), ("how long is left", 3), ("what is kneading", 3),
             ("go back", 3), ("louder", 2), ("stop the massage", 3)]
    found: List[Tuple[float, bool]] = []
    with tempfile.TemporaryDirectory() as work:
        for voice, speed in USER_VOICES:
            audio_in = write_conversation(Path(work) / f"{voice}.wav", turns, voice=voice, speed=speed)
            ends = spoken_ends(turns, voice, speed)
            session = VoiceSession(servers.rest_url, Speaker(), Path(work) / voice, auto_advance=False)
            for record in run_headless(session, recognizer, audio_in, room_echo_db=room_echo_db):
                if record["source"] == "voice" and record["audio"]:
                    # The client's latency runs from the end of the speech it heard; the user's from the
                    # end of the command as spoken (earlier when the reply's echo kept the turn open).
                    said_s = max(end for end in ends if end <= record["at_s"] + END_SLACK_S)
                    found.append((record["latency_ms"] + 1000 * (record["at_s"] - said_s), record["barged_in"]))
    return found


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="only listening accuracy per context and latency (for iterating on latency)")
    parser.add_argument("--recogniser", choices=("whisper", "grammar"), default="whisper")
    args = parser.parse_args()
    quick = args.quick
    with tempfile.TemporaryDirectory() as work:
        servers = Servers(rasa_port=5915, actions_port=5965, tracker_db=Path(work) / "t.db",
                          log_dir=Path(work) / "log", api_token=secrets.token_hex(8))
        with servers:
            grammar = Recognizer()
            print(f"grammar: {len(grammar.grammar.phrases)} phrases "
                  f"({len(grammar.grammar.unpronounceable)} left out: words not in the dictionary)")
            recognizer = grammar if args.recogniser == "grammar" else CommandRecognizer()
            print(f"recogniser: {args.recogniser}")
            narration = narrations()
            modes = [("listening, per context", False, True, {}), ("listening, all phrases", False, False, {}),
                     (f"barge-in over narration {ECHO_BELOW_DB:g} dB below, per context", True, True, {}),
                     (f"barge-in over narration {HARDER_ECHO_BELOW_DB:g} dB below, per context", True, True,
                      {"echo_below_db": HARDER_ECHO_BELOW_DB})][:1 if quick else 4]
            for mode, while_speaking, contextual, options in modes:
                for label, snr in (("clean", None), ("10 dB SNR", 10.0)):
                    right, total, misses, silent_after = accuracy(servers, recognizer, grammar, snr, while_speaking,
                                                                  contextual, narration, **options)
                    print(f"command accuracy {mode}, {label}: {right}/{total} = {100 * right / total:.1f} %")
                    if while_speaking:
                        delays = [1000 * s for s in silent_after if s is not None]
                        print(f"    the client fell silent {statistics.median(delays):.0f} ms (p95 "
                              f"{percentile(delays, 0.95):.0f} ms) after the command began; "
                              f"never for {silent_after.count(None)} of {len(silent_after)}")
                    for miss in misses:
                        print(f"    {miss}")
            if not quick:
                triggers, pieces, interruptions = false_triggers(recognizer, narration)
                print(f"false triggers from narration through a room: {len(triggers)} of {pieces} "
                      "narration segments")
                for trigger in triggers:
                    print(f"    {trigger}")
                taken, said = talk_taken_as_commands(recognizer)
                print(f"everyday talk taken as a command during a routine: {len(taken)} of {said}")
                for line in taken:
                    print(f"    {line}")
                print(f"the client fell silent for its own narration: {len(interruptions)} times in "
                      f"{len(narration)} steps")
                for interruption in interruptions:
                    print(f"    {interruption}")
            rooms = [("", None), (f", replies echoing back at {ROOM_ECHO_DB:g} dB", ROOM_ECHO_DB)]
            for room_label, room_echo_db in rooms:
                found = latencies(servers, recognizer, room_echo_db)
                for label, which in (("", (False, True)), (", while silent", (False,)), (", barge-in", (True,))):
                    figures = [ms for ms, barged_in in found if barged_in in which]
                    if figures:
                        print(f"latency, end of command to first reply audio{room_label}{label}: "
                              f"p50 {statistics.median(figures):.0f} ms, p95 {percentile(figures, 0.95):.0f} ms "
                              f"({len(figures)} turns)")
    corpus = subprocess.run([sys.executable, str(Path(__file__).with_name("bench_voice_corpus.py"))])
    return corpus.returncode


if __name__ == "__main__":
    sys.exit(main())
