"""Ratings of the bot's answers (👍 helpful / 👎 not helpful): what is rateable, and which ratings count.

How a rating travels, on every channel:

1. **A rateable answer** is a guide answer sent by an action through `actions.common.send`. Its
   Rasa bot message carries two metadata keys, `answer_id` (12 hex characters, new for every answer)
   and `answer_about` (the knowledge entry or topic the answer is about: "quality_analyst",
   "shifts", "role_finder"). Rasa merges a bot message's metadata into the message handed to the
   output channel's `send_response`, so a channel sees `message["answer_id"]` and draws its 👍/👎
   controls; the tracker store keeps them in the `bot` event's `metadata`.
2. **A rating is a user message** `/helpful{"answer_id": "<id>"}` or `/not_helpful{"answer_id":
   "<id>"}` (the payload of those controls), or a typed `/helpful` / `/not_helpful` with no id, which
   rates the latest rateable answer of the conversation (`rasa shell`).
3. **`action_rate_answer`** checks it with `judge()`: the answer must be in this conversation and
   not rated before. A rating that counts is stored as a `feedback` slot event (value: `Rating`
   as a dict); either way the person gets one short reply, never an error. The action then reverts
   the rating turn (Rasa's `UserUtteranceReverted`), so the dialogue continues exactly as if the
   rating had not been typed: a list on screen, a question of the role finder, the topic in focus
   all stay. The events stay in the store; only the dialogue state skips them.
4. **A 👎's comment** is the next message of that conversation (the reply to "What were you looking
   for?", or the question asked instead, which says the same); not asked, and not linked, when the
   👎 came while the role finder waited for an answer (`comment_asked`). Readers of the store link it
   (`bot.store_reader`, for `make report` and the operator page). It is answered like any other message.

No Rasa import here: the events are the dicts Rasa sends to the action server (`tracker.events`).
"""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any, Dict, Iterable, List, Optional

HELPFUL, NOT_HELPFUL = "helpful", "not_helpful"
RATINGS = (HELPFUL, NOT_HELPFUL)
# The slot whose events hold the ratings, and the metadata keys of a rateable bot message.
FEEDBACK_SLOT = "feedback"
ANSWER_ID, ANSWER_ABOUT = "answer_id", "answer_about"
# How much of the rated answer's text is kept with the rating, for the operator's tables.
KEPT_TEXT = 200

# Why a rating was refused (logged, not shown: the person just gets a neutral reply).
UNKNOWN_ANSWER = "no such answer in this conversation"
ALREADY_RATED = "already rated"
NOTHING_TO_RATE = "no answer to rate yet"


def new_answer_metadata(about: Optional[str]) -> Dict[str, Any]:
    """Metadata for a rateable answer about knowledge entry (or topic) id `about`."""
    return {ANSWER_ID: uuid.uuid4().hex[:12], ANSWER_ABOUT: about}


@dataclass(frozen=True)
class Rating:
    """A rating that counts: the answer it rates (id, entry, text) and the verdict."""

    answer_id: str
    rating: str
    about: Optional[str]
    answer_text: str
    # False when the bot asked no "what were you looking for?" (a form's question was pending), so
    # readers don't take the next message, the answer to that question, for a comment.
    comment_asked: bool = True

    def as_slot_value(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    """What `judge` decided: the rating to store, or why there is none."""

    rating: Optional[Rating] = None
    refused: Optional[str] = None


def rateable_answers(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The bot events of a conversation that carry an answer id, oldest first."""
    return [e for e in events if e.get("event") == "bot" and (e.get("metadata") or {}).get(ANSWER_ID)]


def rated_ids(events: Iterable[Dict[str, Any]]) -> set:
    """Ids of the answers already rated in a conversation (reverted turns included: they are stored)."""
    return {(e.get("value") or {}).get(ANSWER_ID) for e in events
            if e.get("event") == "slot" and e.get("name") == FEEDBACK_SLOT and isinstance(e.get("value"), dict)}


def judge(events: List[Dict[str, Any]], rating: str, answer_id: Optional[str]) -> Verdict:
    """Whether a rating counts.

    In: the conversation's events (all of them, as Rasa sends them to the action server), the
    rating ("helpful" or "not_helpful") and the id it names, or None for the latest answer.
    Out: a Verdict holding the Rating to store, or the reason it was refused: the id is not an
    answer of this conversation (another person's, made up, or none shown yet), or that answer
    was rated already. Raises ValueError for a rating other than the two.
    """
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
    answers = rateable_answers(events)
    if answer_id is None:
        if not answers:
            return Verdict(refused=NOTHING_TO_RATE)
        answer = answers[-1]
    else:
        answer = next((a for a in answers if a["metadata"][ANSWER_ID] == answer_id), None)
        if answer is None:
            return Verdict(refused=UNKNOWN_ANSWER)
    metadata = answer["metadata"]
    if metadata[ANSWER_ID] in rated_ids(events):
        return Verdict(refused=ALREADY_RATED)
    text = (answer.get("text") or "")[:KEPT_TEXT]
    return Verdict(Rating(metadata[ANSWER_ID], rating, metadata.get(ANSWER_ABOUT), text))
