"""What the actions share: the validated content and small helpers."""

from __future__ import annotations

from typing import Iterable, List, Optional

from rasa_sdk import Tracker

from massage_coach.content import load_content

# Loaded when the action server imports the actions, so a broken content file stops
# the server at start-up with the file and field named, not a user mid-conversation.
CONTENT = load_content()


# Buttons under any answer given in the middle of a routine; their payloads are plain commands.
NAVIGATION_BUTTONS = [
    {"title": title, "payload": title.lower()} for title in ("Back", "Repeat", "Next", "Pause", "Stop")
]


def entity_ids(tracker: Tracker, entity: str, role: Optional[str] = None) -> List[str]:
    """Ids of `entity` in the latest message with exactly this role, known to content."""
    known = CONTENT.section(entity)
    found = [
        e["value"]
        for e in tracker.latest_message.get("entities", [])
        if e.get("entity") == entity and e.get("role") == role and e.get("value") in known
    ]
    return list(dict.fromkeys(found))


def join_words(words: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def sentence_list(lines: Iterable[str]) -> str:
    """One bullet per line, for chat text."""
    return "\n".join(f"- {line}" for line in lines)
