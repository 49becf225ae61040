"""👍/👎 in the web chat at the HTTP level: what `/webchat/message` accepts as a rating, what the
replies and `/webchat/history` say about rateable and rated answers, and the `answer_id` on
socket.io's `bot_uttered` events.

The helper tests need no server; the others use the browser tests' bot (tests/webchat_browser.py:
real Rasa and action servers, a SQLite store read directly). What the person sees and does is in
test_webchat_feedback.py.
"""
import json
import uuid

import pytest
import requests
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered,
                                     UserUtteranceReverted)

from bot.channels.webchat_requests import RequestError, bot_message, history, parse_message
from tests.stack import stored_events
from tests.test_socketio_channel import SocketUser
from tests.webchat_browser import webchat_bot  # noqa: F401 - pytest fixture

THANKS = "Thanks, glad it helped"
ASK_WHAT = "What were you looking for?"
NOTHING_MORE = "There's nothing more to record for that answer"


def new_id() -> str:
    return uuid.uuid4().hex


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def rating(kind: str, answer_id: str) -> str:
    return "/" + kind + json.dumps({"answer_id": answer_id}, separators=(",", ":"))


# --- no server ---------------------------------------------------------------------------------------

def test_a_rating_may_be_sent_silently_and_typed_text_is_still_never_a_payload():
    sender = new_id()
    for text in [rating("helpful", "a1b2c3"), rating("not_helpful", "a1b2c3"), "/helpful",
                 '/helpful{"answer_id": "made-up"}', "/not_helpful{broken"]:
        parsed = parse_message(body(sender=sender, message=text, silent=True), 1000, "/greet")
        assert parsed["text"] == text and parsed["metadata"] == {"webchat": {"silent": True}}
    typed = parse_message(body(sender=sender, message=rating("helpful", "a1b2c3")), 1000, "/greet")
    assert typed["text"] == 'helpful{"answer_id":"a1b2c3"}' and typed["metadata"] == {}
    for text in ["/helpfulness", "/ask_shifts", "helpful", '/helpful {"answer_id":"a"}', "/restart"]:
        with pytest.raises(RequestError) as error:
            parse_message(body(sender=sender, message=text, silent=True), 1000, "/greet")
        assert error.value.status == 400 and error.value.field == "silent"


def test_replies_keep_only_a_string_answer_id():
    assert bot_message("An answer", {"answer_id": "abc123", "answer_about": "shifts"}) == {
        "from": "bot", "text": "An answer", "answer_id": "abc123"}
    for bad in [None, "", 42, {"id": "x"}, ["abc"]]:
        assert "answer_id" not in bot_message("An answer", {"answer_id": bad})


def test_history_marks_rated_answers_and_hides_the_ratings():
    shifts = {"answer_id": "aaa111", "answer_about": "shifts"}
    roles = {"answer_id": "bbb222", "answer_about": "entry_roles"}
    counted = {"answer_id": "aaa111", "rating": "helpful", "about": "shifts", "answer_text": "Nights."}
    events = [
        ActionExecuted("action_listen"),
        UserUttered("what are the shift timings"),
        BotUttered("Nights.", metadata=shifts),
        UserUttered(rating("helpful", "aaa111"), metadata={"webchat": {"silent": True}}),
        SlotSet("feedback", counted),
        UserUtteranceReverted(),
        BotUttered("Thanks, glad it helped."),
        UserUttered(rating("not_helpful", "aaa111"), metadata={"webchat": {"silent": True}}),
        SlotSet("feedback", {**counted, "rating": "not_helpful"}),  # not stored by the bot; the first counts
        SlotSet("feedback", "not a rating"),
        SlotSet("topic", {"answer_id": "bbb222", "rating": "helpful"}),  # another slot: not a rating
        UserUttered("which jobs can a fresher get?"),
        BotUttered("Four jobs.", metadata=roles),
    ]
    assert history(events) == [
        {"from": "user", "text": "what are the shift timings"},
        {"from": "bot", "text": "Nights.", "answer_id": "aaa111", "rating": "helpful"},
        {"from": "bot", "text": "Thanks, glad it helped."},
        {"from": "user", "text": "which jobs can a fresher get?"},
        {"from": "bot", "text": "Four jobs.", "answer_id": "bbb222"},
    ]


def test_answers_of_an_earlier_session_keep_their_id_only_if_rated():
    # After a session expired the bot sees only the new session, so an old answer can't be rated any more.
    events = [
        UserUttered("what are the shift timings"), BotUttered("Nights.", metadata={"answer_id": "aaa111"}),
        BotUttered("Four jobs.", metadata={"answer_id": "bbb222"}),
        SlotSet("feedback", {"answer_id": "bbb222", "rating": "helpful"}),
        SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("what is bpo"), BotUttered("Outsourcing.", metadata={"answer_id": "ccc333"}),
    ]
    assert [(m.get("answer_id"), m.get("rating")) for m in history(events) if m["from"] == "bot"] == [
        (None, None), ("bbb222", "helpful"), ("ccc333", None)]


# --- the real bot --------------------------------------------------------------------------------------

def post(bot, payload: dict) -> requests.Response:
    return requests.post(f"{bot.rasa.url}/webchat/message", data=json.dumps(payload), timeout=60)


def say(bot, sender: str, text: str, **extra) -> list:
    answer = post(bot, {"sender": sender, "message": text, **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()["messages"]


def read_history(bot, sender: str) -> list:
    answer = requests.post(f"{bot.rasa.url}/webchat/history", data=json.dumps({"sender": sender}), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["messages"]


def feedback_events(bot, sender: str) -> list:
    return [e["value"] for e in stored_events(f"sqlite:///{bot.db}", "webchat-" + sender)
            if e.get("event") == "slot" and e.get("name") == "feedback"]


def test_feedback_script_is_served_with_revalidation(webchat_bot):
    first = requests.get(f"{webchat_bot.rasa.url}/webchat/feedback.js", timeout=10)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/javascript")
    assert "__webchatFeedback" in first.text
    again = requests.get(f"{webchat_bot.rasa.url}/webchat/feedback.js",
                         headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
    assert again.status_code == 304


def test_answers_carry_an_id_and_a_rating_is_stored_once_and_shown_in_history(webchat_bot):
    mine = new_id()
    [hello] = say(webchat_bot, mine, "/greet", silent=True)
    assert "answer_id" not in hello  # a greeting is not an answer from the guide
    [answer] = say(webchat_bot, mine, "what are the shift timings")
    assert "night and rotating shifts" in answer["text"] and answer["answer_id"]
    answer_id = answer["answer_id"]

    [thanks] = say(webchat_bot, mine, rating("helpful", answer_id), silent=True)
    assert THANKS in thanks["text"] and "answer_id" not in thanks
    [stored] = feedback_events(webchat_bot, mine)
    assert (stored["answer_id"], stored["rating"], stored["about"]) == (answer_id, "helpful", "shifts")

    [again] = say(webchat_bot, mine, rating("not_helpful", answer_id), silent=True)  # rated already
    assert NOTHING_MORE in again["text"]
    assert len(feedback_events(webchat_bot, mine)) == 1

    shown = read_history(webchat_bot, mine)
    assert [m for m in shown if m.get("answer_id") == answer_id] == [{**answer, "rating": "helpful"}]
    assert [m["text"] for m in shown if m["from"] == "user"] == ["what are the shift timings"]
    assert not any("helpful" in m["text"] for m in shown if m["from"] == "user")


def test_foreign_made_up_and_malformed_ratings_are_refused_without_an_error(webchat_bot):
    theirs, mine = new_id(), new_id()
    [their_answer] = say(webchat_bot, theirs, "what does a DEO do")
    [my_answer] = say(webchat_bot, mine, "what are the shift timings")
    for payload in [rating("helpful", their_answer["answer_id"]), rating("not_helpful", "0123456789ab")]:
        [refused] = say(webchat_bot, mine, payload, silent=True)
        assert NOTHING_MORE in refused["text"]
    assert feedback_events(webchat_bot, mine) == [] and feedback_events(webchat_bot, theirs) == []
    assert all("rating" not in m for m in read_history(webchat_bot, theirs))
    # The conversation goes on as before the ratings: the shifts topic is still the one in focus.
    follow_up = say(webchat_bot, mine, "how come?")
    assert "abroad" in follow_up[0]["text"] and my_answer["answer_id"] != their_answer["answer_id"]
    # Broken JSON is the bot's to judge; the channel passes it on and the bot answers, no error.
    assert say(webchat_bot, mine, "/helpful{broken", silent=True)


def test_socketio_replies_carry_the_answer_id_in_their_metadata(webchat_bot):
    user = SocketUser(webchat_bot.rasa.url, new_id())
    try:
        hello = user.ask("hi", "BPO Careers Assistant")
        assert "answer_id" not in (hello.get("metadata") or {})
        answer = user.ask("what are the shift timings", "night and rotating shifts")
        answer_id = answer["metadata"]["answer_id"]
        # No key of its own beside them: rasa-webchat would show such an event as no text at all.
        assert set(answer) <= {"text", "quick_replies", "metadata"} and isinstance(answer_id, str) and answer_id
        thanks = user.ask(rating("helpful", answer_id), THANKS)
        assert "answer_id" not in (thanks.get("metadata") or {})
    finally:
        user.close()
