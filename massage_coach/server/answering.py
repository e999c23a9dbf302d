"""Spoken commands sent to Rasa by the audio server itself, for pages that have their answers said
by the server (`data-speech="server"`).

The page's round trip (request to the page, the page's socket.io turn, the answer's speech back up)
put the page's main thread in the way of the first reply audio: it renders the answer's cards before
it reads the next WebSocket message, 40 ms at the median on this machine and over 100 ms when it is
busy. Here the audio server asks Rasa's REST channel for the answer in the page's own conversation,
starts saying it, and hands the page the answer's typed messages after the first audio, to render
as usual. The speech is the page's rule (widget/src/80-speech.js): the answer's payload `speech`,
else its texts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

import aiohttp

logger = logging.getLogger(__name__)

# What the page renders of a bot message (the channels' whole message: massage_coach/server/channels.py).
MESSAGE_KEYS = ("text", "buttons", "custom")
ANSWER_TIMEOUT_S = 30.0


def spoken_form(messages: List[Dict[str, Any]]) -> str:
    """What the page would say of an answer: its payloads' `speech`, or else its texts."""
    speeches = [message["custom"]["speech"] for message in messages
                if isinstance(message.get("custom"), dict) and isinstance(message["custom"].get("speech"), str)]
    return " ".join(speeches or [message["text"] for message in messages if isinstance(message.get("text"), str)])


class RasaAnswers:
    """Rasa's REST channel at `rest_url`, asked from the audio server's loop."""

    def __init__(self, rest_url: str) -> None:
        self.rest_url = rest_url
        self._session: Optional[aiohttp.ClientSession] = None

    async def ask(self, sender: str, message: str) -> Optional[List[Dict[str, Any]]]:
        """The bot's messages for `message` in conversation `sender`; None when Rasa could not be asked
        (the page then sends the request itself, and says so if Rasa is down)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=ANSWER_TIMEOUT_S))
        try:
            async with self._session.post(self.rest_url, json={"sender": sender, "message": message}) as response:
                response.raise_for_status()
                answer = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.warning("Rasa did not answer a hands-free request: %s", error)
            return None
        if not isinstance(answer, list):
            return None
        return [{key: said[key] for key in MESSAGE_KEYS if key in said} for said in answer if isinstance(said, dict)]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
