"""👍/👎 in Slack against the real bot: a guide answer carries its own Block Kit feedback block, a
signed block_actions click rates it, and the rating lands in the conversation's tracker.

The clicks are built from the chat.postMessage the fake Slack API caught (tests/fake_platform_api.py),
as Slack builds them: the message's ts, text and blocks, and the pressed element.
"""
import json
import time

import pytest

from tests.fake_platform_api import SLACK_BOT_USER, SLACK_TEAM, shared_platform_bot
from tests.stored_ratings import events_after, ratings_in
from tests.test_slack import SETTLE, buttons_of, event_callback, new_id, replies, replies_now

NOT_HELPFUL_REPLY = "What were you looking for?"
REFUSED_REPLY = "There's nothing more to record for that answer."


@pytest.fixture(scope="module")
def platform(pytestconfig):
    return shared_platform_bot(pytestconfig)


def feedback_block(call):
    found = [b for b in call.params.get("blocks", []) if b.get("block_id") == "feedback"]
    return found[0] if found else None


def answer_id_of(call):
    value = feedback_block(call)["elements"][0]["value"]
    return json.loads(value[value.index("{"):])["answer_id"]


def click(call, element, user, block_id="feedback"):
    """A block_actions payload for pressing `element` of the message `call` posted, by `user`."""
    channel, ts = call.params["channel"], call.body["ts"]
    return {
        "type": "block_actions", "user": {"id": user, "username": "asha", "name": "asha", "team_id": SLACK_TEAM},
        "api_app_id": "A0BPOAPP", "token": "legacy-verification-token", "trigger_id": "12345.98765.abcd",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "team": {"id": SLACK_TEAM, "domain": "bpo-test"}, "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "user": SLACK_BOT_USER, "bot_id": "B0BPO", "ts": ts,
                    "text": call.params["text"], "blocks": call.params["blocks"]},
        "response_url": "https://hooks.slack.com/actions/T0BPOTEAM/1/abc",
        "actions": [{**element, "block_id": block_id, "action_ts": f"{time.time():.6f}"}],
    }


def pressed(call, rating):
    return next(e for e in feedback_block(call)["elements"] if e["action_id"] == f"feedback_{rating}")


def updates_of(platform, ts):
    return platform.api.find("slack", "chat.update", lambda c: c.params.get("ts") == ts)


def ask(platform, text, user):
    payload = event_callback(text, user=user)
    assert platform.slack(payload).status_code == 200
    return payload["event"]["channel"], replies(platform, payload["event"]["channel"])[0]


def test_an_answer_has_a_feedback_block_apart_from_its_follow_ups(platform):
    _, call = ask(platform, "what are the shift timings", new_id("U"))
    blocks = call.params["blocks"]
    assert blocks[0]["type"] == "section" and "night and rotating shifts" in blocks[0]["text"]["text"]
    block = feedback_block(call)
    assert block is blocks[-1] and block["type"] == "actions"
    assert [e["text"]["text"] for e in block["elements"]] == ["👍", "👎"]
    answer_id = answer_id_of(call)
    assert [e["value"] for e in block["elements"]] == [f'/helpful{{"answer_id":"{answer_id}"}}',
                                                       f'/not_helpful{{"answer_id":"{answer_id}"}}']
    follow_ups = [b for b in blocks[1:-1] if b["type"] == "actions"]
    assert follow_ups and all(not e["value"].startswith(("/helpful", "/not_helpful"))
                              for b in follow_ups for e in b["elements"])
    action_ids = [e["action_id"] for e in buttons_of(call)]
    assert len(action_ids) == len(set(action_ids))  # Slack refuses a message with two equal action_ids


def test_a_greeting_is_not_rateable(platform):
    _, call = ask(platform, "hi", new_id("U"))
    assert feedback_block(call) is None
    assert buttons_of(call)  # its own buttons are still there


def test_a_thumbs_down_is_stored_asks_what_was_wanted_and_updates_the_message(platform):
    user = new_id("U")
    channel, answer = ask(platform, "what are the shift timings", user)
    answer_id = answer_id_of(answer)
    thumbs_down = pressed(answer, "not_helpful")
    assert platform.slack_click(click(answer, thumbs_down, user)).status_code == 200
    reply = replies(platform, channel, count=2)[1]
    assert NOT_HELPFUL_REPLY in reply.params["text"]
    [stored] = ratings_in(events_after(platform, user, thumbs_down["value"]))
    assert stored["answer_id"] == answer_id and stored["rating"] == "not_helpful"
    assert "night and rotating shifts" in stored["answer_text"]
    # The rated message loses its controls and says how it was rated; the rest of it stays.
    [update] = platform.api.wait_for("slack", "chat.update", lambda c: c.params.get("ts") == answer.body["ts"])
    assert update.params["channel"] == channel
    assert feedback_block(update) is None
    assert update.params["blocks"][:-1] == [b for b in answer.params["blocks"] if b.get("block_id") != "feedback"]
    assert "👎" in update.params["blocks"][-1]["elements"][0]["text"]

    # The comment after it is answered, and so is the next question, as if no rating had been given.
    comment = event_callback("I wanted to know about the night shift allowance", user=user, channel=channel)
    platform.slack(comment)
    third = replies(platform, channel, count=3)[2]
    assert third.params["text"].strip() and REFUSED_REPLY not in third.params["text"]
    platform.slack(event_callback("what are the shift timings", user=user, channel=channel))
    assert "night and rotating shifts" in replies(platform, channel, count=4)[3].params["text"]

    # A second rating of the same answer is refused politely, stored nowhere, and changes nothing.
    thumbs_up = pressed(answer, "helpful")
    platform.slack_click(click(answer, thumbs_up, user))
    assert REFUSED_REPLY in replies(platform, channel, count=5)[4].params["text"]
    events = events_after(platform, user, thumbs_up["value"])
    assert ratings_in(events) == [stored]
    # The comment is in the store after the rating, for the operator to read.
    texts = [e.get("text") for e in events if e["event"] == "user"]
    assert texts.index("I wanted to know about the night shift allowance") == texts.index(thumbs_down["value"]) + 1
    time.sleep(SETTLE)
    assert len(updates_of(platform, answer.body["ts"])) == 1


def test_a_rating_of_another_conversations_answer_is_refused(platform):
    owner, stranger = new_id("U"), new_id("U")
    _, answer = ask(platform, "what are the shift timings", owner)
    # The stranger's click carries the owner's answer id, in the stranger's own conversation.
    elsewhere = click(answer, pressed(answer, "helpful"), stranger)
    own_channel = new_id("D")
    elsewhere["channel"]["id"] = elsewhere["container"]["channel_id"] = own_channel
    assert platform.slack_click(elsewhere).status_code == 200
    [reply] = replies(platform, own_channel)
    assert REFUSED_REPLY in reply.params["text"]
    assert "Sorry" not in reply.params["text"]
    assert ratings_in(events_after(platform, stranger, elsewhere["actions"][0]["value"])) == []
    assert ratings_in(platform.rest.tracker(owner)["events"]) == []
    time.sleep(SETTLE)
    assert updates_of(platform, answer.body["ts"]) == []
    assert len(replies_now(platform, own_channel)) == 1


def test_follow_up_buttons_of_a_rateable_answer_still_work(platform):
    user = new_id("U")
    channel, answer = ask(platform, "what are the shift timings", user)
    first = buttons_of(answer)[0]
    assert first["action_id"].startswith("answer_button_")
    platform.slack_click(click(answer, first, user, block_id="b1"))
    reply = replies(platform, channel, count=2)[1]
    assert "telemarketing" in reply.params["text"]
    assert ratings_in(events_after(platform, user, first["value"])) == []
    time.sleep(SETTLE)
    assert updates_of(platform, answer.body["ts"]) == []


# --- the output channel on its own: answers longer than the bot gives --------------------------------
def test_a_long_answer_has_its_feedback_block_on_the_last_piece_only():
    import asyncio

    from bot.channels.slack import SlackReplies
    from tests.fake_platform_api import SLACK_TOKEN, FakePlatformAPI

    api = FakePlatformAPI()
    try:
        text = "\n\n".join(["Night and rotating shifts are common in voice processes. " * 30] * 4)
        message = {"text": text, "buttons": [{"title": "More", "payload": "/ask_shifts"}], "answer_id": "0123456789ab"}
        asyncio.run(SlackReplies(SLACK_TOKEN, "D0LONG", None, None, api.slack_base).send_response("D0LONG", message))
        calls = api.find("slack", "chat.postMessage")
        assert len(calls) > 1
        assert [feedback_block(c) is not None for c in calls] == [False] * (len(calls) - 1) + [True]
        assert answer_id_of(calls[-1]) == "0123456789ab"
    finally:
        api.stop()
