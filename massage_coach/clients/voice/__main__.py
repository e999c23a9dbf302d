"""Hands-free Massage Coach: `make voice` (or python -m massage_coach.clients.voice [options]).

Connects to the Rasa server at --rest-url (default: RASA_PORT on loopback), or starts
the action server and Rasa server itself when none answers there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from massage_coach.clients.assistant import answers
from massage_coach.clients.voice.audio import AudioError
from massage_coach.clients.voice.isolated import IsolatedRecognizer, IsolatedSpeaker, IsolatedTranscriber
from massage_coach.clients.voice.session import StepClock, VoiceSession
from massage_coach.clients.voice.speaker import SpeechSettings
from massage_coach.clients.voice.understanding import CommandRecognizer
from massage_coach.server.launcher import ServerError, Servers
from massage_coach.settings import PROJECT_DIR, settings


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m massage_coach.clients.voice", description=__doc__.split("\n")[0])
    parser.add_argument("--rest-url", help="the Rasa REST webhook (default: start or reuse the local servers)")
    parser.add_argument("--audio-in", type=Path, help="headless: user turns from this 16 kHz mono WAV")
    parser.add_argument("--audio-out", type=Path, help="write replies as WAV here (and transcript.jsonl)")
    parser.add_argument("--typed", action="store_true", help="type instead of speaking")
    parser.add_argument("--device", default="default",
                        help="ALSA device for the microphone and the speaker (default %(default)s; e.g. pulse)")
    parser.add_argument("--voice", default=SpeechSettings.voice, help="espeak-ng voice id (default %(default)s)")
    parser.add_argument("--rate", type=int, default=SpeechSettings.rate, help="words per minute (%(default)s)")
    parser.add_argument("--volume", type=float, default=SpeechSettings.volume, help="0.0 to 1.0 (%(default)s)")
    parser.add_argument("--no-auto-advance", action="store_true", help="never move to the next step by itself")
    parser.add_argument("--duration-scale", type=float, default=1.0,
                        help="multiply step durations (e.g. 0.01 to try the pacing quickly)")
    parser.add_argument("--recogniser", choices=("whisper", "grammar"), default="whisper",
                        help="whisper: open transcription, then the command or nothing (default); "
                             "grammar: the pocketsphinx phrase grammar")
    parser.add_argument("--wake-phrase", default="", metavar="WORDS",
                        help='only turns that start with these words are commands (e.g. "coach"), '
                             "except answers to a question; off by default")
    parser.add_argument("--confirm-always", action="store_true",
                        help="ask before ending, restarting or switching a routine or jumping steps, even when sure")
    parser.add_argument("--room-echo", type=float, metavar="DB",
                        help="headless: mix the replies into the input as a room would echo them, DB loud (e.g. -10)")
    args = parser.parse_args(argv)
    if args.audio_in and not args.audio_out:
        parser.error("--audio-in needs --audio-out DIR for the replies")
    if args.room_echo is not None and not args.audio_in:
        parser.error("--room-echo mixes the replies into --audio-in; give both")
    if args.duration_scale <= 0:
        parser.error("--duration-scale must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    from massage_coach.clients.voice import live
    from massage_coach.clients.voice.headless import run_headless

    servers = speaker = recognizer = transcriber = None
    config = settings()
    rest_url = args.rest_url or config.rest_url
    try:
        if not args.rest_url and not answers(rest_url):
            print("Starting the action server and the Rasa server...", flush=True)
            servers = Servers(rasa_port=config.rasa_port, actions_port=config.actions_port).start()
            rest_url = servers.rest_url
        # Native code (espeak-ng, pocketsphinx, Whisper) runs in worker processes, started again if they die.
        speaker = IsolatedSpeaker(SpeechSettings(voice=args.voice, rate=args.rate, volume=args.volume))
        out_dir = args.audio_out or PROJECT_DIR / "var" / "voice"
        out_dir.mkdir(parents=True, exist_ok=True)
        session = VoiceSession(rest_url, speaker, out_dir, auto_advance=not args.no_auto_advance,
                               clock=StepClock(scale=args.duration_scale))
        if args.recogniser == "whisper" and not args.typed:
            transcriber = IsolatedTranscriber()
            whisper = CommandRecognizer(transcriber, wake_phrase=args.wake_phrase, confirm_always=args.confirm_always)
            whisper.position = lambda: session.current_step
            listening = whisper
        else:  # the grammar recogniser; typed input also reads its phrases (what "louder" means)
            recognizer = listening = IsolatedRecognizer()
        if args.audio_in:
            records = run_headless(session, listening, args.audio_in, room_echo_db=args.room_echo)
            print(f"{len(records)} turns; transcript in {out_dir / 'transcript.jsonl'}")
            return 0
        if args.typed:
            return live.run_typed(session, recognizer)
        problem = live.missing_devices(args.device)
        if problem:
            print(f"Voice input and output are not available: {problem}.\n"
                  "Falling back to typed input; the spoken replies are written as WAV files.", flush=True)
            recognizer = recognizer or IsolatedRecognizer()
            return live.run_typed(session, recognizer)
        return live.run_live(session, listening, args.device)
    except (ServerError, AudioError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        for worker in (speaker, recognizer, transcriber):
            if worker is not None:
                worker.close()
        if servers:
            servers.stop()


if __name__ == "__main__":
    sys.exit(main())
