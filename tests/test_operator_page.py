"""The operator page (bot/operator/) in Chromium, on a store filled through the real bot over REST.

The bot (action server + Rasa server, SQLite store, OPERATOR_TOKEN set, `--cors "*"` and a site in
WEBCHAT_ALLOWED_ORIGINS, so that the page's refusal of CORS is tested where it could fail) gets three
conversations with answers, a 👎 with its comment, 👍s, refused ratings, a decline and a question the
guide does not cover. The page must show what the store holds (read back here from the raw events),
ask for the token, load nothing from another host, and offer each table as CSV. It also writes
docs/operator.png for the README.
"""
from __future__ import annotations

import csv
import io
import os
import uuid
from collections import Counter
from datetime import datetime, timezone

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError, expect

from bot.store_summary import normalise, topic_name
from tests.servers import ROOT, RestClient
from tests.stack import port_of, start_action_server, start_bot, stored_events, store_url, write_endpoints
from tests.webchat_browser import browser  # noqa: F401 - pytest fixture

TOKEN = "operator-test-" + uuid.uuid4().hex
ALLOWED_SITE = "http://careers.example.com"
SCREENSHOT = ROOT / "docs" / "operator.png"
SALARY, OFF_TOPIC, COMMENT = "what's the salary of a customer service executive?", "what's the weather in delhi today", \
    "I wanted to know about day shifts"
THANKS, ASK, REFUSED = "glad it helped", "What were you looking for?", "nothing more to record"


def answer_ids(replies):
    return [m["answer_id"] for m in replies if m.get("answer_id")]


def rate(bot, sender, rating, answer_id):
    return "\n".join(m.get("text", "") for m in bot.say(sender, f'/{rating}{{"answer_id": "{answer_id}"}}'))


@pytest.fixture(scope="module")
def operator_bot(tmp_path_factory):
    """The bot and what was sent to it: conversation ids, messages (not ratings) and answered messages."""
    folder = tmp_path_factory.mktemp("operator")
    db_url = f"sqlite:///{folder / 'conversations.db'}"
    actions = start_action_server("actions-operator")
    rasa = None
    try:
        rasa = start_bot(actions, write_endpoints(folder / "endpoints.yml", port_of(actions), db_url), db_url,
                         name="rasa-operator", extra=["--cors", "*"],
                         env={"OPERATOR_TOKEN": TOKEN, "WEBCHAT_ALLOWED_ORIGINS": ALLOWED_SITE,
                              "CONVERSATION_RETENTION_DAYS": "90"})
        bot, run = RestClient(rasa.url), uuid.uuid4().hex[:6]
        a, b, c = (f"operator-{run}-{name}" for name in "abc")
        sent = {"conversations": [a, b, c], "messages": [], "answered": 0}

        def say(sender, text):
            replies = bot.say(sender, text)
            sent["messages"].append(text)
            sent["answered"] += bool(answer_ids(replies))
            return replies

        shifts = answer_ids(say(a, "what are the shift timings?"))[-1]
        assert ASK in rate(bot, a, "not_helpful", shifts)
        say(a, COMMENT)
        say(a, SALARY)
        analyst = answer_ids(say(b, "what does a quality analyst do?"))[-1]
        assert THANKS in rate(bot, b, "helpful", analyst)
        assert REFUSED in rate(bot, b, "helpful", analyst)  # twice: refused, not counted
        say(b, OFF_TOPIC)
        say(c, "hi")
        bpo = answer_ids(say(c, "what is bpo"))[-1]
        assert REFUSED in rate(bot, c, "helpful", shifts)  # another conversation's answer
        assert THANKS in rate(bot, c, "helpful", bpo)
        sent.update(url=rasa.url, db_url=db_url, rated={shifts: "not_helpful", analyst: "helpful", bpo: "helpful"})
        yield sent
    finally:
        if rasa:
            rasa.stop()
        actions.stop()


def store_events(sent):
    return {sender: stored_events(store_url(sent["db_url"]), sender) for sender in sent["conversations"]}


def open_page(browser, url, password=TOKEN, query=""):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                  http_credentials={"username": "operator", "password": password} if password else None)
    page = context.new_page()
    page.requests, page.errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    response = page.goto(f"{url}/operator{query}")
    return context, page, response


def table(page, name):
    return page.locator(f"#table-{name} tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))")


def test_the_page_shows_what_the_store_holds(operator_bot, browser):  # noqa: F811
    context, page, response = open_page(browser, operator_bot["url"])
    try:
        assert response.status == 200
        expect(page.locator("body")).to_have_attribute("data-state", "ready", timeout=30_000)
        today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        messages = len(operator_bot["messages"])
        assert page.locator("#total-conversations").inner_text() == "3"
        assert page.locator("#total-messages").inner_text() == str(messages)  # ratings are not messages
        assert (page.locator("#total-helpful").inner_text(), page.locator("#total-not_helpful").inner_text()) == \
            ("2", "1")
        assert table(page, "daily")[-1] == [today, "3", str(messages)]
        assert table(page, "outcomes")[0][:2] == ["answered from the guide", str(operator_bot["answered"])]

        events = [e for evs in store_events(operator_bot).values() for e in evs]
        about = {e["metadata"]["answer_id"]: e["metadata"].get("answer_about") for e in events
                 if e.get("event") == "bot" and (e.get("metadata") or {}).get("answer_id")}
        topics = Counter(topic_name(about[i]) for i in about)
        assert {row[0]: int(row[2]) for row in table(page, "topics")} == dict(topics)

        feedback = {row[0]: row[2:] for row in table(page, "feedback")}
        rated = operator_bot["rated"]
        assert set(feedback) == {topic_name(about[i]) for i in rated}
        shifts = next(i for i, r in rated.items() if r == "not_helpful")
        assert feedback[topic_name(about[shifts])] == ["0", "1", COMMENT]

        unanswered = {row[0]: row for row in table(page, "unanswered")}
        assert unanswered[normalise(SALARY)][3] == "not covered"
        assert unanswered[normalise(OFF_TOPIC)][3] == "declined"
        # "The two intents NLU hesitated between" are the first two of the stored intent ranking.
        for event in events:
            if event.get("event") == "user" and normalise(event["text"]) in unanswered:
                ranking = [r["name"] for r in event["parse_data"]["intent_ranking"] if r["name"] != "nlu_fallback"]
                assert unanswered[normalise(event["text"])][5:7] == ranking[:2]

        expect(page.locator("#kept")).to_contain_text("kept for 90 days")
        expect(page.locator("#kept")).to_contain_text(f"oldest message stored is from {today}")
        assert page.locator("canvas").count() == 4 and page.evaluate("typeof window.Chart") == "function"
        assert page.errors == []
        outside = [u for u in page.requests if not u.startswith(operator_bot["url"] + "/")]
        assert outside == [] and len(page.requests) >= 5  # page, style, two scripts, data
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    finally:
        context.close()


def test_each_table_downloads_as_csv(operator_bot, browser):  # noqa: F811
    context, page, _ = open_page(browser, operator_bot["url"])
    try:
        expect(page.locator("body")).to_have_attribute("data-state", "ready", timeout=30_000)
        with page.expect_download() as download:
            page.locator("#section-feedback a.csv").click()
        rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
        assert rows[0] == ["topic", "topic id", "helpful", "not helpful", "comments after a not helpful"]
        assert sorted(r[0] for r in rows[1:]) == sorted(r[0] for r in table(page, "feedback"))
        assert download.value.suggested_filename.startswith("feedback-")
    finally:
        context.close()


def test_another_period(operator_bot, browser):  # noqa: F811
    context, page, _ = open_page(browser, operator_bot["url"], query="/?from=2020-01-01&to=2020-01-03")
    try:
        expect(page.locator("body")).to_have_attribute("data-state", "ready", timeout=30_000)
        assert table(page, "daily") == [["2020-01-01", "0", "0"], ["2020-01-02", "0", "0"], ["2020-01-03", "0", "0"]]
        assert table(page, "feedback") == [["Nothing in this period."]]
        page.locator("input[name=from]").fill("2020-02-01")
        page.locator("button[type=submit]").click()
        expect(page.locator("#status")).to_contain_text("'from' must not be after 'to'")
    finally:
        context.close()


def test_the_token_is_required(operator_bot, browser):  # noqa: F811
    # Chromium asks for a password on a 401 with a Basic challenge; without one to give (or with a
    # wrong one) the page does not open: the navigation fails, or ends on the 401.
    for password in (None, "wrong-" + TOKEN):
        context = browser.new_context(http_credentials={"username": "x", "password": password} if password else None)
        try:
            status = context.new_page().goto(operator_bot["url"] + "/operator/").status
        except PlaywrightError as error:
            status = 401 if "ERR_INVALID_AUTH_CREDENTIALS" in str(error) else str(error)
        finally:
            context.close()
        assert status == 401, password
    url = operator_bot["url"] + "/operator/"
    for auth in (None, ("operator", "wrong-" + TOKEN), ("operator", TOKEN[:-1])):
        for path in ("", "data.json", "feedback.csv", "static/chart.umd.min.js"):
            reply = requests.get(url + path, auth=auth, timeout=30)
            assert reply.status_code == 401, (path, auth)
            assert reply.headers["WWW-Authenticate"].startswith("Basic")
    assert requests.get(url + "data.json", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30).ok


def test_never_served_to_other_sites(operator_bot):
    url = operator_bot["url"] + "/operator/"
    for path in ("", "data.json"):
        reply = requests.get(url + path, auth=("x", TOKEN), headers={"Origin": ALLOWED_SITE}, timeout=30)
        assert reply.ok
        assert not [h for h in reply.headers if h.lower().startswith("access-control-")], reply.headers
        assert reply.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]
    # The chat on the same server does answer that site (its setting is on, and Rasa runs with --cors),
    # which is what makes the check above count.
    chat = requests.post(operator_bot["url"] + "/webchat/history", json={}, headers={"Origin": ALLOWED_SITE},
                         timeout=30)
    assert chat.headers.get("Access-Control-Allow-Origin") == ALLOWED_SITE, chat.headers


def test_off_without_a_token(bot):
    """The shared REST bot mounts credentials.yml's channels, the page included, without OPERATOR_TOKEN."""
    assert not os.environ.get("OPERATOR_TOKEN"), "unset OPERATOR_TOKEN to run the tests"
    for path in ("/operator", "/operator/", "/operator/data.json", "/operator/feedback.csv"):
        assert requests.get(bot.base_url + path, auth=("x", "anything-at-all-long"), timeout=30).status_code == 404
