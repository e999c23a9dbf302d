"""What end-to-end tests share: free ports, the browser origins, and a REST conversation
that checks every payload against the contract."""

from __future__ import annotations

import json
import socket
import urllib.request
import uuid
from typing import Dict, List

import jsonschema

from massage_coach.clients.assistant import post_message
from massage_coach.domain import payloads
from massage_coach.server.launcher import Servers

PAYLOAD_VALIDATOR = jsonschema.Draft7Validator(payloads.load_schema())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Pages the browser tests serve: the widget's demo page and another site that embeds it.
# Only these origins may open the socket.io channel (CORS_ORIGINS).
WIDGET_PORT, PARTNER_SITE_PORT = free_port(), free_port()
BROWSER_ORIGINS = [f"http://127.0.0.1:{port}" for port in (WIDGET_PORT, PARTNER_SITE_PORT)]


class Conversation:
    """One user talking to the assistant over REST; checks every payload against the contract."""

    def __init__(self, servers: Servers, sender: str | None = None) -> None:
        self.servers = servers
        self.sender = sender or f"test-{uuid.uuid4().hex}"

    def say(self, text: str) -> List[Dict]:
        replies = post_message(self.servers.rest_url, self.sender, text)
        for reply in replies:
            if "custom" in reply:
                PAYLOAD_VALIDATOR.validate(reply["custom"])
        return replies

    def payloads(self, text: str) -> List[Dict]:
        return [r["custom"] for r in self.say(text) if "custom" in r]

    def payload(self, text: str) -> Dict:
        """The single typed payload of an answer, with its text attached as `_text`."""
        replies = self.say(text)
        customs = [r["custom"] for r in replies if "custom" in r]
        assert len(customs) == 1, f"expected one payload for {text!r}, got {replies}"
        return {**customs[0], "_text": " ".join(r.get("text", "") for r in replies)}

    def tracker(self) -> Dict:
        url = (f"{self.servers.base_url}/conversations/{self.sender}/tracker"
               f"?token={self.servers.api_token}")
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())
