"""The rules every channel applies to a person's message before Rasa sees it.

One place for the limits, so REST, socket.io and the web chat refuse the same things with the same
words (docs/production.md lists them):

- the conversation id (`sender`, socket.io's `session_id`) is a non-empty string of at most
  MAX_SENDER_CHARS characters; without one Rasa would put the message in its shared "default"
  conversation, where one person could read another's replies;
- the message is a string with some visible text, at most MAX_MESSAGE_CHARS characters;
- metadata, when given, is a JSON object.

Imports nothing from Rasa, so it is tested on its own.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

MAX_MESSAGE_CHARS = 5000
MAX_SENDER_CHARS = 128


class InputError(ValueError):
    """A malformed request: `status` is the HTTP status to answer with (400 or 413), `field` the
    request field at fault, and the message says what is expected."""

    def __init__(self, status: int, field: str, message: str):
        super().__init__(message)
        self.status = status
        self.field = field

    def as_json(self) -> Dict[str, str]:
        return {"error": str(self), "field": self.field}


def sender_id(value: Any, field: str = "sender") -> str:
    """The conversation id, stripped; InputError (400) if missing, empty, not a string or too long."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(400, field, f"`{field}` must be a non-empty string: the id of the conversation.")
    value = value.strip()
    if len(value) > MAX_SENDER_CHARS:
        raise InputError(400, field, f"`{field}` must be at most {MAX_SENDER_CHARS} characters.")
    return value


def message_text(value: Any, field: str = "message", limit: int = MAX_MESSAGE_CHARS) -> str:
    """The message text; InputError 400 if missing, not a string or blank, 413 if over `limit`."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(400, field, f"`{field}` must be a string with some text in it.")
    if len(value) > limit:
        raise InputError(413, field, f"`{field}` is longer than {limit} characters.")
    return value


def metadata(value: Any, field: str = "metadata") -> Optional[Dict[str, Any]]:
    """Optional metadata: None or a JSON object; InputError (400) otherwise."""
    if value is None or isinstance(value, dict):
        return value
    raise InputError(400, field, f"`{field}` must be a JSON object when given.")


def request_body(data: Any) -> Dict[str, Any]:
    """A decoded JSON body that must be an object; InputError (400) for an array, string, number."""
    if not isinstance(data, dict):
        raise InputError(400, "body", 'The body must be a JSON object: {"sender": "<id>", "message": "<text>"}.')
    return data
