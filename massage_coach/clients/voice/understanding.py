"""Audio in, a typed decision out: a command for the assistant (or the client), or "not for me".

    recogniser = CommandRecognizer()
    decision = recogniser.decide(samples, context="routine")   # -> Decision

The turn is transcribed by Whisper tiny.en (transcriber.py) and the transcript interpreted
(commands.py). Rejection is a first-class outcome: talk that is no command gives
Decision(outcome="not_for_me"); the client then does nothing at all. A command that would
lose the user's place (ending or restarting the routine, switching routine, jumping more
than one step away) is to be confirmed ("Did you say ...?") unless its confidence is high.
With a wake phrase ("coach, next") only turns that start with it are commands, except the
answers to a question the client or the assistant asked; said to it so, the questions a couple
also ask each other ("coach, how hard should I press?") are taken too.

CommandRecognizer also offers the streaming interface the listener drives (begin, feed,
complete, ends_turn, finish, cancel, recognise), so it replaces the grammar Recognizer in
listener.py, headless.py and live.py without changing them: its Recognition carries the
typed request ("/go_to_step{"number": 4}") as `text` and "command", "confirm" or a local
speech setting as `action`.

Whisper needs the whole turn, and the turn ends only after 0.25 s of silence (a shorter pause
may be inside a sentence: "next ... week we're visiting your parents"). So the turn is decoded
when the silence begins (the listener asks `complete` then), and that decision is kept when the
silence goes on to end the turn: the user waits for the silence, not for the decoding.
"""

from __future__ import annotations

import difflib
import json
import time
from dataclasses import dataclass
from typing import Callable, List, Optional, Protocol, Tuple

import numpy as np

from massage_coach.clients.voice.audio import FRAME, RATE
from massage_coach.clients.voice.commands import ADDRESSED, Command, CommandInterpreter
from massage_coach.clients.voice.grammar import ASKED, normalise
from massage_coach.clients.voice.recognizer import Recognition
from massage_coach.clients.voice.sound_alike import SoundAlikeInterpreter
from massage_coach.clients.voice.transcriber import Transcript

PLACE_LOSING = ("stop_routine", "restart_routine", "start_routine")
NEAR_STEPS = 1  # going to a step this near the current one loses nothing
WAKE_SIMILARITY = 0.75  # how close the first word must sound-alike-spell the wake word ("couch" for "coach")
# A turn this short holds no word (a click, a breath): not worth a transcription.
MIN_SPEECH_S = 0.2
# A decision made at a pause stands for the turn if no more than this was fed after it: the
# silence that ended the turn (Segmenter's hangover). Speech after it starts a new pause, decided anew.
PAUSE_SAMPLES = round(0.25 * RATE)


@dataclass
class Decision:
    outcome: str  # "command" | "not_for_me"
    command: Optional[Command]
    transcript: str
    confirm: bool = False  # ask "Did you say ...?" before acting
    decode_ms: float = 0.0
    views: Tuple[str, ...] = ()  # every transcript of the turn: after noise suppression, then without

    @property
    def action(self) -> str:
        """What the voice session does with it (session.hear): "" for nothing."""
        if self.command is None:
            return ""
        if self.command.local:
            return self.command.intent
        return "confirm" if self.confirm else "command"


class Transcribing(Protocol):
    def transcribe(self, samples: np.ndarray, suppressed: bool = True) -> Transcript: ...


def strip_wake_phrase(text: str, wake_phrase: str) -> Optional[str]:
    """The rest of `text` after the wake phrase, or None when it does not start with it."""
    words, wake = normalise(text).split(), normalise(wake_phrase).split()
    if len(words) < len(wake):
        return None
    said = " ".join(words[:len(wake)])
    if difflib.SequenceMatcher(None, said, " ".join(wake)).ratio() < WAKE_SIMILARITY:
        return None
    return " ".join(words[len(wake):])


class CommandRecognizer:
    """Decides what a turn of 16 kHz mono speech is; see the module's docstring."""

    def __init__(self, transcriber: Optional[Transcribing] = None, interpreter: Optional[CommandInterpreter] = None,
                 wake_phrase: str = "", confirm_always: bool = False) -> None:
        if transcriber is None:
            from massage_coach.clients.voice.transcriber import Transcriber

            transcriber = Transcriber()
        self.transcriber = transcriber
        self.interpreter = interpreter or SoundAlikeInterpreter()
        self.wake_phrase = wake_phrase
        self.confirm_always = confirm_always  # confirm place-losing commands even when sure
        # Where the user is (the session's current step, None outside a routine): is a jump far?
        self.position: Callable[[], Optional[int]] = lambda: None
        self._context, self._turn = "", []
        self._fed = 0  # samples of the turn so far
        self._asked_at = -FRAME  # `_fed` at the listener's last `complete` (a pause goes on while it asks)
        self._early: Optional[Tuple[int, Decision]] = None  # (`_fed`, decision) at the pause's start

    def decide(self, samples: np.ndarray, context: str = "routine") -> Decision:
        started = time.perf_counter()
        if len(samples) < MIN_SPEECH_S * RATE:
            return Decision("not_for_me", None, "", decode_ms=(time.perf_counter() - started) * 1000)
        heard = self.transcriber.transcribe(samples)
        views = [heard.text]
        command = self.interpret_views(views, context)
        if command is None and heard.suppressed:  # not surely a command: heard again without noise suppression
            views.append(self.transcriber.transcribe(samples, suppressed=False).text)
            command = self.interpret_views(views, context)
        elapsed = (time.perf_counter() - started) * 1000
        if command is None:
            return Decision("not_for_me", None, heard.text, decode_ms=elapsed, views=tuple(views))
        return Decision("command", command, heard.text, self.needs_confirmation(command), elapsed, tuple(views))

    def interpret_views(self, views: List[str], context: str) -> Optional[Command]:
        if self.wake_phrase and ASKED not in context.split("+"):
            views = [strip_wake_phrase(view, self.wake_phrase) or "" for view in views]
            context = f"{context or 'routine'}+{ADDRESSED}"
        return self.interpreter.interpret_views(views, context or "routine") if any(views) else None

    def needs_confirmation(self, command: Command) -> bool:
        """Would acting on it lose the user's place, and is it not surely what was said?"""
        by_place = {"technique", "last_step"} & set(command.entities)
        if by_place and "number" not in command.entities:
            place_losing = True  # the step "to the kneading" or "to the end" lands on is the routine's: it may be far
        elif command.intent == "go_to_step":
            step = self.position()
            place_losing = step is None or abs(int(command.entities["number"]) - step) > NEAR_STEPS
        else:
            place_losing = command.intent in PLACE_LOSING
        return place_losing and (self.confirm_always or command.confidence < self.interpreter.high_confidence)

    # The listener's streaming interface (see listener.py).
    def begin(self, context: str = "") -> None:
        self._context, self._turn, self._fed, self._asked_at, self._early = context, [], 0, -FRAME, None

    def feed(self, samples: np.ndarray) -> None:
        self._turn.append(samples)
        self._fed += len(samples)

    def complete(self) -> bool:
        """Asked at a pause (by a listener without echo gate: on each of its frames). The pause's
        first ask decodes the turn so far; a turn never ends early ("next" may go on)."""
        pause_begins = self._fed - self._asked_at > FRAME
        self._asked_at = self._fed
        if pause_begins and self._turn:
            self._early = (self._fed, self.decide(np.concatenate(self._turn), self._context))
        return False

    def ends_turn(self, phrase: str, context: str) -> bool:
        return False

    def cancel(self) -> None:
        self._turn, self._early = [], None

    def finish(self, length_s: Optional[float] = None) -> Recognition:
        """The turn's decision: the one made when its closing silence began, if nothing was said since."""
        samples = np.concatenate(self._turn) if self._turn else np.zeros(0, dtype=np.int16)
        if self._early is not None and self._fed - self._early[0] <= PAUSE_SAMPLES:
            decision = self._early[1]
        else:
            decision = self.decide(samples, self._context)
        self._turn, self._early = [], None
        return self.as_recognition(decision)

    def recognise(self, samples: np.ndarray, context: str = "") -> Recognition:
        return self.as_recognition(self.decide(samples, context))

    @staticmethod
    def as_recognition(decision: Decision) -> Recognition:
        request = decision.command.request() if decision.command is not None else ""
        action = decision.action
        # A speech setting is named as the grammar's phrase for it ("louder"), the rest as its request.
        text = decision.command.intent if action and decision.command.local else request
        return Recognition(text if action else "", action, decision.transcript, decision.decode_ms, decision.views)


def describe(request: str) -> str:
    """What a typed request asks for, in words, for "Did you say ...?"."""
    intent, _, entities = request.lstrip("/").partition("{")
    words = {"stop_routine": "stop the massage", "restart_routine": "start the routine again from the beginning",
             "start_routine": "start a routine", "go_to_step": "go to step {number}"}
    text = words.get(intent, intent.replace("_", " "))
    values = json.loads("{" + entities) if entities else {}
    if intent == "start_routine" and "routine" in values:
        return f"start the {str(values['routine']).replace('_', ' ')} routine"
    if intent == "go_to_step" and "number" not in values:  # a jump by the step's place or technique
        return "go to the last step" if "last_step" in values else f"go to the {values.get('technique', 'next')} step"
    return text.format(**values) if "{" in text else text

