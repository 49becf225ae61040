"""Slack replies when the Web API refuses them: the real bot against the fake Slack API, which a test
scripts to answer chat.postMessage with a 429, 5xx, a dropped connection or `ok: false`.

The shared server runs with small limits (tests/fake_platform_api.py: RETRIES, BACKOFF, MAX_WAIT), so
every retry here takes at most a few seconds. Each test uses its own channel; the scripted answers
only apply to calls for that channel.
"""
import asyncio
import time

import pytest

from bot.channels.retry import RetryPolicy
from tests.fake_platform_api import (BACKOFF, DROP, RETRIES, SLACK_TOKEN, FakePlatformAPI, server_error,
                                     shared_platform_bot, slack_rate_limited, slack_refusal)
from tests.test_slack import SETTLE, buttons_of, event_callback, new_id, replies, replies_now

SHIFTS = "night and rotating shifts"


@pytest.fixture(scope="module")
def platform(pytestconfig):
    return shared_platform_bot(pytestconfig)


def to(channel):
    return lambda call: call.params.get("channel") == channel


def ask(platform, text, channel, user):
    """Post a direct message (the webhook must take it); when the webhook answered."""
    response = platform.slack(event_callback(text, channel=channel, user=user))
    assert response.status_code == 200, response.text
    return time.monotonic()


def assert_the_conversation_goes_on(platform, channel, user, earlier_calls):
    ask(platform, "hi", channel, user)
    calls = replies(platform, channel, count=earlier_calls + 1)
    assert calls[-1].succeeded
    assert [b["value"] for b in buttons_of(calls[-1])][0] == "/ask_what_is_bpo"


def test_a_rate_limited_reply_waits_as_told_and_arrives_once(platform):
    channel, user = new_id("D"), new_id("U")
    platform.api.script("slack", "chat.postMessage", slack_rate_limited(2), where=to(channel))
    answered = ask(platform, "what are the shift timings", channel, user)
    limited, posted = replies(platform, channel, count=2)
    assert answered < limited.at  # the webhook answered Slack before the bot even replied
    assert limited.status == 429 and posted.succeeded
    assert 2.0 <= posted.at - limited.at < 2.0 + 1.5  # Retry-After: 2 honoured, and not much more
    assert posted.params == limited.params and SHIFTS in posted.params["text"]
    time.sleep(SETTLE)
    assert [c.succeeded for c in replies_now(platform, channel)] == [False, True]
    assert_the_conversation_goes_on(platform, channel, user, 2)


def test_a_message_sent_during_the_wait_is_answered_after_the_waiting_reply(platform):
    channel, user = new_id("D"), new_id("U")
    platform.api.script("slack", "chat.postMessage", slack_rate_limited(2), where=to(channel))
    ask(platform, "what are the shift timings", channel, user)
    ask(platform, "hi", channel, user)
    calls = replies(platform, channel, count=3)
    assert [c.status for c in calls] == [429, 200, 200]
    assert SHIFTS in calls[1].params["text"]
    assert [b["value"] for b in buttons_of(calls[2])][0] == "/ask_what_is_bpo"


def test_server_errors_are_retried_with_a_growing_backoff(platform):
    channel, user = new_id("D"), new_id("U")
    platform.api.script("slack", "chat.postMessage", server_error(500), server_error(503), where=to(channel))
    ask(platform, "what are the shift timings", channel, user)
    calls = replies(platform, channel, count=3)
    assert [c.status for c in calls] == [500, 503, 200] and calls[-1].succeeded
    assert calls[1].at - calls[0].at >= BACKOFF
    assert calls[2].at - calls[1].at >= 2 * BACKOFF
    assert SHIFTS in calls[-1].params["text"]
    time.sleep(SETTLE)
    assert len(replies_now(platform, channel)) == 3
    assert_the_conversation_goes_on(platform, channel, user, 3)


def test_a_dropped_connection_is_retried_and_the_reply_arrives_once(platform):
    channel, user = new_id("D"), new_id("U")
    platform.api.script("slack", "chat.postMessage", DROP, where=to(channel))
    ask(platform, "what are the shift timings", channel, user)
    dropped, posted = replies(platform, channel, count=2)
    assert dropped.status is None and posted.succeeded and SHIFTS in posted.params["text"]
    time.sleep(SETTLE)
    assert len(replies_now(platform, channel)) == 2


@pytest.mark.parametrize("reason", ["channel_not_found", "msg_too_long"])
def test_a_refusal_is_logged_once_and_never_retried(platform, reason):
    channel, user = new_id("D"), new_id("U")
    mark = len(platform.log())
    platform.api.script("slack", "chat.postMessage", slack_refusal(reason), where=to(channel))
    ask(platform, "what are the shift timings", channel, user)
    [refused] = replies(platform, channel)
    assert refused.status == 200 and refused.body == {"ok": False, "error": reason}
    time.sleep(SETTLE)
    assert len(replies_now(platform, channel)) == 1
    lines = [line for line in platform.log(mark).splitlines() if channel in line]
    assert len(lines) == 1, lines
    assert "WARNING" in lines[0] and f"Slack refused chat.postMessage: {reason}" in lines[0]
    assert_the_conversation_goes_on(platform, channel, user, 1)


def test_retries_stop_when_the_budget_is_spent(platform):
    channel, user = new_id("D"), new_id("U")
    mark = len(platform.log())
    platform.api.script("slack", "chat.postMessage", *[server_error()] * (RETRIES + 1), where=to(channel))
    ask(platform, "what are the shift timings", channel, user)
    calls = replies(platform, channel, count=RETRIES + 1)
    time.sleep(SETTLE)
    assert len(replies_now(platform, channel)) == RETRIES + 1
    assert not any(c.succeeded for c in calls)
    assert f"gave up on chat.postMessage after {RETRIES + 1} tries" in platform.log(mark)
    assert_the_conversation_goes_on(platform, channel, user, RETRIES + 1)


# --- the output channel on its own: waits too long for the shared server's limits -----------------
def test_a_long_retry_after_is_capped():
    from bot.channels.slack import SlackReplies

    api = FakePlatformAPI()
    try:
        api.script("slack", "chat.postMessage", slack_rate_limited(60))
        started = time.monotonic()
        asyncio.run(SlackReplies(SLACK_TOKEN, "D0CAP", None, None, api.slack_base,
                                 RetryPolicy(retries=1, max_wait=0.5)).send_text_message("D0CAP", "hello"))
        limited, posted = api.find("slack", "chat.postMessage")
        assert posted.succeeded and 0.5 <= posted.at - limited.at < 5
        assert time.monotonic() - started < 10
    finally:
        api.stop()


def test_a_refused_piece_does_not_stop_the_rest_of_the_reply():
    from bot.channels.slack import SlackReplies

    api = FakePlatformAPI()
    try:
        api.script("slack", "chat.postMessage", slack_refusal("msg_too_long"))
        paragraph = "Customer service work means answering questions clearly and kindly. " * 40
        text = "\n\n".join([paragraph.strip()] * 3)  # three pieces of about 2,800 characters
        buttons = [{"title": "Skills", "payload": "/ask_skills"}]
        asyncio.run(SlackReplies(SLACK_TOKEN, "D0REST", None, None, api.slack_base,
                                 RetryPolicy(retries=1, backoff=0.01)).send_text_with_buttons("D0REST", text, buttons))
        calls = api.find("slack", "chat.postMessage")
        assert [c.succeeded for c in calls] == [False, True, True]
        assert buttons_of(calls[-1])[0]["value"] == "/ask_skills"
    finally:
        api.stop()
