"""How fast the operator page loads on a store of 10,000 conversations (a benchmark, not a test).

    .venv/bin/python -m measure.operator_page [--conversations 10000] [--loads 10] [--starts 2] [--postgres]

1. Talks to the real bot (action server + Rasa server, a fresh SQLite store) over REST: a few
   scripted conversations with questions, follow-ups, off-topic and unclear messages, the role
   finder, and 👍/👎 ratings of the answers (their ids come back in the REST replies).
2. Copies those conversations, event for event, into a new SQLite store (and with --postgres a
   PostgreSQL database, tests/services.py's server) until it holds
   --conversations of them (about 8 messages each), spread over the last 30 days, with new
   conversation ids, timestamps and answer ids: the events have exactly the shape the bot writes.
3. Starts the real Rasa server on that store with the page on, and loads the page as a browser
   does without a cache (the HTML, its style, scripts and data.json for the default 30 days):
   once right after start ("cold": the page's cache is filling) and --loads times after ("warm").
   Also times one read of the whole store through bot/store_reader.py in this process, which is
   what every load would cost without the page's cache.

Prints the medians (min–max). `make bench` runs it at the end (measure/bench.py) and adds its line
to docs/benchmarks.md. Loopback only; every process started here is stopped here.
"""
from __future__ import annotations

import argparse
import random
import re
import sqlite3
import statistics
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import requests
import sqlalchemy as sa

from bot.operator.summary import Period, page_data
from bot.store_reader import Builder, read_rows
from measure.processes import OUT
from tests.servers import RestClient
from tests.stack import port_of, start_action_server, start_bot, write_endpoints

TOKEN = "bench-operator-token-" + "0" * 8
PAGE_FILES = ["", "static/operator.css", "static/chart.umd.min.js", "static/operator.js", "data.json"]
# Each conversation: messages, and "+" / "-" to rate the last answer 👍 / 👎.
SCRIPTS = [
    ["hi", "what is bpo", "+", "which jobs can a fresher get?", "tell me about the second one", "-",
     "I wanted the salary numbers", "thanks"],
    ["what are the shift timings?", "how come?", "-", "is it night shift only", "what's the salary?",
     "book a table for two tonight", "bye"],
    ["which job suits me? I'm a graduate and I type fast", "no", "no", "no", "+",
     "what certifications help a quality analyst", "asdf qwerty"],
    ["what skills do I need", "+", "what does a team leader do", "is bpo a stable career",
     "can I move to IT later", "ok"],
    ["hello", "voice vs non-voice process?", "which companies hire freshers", "-", "which companies in pune?",
     "what is the weather today", "thanks"],
    ["what is ITIL", "what is a six sigma green belt", "+", "do I need a degree", "interview dates at accenture?",
     "lol", "what does a data entry operator do", "-", "typing speed needed?"],
]
TIMESTAMP = re.compile(r'"timestamp": [0-9.e+-]+')


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def talk(url: str) -> None:
    """The SCRIPTS through the bot's REST channel, rating answers by the ids in the replies."""
    bot = RestClient(url)
    for number, script in enumerate(SCRIPTS):
        sender, answer_id = f"template-{number}", None
        for step in script:
            if step in "+-":
                if answer_id:
                    bot.say(sender, f'/{"helpful" if step == "+" else "not_helpful"}{{"answer_id": "{answer_id}"}}')
                    answer_id = None
                continue
            ids = [m["answer_id"] for m in bot.say(sender, step) if m.get("answer_id")]
            answer_id = ids[-1] if ids else answer_id


def template_store(folder: Path) -> Path:
    """A SQLite store holding the SCRIPTS as the real bot stored them."""
    db = folder / "template.db"
    for stale in folder.glob("template.db*"):  # a previous run's conversations, and its -wal / -shm files
        stale.unlink()
    db_url = f"sqlite:///{db}"
    actions = start_action_server("operator-bench-actions")
    try:
        rasa = start_bot(actions, write_endpoints(folder / "template-endpoints.yml", port_of(actions), db_url),
                         db_url, name="operator-bench-template")
        try:
            talk(rasa.url)
        finally:
            rasa.stop()
    finally:
        actions.stop()
    return db


def copies(template: Path, conversations: int, days: int = 30) -> Tuple[List[str], List[tuple]]:
    """The template store's schema, and the rows of `conversations` copies of its conversations spread
    over the last `days` days (new conversation ids, timestamps and answer ids), in time order."""
    source = sqlite3.connect(template)
    schema = [sql for (sql,) in source.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
    rows = source.execute("SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
                          "ORDER BY id").fetchall()
    source.close()
    by_sender: Dict[str, List[tuple]] = {}
    for row in rows:
        by_sender.setdefault(row[0], []).append(row)
    templates = [events for sender, events in sorted(by_sender.items()) if sender.startswith("template-")]
    ids = [sorted(set(re.findall(r'"answer_id": "([0-9a-f]{12})"', "".join(e[5] for e in t)))) for t in templates]
    rng, now, written = random.Random(13), time.time(), []
    for number in range(conversations):
        events, answers = templates[number % len(templates)], ids[number % len(templates)]
        sender, shift = f"bench-{number:05d}-{uuid.uuid4().hex[:8]}", None
        start = now - rng.random() * days * 86400 - 3600
        new_ids = {old: uuid.uuid4().hex[:12] for old in answers}
        for _, kind, stamp, intent, action, data in events:
            shift = start - stamp if shift is None else shift
            stamp += shift
            data = TIMESTAMP.sub(f'"timestamp": {stamp!r}', data, count=1)
            if kind in ("user", "bot", "slot"):
                for old, new in new_ids.items():
                    data = data.replace(old, new)
            written.append((sender, kind, stamp, intent, action, data))
    written.sort(key=lambda row: row[2])  # ids in time order, as a live store fills
    return schema, written


INSERT = "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES "


def write_sqlite(schema: List[str], rows: List[tuple], target: Path) -> None:
    target.unlink(missing_ok=True)
    db = sqlite3.connect(target)
    for sql in schema:
        db.execute(sql)
    db.executemany(INSERT + "(?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()


def write_postgres(rows: List[tuple], url: str) -> None:
    """The rows in a PostgreSQL database whose `events` table Rasa's own tracker store creates."""
    import psycopg2
    from psycopg2.extras import execute_values
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore(dialect="postgresql", host=url, db=sa.engine.make_url(url).database).engine.dispose()
    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cursor:
            execute_values(cursor, INSERT + "%s", rows, page_size=5000)
    finally:
        connection.close()


def load_page(url: str) -> float:
    """Seconds to fetch the page and everything it needs, one after the other, without a cache."""
    with requests.Session() as session:
        session.auth = ("operator", TOKEN)
        started = time.perf_counter()
        for path in PAGE_FILES:
            reply = session.get(f"{url}/operator/{path}", timeout=120)
            reply.raise_for_status()
        return time.perf_counter() - started


def read_whole(db_url: str) -> float:
    """Seconds to read and summarise the whole store with no cache, in this process."""
    engine = sa.create_engine(db_url)
    try:
        started = time.perf_counter()
        page_data(Builder().feed(read_rows(engine)).store, Period.parse(None, None), "")
        return time.perf_counter() - started
    finally:
        engine.dispose()


def spread(values: List[float]) -> str:
    return f"{statistics.median(values):.3f} s ({min(values):.3f}–{max(values):.3f})"


def loads(db_url: str, folder: Path, count: int, starts: int) -> Tuple[List[float], List[float]]:
    """(first loads, later loads) of the page on the real servers over the store at db_url."""
    cold: List[float] = []
    warm: List[float] = []
    actions = start_action_server("operator-bench-actions")
    try:
        endpoints = write_endpoints(folder / "endpoints.yml", port_of(actions), db_url)
        for _ in range(starts):
            rasa = start_bot(actions, endpoints, db_url, name="operator-bench-rasa", env={"OPERATOR_TOKEN": TOKEN})
            try:
                cold.append(load_page(rasa.url))
                warm += [load_page(rasa.url) for _ in range(count)]
            finally:
                rasa.stop()
    finally:
        actions.stop()
    return cold, warm


def measure(conversations: int = 10000, count: int = 10, starts: int = 2, postgres: bool = False) -> Dict[str, Dict]:
    """The whole benchmark on SQLite (and PostgreSQL); its figures per store, logged as it goes."""
    folder = OUT / "operator"
    folder.mkdir(parents=True, exist_ok=True)
    log("operator page: filling a template store through the real bot ...")
    schema, rows = copies(template_store(folder), conversations)
    messages = sum(1 for row in rows if row[1] == "user")
    db = folder / "operator-10k.db"
    write_sqlite(schema, rows, db)
    results: Dict[str, Dict] = {}
    with ExitStack() as stack:
        stores = {"SQLite": (f"sqlite:///{db}", f"{db.stat().st_size / 1e6:.0f} MB")}
        if postgres:
            from tests.services import fresh_database, postgres_server

            url = stack.enter_context(fresh_database(stack.enter_context(postgres_server())))
            write_postgres(rows, url)
            stores["PostgreSQL"] = (url, "local server")
        for name, (db_url, size) in stores.items():
            log(f"operator page: {name}, {conversations} conversations, {messages} messages, {len(rows)} events")
            uncached = [read_whole(db_url) for _ in range(3)]
            cold, warm = loads(db_url, folder, count, starts)
            results[name] = {"conversations": conversations, "messages": messages, "events": len(rows),
                             "size": size, "cold": cold, "warm": warm, "uncached": uncached}
            log(f"operator page, {name}: first load after start {spread(cold)}, later loads {spread(warm)}, "
                f"whole store read without the cache {spread(uncached)}")
    return results


def row(results: Dict[str, Dict]) -> str:
    """Lines for docs/benchmarks.md."""
    lines = []
    for name, r in results.items():
        lines.append(f"Operator page (`measure/operator_page.py`), {name} store ({r['size']}) of {r['conversations']:,} "
                     f"conversations ({r['messages']:,} messages, {r['events']:,} events); HTML, style, scripts and "
                     f"data for the default 30 days, no browser cache: first load after start {spread(r['cold'])}, "
                     f"later loads {spread(r['warm'])}; target under 1 s. Reading the whole store without the "
                     f"page's cache: {spread(r['uncached'])}.")
    return "\n\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m measure.operator_page", description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=10000)
    parser.add_argument("--loads", type=int, default=10, help="warm loads per server start (default 10)")
    parser.add_argument("--starts", type=int, default=2, help="server starts, one cold load each (default 2)")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL (tests/services.py's server)")
    args = parser.parse_args(argv)
    print(row(measure(args.conversations, args.loads, args.starts, args.postgres)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
