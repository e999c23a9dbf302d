"""Decodes the spoken corpus with one recogniser and caches what it heard (corpus_decodes.py).

    python scripts/voice_decode.py whisper [--part dev] [--limit N]
    python scripts/voice_decode.py grammar
"""

from __future__ import annotations

import argparse
import sys
import time

from tests.support.voice_corpus import CONDITIONS, stable_hash, utterances
from tests.support.voice_decodes import decode_all, key, sampled

# whisper: as the client runs it (the encoder sees the turn and a short tail, beam search of 5);
# whisper-30s: the whole 30 s window faster-whisper pads to, greedy (the earlier client);
# whisper-beam1: the client's, greedy; whisper-nons: the client's without noise suppression.
RECOGNISERS = ("grammar", "whisper", "whisper-30s", "whisper-beam1", "whisper-noprompt", "whisper-nons")


def decoder(name: str):
    if name == "grammar":
        from massage_coach.clients.voice.listener import hear
        from massage_coach.clients.voice.recognizer import Recognizer

        recognizer = Recognizer()

        def decode(item, condition):
            context = "routine+asked" if item.kind == "answer" else "routine"
            started = time.perf_counter()
            turns = hear(recognizer, item.audio(condition), context)
            heard = [t.recognition for t in turns if t.recognition is not None and t.recognition.action]
            return {"phrase": heard[0].text if heard else "", "action": heard[0].action if heard else "",
                    "turns": len(turns), "ms": (time.perf_counter() - started) * 1000}
        return decode
    from massage_coach.clients.voice.listener import hear
    from massage_coach.clients.voice.transcriber import BEAM_SIZE, DOMAIN_PROMPT, NOISE_SUPPRESSION, Transcriber
    from massage_coach.clients.voice.understanding import CommandRecognizer

    transcriber = Transcriber(prompt="" if name == "whisper-noprompt" else DOMAIN_PROMPT,
                              beam_size=1 if name in ("whisper-30s", "whisper-beam1") else BEAM_SIZE,
                              full_window=name == "whisper-30s",
                              noise_suppression=NOISE_SUPPRESSION if name == "whisper" else 0)
    listening = CommandRecognizer(transcriber)

    def decode(item, condition):
        """As the client hears it: cut into turns by the listener, each decoded when its closing
        silence begins. Each turn's transcript is kept (a split command is two turns live too)."""
        started = time.perf_counter()
        turns = hear(listening, item.audio(condition), "routine")
        texts = [turn.recognition.best_guess for turn in turns if turn.recognition is not None]
        return {"text": " ".join(texts), "turns": texts, "ms": (time.perf_counter() - started) * 1000,
                "views": [list(turn.recognition.views) for turn in turns if turn.recognition is not None],
                "decode_ms": [turn.recognition.decode_ms for turn in turns if turn.recognition is not None]}
    return decode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recogniser", choices=RECOGNISERS)
    parser.add_argument("--part", help="dev, locked or human (default: all)")
    parser.add_argument("--limit", type=int, help="at most this many (a quick look)")
    parser.add_argument("--share", type=float, default=1.0,
                        help="decode this share of the subset (the same utterances for every recogniser)")
    args = parser.parse_args()
    work = [(item, condition) for item in utterances() for condition in CONDITIONS
            if sampled(item, condition) and (not args.part or item.part == args.part)
            and stable_hash(key(item, condition)) % 100 < args.share * 100]
    work.sort(key=lambda pair: stable_hash(key(*pair)))  # a --limit look spreads over voices and phrases
    work = work[:args.limit] if args.limit else work
    started = time.perf_counter()
    decode_all(args.recogniser, work, decoder(args.recogniser),
               progress=lambda n, total: n % 50 == 0 and print(f"  {n}/{total} {time.perf_counter() - started:.0f} s",
                                                               flush=True))
    print(f"{len(work)} utterances decoded or cached by {args.recogniser}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
