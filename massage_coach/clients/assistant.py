"""The one HTTP client of the assistant that every front end (terminal, voice, tests) uses."""

from __future__ import annotations

import json
import urllib.request
from typing import Dict, List

# Conversation id of the launchers' readiness checks, kept apart from real users.
HEALTH_SENDER = "__launcher_health_check__"


def post_message(url: str, sender: str, message: str, timeout: float = 10.0) -> List[Dict]:
    """One REST turn: the bot's messages for `message`."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"[]")


def answers(url: str, timeout: float = 5.0) -> bool:
    """Does a Rasa server with a loaded model answer at this REST URL?"""
    try:
        return bool(post_message(url, HEALTH_SENDER, "hello", timeout))
    except (OSError, ValueError):
        return False
