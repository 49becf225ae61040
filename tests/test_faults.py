"""Faults a running bot survives: the action server going away, hanging and coming back, the Rasa
server crashing, conversations stored in a broken state, a session expiring mid role finder. The bot
runs as `make run` runs it: conversations in a SQLite file (a temporary one)."""
import os
import signal
import time
import uuid

import pytest
import requests
import yaml

from tests.servers import ROOT, RestClient
from tests.stack import (assert_deo_skills, last_slot, move_back_in_time, port_of, start_action_server, start_bot,
                         store_url, stored_events, user_texts, write_endpoints)

CANNOT_LOOK_UP = "can't look that up right now"
CANNOT_LOOK_UP_TEXT = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]["utter_cannot_look_up"][0]["text"]
ACTION_TIMEOUT = 3  # seconds; the shipped 10 s (config.yml) would only make this module slower
API_TOKEN = "faults-token"
RASA_ENV = {"ACTION_TIMEOUT_SECONDS": str(ACTION_TIMEOUT)}
API = ["--enable-api", "--auth-token", API_TOKEN]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    db_url = f"sqlite:///{folder / 'conversations.db'}"
    actions = start_action_server("actions-faults")
    endpoints = write_endpoints(folder / "endpoints.yml", port_of(actions), db_url)
    servers = {"actions": actions}
    try:
        servers["rasa"] = start_bot(actions, endpoints, db_url, name="rasa-faults", env=RASA_ENV, extra=API)
        servers.update(db=store_url(db_url), endpoints=endpoints, db_url=db_url)
        yield servers
    finally:
        for key in ("rasa", "actions"):
            if key in servers:
                servers[key].stop()


def sender() -> str:
    return f"faults-{uuid.uuid4().hex[:10]}"


def test_action_server_down_gets_a_short_apology_then_answers_when_back(stack):
    bot, user = RestClient(stack["rasa"].url), sender()
    assert "Data Entry Operator" in bot.text(user, "what does a DEO do?")

    port = port_of(stack["actions"])
    stack["actions"].stop()
    response = requests.post(bot.url, json={"sender": user, "message": "what skills do I need for it?"}, timeout=60)
    assert response.status_code == 200, response.text
    messages = response.json()
    assert len(messages) == 1 and CANNOT_LOOK_UP in messages[0]["text"], messages
    assert "Traceback" not in response.text

    stack["actions"] = start_action_server("actions-faults-back", port=port)
    # The slot from before the outage still applies: the follow-up is answered for the same role.
    assert_deo_skills(bot.text(user, "what skills do I need for it?"))
    events = stored_events(stack["db"], user)
    assert [e.get("name") for e in events if e["event"] == "action"].count("utter_cannot_look_up") == 1


def test_action_server_down_in_the_role_finder_apologises_and_the_questions_resume(stack):
    bot, user = RestClient(stack["rasa"].url), sender()
    assert "phone calls" in bot.text(user, "which bpo job suits me?")
    assert "type quickly" in bot.text(user, "yes")

    port = port_of(stack["actions"])
    stack["actions"].stop()
    # The answer is checked and the next question asked by the action server: without it, one
    # apology per message, never silence and never the form running in a loop.
    for _ in range(2):
        response = requests.post(bot.url, json={"sender": user, "message": "no"}, timeout=60)
        assert response.status_code == 200, response.text
        assert [m.get("text") for m in response.json()] == [CANNOT_LOOK_UP_TEXT], response.text

    stack["actions"] = start_action_server("actions-faults-form-back", port=port)
    # The question still open is the typing one; the answer given now fills it and the form goes on.
    assert "computer problems" in bot.text(user, "no")
    for answer in ("yes", "yes"):
        bot.text(user, answer)
    assert "Technical Support Associate" in bot.text(user, "yes")
    events = stored_events(stack["db"], user)
    assert last_slot(events, "rf_calls") is True and last_slot(events, "rf_typing") is False
    assert [e.get("name") for e in events if e["event"] == "action"].count("utter_cannot_look_up") == 2


def test_rasa_server_crash_loses_no_conversation(stack):
    bot, user = RestClient(stack["rasa"].url), sender()
    assert "Data Entry Operator" in bot.text(user, "what does a DEO do?")
    assert_deo_skills(bot.text(user, "what skills do I need for it?"))
    before = stored_events(stack["db"], user)

    # A hard crash, not a clean stop: nothing gets a chance to flush or tidy up.
    old = stack.pop("rasa")
    os.kill(old.process.pid, signal.SIGKILL)
    old.process.wait(timeout=30)
    stack["rasa"] = start_bot(stack["actions"], stack["endpoints"], stack["db_url"], name="rasa-faults-restarted",
                              env=RASA_ENV, extra=API)

    bot = RestClient(stack["rasa"].url)
    assert "doesn't link a particular certification to the Data Entry Operator" in bot.text(
        user, "which certification helps for that?")
    after = stored_events(stack["db"], user)
    assert after[:len(before)] == before  # history intact, new turn appended
    assert user_texts(after) == ["what does a DEO do?", "what skills do I need for it?",
                                 "which certification helps for that?"]
    assert last_slot(after, "role") == "data_entry_operator"


def test_a_hung_action_server_means_a_short_apology_not_minutes_of_silence(stack):
    bot, user = RestClient(stack["rasa"].url), sender()
    assert "Data Entry Operator" in bot.text(user, "what does a DEO do?")
    actions = stack["actions"].process
    os.kill(actions.pid, signal.SIGSTOP)  # accepts connections, answers nothing: overloaded or deadlocked
    try:
        started = time.monotonic()
        response = requests.post(bot.url, json={"sender": user, "message": "what are the shift timings?"}, timeout=60)
        waited = time.monotonic() - started
    finally:
        os.kill(actions.pid, signal.SIGCONT)
    assert response.status_code == 200
    assert [m.get("text") for m in response.json()] == [CANNOT_LOOK_UP_TEXT]
    assert ACTION_TIMEOUT <= waited < ACTION_TIMEOUT + 15, waited
    # Once it answers again, so does the bot, and the role from before is still in focus.
    assert_deo_skills(bot.text(user, "what skills do I need for it?"))
    assert RestClient(stack["rasa"].url, API_TOKEN).last_turn_ends_listening(user)


def test_a_conversation_stored_with_a_turn_that_never_ended_answers_its_next_message(stack):
    # What Rasa 3.6 alone stored after a "yes" with nothing pending: the fallback ten times, no listen.
    bot, user = RestClient(stack["rasa"].url, API_TOKEN), sender()
    assert "outside provider" in bot.text(user, "what is bpo")
    now = time.time()
    broken = [{"event": "user", "timestamp": now, "text": "yes",
               "parse_data": {"intent": {"name": "affirm", "confidence": 0.99}, "entities": [], "text": "yes"}}]
    broken += [{"event": "action", "timestamp": now, "name": "action_clarify"}] * 10
    requests.post(f"{stack['rasa'].url}/conversations/{user}/tracker/events", params={"token": API_TOKEN},
                  json=broken, timeout=30).raise_for_status()
    actions = [e["name"] for e in stored_events(stack["db"], user) if e["event"] == "action"]
    assert actions[-1] == "action_clarify"  # stored as it was: the turn never reached action_listen
    assert "night and rotating shifts" in bot.text(user, "what are the shift timings?")
    assert bot.last_turn_ends_listening(user)


def test_after_the_session_expired_mid_role_finder_the_bot_starts_clean(stack):
    bot, user = RestClient(stack["rasa"].url, API_TOKEN), sender()
    assert "Data Entry Operator" in bot.text(user, "what does a DEO do?")
    assert "phone calls" in bot.text(user, "which bpo job suits me?")
    assert "type quickly" in bot.text(user, "yes")
    # Lunch: two hours away, past the 60-minute session expiry (domain.yml).
    move_back_in_time(stack["db"], user, 2 * 3600)
    # The "yes" to the question still on screen meets no half-kept form: one friendly reply.
    assert bot.say(user, "yes")[0]["text"].startswith("Okay! Anything I can help with?")
    slots = bot.tracker(user)["slots"]
    assert slots["requested_slot"] is None and slots["rf_calls"] is None
    assert slots["role"] == "data_entry_operator"  # what was in focus is kept
    assert bot.last_turn_ends_listening(user)
    assert "rotating shifts" in bot.text(user, "what are the shift timings?")
