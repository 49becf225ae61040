"""`python -m bot.report` lists what the bot could not answer well, and the ratings, from the store.

The grouping rules are checked on hand-made turns and on hand-made conversations stored by Rasa's
SQL tracker store; the report itself on a SQLite store that the test fills by talking to the real
bot (action server + Rasa server), with a 👎 and its comment and a spell with the action server down.
The PostgreSQL store is read in test_scale_out.py.
"""
import csv
import io
import subprocess
import uuid
from datetime import datetime, timezone

import pytest

from bot import report
from bot.report import Turn, summarise
from tests.servers import BIN, ROOT, RestClient, environment
from tests.test_operator_reader import sample, save
from tests.stack import port_of, start_action_server, start_bot, store_url, write_endpoints


# --- grouping, no server -------------------------------------------------------------------------------

def turn(text, intent, confidence=0.95, actions=(), conversation="c1", timestamp=1_700_000_000.0):
    return Turn(conversation, text, intent, confidence, timestamp, list(actions))


@pytest.mark.parametrize("t, groups", [
    (turn("asdf", "nlu_fallback", 0.5, ["action_clarify", "action_listen"]), ["fallback"]),
    (turn("/start", "start", 1.0, ["action_clarify"]), ["fallback"]),
    (turn("weather?", "out_of_scope", 0.9, ["utter_out_of_scope"]), ["out_of_scope"]),
    (turn("salary?", "ask_not_covered", 0.9, ["action_not_covered"]), ["not_covered"]),
    (turn("what is bpo", "ask_what_is_bpo", 0.55, ["action_answer_topic"]), ["low_confidence"]),
    (turn("what does a DEO do", "ask_role", 0.9, ["utter_cannot_look_up"]), ["lookup_failed"]),
    (turn("hmm weather", "out_of_scope", 0.6, ["utter_out_of_scope"]), ["out_of_scope", "low_confidence"]),
    (turn("what is bpo", "ask_what_is_bpo", 0.99, ["action_answer_topic"]), []),
])
def test_groups(t, groups):
    assert report.groups(t, 0.7) == groups


def test_feedback_section_in_markdown_and_csv(tmp_path, capsys):
    db_url = f"sqlite:///{tmp_path / 'hand.db'}"
    save(db_url, sample())
    assert report.main(["--db-url", db_url]) == 0
    text = capsys.readouterr().out
    assert f"## {report.FEEDBACK_TITLE}" in text
    assert "| Shifts | 0 | 1 | Is there  day shift work? |" in text, text
    assert "| Quality Analyst | 1 | 0 |  |" in text
    # The rating messages are not counted as messages.
    assert "Read 8 user messages" in text
    assert report.main(["--db-url", db_url, "--format", "csv", "--table", "feedback"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["topic_id"], r["helpful"], r["not_helpful"], r["comments"]) for r in rows] == [
        ("shifts", "0", "1", "Is there  day shift work?"), ("quality_analyst", "1", "0", "")]


def test_same_message_counted_together_most_frequent_first():
    turns = [turn("What's the  weather?", "out_of_scope", conversation="a", timestamp=1_700_000_000),
             turn("what's the weather?", "out_of_scope", conversation="b", timestamp=1_700_100_000),
             turn("what's the weather?", "out_of_scope", conversation="b", timestamp=1_700_200_000),
             turn("tell me a joke", "out_of_scope", conversation="c")]
    rows, total = summarise(turns)
    assert total == 4
    assert [(r.message, r.count, len(r.conversations)) for r in rows] == [
        ("what's the weather?", 3, 2), ("tell me a joke", 1, 1)]
    text = report.markdown(rows, total, "a test store", 50, 0.7)
    assert "| 3 | what's the weather? | 2 | 2023-11-14 | 2023-11-17 | out_of_scope |" in text


def test_markdown_cells_are_escaped():
    rows, total = summarise([turn("a | b\nc", "out_of_scope")])
    assert "| a \\| b c |" in report.markdown(rows, total, "x", 50, 0.7)


def test_a_missing_store_is_an_error_not_an_empty_report(tmp_path, capsys):
    assert report.main(["--db-url", f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert "no conversation store" in capsys.readouterr().err
    # Found through DB_URL, as the server finds it; looking creates nothing.
    result = subprocess.run([str(BIN / "python"), "-m", "bot.report"], cwd=ROOT, capture_output=True, text=True,
                            env=environment(DB_URL=f"sqlite:///{tmp_path / 'later' / 'none.db'}"), timeout=120)
    assert result.returncode == 2 and "no conversation store" in result.stderr
    assert not (tmp_path / "later").exists()


# --- a store filled through the real bot ----------------------------------------------------------------

OUT_OF_DOMAIN = "what's the weather in delhi today"
NOT_COVERED = "what is the salary of a customer service executive"
UNKNOWN_COMMAND = "/start"
ANSWERED = "what are the shift timings?"
DURING_OUTAGE = "what does a DEO do?"
COMMENT = "I wanted the day shift options"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    db_url = f"sqlite:///{folder / 'conversations.db'}"
    actions = start_action_server("actions-report")
    rasa = None
    try:
        rasa = start_bot(actions, write_endpoints(folder / "endpoints.yml", port_of(actions), db_url), db_url,
                         name="rasa-report")
        bot = RestClient(rasa.url)
        run = uuid.uuid4().hex[:6]
        for conversation in ("a", "b"):
            bot.say(f"report-{run}-{conversation}", OUT_OF_DOMAIN)
        bot.say(f"report-{run}-a", NOT_COVERED)
        bot.say(f"report-{run}-a", UNKNOWN_COMMAND)
        answer = [m["answer_id"] for m in bot.say(f"report-{run}-b", ANSWERED) if m.get("answer_id")][-1]
        bot.say(f"report-{run}-b", f'/not_helpful{{"answer_id": "{answer}"}}')
        bot.say(f"report-{run}-b", COMMENT)
        port = port_of(actions)
        actions.stop()
        bot.say(f"report-{run}-c", DURING_OUTAGE)
        actions = start_action_server("actions-report-back", port=port)
        yield db_url
    finally:
        if rasa:
            rasa.stop()
        actions.stop()


def rows_of(db_url: str, *extra: str) -> list:
    result = subprocess.run([str(BIN / "python"), "-m", "bot.report", "--format", "csv", *extra], cwd=ROOT,
                            env=environment(DB_URL=db_url), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def groups_of(rows: list, message: str) -> set:
    return {row["group"] for row in rows if row["message"] == message.lower()}


def test_report_on_the_bots_own_store(store):
    rows = rows_of(store)  # the store is found through DB_URL, as the server finds it
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")

    weather = [r for r in rows if r["message"] == OUT_OF_DOMAIN and r["group"] in ("out_of_scope", "fallback")]
    assert weather and weather[0]["count"] == "2" and weather[0]["conversations"] == "2", rows
    assert weather[0]["first_seen"] == weather[0]["last_seen"] == today
    assert "not_covered" in groups_of(rows, NOT_COVERED)
    assert "fallback" in groups_of(rows, UNKNOWN_COMMAND)
    assert "lookup_failed" in groups_of(rows, DURING_OUTAGE.lower())
    assert not groups_of(rows, ANSWERED) - {"low_confidence"}

    # Every classified message counts as low confidence under a threshold above 1.
    everything = rows_of(store, "--low-confidence", "1.01")
    assert "low_confidence" in groups_of(everything, ANSWERED)
    assert not rows_of(store, "--since", "2999-01-01")


def test_a_rating_given_over_rest_is_in_the_report(store):
    rows = rows_of(store, "--table", "feedback")
    assert [(r["topic_id"], r["helpful"], r["not_helpful"], r["comments"]) for r in rows] == [
        ("shifts", "0", "1", COMMENT)]
    # The rating is not a message: the comment is, and the counts of other messages are unchanged.
    assert not any(r["message"].startswith("/not_helpful") for r in rows_of(store, "--low-confidence", "1.01"))


def test_markdown_report_to_a_file(store, tmp_path):
    out = tmp_path / "unanswered.md"
    assert report.main(["--db-url", store_url(store), "--output", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# Messages the bot could not answer well")
    for title in report.GROUPS.values():
        assert f"## {title}" in text
    assert f"| 2 | {OUT_OF_DOMAIN} | 2 |" in text
    assert f"| Shifts | 0 | 1 | {COMMENT} |" in text
