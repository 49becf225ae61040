"""The one reader of the conversation store: user messages, what became of each, and the ratings.

`make report` (bot/report.py) and the operator page (bot/operator/) both read through here, so a
message is classified the same way in both. The store is the `events` table of Rasa's SQL tracker
store (SQLite or PostgreSQL). Only the rows and JSON fields that matter are fetched, and the JSON is
taken apart by the database (SQLite's json_extract, PostgreSQL's json operators), which measured
about twice as fast as parsing each event in Python (docs/operator.md).

Each user message becomes a `Turn`, with the outcome the issue asks for:

- answered: a rateable guide answer was sent (a `bot` event whose metadata has `answer_id`);
- not_covered: ask_not_covered / action_not_covered;
- declined: off-topic, declined (out_of_scope / action_decline / utter_out_of_scope);
- unsure: NLU unsure or no rule fitted (nlu_fallback / action_clarify);
- other: greetings, chit-chat, the role finder's questions, the apology when the action server was down.

A rating message (intents helpful / not_helpful) is not a question: it is no Turn. A rating that counts
(a `feedback` slot event, bot/feedback.py) is a `Rated`; a 👎's comment is the next user message of
that conversation that is not itself a rating, unless the 👎 was given in the middle of the role
finder (the rating's `comment_asked` is false: the bot asked for no comment there).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from sys import intern
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import sqlalchemy as sa

from bot.feedback import ANSWER_ABOUT, ANSWER_ID, FEEDBACK_SLOT, NOT_HELPFUL, RATINGS

OUTCOMES = {
    "answered": "answered from the guide",
    "not_covered": "not covered by the guide",
    "declined": "declined as off-topic",
    "unsure": "unsure (NLU unsure or no rule fitted)",
    "other": "other (greetings, chit-chat, role finder, errors)",
}
FALLBACK_INTENT = "nlu_fallback"
# The actions whose presence in a turn changes its outcome or a report group; other actions are not read.
ACTIONS = ("action_not_covered", "action_decline", "utter_out_of_scope", "action_clarify", "utter_cannot_look_up")
RANKED = 3  # ranking entries read: the fallback takes the first place, so three hold the top two intents

EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                  sa.column("timestamp"), sa.column("intent_name"), sa.column("action_name"), sa.column("data"))


@dataclass(slots=True)
class Turn:
    """One user message and what the bot did about it.

    `ranking`: the two top intents NLU hesitated between, best first, as (name, confidence), without
    the fallback (from `ranked`, the first entries of NLU's intent_ranking as read); `answers`:
    (answer_id, answer_about) of the rateable answers sent; `comment_on`: the answer id of the 👎 this
    message comments on, if it does.
    """

    conversation: str
    text: str
    intent: Optional[str]
    confidence: Optional[float]
    timestamp: float
    actions: List[str] = field(default_factory=list)
    ranked: Tuple = ()  # intent_ranking as read: name, confidence, name, confidence, ...
    answers: List[Tuple[str, Optional[str]]] = field(default_factory=list)
    event_id: int = 0
    comment_on: Optional[str] = None

    @property
    def outcome(self) -> str:
        """One of OUTCOMES, the first that applies in OUTCOMES' order."""
        if self.answers:
            return "answered"
        if self.intent == "ask_not_covered" or "action_not_covered" in self.actions:
            return "not_covered"
        if self.intent == "out_of_scope" or "action_decline" in self.actions or "utter_out_of_scope" in self.actions:
            return "declined"
        if self.intent == FALLBACK_INTENT or "action_clarify" in self.actions:
            return "unsure"
        return "other"

    @property
    def ranking(self) -> List[Tuple[str, float]]:
        found = [(self.ranked[i], float(self.ranked[i + 1] or 0)) for i in range(0, len(self.ranked) - 1, 2)
                 if self.ranked[i] and self.ranked[i] != FALLBACK_INTENT]
        return found[:2]

    @property
    def top_confidence(self) -> Optional[float]:
        """How sure NLU was of its best real intent (a fallback's own confidence is its threshold)."""
        ranked = self.ranked
        for i in range(0, len(ranked) - 1, 2):
            if ranked[i] and ranked[i] != FALLBACK_INTENT:
                return float(ranked[i + 1] or 0)
        if self.intent == FALLBACK_INTENT or self.confidence is None:
            return None
        return self.confidence


@dataclass(slots=True)
class Rated:
    """A rating that counts (bot/feedback.py's Rating) with where and when it was given, and the text of
    the next message of that conversation for a 👎 (None until there is one)."""

    conversation: str
    timestamp: float
    answer_id: str
    rating: str
    about: Optional[str]
    answer_text: str
    comment: Optional[str] = None


@dataclass
class Store:
    """What was read: the turns and the ratings, oldest first."""

    turns: List[Turn] = field(default_factory=list)
    ratings: List[Rated] = field(default_factory=list)


# Row layout of `select_rows`: id, sender, type, timestamp, intent, action, then six values whose meaning
# depends on the type: user -> text, confidence, ranking names/confidences; bot -> answer id, about;
# slot -> the feedback value's answer id, rating, about, answer text.
Row = Tuple


def _json(document: sa.sql.ColumnElement, path: Sequence[object]) -> sa.sql.ColumnElement:
    """The text (or number) at `path` inside the JSON `document`, extracted by the database."""
    if isinstance(document.type, sa.JSON):  # PostgreSQL: the event parsed once, in the inner query
        return document[tuple(str(p) for p in path)].astext
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return sa.func.json_extract(document, where)


def select_rows(dialect: str, after_id: int = 0, since: Optional[float] = None,
                upto_id: Optional[int] = None) -> sa.sql.Select:
    """The query for every row the reader needs with after_id < id <= upto_id (and timestamp >= since),
    in id order."""
    c, kind = EVENTS.c, EVENTS.c.type_name
    wanted = sa.or_(kind == "user", sa.and_(kind == "action", c.action_name.in_(ACTIONS)),
                    sa.and_(kind == "bot", c.data.like(f'%"{ANSWER_ID}"%')),
                    sa.and_(kind == "slot", c.action_name == FEEDBACK_SLOT))
    conditions = [wanted, c.id > after_id] + ([c.id <= upto_id] if upto_id is not None else []) + \
        ([c.timestamp >= since] if since is not None else [])
    source: sa.sql.FromClause = EVENTS
    document: sa.sql.ColumnElement = c.data
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        # PostgreSQL parses a text column again for every field taken from it (ten per message, 4.5 s
        # for 10,000 conversations); parsed once per row in a subquery kept apart by OFFSET 0, it
        # is read like SQLite's.
        parsed = sa.select(c.id, c.sender_id, kind, c.timestamp, c.intent_name, c.action_name,
                           sa.cast(c.data, JSONB).label("document")).where(*conditions).offset(0).subquery()
        source, document, conditions = parsed, parsed.c.document, []
    s = source.c

    def pick(*pairs: Tuple[str, Sequence[object]]) -> sa.sql.ColumnElement:
        return sa.case(*[(s.type_name == k, _json(document, p)) for k, p in pairs], else_=sa.null())

    ranking = []
    for index in range(RANKED):
        ranking += [pick(("user", ("parse_data", "intent_ranking", index, "name"))),
                    pick(("user", ("parse_data", "intent_ranking", index, "confidence")))]
    columns = [s.id, s.sender_id, s.type_name, s.timestamp, s.intent_name, s.action_name,
               pick(("user", ("text",)), ("bot", ("metadata", ANSWER_ID)), ("slot", ("value", ANSWER_ID))),
               pick(("user", ("parse_data", "intent", "confidence")), ("bot", ("metadata", ANSWER_ABOUT)),
                    ("slot", ("value", "rating"))),
               pick(("slot", ("value", "about"))), pick(("slot", ("value", "answer_text"))),
               pick(("slot", ("value", "comment_asked"))), *ranking]
    return sa.select(*columns).select_from(source).where(*conditions).order_by(s.id)


def read_rows(source: Union[sa.engine.Engine, sa.engine.Connection], after_id: int = 0,
              since: Optional[float] = None, upto_id: Optional[int] = None) -> List[Row]:
    """The rows of `select_rows` from the store behind `source` (an engine, or a connection whose
    transaction the read should be part of). Raises sqlalchemy.exc.SQLAlchemyError when the store can't
    be read (no events table, database down)."""
    if isinstance(source, sa.engine.Engine):
        with source.connect() as connection:
            return read_rows(connection, after_id, since, upto_id)
    query = select_rows(source.dialect.name, after_id, since, upto_id)
    return [tuple(r) for r in source.execute(query)]


def _number(value: object) -> Optional[float]:
    # PostgreSQL's ->> gives text; SQLite's json_extract gives the number itself.
    return None if value is None else float(value)


class Builder:
    """Turns and ratings from rows fed in id order (as read_rows returns them), possibly in several
    batches: what it knows of each conversation's last turn and last 👎 carries over from batch to
    batch, so a cache can feed it only the rows that are new since its last read."""

    def __init__(self) -> None:
        self.store = Store()
        self._latest: Dict[str, Optional[Turn]] = {}  # conversation -> its open turn (None after a rating)
        self._waiting: Dict[str, Rated] = {}  # conversation -> its last 👎, until a message comments on it

    def feed(self, rows: Iterable[Row]) -> "Builder":
        """Add the turns and ratings of `rows`; returns self."""
        turns, ratings, latest, waiting = self.store.turns, self.store.ratings, self._latest, self._waiting
        for row in rows:
            event_id, sender, kind, timestamp, intent, action, a, b, about, answer_text, asked = row[:11]
            if kind == "user":
                if intent in RATINGS:
                    latest[sender] = None
                    continue
                # Interned: a store repeats a few intent names and each conversation id many times, and a
                # cache of a whole store (bot/operator/cache.py) would otherwise hold a copy per message.
                ranked = tuple(intern(v) if isinstance(v, str) else v for v in row[11:])
                turn = Turn(intern(sender), a or "", intent and intern(intent), _number(b), timestamp or 0.0, [],
                            ranked, [], event_id)
                if sender in waiting:
                    rated = waiting.pop(sender)
                    rated.comment, turn.comment_on = turn.text, rated.answer_id
                latest[sender] = turn
                turns.append(turn)
            elif kind == "slot":
                if a and b in RATINGS:
                    rated = Rated(sender, timestamp or 0.0, a, b, about, answer_text or "")
                    # A 👎 given while the role finder waited for an answer asked for no comment
                    # (stored False; SQLite reads 0, PostgreSQL 'false'): the next message answers the form.
                    if b == NOT_HELPFUL and asked not in (False, 0, "false"):
                        waiting[sender] = rated
                    ratings.append(rated)
            else:
                turn = latest.get(sender)
                if turn is None:
                    continue
                if kind == "action" and action:
                    turn.actions.append(intern(action))
                elif kind == "bot" and a:
                    turn.answers.append((a, b))
        return self


def between(store: Store, since: Optional[float] = None, until: Optional[float] = None) -> Store:
    """The turns and ratings of `store` with since <= timestamp < until (None: no bound)."""
    def keep(timestamp: float) -> bool:
        return (since is None or timestamp >= since) and (until is None or timestamp < until)

    return Store([t for t in store.turns if keep(t.timestamp)], [r for r in store.ratings if keep(r.timestamp)])


def read(engine: sa.engine.Engine, since: Optional[float] = None, until: Optional[float] = None) -> Store:
    """Turns and ratings with since <= timestamp < until, read from the store behind `engine`.

    A 👎 given just before `since` still gets its comment, and a comment just after `until` is not
    read (the rows are filtered by `since` only). Raises sqlalchemy.exc.SQLAlchemyError as read_rows.
    """
    return between(Builder().feed(read_rows(engine, since=since)).store, since, until)
