"""Faults a running bot survives: the action server going away and coming back, the Rasa server
crashing. The bot runs as `make run` runs it: conversations in a SQLite file (a temporary one)."""
import os
import signal
import uuid

import pytest
import requests

from tests.servers import RestClient
from tests.stack import (assert_deo_skills, last_slot, port_of, start_action_server, start_bot, store_url,
                         stored_events, user_texts, write_endpoints)

CANNOT_LOOK_UP = "can't look that up right now"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    db_url = f"sqlite:///{folder / 'conversations.db'}"
    actions = start_action_server("actions-faults")
    endpoints = write_endpoints(folder / "endpoints.yml", port_of(actions), db_url)
    servers = {"actions": actions}
    try:
        servers["rasa"] = start_bot(actions, endpoints, db_url, name="rasa-faults")
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


def test_rasa_server_crash_loses_no_conversation(stack):
    bot, user = RestClient(stack["rasa"].url), sender()
    assert "Data Entry Operator" in bot.text(user, "what does a DEO do?")
    assert_deo_skills(bot.text(user, "what skills do I need for it?"))
    before = stored_events(stack["db"], user)

    # A hard crash, not a clean stop: nothing gets a chance to flush or tidy up.
    old = stack.pop("rasa")
    os.kill(old.process.pid, signal.SIGKILL)
    old.process.wait(timeout=30)
    stack["rasa"] = start_bot(stack["actions"], stack["endpoints"], stack["db_url"], name="rasa-faults-restarted")

    bot = RestClient(stack["rasa"].url)
    assert "doesn't link a particular certification to the Data Entry Operator" in bot.text(
        user, "which certification helps for that?")
    after = stored_events(stack["db"], user)
    assert after[:len(before)] == before  # history intact, new turn appended
    assert user_texts(after) == ["what does a DEO do?", "what skills do I need for it?",
                                 "which certification helps for that?"]
    assert last_slot(after, "role") == "data_entry_operator"
