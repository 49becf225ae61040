"""What people asked that the bot could not answer well, read from the conversation store.

    python -m bot.report [--db-url URL] [--format markdown|csv] [--since YYYY-MM-DD]
                         [--low-confidence 0.7] [--top 50] [--output FILE]

Reads the `events` table of Rasa's SQL tracker store: the SQLite file `make run` writes
(var/conversations.db) or the PostgreSQL database in DB_URL, the same setting the server uses
(bot/endpoints_config.py); --db-url overrides it. Each user message is put in the groups it
belongs to, judged by what NLU decided and which actions answered it:

- fallback: NLU was unsure (intent nlu_fallback) or no rule fitted (action_clarify ran);
- out_of_scope: not about BPO careers (intent out_of_scope);
- not_covered: a career question the guide has no answer for (ask_not_covered / action_not_covered);
- lookup_failed: the action server was down and the user was told to try again (utter_cannot_look_up);
- low_confidence: the top intent's confidence was under --low-confidence, whatever happened next.

Within a group, the same message (case and spacing ignored) is counted once per time it was sent,
most frequent first, with the number of conversations, the first and last date (UTC) and the
intent NLU chose. These are the candidates for new NLU examples or new knowledge entries.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

import sqlalchemy as sa

from bot.endpoints_config import SettingError, database_url

GROUPS = {
    "fallback": "NLU unsure or no rule fitted (nlu_fallback / action_clarify)",
    "out_of_scope": "outside BPO careers (out_of_scope)",
    "not_covered": "not covered by the guide (ask_not_covered / action_not_covered)",
    "lookup_failed": "action server unreachable (utter_cannot_look_up)",
    "low_confidence": "classified with low confidence",
}
DEFAULT_LOW_CONFIDENCE = 0.7


@dataclass
class Turn:
    """One user message and what the bot did about it."""

    conversation: str
    text: str
    intent: Optional[str]
    confidence: Optional[float]
    timestamp: float
    actions: List[str] = field(default_factory=list)

    def groups(self, low_confidence: float) -> List[str]:
        found = []
        if self.intent == "nlu_fallback" or "action_clarify" in self.actions:
            found.append("fallback")
        if self.intent == "out_of_scope" or "utter_out_of_scope" in self.actions:
            found.append("out_of_scope")
        if self.intent == "ask_not_covered" or "action_not_covered" in self.actions:
            found.append("not_covered")
        if "utter_cannot_look_up" in self.actions:
            found.append("lookup_failed")
        # A fallback's confidence is the threshold it fell under, not a classification.
        if self.intent != "nlu_fallback" and self.confidence is not None and self.confidence < low_confidence:
            found.append("low_confidence")
        return found


@dataclass
class Row:
    group: str
    message: str
    count: int = 0
    conversations: Set[str] = field(default_factory=set)
    first: float = float("inf")
    last: float = 0.0
    intents: Dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lowest_confidence: Optional[float] = None

    def add(self, turn: Turn) -> None:
        self.count += 1
        self.conversations.add(turn.conversation)
        self.first, self.last = min(self.first, turn.timestamp), max(self.last, turn.timestamp)
        self.intents[turn.intent or "?"] += 1
        if turn.confidence is not None:
            self.lowest_confidence = turn.confidence if self.lowest_confidence is None \
                else min(self.lowest_confidence, turn.confidence)

    @property
    def intent(self) -> str:
        return max(self.intents.items(), key=lambda item: (item[1], item[0]))[0]


def _date(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def read_turns(url: str, since: Optional[float] = None) -> Iterator[Turn]:
    """User turns in the store, in the order they happened, each with the actions that followed."""
    engine = sa.create_engine(url)
    events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                      sa.column("timestamp"), sa.column("action_name"), sa.column("data"))
    query = sa.select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.action_name,
                      events.c.data).where(events.c.type_name.in_(["user", "action"])).order_by(events.c.id)
    if since is not None:
        query = query.where(events.c.timestamp >= since)
    open_turns: Dict[str, Turn] = {}
    try:
        with engine.connect() as connection:
            for sender, kind, timestamp, action, data in connection.execution_options(stream_results=True) \
                    .execute(query):
                if kind == "action":
                    if sender in open_turns and action:
                        open_turns[sender].actions.append(action)
                    continue
                if sender in open_turns:
                    yield open_turns.pop(sender)
                event = json.loads(data)
                intent = (event.get("parse_data") or {}).get("intent") or {}
                open_turns[sender] = Turn(sender, event.get("text") or "", intent.get("name"),
                                          intent.get("confidence"), timestamp or 0.0)
    finally:
        engine.dispose()
    yield from open_turns.values()


def summarise(turns: Iterable[Turn], low_confidence: float = DEFAULT_LOW_CONFIDENCE) -> Tuple[List[Row], int]:
    """Rows for every (group, message), most frequent first, and the number of turns read."""
    rows: Dict[Tuple[str, str], Row] = {}
    total = 0
    for turn in turns:
        total += 1
        for group in turn.groups(low_confidence):
            key = (group, normalise(turn.text))
            rows.setdefault(key, Row(group, normalise(turn.text))).add(turn)
    order = list(GROUPS)
    ranked = sorted(rows.values(), key=lambda r: (order.index(r.group), -r.count, -r.last, r.message))
    return ranked, total


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "(empty message)"


def markdown(rows: Sequence[Row], total: int, source: str, top: int, low_confidence: float) -> str:
    lines = ["# Messages the bot could not answer well", "",
             f"Read {total} user messages from {source}. Low confidence means under {low_confidence:.2f}.", ""]
    for group, title in GROUPS.items():
        in_group = [r for r in rows if r.group == group]
        lines += [f"## {title}", ""]
        if not in_group:
            lines += ["None.", ""]
            continue
        count = sum(r.count for r in in_group)
        lines += [f"{count} messages, {len(in_group)} different.", "",
                  "| count | message | conversations | first seen | last seen | intent | lowest confidence |",
                  "|---:|---|---:|---|---|---|---:|"]
        for r in in_group[:top]:
            confidence = "" if r.lowest_confidence is None else f"{r.lowest_confidence:.2f}"
            lines.append(f"| {r.count} | {_cell(r.message)} | {len(r.conversations)} | {_date(r.first)} | "
                         f"{_date(r.last)} | {r.intent} | {confidence} |")
        if len(in_group) > top:
            lines.append(f"\n{len(in_group) - top} more not shown (--top).")
        lines.append("")
    return "\n".join(lines)


def as_csv(rows: Sequence[Row], top: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["group", "count", "message", "conversations", "first_seen", "last_seen", "intent",
                     "lowest_confidence"])
    shown: Dict[str, int] = defaultdict(int)
    for r in rows:
        shown[r.group] += 1
        if shown[r.group] <= top:
            confidence = "" if r.lowest_confidence is None else f"{r.lowest_confidence:.4f}"
            writer.writerow([r.group, r.count, r.message, len(r.conversations), _date(r.first), _date(r.last),
                             r.intent, confidence])
    return out.getvalue()


def _describe(url: str) -> str:
    parsed = sa.engine.make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return f"the SQLite file {parsed.database}"
    return f"the PostgreSQL database {parsed.database} on {parsed.host}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", help="SQLAlchemy URL of the store (default: from DB_URL, as the server)")
    parser.add_argument("--format", choices=["markdown", "csv"], default="markdown")
    parser.add_argument("--since", help="only messages from this UTC date on (YYYY-MM-DD)")
    parser.add_argument("--low-confidence", type=float, default=DEFAULT_LOW_CONFIDENCE,
                        help="confidence under which a classification counts as low "
                             f"(default {DEFAULT_LOW_CONFIDENCE})")
    parser.add_argument("--top", type=int, default=50, help="rows per group (default 50)")
    parser.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    try:
        url = args.db_url or database_url()
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    parsed = sa.engine.make_url(url)
    if parsed.drivername.startswith("sqlite") and not Path(parsed.database or "").is_file():
        print(f"error: no conversation store at {parsed.database}: the bot has not stored a conversation yet "
              "(or set DB_URL / --db-url to where it did)", file=sys.stderr)
        return 2
    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            print(f"error: --since takes a date like 2024-01-31, got {args.since!r}", file=sys.stderr)
            return 2
    try:
        rows, total = summarise(read_turns(url, since), args.low_confidence)
    except sa.exc.SQLAlchemyError as error:
        print(f"error: could not read the conversations from {_describe(url)}: {error.__class__.__name__}: "
              f"{str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    text = as_csv(rows, args.top) if args.format == "csv" else markdown(
        rows, total, _describe(url), args.top, args.low_confidence)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({total} user messages read)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
