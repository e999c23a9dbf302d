"""Speech settings take effect on the very next sentence (issue 14's finding: pyttsx3 2.99
applied a new rate one sentence late about 1 time in 10)."""

from __future__ import annotations

from massage_coach.clients.voice.speaker import Speaker, SpeechSettings


def test_each_sentence_is_spoken_at_the_rate_asked_for():
    speaker = Speaker()
    slow = SpeechSettings()
    slow.apply("slower")
    seconds = {}
    for turn in range(12):
        settings = slow if turn % 3 == 1 else SpeechSettings()
        samples, rate, _ = speaker.render_with(settings, "Work the shoulders with slow circles.")
        seconds.setdefault(settings.rate, []).append(len(samples) / rate)
    fast, slow_rate = SpeechSettings().rate, slow.rate
    # Every slow sentence is longer than every sentence at the normal rate.
    assert min(seconds[slow_rate]) > 1.1 * max(seconds[fast]), seconds
