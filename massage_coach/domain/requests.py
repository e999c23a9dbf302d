"""Typed requests: what buttons, timers and recognised voice commands send back.

One convention everywhere: Rasa's `/intent{"entity": value}` message, which Rasa maps to
the intent and entities without classifying any prose.
"""

from __future__ import annotations

import json
from typing import Dict, List, Union

Button = Dict[str, str]
EntityValue = Union[str, int]


def request(intent: str, **entities: EntityValue) -> str:
    """`/next_step`, `/go_to_step{"number": 4}`."""
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


def button(title: str, intent: str, **entities: EntityValue) -> Button:
    return {"title": title, "payload": request(intent, **entities)}


YES_NO_SCREENING: List[Button] = [button("No, none of them", "deny"), button("Yes, one of them", "affirm")]
YES_NO_PROFESSIONAL: List[Button] = [button("Yes, I'm a professional with approval", "affirm"), button("No", "deny")]
# Under any answer given in the middle of a routine.
NAVIGATION: List[Button] = [
    button("Back", "previous_step"),
    button("Repeat", "repeat_step"),
    button("Next", "next_step"),
    button("Pause", "pause_routine"),
    button("Stop", "stop_routine"),
]
