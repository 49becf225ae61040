"""The operator page's figures for a period: every table the page shows, also as CSV.

In: what bot/store_reader.py read (a Store) and a Period; out: named Tables (columns + rows of plain
values, so the page, its JSON and its CSV files show the same numbers). No Rasa import.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from bot.store_reader import OUTCOMES, Store, Turn, between
from bot.store_summary import LOW_CONFIDENCE, csv_text, feedback_rows, message_rows, topic_name

DAY = 86400
DEFAULT_DAYS = 30
MAX_DAYS = 3660
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TABLES = ("daily", "outcomes", "topics", "unanswered", "low_confidence", "feedback")  # also the CSV names
UNANSWERED = {"not_covered": "not covered", "declined": "declined", "unsure": "unsure",
              "lookup_failed": "lookup failed"}


@dataclass(frozen=True)
class Period:
    """Whole UTC days, `first` to `last` included."""

    first: date
    last: date

    @property
    def since(self) -> float:
        return datetime(self.first.year, self.first.month, self.first.day, tzinfo=timezone.utc).timestamp()

    @property
    def until(self) -> float:
        end = self.last + timedelta(days=1)
        return datetime(end.year, end.month, end.day, tzinfo=timezone.utc).timestamp()

    def days(self) -> List[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @classmethod
    def parse(cls, first: Optional[str], last: Optional[str], today: Optional[date] = None) -> "Period":
        """From `from`/`to` query values (YYYY-MM-DD, either may be missing: the default is the last
        DEFAULT_DAYS days up to today, UTC). Raises ValueError with a message for the person."""
        today = today or datetime.now(timezone.utc).date()

        def day(text: Optional[str], name: str) -> Optional[date]:
            if not text:
                return None
            try:
                # ASCII digits only (strptime also takes others), and room for the day after and the
                # default start before it.
                parsed = datetime.strptime(text, "%Y-%m-%d").date() if DATE.fullmatch(text) else None
            except ValueError:
                parsed = None
            if parsed is None or not date(1000, 1, 1) <= parsed <= date(9000, 12, 31):
                raise ValueError(f"'{name}' must be a date like 2024-01-31 (years 1000-9000), got {text!r}")
            return parsed

        end = day(last, "to") or today
        start = day(first, "from") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise ValueError("'from' must not be after 'to'")
        if (end - start).days >= MAX_DAYS:
            raise ValueError(f"a period is at most {MAX_DAYS} days")
        return cls(start, end)


@dataclass
class Table:
    title: str
    columns: List[str]
    rows: List[List[Any]] = field(default_factory=list)

    def as_dict(self, limit: int, items: int = 20) -> Dict[str, Any]:
        """The first `limit` rows, a list in a cell cut to its last `items` (the CSV has everything)."""
        rows = [[cell[-items:] if isinstance(cell, list) else cell for cell in row] for row in self.rows[:limit]]
        return {"title": self.title, "columns": self.columns, "rows": rows, "more": max(0, len(self.rows) - limit)}

    def as_csv(self) -> str:
        """The whole table; a list in a cell (the 👎 comments) becomes one line per item."""
        return csv_text(self.columns, (["\n".join(cell) if isinstance(cell, list) else cell for cell in row]
                                       for row in self.rows))


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


def _daily(turns: List[Turn], period: Period) -> Table:
    # Days counted as whole numbers since 1970 (UTC): formatting a date per message was the page's
    # slowest step.
    conversations: Dict[int, set] = defaultdict(set)
    messages: Counter = Counter()
    for turn in turns:
        day = int(turn.timestamp // DAY)
        conversations[day].add(turn.conversation)
        messages[day] += 1
    first = int(period.since // DAY)
    rows = [[d.isoformat(), len(conversations[first + n]), messages[first + n]] for n, d in enumerate(period.days())]
    return Table("Conversations and messages per day", ["day", "conversations", "messages"], rows)


def _outcomes(turns: List[Turn]) -> Table:
    counts = Counter(t.outcome for t in turns)
    total = len(turns)
    rows = [[title, counts[key], round(100 * counts[key] / total, 1) if total else 0.0]
            for key, title in OUTCOMES.items()]
    return Table("What became of the messages", ["outcome", "messages", "share (%)"], rows)


def _topics(turns: List[Turn]) -> Table:
    answers: Counter = Counter()
    conversations: Dict[Optional[str], set] = defaultdict(set)
    for turn in turns:
        for about in {about for _, about in turn.answers}:
            answers[about] += 1
            conversations[about].add(turn.conversation)
    rows = [[topic_name(about), about or "", n, len(conversations[about])]
            for about, n in sorted(answers.items(), key=lambda item: (-item[1], str(item[0])))]
    return Table("Most asked topics (answers given)", ["topic", "topic id", "answers", "conversations"], rows)


def _messages(turns: List[Turn], title: str, groups, with_outcome: bool) -> Table:
    rows, _ = message_rows(turns, groups, list(UNANSWERED) + list(OUTCOMES))
    rows.sort(key=lambda r: (-r.count, -r.last, r.message))
    columns = ["message", "times", "conversations"] + (["outcome"] if with_outcome else []) + \
        ["lowest confidence", "NLU's first intent", "second intent", "last seen"]
    table = Table(title, columns)
    for r in rows:
        confidence = "" if r.lowest_confidence is None else round(r.lowest_confidence, 2)
        first, second = r.hesitated
        table.rows.append([r.message or "(empty message)", r.count, len(r.conversations)]
                          + ([UNANSWERED.get(r.group, r.group)] if with_outcome else [])
                          + [confidence, first, second, _day(r.last)])
    return table


def _unanswered_group(turn: Turn) -> List[str]:
    if "utter_cannot_look_up" in turn.actions:
        return ["lookup_failed"]
    return [turn.outcome] if turn.outcome in UNANSWERED else []


def tables(chosen: Store, period: Period, low_confidence: float = LOW_CONFIDENCE) -> Dict[str, Table]:
    """Every table of the page for the turns and ratings of `period` (bot.store_reader.between), by
    the name its CSV link uses."""
    turns = chosen.turns

    def low_but_handled(turn: Turn) -> List[str]:
        confidence = turn.top_confidence
        low = confidence is not None and confidence < low_confidence
        return [turn.outcome] if low and not _unanswered_group(turn) else []

    feedback = Table("Ratings per answer topic", ["topic", "topic id", "helpful", "not helpful",
                                                  "comments after a not helpful"])
    for row in feedback_rows(chosen.ratings):
        feedback.rows.append([row.name, row.about or "", row.helpful, row.not_helpful, row.comments])
    return {
        "daily": _daily(turns, period),
        "outcomes": _outcomes(turns),
        "topics": _topics(turns),
        "unanswered": _messages(turns, "Messages the bot could not answer", _unanswered_group, True),
        "low_confidence": _messages(turns, f"Answered with low confidence (under {low_confidence:.2f})",
                                    low_but_handled, False),
        "feedback": feedback,
    }


def page_data(store: Store, period: Period, kept: str, limit: int = 100) -> Dict[str, Any]:
    """The JSON the page draws: the period, the totals, what the store keeps (`kept`, a sentence, and
    the oldest message still stored) and each table's first `limit` rows (all of them are in its CSV)."""
    in_period = between(store, period.since, period.until)
    chosen = tables(in_period, period)
    turns = in_period.turns
    oldest = min((t.timestamp for t in store.turns), default=None)
    rated = chosen["feedback"].rows
    return {
        "period": {"from": period.first.isoformat(), "to": period.last.isoformat(), "days": len(period.days())},
        "totals": {"conversations": len({t.conversation for t in turns}), "messages": len(turns),
                   "helpful": sum(r[2] for r in rated), "not_helpful": sum(r[3] for r in rated)},
        "kept": kept,
        "oldest": _day(oldest) if oldest is not None else None,
        "tables": {name: table.as_dict(limit) for name, table in chosen.items()},
    }
