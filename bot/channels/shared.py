"""Small pieces the Slack and Telegram channels share: text splitting, de-duplication, typed text."""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Dict, List, Optional

INTENT_PREFIX = "/"


def utf16_length(text: str) -> int:
    # Telegram counts message length in UTF-16 code units, so an emoji costs two.
    return len(text.encode("utf-16-le")) // 2


def split_text(text: Optional[str], limit: int, size: Callable[[str], int] = len) -> List[str]:
    """Cut `text` into pieces of at most `limit` (as measured by `size`), at the widest break that fits.

    Paragraphs stay whole when they can, then lines, then words; only a single word longer than the
    limit is cut mid-word.
    """
    text = (text or "").strip()
    if not text:
        return []
    if size(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        parts = text.split(separator)
        if len(parts) == 1:
            continue
        pieces, current = [], ""
        for part in parts:
            joined = f"{current}{separator}{part}" if current else part
            if size(joined) <= limit:
                current = joined
            else:
                if current:
                    pieces.append(current)
                current = part
        pieces.append(current)
        return [chunk for piece in pieces for chunk in split_text(piece, limit, size)]
    pieces, current = [], ""
    for char in text:
        if size(current + char) > limit:
            pieces.append(current)
            current = ""
        current += char
    return pieces + [current] if current else pieces


class RecentIds:
    """Remembers ids for `seconds`, at most `capacity` of them, so a redelivered event is seen once."""

    def __init__(self, seconds: float = 1800, capacity: int = 10000, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.capacity = capacity
        self.clock = clock
        self._seen: "OrderedDict[str, float]" = OrderedDict()

    def first_time(self, key: Optional[str]) -> bool:
        """True the first time `key` is offered within the window; a missing key is always new."""
        if not key:
            return True
        now = self.clock()
        while self._seen:
            oldest, when = next(iter(self._seen.items()))
            if now - when <= self.seconds and len(self._seen) < self.capacity:
                break
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


def typed_text(text: str, commands: Dict[str, str]) -> str:
    """What a person typed, made safe for Rasa: known commands map to payloads, nothing else is one.

    Rasa reads any message starting with "/" as an intent payload. Buttons are the only source of
    payloads; typed "/start" or "/help" map through `commands`, and any other leading slash is dropped
    so the words reach the NLU.
    """
    text = text.strip()
    if not text.startswith(INTENT_PREFIX):
        return text
    word, _, rest = text[1:].partition(" ")
    command = word.split("@", 1)[0].lower()
    if command in commands:
        return commands[command]
    return text.lstrip(INTENT_PREFIX).strip()
