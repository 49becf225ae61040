"""Delete the conversations the store should no longer keep: `make prune`.

    python -m bot.retention [--db-url URL] [--days N] [--dry-run]

CONVERSATION_RETENTION_DAYS (or --days) is how many days a conversation is kept after its last event;
unset or empty means keep everything, and then nothing is deleted. A conversation goes whole (all its
events), never in part, so what is left always reads back as complete conversations. The store is the
one the server uses (DB_URL as in bot/endpoints_config.py: the SQLite file var/conversations.db or
PostgreSQL); --db-url overrides it. Run it from cron (e.g. daily) to enforce the setting; the operator
page states the setting and the oldest message still kept.

Exit status: 0 done (or nothing to do), 2 a bad setting, 1 the store could not be changed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional

import sqlalchemy as sa

from bot.endpoints_config import SettingError, database_url
from bot.report import describe as store_name

RETENTION_ENV = "CONVERSATION_RETENTION_DAYS"
MAX_DAYS = 36500  # a hundred years; anything longer is a typo, not a policy
DAY = 86400.0


def retention_days(env: Mapping[str, str] = os.environ, given: Optional[str] = None) -> Optional[int]:
    """Days to keep a conversation after its last event, from `given` (--days) or the environment;
    None: keep everything. Raises SettingError naming the setting for anything but a whole number of
    days from 1 to MAX_DAYS."""
    name = "--days" if given is not None else RETENTION_ENV
    text = (given if given is not None else env.get(RETENTION_ENV) or "").strip()
    if not text:
        return None
    try:
        days = int(text)
    except ValueError:
        raise SettingError(f"{name} must be a whole number of days, like 90 (or empty to keep every "
                           f"conversation), got {text!r}") from None
    if not 1 <= days <= MAX_DAYS:
        raise SettingError(f"{name} must be between 1 and {MAX_DAYS} days (empty keeps every conversation), "
                           f"got {days}")
    return days


def describe(days: Optional[int]) -> str:
    """What the store keeps, in a sentence for the operator."""
    if days is None:
        return (f"Conversations are kept without a time limit ({RETENTION_ENV} is not set; "
                "`make prune` deletes nothing).")
    unit = "day" if days == 1 else "days"
    return (f"Conversations are kept for {days} {unit} after their last message ({RETENTION_ENV}); "
            "`make prune` deletes older ones.")


@dataclass(frozen=True)
class Pruned:
    conversations: int
    events: int
    cutoff: float


def prune(engine: sa.engine.Engine, days: int, now: Optional[float] = None, dry_run: bool = False) -> Pruned:
    """Delete (or with dry_run only count) every conversation whose last event is more than `days`
    days before `now`, in one transaction. Raises sqlalchemy.exc.SQLAlchemyError if the store can't
    be read or changed (the transaction is then rolled back)."""
    cutoff = (time.time() if now is None else now) - days * DAY
    old = sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff")
    with engine.begin() as connection:
        senders = [s for (s,) in connection.execute(old, {"cutoff": cutoff})]
        if not senders:
            return Pruned(0, 0, cutoff)
        events = sa.table("events", sa.column("sender_id"))
        count = 0
        # In slices: SQLite allows at most 32,766 bound values in one statement.
        for start in range(0, len(senders), 5000):
            chosen = events.c.sender_id.in_(senders[start:start + 5000])
            if dry_run:
                count += connection.execute(sa.select(sa.func.count()).select_from(events).where(chosen)).scalar()
            else:
                count += connection.execute(events.delete().where(chosen)).rowcount
    return Pruned(len(senders), count, cutoff)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.retention", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db-url", help="SQLAlchemy URL of the store (default: from DB_URL, as the server)")
    parser.add_argument("--days", help=f"days to keep (default: {RETENTION_ENV})")
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    args = parser.parse_args(argv)
    try:
        days = retention_days(given=args.days)
        url = args.db_url or database_url()
        parsed = sa.engine.make_url(url)
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except sa.exc.ArgumentError:
        print(f"error: {url!r} is not a database URL (e.g. sqlite:///var/conversations.db)", file=sys.stderr)
        return 2
    if days is None:
        print(f"{RETENTION_ENV} is not set: every conversation is kept, nothing to delete.")
        return 0
    if parsed.drivername.startswith("sqlite") and not Path(parsed.database or "").is_file():
        print(f"nothing to prune: no conversation store at {parsed.database} yet.")
        return 0
    engine = sa.create_engine(url)
    try:
        pruned = prune(engine, days, dry_run=args.dry_run)
    except sa.exc.SQLAlchemyError as error:
        print(f"error: could not prune {store_name(url)}: {error.__class__.__name__}: "
              f"{str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    before = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(pruned.cutoff))
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {pruned.conversations} conversations ({pruned.events} events) whose last message was before "
          f"{before}, from {store_name(url)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
