"""The 👍/👎 controls Slack and Telegram draw under a rateable answer, and what became of a press.

A channel draws them when the message Rasa hands it carries `answer_id` (see bot/feedback.py). Each
control's payload is the rating message itself (`/not_helpful{"answer_id":"<id>"}`), so a press
travels to Rasa like any other button and the action server decides whether it counts. The channel
then reads the conversation back (`counted_rating`) and changes the rated message only for a rating
that was counted just now: one refused (another conversation's answer, a second rating) leaves the
message as it was, and the person only sees the bot's neutral reply.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Optional, Tuple

from bot.feedback import ANSWER_ID, FEEDBACK_SLOT, HELPFUL, NOT_HELPFUL, RATINGS

logger = logging.getLogger(__name__)

EMOJI = {HELPFUL: "👍", NOT_HELPFUL: "👎"}
# What screen readers say for the two controls, and the words shown once a rating is counted.
LABELS = {HELPFUL: "Helpful", NOT_HELPFUL: "Not helpful"}


def rating_payload(rating: str, answer_id: str) -> str:
    """The message a press sends: `/<rating>{"answer_id":"<id>"}`, compact JSON (Telegram counts bytes).

    Raises ValueError for a rating other than "helpful" / "not_helpful".
    """
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
    return f"/{rating}" + json.dumps({ANSWER_ID: answer_id}, separators=(",", ":"))


def read_rating(text: Optional[str]) -> Optional[Tuple[str, str]]:
    """(rating, answer_id) when `text` is a rating payload naming an answer; None for anything else."""
    intent, brace, rest = (text or "").strip().partition("{")
    if not brace or not intent.startswith("/") or intent[1:] not in RATINGS:
        return None
    try:
        entities = json.loads(brace + rest)
    except ValueError:
        return None
    answer_id = entities.get(ANSWER_ID) if isinstance(entities, dict) else None
    return (intent[1:], answer_id) if isinstance(answer_id, str) and answer_id else None


async def stored_rating(agent: Any, conversation_id: str, answer_id: str) -> Optional[str]:
    """The rating the conversation store holds for `answer_id` in `conversation_id`, or None.

    `agent`: Rasa's Agent (the Sanic app's `ctx.agent`); without one there is nothing to read.
    Never raises: a store that cannot be read counts as "no rating" and is logged.
    """
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    try:
        tracker = await store.retrieve(conversation_id)
    except Exception as error:  # the store's own errors vary (SQLAlchemy, Redis, ...)
        logger.warning("Could not read conversation %s to show a rating: %s", conversation_id, type(error).__name__)
        return None
    for event in reversed(list(tracker.events) if tracker is not None else []):
        value = getattr(event, "value", None)
        if getattr(event, "key", None) == FEEDBACK_SLOT and isinstance(value, dict) \
                and value.get(ANSWER_ID) == answer_id:
            return value.get("rating")
    return None


async def counted_rating(agent: Any, conversation_id: str, answer_id: str,
                         handle: Callable[[], Awaitable[Any]]) -> Optional[str]:
    """Run `handle()` (Rasa answering a press on a rating control); the rating it stored, or None.

    None also when the answer had been rated before the press, so a rated message changes once.
    Raises whatever `handle()` raises.
    """
    before = await stored_rating(agent, conversation_id, answer_id)
    await handle()
    if before is not None:
        return None
    return await stored_rating(agent, conversation_id, answer_id)
