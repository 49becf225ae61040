"""Tables over what bot/store_reader.py read, shared by `make report` and the operator page.

- `message_rows`: the same message (case and spacing ignored) counted once per time it was sent, with
  its conversations, first and last time, the intents NLU chose and the two it hesitated between;
- `feedback_rows`: per answer topic, the 👍 and 👎 counts and the 👎 comments;
- `topic_name`: a knowledge entry's display name for an `answer_about` id;
- `csv_text`: a table as CSV that a spreadsheet opens as text, never as formulas.

No Rasa import; the knowledge file is read through bot.knowledge.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from bot.feedback import HELPFUL
from bot.store_reader import Rated, Turn

# NLU's best intent scoring under this is "low confidence" in the report and on the page.
LOW_CONFIDENCE = 0.7


# What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"); people's messages can start so.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """`columns` and `rows` as CSV; a text cell that a spreadsheet would run as a formula
    ("=HYPERLINK(...)", "+cmd|...") gets a leading apostrophe, so it is shown as typed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell
                         for cell in row])
    return out.getvalue()


def normalise(text: str) -> str:
    """Lower case, runs of white space as one space: how messages are counted as the same."""
    return re.sub(r"\s+", " ", text).strip().lower()


@lru_cache(maxsize=1)
def _knowledge():
    from bot.knowledge import load

    return load()


def topic_name(about: Optional[str]) -> str:
    """The knowledge file's name for entry (or topic) id `about`; the id in words when the file has no
    such entry (the role finder's "role_finder"), "(unknown)" for None."""
    if not about:
        return "(unknown)"
    entry = _knowledge().get(about)
    return entry.name if entry else about.replace("_", " ").capitalize()


@dataclass
class MessageRow:
    """One message of one group, with how often and where it was sent."""

    group: str
    message: str
    count: int = 0
    conversations: Set[str] = field(default_factory=set)
    first: float = float("inf")
    last: float = 0.0
    intents: Counter = field(default_factory=Counter)
    pairs: Counter = field(default_factory=Counter)
    lowest_confidence: Optional[float] = None

    def add(self, turn: Turn) -> None:
        self.count += 1
        self.conversations.add(turn.conversation)
        self.first, self.last = min(self.first, turn.timestamp), max(self.last, turn.timestamp)
        self.intents[turn.intent or "?"] += 1
        ranking = turn.ranking
        if ranking:
            self.pairs[tuple(name for name, _ in ranking)] += 1
        confidence = turn.top_confidence
        if confidence is not None:
            self.lowest_confidence = confidence if self.lowest_confidence is None \
                else min(self.lowest_confidence, confidence)

    @property
    def intent(self) -> str:
        """The intent NLU chose most often for this message (ties: alphabetical last, as before)."""
        return max(self.intents.items(), key=lambda item: (item[1], item[0]))[0]

    @property
    def hesitated(self) -> Tuple[str, str]:
        """The two intents NLU ranked first and second most often for this message ("" if unknown)."""
        if not self.pairs:
            return "", ""
        pair = self.pairs.most_common(1)[0][0]
        return (pair + ("", ""))[0], (pair + ("", ""))[1]


def message_rows(turns: Iterable[Turn], groups: Callable[[Turn], Iterable[str]],
                 order: List[str]) -> Tuple[List[MessageRow], int]:
    """Rows for every (group, message) of the turns `groups` puts in some group, ranked by the groups'
    `order`, then most frequent, then most recent; and the number of turns read."""
    rows: Dict[Tuple[str, str], MessageRow] = {}
    total = 0
    for turn in turns:
        total += 1
        for group in groups(turn):
            message = normalise(turn.text)
            rows.setdefault((group, message), MessageRow(group, message)).add(turn)
    ranked = sorted(rows.values(), key=lambda r: (order.index(r.group), -r.count, -r.last, r.message))
    return ranked, total


@dataclass
class FeedbackRow:
    """The ratings of the answers about one topic."""

    about: Optional[str]
    name: str
    helpful: int = 0
    not_helpful: int = 0
    comments: List[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


def feedback_rows(ratings: Iterable[Rated]) -> List[FeedbackRow]:
    """One row per answer topic, most 👎 first, then most ratings, then by name; comments oldest first
    (a 👎 followed by a button click has no comment)."""
    rows: Dict[Optional[str], FeedbackRow] = {}
    for rated in ratings:
        row = rows.setdefault(rated.about, FeedbackRow(rated.about, topic_name(rated.about)))
        if rated.rating == HELPFUL:
            row.helpful += 1
        else:
            row.not_helpful += 1
            # A button's payload (`/ask_role{...}`) is a click, not words for the operator.
            if rated.comment and rated.comment.strip() and not rated.comment.startswith("/"):
                row.comments.append(rated.comment.strip())
    return sorted(rows.values(), key=lambda r: (-r.not_helpful, -r.total, r.name))
