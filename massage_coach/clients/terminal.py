"""Terminal front end: renders the bot's text, buttons and typed payloads."""

from __future__ import annotations

import json
import urllib.error
import uuid
from typing import Dict, List

from massage_coach.clients.assistant import post_message


def banner(payload: Dict) -> str:
    """A verdict's label, as the assistant words it: "[Don't massage]"."""
    return f"[{payload['label']}]" if payload.get("label") else ""


def render(replies: List[Dict]) -> List[str]:
    """Lines to print for one turn: verdict banners first, then texts and numbered buttons."""
    lines = [banner(r["custom"]) for r in replies if r.get("custom")]
    number = 0
    for reply in replies:
        if reply.get("text"):
            lines.append(reply["text"])
        for button in reply.get("buttons") or []:
            number += 1
            lines.append(f"  {number}. {button['title']}")
    return [line for line in lines if line]


def chat(rest_url: str) -> None:
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    buttons: List[Dict] = []
    print("Massage Coach. Type your question (Ctrl-D or /quit to leave).")
    while True:
        try:
            text = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if text in ("/quit", "/exit"):
            return
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            replies = post_message(rest_url, sender, text)
        except (urllib.error.URLError, OSError, json.JSONDecodeError) as error:
            print(f"(the assistant is unreachable: {error}; try again)")
            continue
        buttons = [b for reply in replies for b in reply.get("buttons") or []]
        for line in render(replies):
            print(f"coach> {line}")
