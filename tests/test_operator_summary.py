"""The operator page's figures (bot/operator/summary.py), its in-memory cache (cache.py) and its token
rules (channel.py), on hand-made conversations stored by Rasa's SQL tracker store in SQLite. The
page itself, in Chromium against the real bot, is in test_operator_page.py."""
import base64
import csv
import io
import json
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from bot import retention
from bot.operator.cache import StoreCache
from bot.operator.channel import operator_token, presented_secret
from bot.operator.summary import TABLES, Period, page_data, tables
from bot.store_reader import between, read
from tests.services import fresh_database, postgres_server
from tests.test_operator_reader import DAY, NOW, Script, sample, save

TODAY = datetime.fromtimestamp(NOW, tz=timezone.utc).date()


def test_the_default_period_is_the_last_30_days():
    period = Period.parse(None, None, today=date(2026, 3, 10))
    assert (period.first, period.last) == (date(2026, 2, 9), date(2026, 3, 10))
    assert len(period.days()) == 30
    assert period.until - period.since == 30 * DAY
    assert Period.parse("2026-01-01", "2026-01-01").days() == [date(2026, 1, 1)]


@pytest.mark.parametrize("first, last, words", [("yesterday", None, "'from' must be a date"),
                                                (None, "2026-13-01", "'to' must be a date"),
                                                ("2026-02-01", "2026-01-01", "must not be after"),
                                                # the last day Python knows, whose next day would overflow
                                                (None, "9999-12-31", "'to' must be a date"),
                                                ("0001-01-01", "0001-01-02", "must be a date like"),
                                                ("２０２６-11-01", None, "'from' must be a date")])
def test_bad_periods_say_what_is_wrong(first, last, words):
    with pytest.raises(ValueError, match=words):
        Period.parse(first, last)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('summary') / 'conversations.db'}"
    save(url, sample())
    engine = sa.create_engine(url)
    yield read(engine)
    engine.dispose()


def figures(store, period=None):
    period = period or Period.parse(None, None, today=TODAY)
    return {name: table.rows for name, table in tables(between(store, period.since, period.until), period).items()}


def test_figures_of_the_sample(store):
    rows = figures(store)
    assert rows["daily"][-1] == [TODAY.isoformat(), 2, 7] and sum(r[2] for r in rows["daily"]) == 7
    assert [r[:2] for r in rows["outcomes"]] == [
        ["answered from the guide", 3], ["not covered by the guide", 1], ["declined as off-topic", 1],
        ["unsure (NLU unsure or no rule fitted)", 1], ["other (greetings, chit-chat, role finder, errors)", 1]]
    assert rows["outcomes"][0][2] == 42.9
    assert rows["topics"] == [["Shifts", "shifts", 2, 1], ["Quality Analyst", "quality_analyst", 1, 1]]
    unanswered = {r[0]: r for r in rows["unanswered"]}
    assert set(unanswered) == {"what's the salary", "book a table for two", "asdf qwer"}  # not the 40-day-old one
    assert unanswered["asdf qwer"][3:] == ["unsure", 0.25, "ask_role", "greet", TODAY.isoformat()]
    assert rows["low_confidence"] == [["is there day shift work?", 1, 1, 0.55, "ask_shifts", "ask_job_stability",
                                       TODAY.isoformat()]]
    assert rows["feedback"] == [["Shifts", "shifts", 0, 1, ["Is there  day shift work?"]],
                                ["Quality Analyst", "quality_analyst", 1, 0, []]]


def test_an_older_period_shows_the_old_conversation_only(store):
    old = datetime.fromtimestamp(NOW - 40 * DAY, tz=timezone.utc).date()
    rows = figures(store, Period(old, old))
    assert rows["daily"] == [[old.isoformat(), 1, 1]]
    assert [r[0] for r in rows["unanswered"]] == ["book a flight"]
    assert rows["feedback"] == [] and rows["topics"] == []


def test_page_data_and_csv(store):
    period = Period.parse(None, None, today=TODAY)
    data = json.loads(json.dumps(page_data(store, period, retention.describe(90))))
    assert tuple(data["tables"]) == TABLES  # each table has its CSV address
    assert data["totals"] == {"conversations": 2, "messages": 7, "helpful": 1, "not_helpful": 1}
    assert data["period"] == {"from": period.first.isoformat(), "to": TODAY.isoformat(), "days": 30}
    assert "kept for 90 days" in data["kept"]
    assert data["oldest"] == datetime.fromtimestamp(NOW - 40 * DAY, tz=timezone.utc).strftime("%Y-%m-%d")
    feedback = tables(between(store, period.since, period.until), period)["feedback"].as_csv()
    assert list(csv.reader(io.StringIO(feedback)))[1] == ["Shifts", "shifts", "0", "1", "Is there  day shift work?"]


def check_cache(url):
    old, new = Script("old", NOW - 40 * DAY), Script("new")
    old.turn("hi", "greet", "utter_greet")
    new.turn("what is bpo", "ask_what_is_bpo", "action_answer_topic")
    save(url, [old])
    engine = sa.create_engine(url)
    cache = StoreCache()
    texts = lambda store: [t.text for t in store.turns]  # noqa: E731
    assert cache.use(engine, texts) == ["hi"]
    save(url, [new])
    assert cache.use(engine, texts) == ["hi", "what is bpo"] and cache.full_reads == 1
    assert retention.prune(engine, 30).conversations == 1
    assert cache.use(engine, texts) == ["what is bpo"] and cache.full_reads == 2
    engine.dispose()


def test_the_cache_reads_only_new_rows_and_starts_over_after_a_prune(tmp_path):
    check_cache(f"sqlite:///{tmp_path / 'conversations.db'}")


def test_the_cache_on_postgresql():
    with postgres_server() as server, fresh_database(server) as url:
        check_cache(url)


def test_the_token_rules():
    assert operator_token({}) is None and operator_token({"OPERATOR_TOKEN": " "}) is None
    assert operator_token({"OPERATOR_TOKEN": "a" * 16}) == "a" * 16
    with pytest.raises(ValueError, match="at least 16 characters"):
        operator_token({"OPERATOR_TOKEN": "short"})
    basic = "Basic " + base64.b64encode(b"anyone:the-token:with-colons").decode()
    assert presented_secret(basic) == "the-token:with-colons"
    assert presented_secret("Bearer the-token") == "the-token"
    assert presented_secret("Basic not base64!") is None and presented_secret(None) is None


def test_csv_cells_that_a_spreadsheet_would_run_are_shown_as_text():
    from bot.store_summary import csv_text
    rows = list(csv.reader(io.StringIO(csv_text(["comment", "count"], [['=HYPERLINK("http://x","y")', 2],
                                                                        ["+cmd|' /c calc'!A1", -1], ["fine", 3]]))))
    assert rows[1:] == [["'=HYPERLINK(\"http://x\",\"y\")", "2"], ["'+cmd|' /c calc'!A1", "-1"], ["fine", "3"]]
