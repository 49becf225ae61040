"""The web chat's request bodies and replies: what `POST /webchat/message` and `/webchat/history`
accept, and the one message shape the widget renders (live replies and history alike).

The rules shared with every channel (a message is a string with some text, within a length limit)
come from `input_rules`; the web chat adds its own on top: the conversation id is a 128-bit random
hex string made by the browser (anything shorter is refused, so ids cannot be guessed), stored as
`webchat-<id>` so this channel can never read a conversation another channel started; typed text
is never an intent payload; only the greeting and a rating (👍/👎 under an answer, `bot/feedback.py`)
may be sent silently.

Pure functions of bytes and events: tested without a server.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterable, List, Optional

from rasa.shared.core.events import BotUttered, SessionStarted, SlotSet, UserUttered

from bot.channels import input_rules
from bot.feedback import ANSWER_ID, FEEDBACK_SLOT, RATINGS

# 32 hex digits (dashes of the UUID form allowed): 128 random bits from crypto.getRandomValues.
CONVERSATION_ID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
SENDER_PREFIX = "webchat-"
MAX_BODY_BYTES = 16 * 1024
MAX_LABEL_CHARS = 200
HISTORY_LIMIT = 200
# A rating's payload: `/helpful` or `/not_helpful`, then Rasa's entity JSON. Only its start is checked
# here; whether the JSON is sound, the answer it names exists, belongs to this conversation or was
# rated already is the bot's decision (`action_rate_answer`), which answers a refused rating politely.
RATING_PAYLOAD = re.compile(r"^/(?:%s)(?:\{.*)?$" % "|".join(RATINGS), re.S)


class RequestError(input_rules.InputError):
    """A client mistake, answered with its status and a one-line JSON explanation `{"error": ...}`."""

    def __init__(self, status: int, message: str, field: str = "body"):
        super().__init__(status, field, message)


def conversation_id(value: Any) -> str:
    """The tracker id (`webchat-<32 hex>`) for a browser's conversation id; RequestError (400) if it
    is not a random id."""
    if not isinstance(value, str) or not CONVERSATION_ID.match(value):
        raise RequestError(400, "`sender` must be a random conversation id: 32 hex digits (a UUID).", "sender")
    return input_rules.sender_id(SENDER_PREFIX + value.replace("-", "").lower())


def typed_text(text: str) -> str:
    """Typed text never reaches Rasa as an intent payload: a leading "/" is dropped.

    Only the widget's buttons (sent with their `label`) and the configured greeting are payloads.
    """
    return text.lstrip("/").strip() if text.startswith("/") else text


def json_object(body: bytes, example: str) -> Dict[str, Any]:
    """The request body as a JSON object, whatever its Content-Type (the widget sends text/plain).

    Raises RequestError: 413 over MAX_BODY_BYTES, 400 for anything but a JSON object.
    """
    if len(body) > MAX_BODY_BYTES:
        raise RequestError(413, f"The request is larger than {MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise RequestError(400, f"The body must be a JSON object: {example}.")
    return data


def parse_history_request(body: bytes) -> str:
    """A POST /webchat/history body -> the tracker id; RequestError (400/413) if malformed."""
    return conversation_id(json_object(body, '{"sender": "<id>"}').get("sender"))


def parse_message(body: bytes, max_chars: int, greeting: Optional[str]) -> Dict[str, Any]:
    """A POST /webchat/message body -> `{"sender", "text", "metadata"}` for Rasa.

    `max_chars` is the channel's message limit (at most input_rules.MAX_MESSAGE_CHARS); `greeting`
    the one payload that may be sent with `"silent": true`. Raises RequestError (400, or 413 for
    a body or message over its limit).
    """
    data = json_object(body, '{"sender": "<id>", "message": "<text>"}')
    sender = conversation_id(data.get("sender"))
    try:
        text = input_rules.message_text(data.get("message"), "message", max_chars).strip()
    except input_rules.InputError as error:
        raise RequestError(error.status, str(error), error.field) from None
    label, silent = data.get("label"), data.get("silent", False)
    if label is not None and (not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL_CHARS):
        raise RequestError(400, f"`label` must be a button title of 1-{MAX_LABEL_CHARS} characters.", "label")
    if not isinstance(silent, bool):
        raise RequestError(400, "`silent` must be true or false.", "silent")
    if silent and text != greeting and not RATING_PAYLOAD.match(text):
        raise RequestError(400, "Only the greeting or a rating can be sent silently.", "silent")
    if label is None and not silent:
        text = typed_text(text)
        if not text:
            raise RequestError(400, "`message` must contain some text.", "message")
    # Kept on the user event, so history shows what the person saw (a button's title, not its
    # payload) and leaves out what the widget sends on its own (the greeting, a rating).
    shown = {"label": label.strip()} if label else ({"silent": True} if silent else {})
    return {"sender": sender, "text": text, "metadata": {"webchat": shown} if shown else {}}


def bot_message(text: Optional[str], data: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """A bot utterance (text plus Rasa's message data and metadata) -> `{"from": "bot", "text",
    ["buttons"], ["image"], ["answer_id"]}`, the one shape the widget renders, live or from history.
    Only http(s) images, buttons with a payload and a string answer id (a rateable answer) are kept."""
    data = data or {}
    message: Dict[str, Any] = {"from": "bot", "text": text or ""}
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in data.get("buttons") or [] if isinstance(b, dict) and b.get("payload")
    ]
    if buttons:
        message["buttons"] = buttons
    image = data.get("image")
    if isinstance(image, str) and image.startswith(("https://", "http://")):
        message["image"] = image
    answer_id = data.get(ANSWER_ID)
    if isinstance(answer_id, str) and answer_id:
        message[ANSWER_ID] = answer_id
    return message


def rating_of(event: Any) -> Optional[Dict[str, str]]:
    """`{"answer_id", "rating"}` if `event` is a counted rating (the `feedback` slot set to a Rating's
    dict, bot/feedback.py), else None."""
    if not isinstance(event, SlotSet) or event.key != FEEDBACK_SLOT or not isinstance(event.value, dict):
        return None
    answer_id, rating = event.value.get(ANSWER_ID), event.value.get("rating")
    if isinstance(answer_id, str) and rating in RATINGS:
        return {"answer_id": answer_id, "rating": rating}
    return None


def history(events: Iterable[Any], limit: int = HISTORY_LIMIT) -> List[Dict[str, Any]]:
    """Tracker events -> the last `limit` messages as the widget showed them: `{"from": "user",
    "text"}` (a button's title, not its payload; the silent greeting and ratings left out) and
    bot_message()s, where a rated answer also has `"rating": "helpful"` or `"not_helpful"`. An answer
    of an earlier session keeps its id only if it was rated: the bot sees only the current session,
    so it could not take a rating of it (bot/feedback.py)."""
    messages: List[Dict[str, Any]] = []
    ratings: Dict[str, str] = {}
    earlier = 0  # messages of the sessions before the current one
    for event in events:
        if isinstance(event, SessionStarted):
            earlier = len(messages)
        elif isinstance(event, UserUttered):
            shown = (event.metadata or {}).get("webchat") or {}
            if shown.get("silent") or not event.text:
                continue
            messages.append({"from": "user", "text": shown.get("label") or event.text})
        elif isinstance(event, BotUttered) and (event.text or event.data.get("image")):
            # message() is data and metadata together; the answer id is in the metadata.
            messages.append(bot_message(event.text, event.message()))
        else:
            rated = rating_of(event)
            if rated:
                ratings.setdefault(rated["answer_id"], rated["rating"])  # the first one is the one that counted
    for number, message in enumerate(messages):
        if message.get(ANSWER_ID) in ratings:
            message["rating"] = ratings[message[ANSWER_ID]]
        elif number < earlier:
            message.pop(ANSWER_ID, None)
    return messages[-limit:]
