"""Rasa's REST and socket.io channels, hardened: a bad request gets a 400 that says
what is wrong, a turn that would otherwise get no answer gets an apology, and each bot
message goes out whole: its text, buttons and typed payload in one message (Rasa's own
channels send the payload as a message of its own, so front ends had to guess which
text it belonged to).

credentials.yml names these classes; the URLs stay Rasa's own
(/webhooks/rest/webhook and /socket.io).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels import rest, socketio
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from massage_coach.settings import settings

logger = logging.getLogger(__name__)

APOLOGY = {
    "text": "Sorry, something went wrong on my side and I couldn't answer that. Please try again in a moment.",
    "custom": {"type": "fallback", "reason": "unavailable"},
}

MessageHandler = Callable[[UserMessage], Awaitable[Any]]
WHOLE_MESSAGE_KEYS = ("text", "buttons", "custom")


def whole_message(bot_message: Dict[Text, Any]) -> Dict[Text, Any]:
    return {key: bot_message[key] for key in WHOLE_MESSAGE_KEYS if bot_message.get(key)}


def never_silent(on_new_message: MessageHandler) -> MessageHandler:
    """Wraps Rasa's handler so every turn sends at least one message.

    Rasa swallows failures such as an unreachable action server and answers
    nothing; the person on the other end would wait forever.
    """

    async def handle(message: UserMessage) -> None:
        channel = message.output_channel
        sent = 0
        send_response = channel.send_response
        if isinstance(channel, CollectingOutputChannel):  # REST: collect each message whole

            async def send_response(recipient_id: Text, bot_message: Dict[Text, Any]) -> None:
                await channel._persist_message({"recipient_id": recipient_id, **whole_message(bot_message)})

        async def counting_send_response(recipient_id: Text, bot_message: Dict[Text, Any]) -> None:
            nonlocal sent
            sent += 1
            await send_response(recipient_id, bot_message)

        channel.send_response = counting_send_response
        try:
            await on_new_message(message)
        except Exception:  # the person still gets an answer; the log gets the details
            logger.exception("Handling a message failed")
        if not sent:
            await send_response(message.sender_id, dict(APOLOGY))

    return handle


class RestInput(rest.RestInput):
    """POST {"sender": "...", "message": "..."} to /webhooks/rest/webhook."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @staticmethod
    def _body(request: Request) -> Dict[Text, Any]:
        try:
            body = request.json
        except Exception:  # Sanic raises its own error for a body that is not JSON
            body = None
        if not isinstance(body, dict):
            raise InvalidUsage('send a JSON object: {"sender": "<conversation id>", "message": "<text>"}')
        return body

    async def _extract_sender(self, request: Request) -> Optional[Text]:
        sender = self._body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage('"sender" must be a non-empty string that identifies the conversation')
        return sender

    def _extract_message(self, request: Request) -> Optional[Text]:
        message = self._body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage('"message" must be a string')
        return message

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        return super().blueprint(never_silent(on_new_message))


class SocketIOOutput(socketio.SocketIOOutput):
    """Emits each bot message whole, as the REST channel answers it: {"text", "buttons", "custom"}."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await self._send_message(recipient_id, whole_message(message))


class SocketIOInput(socketio.SocketIOInput):
    """Rasa's socket.io channel; typed payloads, every user message gets an answer, and
    only pages from CORS_ORIGINS may connect.

    Rasa turns python-engineio's Origin check off, and browsers do not hold WebSockets to
    CORS: without this check any website could open a conversation here.
    """

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        answer = never_silent(on_new_message)

        async def with_typed_output(message: UserMessage) -> None:
            rasa_output = message.output_channel
            message.output_channel = SocketIOOutput(rasa_output.sio, rasa_output.bot_message_evt)
            await answer(message)

        blueprint = super().blueprint(with_typed_output)
        origins = set(settings().cors_origins)
        # A callable is checked for requests that send an Origin (browsers); other clients pass.
        self.sio.eio.cors_allowed_origins = origins.__contains__
        # Rasa's --cors (sanic-cors) already sets the CORS headers of the HTTP requests;
        # engineio would add a second Access-Control-Allow-Origin, which browsers reject.
        self.sio.eio._cors_headers = lambda environ: []
        return blueprint
