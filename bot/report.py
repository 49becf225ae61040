"""What people asked that the bot could not answer well, and how they rated its answers.

    python -m bot.report [--db-url URL] [--format markdown|csv] [--table messages|feedback]
                         [--since YYYY-MM-DD] [--low-confidence 0.7] [--top 50] [--output FILE]

Reads the `events` table of Rasa's SQL tracker store: the SQLite file `make run` writes
(var/conversations.db) or the PostgreSQL database in DB_URL, the same setting the server uses
(bot/endpoints_config.py); --db-url overrides it. The store is read by bot/store_reader.py, the
reader the operator page uses too, so both classify a message the same way:

- fallback: NLU was unsure (nlu_fallback) or no rule fitted (action_clarify): the page's "unsure";
- out_of_scope: not about BPO careers, declined (out_of_scope / action_decline / utter_out_of_scope);
- not_covered: a career question the guide has no answer for (ask_not_covered / action_not_covered);
- lookup_failed: the action server was down and the person was told to try again (utter_cannot_look_up);
- low_confidence: NLU's best intent scored under --low-confidence, whatever happened next.

Within a group, the same message (case and spacing ignored) is counted once per time it was sent,
most frequent first, with the number of conversations, the first and last date (UTC), the intent NLU
chose and the two it hesitated between. Ratings (👍/👎, bot/feedback.py) are not counted as messages;
the feedback section lists them per answer topic with the 👎 comments. Markdown holds both tables;
CSV holds one, chosen with --table.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from bot.endpoints_config import SettingError, database_url
from bot.store_reader import Turn, read
from bot.store_summary import LOW_CONFIDENCE, FeedbackRow, MessageRow, csv_text, feedback_rows, message_rows

# The CSV's group names predate the operator page's outcome names (scripts may filter on them):
# out_of_scope is the page's "declined", fallback its "unsure".
GROUP_OF_OUTCOME = {"unsure": "fallback", "declined": "out_of_scope", "not_covered": "not_covered"}
GROUPS = {
    "fallback": "NLU unsure or no rule fitted (nlu_fallback / action_clarify)",
    "out_of_scope": "declined as off-topic (out_of_scope / action_decline)",
    "not_covered": "not covered by the guide (ask_not_covered / action_not_covered)",
    "lookup_failed": "action server unreachable (utter_cannot_look_up)",
    "low_confidence": "classified with low confidence",
}
FEEDBACK_TITLE = "Ratings of the answers, per topic"
DEFAULT_LOW_CONFIDENCE = LOW_CONFIDENCE


def groups(turn: Turn, low_confidence: float = DEFAULT_LOW_CONFIDENCE) -> List[str]:
    """The report groups `turn` belongs to (none for a well-answered message)."""
    found = [GROUP_OF_OUTCOME[turn.outcome]] if turn.outcome in GROUP_OF_OUTCOME else []
    if "utter_cannot_look_up" in turn.actions:
        found.append("lookup_failed")
    confidence = turn.top_confidence
    if confidence is not None and confidence < low_confidence:
        found.append("low_confidence")
    return found


def summarise(turns: Sequence[Turn], low_confidence: float = DEFAULT_LOW_CONFIDENCE) -> Tuple[List[MessageRow], int]:
    """Rows for every (group, message), most frequent first, and the number of turns read."""
    return message_rows(turns, lambda t: groups(t, low_confidence), list(GROUPS))


def _date(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "(empty message)"


def _hesitated(row: MessageRow) -> str:
    first, second = row.hesitated
    return f"{first} / {second}" if second else first


def markdown(rows: Sequence[MessageRow], total: int, source: str, top: int, low_confidence: float,
             feedback: Sequence[FeedbackRow] = ()) -> str:
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
                  "| count | message | conversations | first seen | last seen | intent | lowest confidence | "
                  "NLU hesitated between |", "|---:|---|---:|---|---|---|---:|---|"]
        for r in in_group[:top]:
            confidence = "" if r.lowest_confidence is None else f"{r.lowest_confidence:.2f}"
            lines.append(f"| {r.count} | {_cell(r.message)} | {len(r.conversations)} | {_date(r.first)} | "
                         f"{_date(r.last)} | {r.intent} | {confidence} | {_hesitated(r)} |")
        if len(in_group) > top:
            lines.append(f"\n{len(in_group) - top} more not shown (--top).")
        lines.append("")
    lines += [f"## {FEEDBACK_TITLE}", ""]
    if not feedback:
        lines += ["No ratings yet.", ""]
    else:
        lines += ["| topic | 👍 | 👎 | comments after a 👎 |", "|---|---:|---:|---|"]
        for f in feedback[:top]:
            comments = "; ".join(_cell(c) for c in f.comments)
            lines.append(f"| {_cell(f.name)} | {f.helpful} | {f.not_helpful} | {comments} |")
        lines.append("")
    return "\n".join(lines)


def as_csv(rows: Sequence[MessageRow], top: int) -> str:
    shown: Dict[str, int] = {}
    lines = []
    for r in rows:
        shown[r.group] = shown.get(r.group, 0) + 1
        if shown[r.group] <= top:
            confidence = "" if r.lowest_confidence is None else f"{r.lowest_confidence:.4f}"
            lines.append([r.group, r.count, r.message, len(r.conversations), _date(r.first), _date(r.last),
                          r.intent, confidence, *r.hesitated])
    return csv_text(["group", "count", "message", "conversations", "first_seen", "last_seen", "intent",
                     "lowest_confidence", "first_intent", "second_intent"], lines)


def feedback_csv(feedback: Sequence[FeedbackRow]) -> str:
    """One line per topic; the comments in one cell, one per line."""
    return csv_text(["topic", "topic_id", "helpful", "not_helpful", "comments"],
                    ([f.name, f.about or "", f.helpful, f.not_helpful, "\n".join(f.comments)] for f in feedback))


def describe(url: str) -> str:
    """The store in words, without its password: "the SQLite file ..." or "the PostgreSQL database ..."."""
    parsed = sa.engine.make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return f"the SQLite file {parsed.database}"
    return f"the PostgreSQL database {parsed.database} on {parsed.host}"


def store_url(given: Optional[str]) -> str:
    """--db-url, or the store the server uses; raises SettingError for a bad DB_URL or a missing SQLite file."""
    url = given or database_url()
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise SettingError(f"{url!r} is not a database URL (e.g. sqlite:///var/conversations.db or "
                           "postgresql://user@host:5432/bpo)") from None
    if parsed.drivername.startswith("sqlite") and not Path(parsed.database or "").is_file():
        raise SettingError(f"no conversation store at {parsed.database}: the bot has not stored a conversation "
                           "yet (or set DB_URL / --db-url to where it did)")
    return url


def _since(text: Optional[str]) -> Optional[float]:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise SettingError(f"--since takes a date like 2024-01-31, got {text!r}") from None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", help="SQLAlchemy URL of the store (default: from DB_URL, as the server)")
    parser.add_argument("--format", choices=["markdown", "csv"], default="markdown")
    parser.add_argument("--table", choices=["messages", "feedback"], default="messages",
                        help="the table written as CSV (default messages)")
    parser.add_argument("--since", help="only messages from this UTC date on (YYYY-MM-DD)")
    parser.add_argument("--low-confidence", type=float, default=DEFAULT_LOW_CONFIDENCE,
                        help="confidence under which a classification counts as low "
                             f"(default {DEFAULT_LOW_CONFIDENCE})")
    parser.add_argument("--top", type=int, default=50, help="rows per group (default 50)")
    parser.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    try:
        url, since = store_url(args.db_url), _since(args.since)
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    engine = sa.create_engine(url)
    try:
        store = read(engine, since)
    except sa.exc.SQLAlchemyError as error:
        print(f"error: could not read the conversations from {describe(url)}: {error.__class__.__name__}: "
              f"{str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    rows, total = summarise(store.turns, args.low_confidence)
    feedback = feedback_rows(store.ratings)
    if args.format == "csv":
        text = feedback_csv(feedback) if args.table == "feedback" else as_csv(rows, args.top)
    else:
        text = markdown(rows, total, describe(url), args.top, args.low_confidence, feedback)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({total} user messages read)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
