"""Rasa's REST channel with its input checked before Rasa sees it.

credentials.yml: `bot.channels.rest.ValidatedRestInput:` in place of `rest:`; the address stays
`POST /webhooks/rest/webhook` with `{"sender": "<conversation id>", "message": "<text>"}`, and the
reply is Rasa's usual list of messages (`?stream=true` still streams them).

Rasa 3.6's own channel answers a JSON array or string with 500, a missing or non-string `message`
with 200 and `[]` (nothing said, nothing explained), and a missing `sender` by putting the message
in the conversation "default", which every such client shares, so one person could read another's
replies. Here each of those gets a 400 (413 for an over-long message) with a short JSON error
naming the field, by the rules in bot/channels/input_rules.py.
"""
from __future__ import annotations

import inspect
import json
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Text, Union

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.channels import input_rules

logger = logging.getLogger(__name__)


def parse_request(body: bytes) -> Dict[str, Any]:
    """A REST request body -> {"sender", "text", "metadata", "input_channel"}.

    Raises input_rules.InputError (400/413) for a body that is not a JSON object, or a missing,
    blank or non-string `sender` or `message`, an over-long message, or non-object metadata.
    """
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        raise input_rules.InputError(400, "body", "The body is not valid JSON.") from None
    data = input_rules.request_body(data)
    channel = data.get("input_channel") or RestInput.name()
    if not isinstance(channel, str):
        raise input_rules.InputError(400, "input_channel", "`input_channel` must be a string when given.")
    return {
        "sender": input_rules.sender_id(data.get("sender")),
        "text": input_rules.message_text(data.get("message")),
        "metadata": input_rules.metadata(data.get("metadata")),
        "input_channel": channel,
    }


class RatedCollectingOutput(CollectingOutputChannel):
    """Rasa's REST collector, keeping a guide answer's `answer_id` in the reply (bot/feedback.py), so
    a REST client can offer 👍/👎 and send `/helpful{"answer_id": ...}` back."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        before = len(self.messages)
        await super().send_response(recipient_id, message)
        if message.get("answer_id") and len(self.messages) > before:
            self.messages[before]["answer_id"] = message["answer_id"]


class ValidatedRestInput(RestInput):
    """`rest`, refusing malformed requests with a 4xx and a JSON error instead of 500 or `[]`."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            try:
                parsed = parse_request(request.body or b"")
            except input_rules.InputError as error:
                return response.json(error.as_json(), status=error.status)
            sender, text = parsed["sender"], parsed["text"]
            channel, metadata = parsed["input_channel"], parsed["metadata"]
            if bool_arg(request, "stream", default=False):
                return response.stream(self.stream_response(on_new_message, text, sender, channel, metadata),
                                       content_type="text/event-stream")
            collector = RatedCollectingOutput()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=channel, metadata=metadata))
            except CancelledError:
                logger.error("REST: handling a message for %s was cancelled", sender)
            except Exception:  # noqa: BLE001 - the caller gets what was said so far; the log gets the trace
                logger.exception("REST: could not handle a message for %s", sender)
            return response.json(collector.messages)

        return webhook
