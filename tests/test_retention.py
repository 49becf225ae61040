"""Retention: CONVERSATION_RETENTION_DAYS and `make prune` (bot/retention.py) on SQLite and PostgreSQL.

The stores are written by Rasa's own SQL tracker store (tests/test_operator_reader.py's helpers), with
conversations of known ages; PostgreSQL is a real server (tests/services.py).
"""
import subprocess

import pytest
import sqlalchemy as sa

from bot import retention
from bot.endpoints_config import SettingError
from tests.servers import BIN, ROOT, environment
from tests.services import fresh_database, postgres_server
from tests.test_operator_reader import DAY, NOW, Script, save


@pytest.mark.parametrize("value, days", [(None, None), ("", None), ("  ", None), ("90", 90), (" 1 ", 1)])
def test_the_setting(value, days):
    env = {} if value is None else {retention.RETENTION_ENV: value}
    assert retention.retention_days(env) == days


@pytest.mark.parametrize("value, words", [("ninety", "whole number of days"), ("1.5", "whole number of days"),
                                          ("0", "between 1 and"), ("-3", "between 1 and"),
                                          ("999999", "between 1 and")])
def test_bad_settings_are_named(value, words):
    with pytest.raises(SettingError, match=retention.RETENTION_ENV) as error:
        retention.retention_days({retention.RETENTION_ENV: value})
    assert words in str(error.value)


def ages() -> list:
    """Conversations whose last message is 100, 40 and 2 days old, and one from 100 days ago that
    went on 12 hours ago (it stays whole: age counts from the last message)."""
    scripts = []
    for name, start in (("d100", NOW - 100 * DAY), ("d40", NOW - 40 * DAY), ("d2", NOW - 2 * DAY)):
        script = Script(name, start)
        script.turn("hi", "greet", "utter_greet")
        scripts.append(script)
    long = Script("long", NOW - 100 * DAY)
    long.turn("hi", "greet", "utter_greet")
    long.clock = NOW - DAY / 2
    long.turn("what is bpo", "ask_what_is_bpo", "action_answer_topic")
    return scripts + [long]


def senders(url: str) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id"))
            return dict(rows.fetchall())
    finally:
        engine.dispose()


def check_prune(url: str) -> None:
    save(url, ages())
    before = senders(url)
    engine = sa.create_engine(url)
    try:
        counted = retention.prune(engine, 30, dry_run=True)
        assert (counted.conversations, counted.events) == (2, before["d100"] + before["d40"])
        assert senders(url) == before  # a dry run deletes nothing
        pruned = retention.prune(engine, 30)
        assert (pruned.conversations, pruned.events) == (2, before["d100"] + before["d40"])
        assert senders(url) == {"d2": before["d2"], "long": before["long"]}
        assert retention.prune(engine, 30).conversations == 0  # nothing left to do
        assert retention.prune(engine, 1).conversations == 1 and set(senders(url)) == {"long"}
    finally:
        engine.dispose()


def test_prune_on_sqlite(tmp_path):
    check_prune(f"sqlite:///{tmp_path / 'conversations.db'}")


def test_prune_on_postgresql():
    with postgres_server() as server, fresh_database(server) as url:
        check_prune(url)


def run_prune(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "python"), "-m", "bot.retention"], cwd=ROOT, capture_output=True, text=True,
                          env=environment(**env), timeout=120)


def test_make_prune_reads_the_setting_and_the_store_as_the_server_does(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'conversations.db'}"
    save(db_url, ages())
    kept = run_prune(DB_URL=db_url, CONVERSATION_RETENTION_DAYS="")
    assert kept.returncode == 0 and "nothing to delete" in kept.stdout
    bad = run_prune(DB_URL=db_url, CONVERSATION_RETENTION_DAYS="30d")
    assert bad.returncode == 2 and "CONVERSATION_RETENTION_DAYS must be a whole number" in bad.stderr
    done = run_prune(DB_URL=db_url, CONVERSATION_RETENTION_DAYS="30")
    assert done.returncode == 0, done.stderr
    assert "deleted 2 conversations" in done.stdout
    assert set(senders(db_url)) == {"d2", "long"}
    missing = run_prune(DB_URL=f"sqlite:///{tmp_path / 'none' / 'x.db'}", CONVERSATION_RETENTION_DAYS="30")
    assert missing.returncode == 0 and "nothing to prune" in missing.stdout
    assert not (tmp_path / "none").exists()
