"""Reading Telegram updates: what a person said, in which chat, and button payloads packed into 64 bytes.

Nothing here talks to Telegram; `bot.channels.telegram.TelegramChannel` calls `read_update` for each
delivery and `TelegramReplies` packs its buttons with `Payloads`.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any, Dict, Optional

from aiogram.types import Update

from bot.channels.shared import typed_text

CALLBACK_DATA_LIMIT = 64
COMMANDS = {"start": "/greet", "help": "/ask_capabilities", "restart": "/restart"}
# Things a person sends that the bot cannot read; it answers them with what it can do.
UNREADABLE = ("sticker", "photo", "video", "video_note", "animation", "voice", "audio", "document",
              "location", "venue", "contact", "poll", "dice")
UPDATE_KINDS = ["message", "edited_message", "callback_query"]
# The callback data of the button that replaces 👍/👎 once a rating is counted: a press does nothing.
RATED_DATA = "#rated"


def is_true(value: Any) -> bool:
    """Whether a credentials value means yes ("true", "1", "yes", "on", any case)."""
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class Payloads:
    """Fits button payloads into Telegram's 64-byte callback data.

    Short payloads travel as they are; a longer one is sent as a key and kept here (bounded), so a
    button from before a restart falls back to `stale`.
    """

    PREFIX = "#p:"

    def __init__(self, capacity: int = 5000, stale: str = "/ask_capabilities"):
        self.capacity = capacity
        self.stale = stale
        self._long: "OrderedDict[str, str]" = OrderedDict()

    def pack(self, payload: str) -> str:
        """The callback data for `payload`: itself (entities JSON compacted) if it fits, else a key."""
        if payload.startswith("/") and "{" in payload:
            intent, _, entities = payload.partition("{")
            try:
                payload = intent + json.dumps(json.loads("{" + entities), separators=(",", ":"))
            except ValueError:
                pass
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._long[key] = payload
        self._long.move_to_end(key)
        while len(self._long) > self.capacity:
            self._long.popitem(last=False)
        return key

    def unpack(self, data: str) -> str:
        """The payload behind callback `data`; `stale` for a key this process no longer holds."""
        if data.startswith(self.PREFIX):
            return self._long.get(data, self.stale)
        return data


def without_mention(text: str, bot_name: Optional[str]) -> str:
    """`text` with the first "@bot_name" removed (any case); "/help@bot" keeps its slash."""
    mention = f"@{bot_name}"
    if bot_name and mention.lower() in text.lower():
        start = text.lower().index(mention.lower())
        text = (text[:start] + text[start + len(mention):]).strip()
    return text


def read_update(update: Update, payloads: Payloads, bot_name: Optional[str]) -> Optional[Dict[str, Any]]:
    """What to tell Rasa about `update`, or None to ignore it.

    Returns {"text", "chat" (aiogram Chat), "reply_to" (message id or None), "kind" ("button",
    "edited" or "message")}. Button data is unpacked; typed text goes through `typed_text`, so only
    /start, /help and /restart become intents; media the bot cannot read asks for /help.
    """
    if update.callback_query is not None:
        query = update.callback_query
        if query.message is None or query.data is None or query.data == RATED_DATA:
            return None
        return {"text": payloads.unpack(query.data), "chat": query.message.chat, "reply_to": None, "kind": "button"}
    edited = update.edited_message is not None
    message = update.edited_message if edited else update.message
    if message is None or (message.from_user is not None and message.from_user.is_bot):
        return None
    text = message.text if message.text is not None else message.caption
    if text is not None:
        text = typed_text(without_mention(text, bot_name), COMMANDS) or COMMANDS["start"]
    elif any(getattr(message, kind, None) for kind in UNREADABLE):
        text = COMMANDS["help"]
    else:
        return None  # service messages: someone joined, a title changed, ...
    # An edited question is answered as a reply to it, so the answer sits next to the new wording.
    return {"text": text, "chat": message.chat, "reply_to": message.message_id if edited else None,
            "kind": "edited" if edited else "message"}
