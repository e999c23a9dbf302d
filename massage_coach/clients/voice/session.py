"""One voice conversation: what was heard goes to Rasa as text, answers come back as speech.

The session holds no routine logic: the assistant decides every step. The session only
renders payloads (a step's `speech`, else the text), keeps the speech settings, and
runs the step clock the `step` / `paused` payloads describe.
"""

from __future__ import annotations

import json
import time
import urllib.error
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

import numpy as np

from massage_coach.clients.assistant import post_message
from massage_coach.clients.voice.audio import RATE, read_recogniser_audio, wav_duration, write_wav
from massage_coach.clients.voice.echo import PlaybackTimeline
from massage_coach.clients.voice.grammar import ASKED
from massage_coach.clients.voice.speaker import Speaker
from massage_coach.clients.voice.understanding import describe
from massage_coach.domain.requests import request

SETTING_ACTIONS = ("slower", "faster", "louder", "quieter")
CONFIRMATIONS = ("yes", "yes please", "yeah", "yep")
UNREACHABLE = "I can't reach the assistant right now. Please try again in a moment."
# Payloads after which the clock must not move on by itself.
CLOCK_STOPPERS = ("routine_done", "routine_stopped", "screening", "confirmation", "emergency")
REPLAY_S = 1.0  # resuming after an interruption, the client repeats this much of what it said
AFFIRM, DENY = request("affirm"), request("deny")  # the typed requests of a spoken yes and no
NOT_DONE = "Okay, I won't."


def asks_question(replies: List[Dict]) -> bool:
    """Does this answer wait for an answer (its payload says what it `expects`)?"""
    return any((reply.get("custom") or {}).get("expects") for reply in replies)


def spoken_text(replies: List[Dict]) -> str:
    """What to say for one answer: each message's spoken form (`speech`), else its text."""
    pieces = [(reply.get("custom") or {}).get("speech") or reply.get("text") or "" for reply in replies]
    return " ".join(piece.strip() for piece in pieces if piece.strip())


@dataclass
class Turn:
    heard: str
    replies: List[Dict]
    speech: str
    audio: str = ""
    latency_ms: float = 0.0
    source: str = "voice"  # voice | timer | typed | resume (the rest of what a false interruption cut off)
    barged_in: bool = False
    request: str = ""  # what was sent to the assistant: a typed request ("/next_step") or text

    def record(self) -> Dict:
        return {"heard": self.heard, "replies": self.replies, "audio": self.audio,
                "latency_ms": round(self.latency_ms, 1), "source": self.source,
                "barged_in": self.barged_in, "speech": self.speech, "request": self.request}


@dataclass
class StepClock:
    """Counts down the current step; `scale` shortens durations (tests, demos)."""

    scale: float = 1.0
    deadline: Optional[float] = None
    heads_up_at: Optional[float] = None
    heads_up: str = ""
    paused_left: Optional[float] = None
    step_key: Optional[tuple] = None

    def start(self, now: float, payload: Dict) -> None:
        """Follows the step's `pacing`, which the assistant decides."""
        pacing = payload["pacing"]
        key = (payload["routine"], payload["step"])
        if self.paused_left is not None and key == self.step_key:
            left = self.paused_left  # "continue" on the same step keeps the time already done
        else:
            left = pacing["advance_after_s"] * self.scale
        self.step_key, self.paused_left = key, None
        self.deadline = now + left
        self.heads_up = pacing["heads_up"]
        warn = pacing["heads_up_before_s"] * self.scale
        self.heads_up_at = self.deadline - warn if left > 2 * warn > 0 else None

    def pause(self, now: float) -> None:
        if self.deadline is not None:
            self.paused_left = max(0.0, self.deadline - now)
        self.deadline = self.heads_up_at = None

    def after_narration(self, seconds: float) -> None:
        """The step's time starts once its narration has been heard."""
        if self.deadline is not None:
            self.deadline += seconds
            self.heads_up_at = self.heads_up_at + seconds if self.heads_up_at is not None else None

    def cancel(self) -> None:
        self.deadline = self.heads_up_at = self.paused_left = self.step_key = None


@dataclass
class VoiceSession:
    rest_url: str
    speaker: Speaker
    out_dir: Path
    auto_advance: bool = True
    clock: StepClock = field(default_factory=StepClock)
    sender: str = field(default_factory=lambda: f"voice-{uuid.uuid4().hex[:8]}")
    on_turn: Callable[[Turn], None] = lambda turn: None
    speaking_until: float = 0.0
    awaiting_confirmation: str = ""  # a risky phrase heard, sent only after a "yes"
    question_open: bool = False  # the assistant's last answer waits for a yes or no
    played: PlaybackTimeline = field(default_factory=PlaybackTimeline)  # for the echo gate
    # What the client had still to say when the user spoke over it (see `interrupt`).
    unsaid: Optional[np.ndarray] = None
    _count: int = 0

    @property
    def context(self) -> str:
        """Which phrases to listen for: a routine runs from its step payload until it ends;
        answers ("yes", "none of those") only while a question is open."""
        base = "routine" if self.clock.step_key is not None else "idle"
        return f"{base}+{ASKED}" if self.question_open or self.awaiting_confirmation else base

    def interrupt(self, at_s: float) -> None:
        """The user speaks over the client: it falls silent, so that the end of their turn can be
        heard, and keeps what it had still to say (with a little before) in case that was no command."""
        self.unsaid = self.played.stop(at_s, replay_s=REPLAY_S)
        self.speaking_until = min(self.speaking_until, at_s)

    def resume(self, now: float) -> Optional[Turn]:
        """After an interruption that brought no command (a cough, talk): say the rest."""
        unsaid, self.unsaid = self.unsaid, None
        if unsaid is None or not len(unsaid):
            return None
        self._count += 1
        path = self.out_dir / f"turn-{self._count:03d}.wav"
        write_wav(path, unsaid)
        turn = Turn("", [], "", audio=path.name, source="resume")
        self.speaking_until = now + len(unsaid) / RATE
        self.played.play(now, unsaid)
        self.on_turn(turn)
        return turn

    def _speak(self, turn: Turn, now: float, started: float) -> Turn:
        """Renders the turn's speech to DIR/turn-N.wav. Latency ends when its first sentence is
        ready to play: the rest renders while that sentence plays."""
        self._count += 1
        turn.barged_in = turn.barged_in or (turn.source == "voice" and self.unsaid is not None)
        self.unsaid = None  # the new answer replaces what was cut off
        if turn.speech:
            path = self.out_dir / f"turn-{self._count:03d}.wav"
            render_started = time.perf_counter()
            first_ready = self.speaker.render_to(turn.speech, path)
            turn.audio = path.name
            turn.latency_ms += (render_started - started + first_ready) * 1000
            self.speaking_until = now + wav_duration(path)
            self.played.play(now, read_recogniser_audio(path))
        self.on_turn(turn)
        return turn

    def _track(self, replies: List[Dict], now: float) -> None:
        for reply in replies:
            payload = reply.get("custom") or {}
            kind = payload.get("type")
            if kind == "step":
                self.clock.start(now, payload)
            elif kind == "paused":
                self.clock.pause(now)
            elif kind in CLOCK_STOPPERS or (kind == "safety" and payload.get("verdict") != "ok"):
                self.clock.cancel()

    def send(self, text: str, now: float, heard: str = "", source: str = "voice",
             waited_ms: float = 0.0) -> Turn:
        """One turn: `text` to the assistant, the answer spoken. `waited_ms` is latency already spent
        (the silence that ended the spoken command)."""
        started = time.perf_counter()
        barged_in = now < self.speaking_until
        try:
            replies = post_message(self.rest_url, self.sender, text)
        except (urllib.error.URLError, OSError, json.JSONDecodeError):
            replies = [{"text": UNREACHABLE}]
        self._track(replies, now)
        self.question_open = asks_question(replies)
        turn = Turn(heard or text, replies, spoken_text(replies), latency_ms=waited_ms, source=source,
                    barged_in=barged_in, request=text)
        self._speak(turn, now, started)
        if any((reply.get("custom") or {}).get("type") == "step" for reply in replies):
            self.clock.after_narration(max(0.0, self.speaking_until - now))
        return turn

    def hear(self, phrase: str, action: str, now: float, waited_ms: float = 0.0, source: str = "voice",
             heard: str = "") -> Turn:
        """Acts on a recognised phrase: a speech setting locally, anything else via the assistant.
        `phrase` is a grammar phrase, or a typed request ("/next_step", action "command" or
        "confirm") from understanding.py; `heard`: what was said, for the record."""
        heard = heard or phrase
        confirmed, self.awaiting_confirmation = self.awaiting_confirmation, ""
        if confirmed and (phrase in CONFIRMATIONS or phrase == AFFIRM):
            return self.send(confirmed, now, heard=heard, source=source, waited_ms=waited_ms)
        if confirmed and phrase == DENY:  # "no" to "Did you say ...?": nothing happens, and it says so
            return self._speak(Turn(heard, [], NOT_DONE, latency_ms=waited_ms, source=source,
                                    barged_in=now < self.speaking_until), now, time.perf_counter())
        if action == "confirm":
            self.awaiting_confirmation = phrase
            started = time.perf_counter()
            asked = describe(phrase) if phrase.startswith("/") else phrase
            turn = Turn(heard, [], f"Did you say {asked}? Say yes to do it.", latency_ms=waited_ms,
                        source=source, barged_in=now < self.speaking_until)
            return self._speak(turn, now, started)
        if action in SETTING_ACTIONS:
            started = time.perf_counter()
            turn = Turn(heard, [], self.speaker.settings.apply(action), latency_ms=waited_ms, source=source,
                        barged_in=now < self.speaking_until)
            return self._speak(turn, now, started)
        if action == "pause":  # a bare "stop": pause, which loses nothing (see phrases.yml)
            return self.send("pause", now, heard=heard, source=source, waited_ms=waited_ms)
        return self.send(phrase, now, heard=heard, source=source, waited_ms=waited_ms)

    @property
    def current_step(self) -> Optional[int]:
        """The step the user is at while a routine runs (for the recogniser: is a jump far?)."""
        return self.clock.step_key[1] if self.clock.step_key is not None else None

    def tick(self, now: float) -> Optional[Turn]:
        """The clock's own turn, if one is due: the step's heads-up, or moving on from the step
        whose time is up (a request the assistant ignores if the user has left that step)."""
        if not self.auto_advance:
            return None
        if self.clock.heads_up_at is not None and now >= self.clock.heads_up_at:
            self.clock.heads_up_at = None
            return self._speak(Turn("", [], self.clock.heads_up, source="timer"), now, time.perf_counter())
        if self.clock.deadline is not None and now >= self.clock.deadline and self.clock.step_key:
            self.clock.deadline = None
            timed_step = self.clock.step_key[1]
            return self.send(request("next_step", timer_step=timed_step), now, heard="next", source="timer")
        return None
