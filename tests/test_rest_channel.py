"""The REST channel refuses malformed requests before Rasa sees them (bot/channels/rest.py).

Against the real bot: each malformed body gets a 400 or 413 with a JSON error naming the field,
never a 500, never a silent `[]`, never Rasa's shared "default" conversation.
"""
import json
import uuid

import pytest
import requests

from bot.channels.input_rules import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS
from bot.channels.rest import parse_request
from bot.channels.input_rules import InputError

SHIFTS = "night and rotating shifts"


def post(bot, body, raw: bool = False) -> requests.Response:
    if raw:
        return requests.post(bot.url, data=body, headers={"Content-Type": "application/json"}, timeout=60)
    return requests.post(bot.url, json=body, timeout=60)


@pytest.mark.parametrize("body, status, field", [
    ([{"sender": "a", "message": "hi"}], 400, "body"),
    ("what are the shifts", 400, "body"),
    (42, 400, "body"),
    ({"sender": "a"}, 400, "message"),
    ({"sender": "a", "message": None}, 400, "message"),
    ({"sender": "a", "message": 7}, 400, "message"),
    ({"sender": "a", "message": "   "}, 400, "message"),
    ({"sender": "a", "message": "x" * (MAX_MESSAGE_CHARS + 1)}, 413, "message"),
    ({"message": "what are the shifts"}, 400, "sender"),
    ({"sender": "", "message": "what are the shifts"}, 400, "sender"),
    ({"sender": 12, "message": "what are the shifts"}, 400, "sender"),
    ({"sender": "s" * (MAX_SENDER_CHARS + 1), "message": "hi"}, 400, "sender"),
    ({"sender": "a", "message": "hi", "metadata": "x"}, 400, "metadata"),
], ids=["array", "string", "number", "no-message", "null-message", "number-message", "blank-message",
        "long-message", "no-sender", "empty-sender", "number-sender", "long-sender", "metadata-not-object"])
def test_a_malformed_body_gets_a_clear_4xx_naming_the_field(bot, body, status, field):
    response = post(bot, body)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field and response.json()["error"]


def test_a_body_that_is_not_json_gets_a_400(bot):
    response = post(bot, b"{not json", raw=True)
    assert response.status_code == 400 and response.json()["field"] == "body"


def test_requests_without_a_sender_never_share_a_conversation(bot):
    # Rasa's own channel put both in "default": the second client got the first's role finder question.
    first = post(bot, {"message": "which job suits me?"})
    second = post(bot, {"message": "yes"})
    assert first.status_code == second.status_code == 400
    assert "Are you comfortable" not in first.text + second.text


def test_a_message_at_the_limit_is_answered_and_the_conversation_goes_on(bot):
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    reply = bot.say(sender, "w" * MAX_MESSAGE_CHARS)
    assert 1 <= len(reply) <= 3 and reply[0]["text"]
    assert bot.last_turn_ends_listening(sender)
    assert SHIFTS in bot.text(sender, "what are the shift timings?")


def test_a_well_formed_request_keeps_its_metadata_and_streams(bot):
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    reply = post(bot, {"sender": sender, "message": "what are the shift timings?", "metadata": {"page": "faq"}})
    assert reply.status_code == 200 and SHIFTS in reply.json()[0]["text"]
    user = [e for e in bot.tracker(sender)["events"] if e["event"] == "user"][-1]
    assert user["metadata"]["page"] == "faq"
    streamed = requests.post(f"{bot.url}?stream=true", json={"sender": sender, "message": "what is bpo"}, timeout=60)
    assert streamed.status_code == 200
    lines = [json.loads(line) for line in streamed.text.splitlines() if line.strip()]
    assert "Business Process Outsourcing" in lines[0]["text"]


def test_parse_request_without_a_server():
    assert parse_request(b'{"sender": " s1 ", "message": "hi"}') == {
        "sender": "s1", "text": "hi", "metadata": None, "input_channel": "rest"}
    with pytest.raises(InputError) as error:
        parse_request(b"")
    assert error.value.status == 400 and error.value.field == "body"
    with pytest.raises(InputError) as error:
        parse_request(b'{"sender": "s", "message": "hi", "input_channel": 3}')
    assert error.value.field == "input_channel"
