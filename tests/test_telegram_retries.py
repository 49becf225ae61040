"""Telegram replies when the Bot API refuses them: the real bot against the fake Telegram API, which a
test scripts to answer sendMessage / answerCallbackQuery with a 429, 5xx, a dropped connection, or a
400 / 403 refusal.

The shared server runs with small limits (tests/fake_platform_api.py: RETRIES, BACKOFF, MAX_WAIT).
Each test uses its own chat; the scripted answers only apply to calls for that chat.
"""
import asyncio
import time

import pytest

from bot.channels.retry import RetryPolicy
from tests.fake_platform_api import (BACKOFF, DROP, TELEGRAM_BOT, TELEGRAM_TOKEN, FakePlatformAPI, server_error,
                                     shared_platform_bot, telegram_error)
from tests.test_telegram import _chat_ids, _update_ids, message, person, text_update

SHIFTS = "night and rotating shifts"
SETTLE = 2.0  # seconds to be sure no further try is on its way


@pytest.fixture(scope="module")
def platform(pytestconfig):
    return shared_platform_bot(pytestconfig)


def to(chat_id):
    return lambda call: str(call.params.get("chat_id")) == str(chat_id)


def ask(platform, chat_id, text):
    """Deliver a text update; when the webhook answered."""
    response = platform.telegram(text_update(chat_id, text))
    assert response.status_code == 200, response.text
    return time.monotonic()


def sent(platform, chat_id, count=1):
    return platform.api.wait_for("telegram", "sendMessage", to(chat_id), count=count)


def assert_the_conversation_goes_on(platform, chat_id, earlier_calls):
    ask(platform, chat_id, "hi")
    calls = sent(platform, chat_id, count=earlier_calls + 1)
    assert calls[-1].succeeded and calls[-1].params["text"].startswith("Hi! I'm the BPO Careers Assistant")


def test_a_rate_limited_reply_waits_as_told_and_arrives_once(platform):
    chat_id = next(_chat_ids)
    platform.api.script("telegram", "sendMessage", telegram_error(429, "Too Many Requests: retry after 2",
                                                                  retry_after=2), where=to(chat_id))
    answered = ask(platform, chat_id, "what are the shift timings")
    limited, posted = sent(platform, chat_id, count=2)
    assert answered < posted.at  # the webhook answered Telegram as the wait began, not after it
    assert limited.status == 429 and posted.succeeded
    assert 2.0 <= posted.at - limited.at < 2.0 + 1.5  # retry_after: 2 honoured, and not much more
    assert posted.params == limited.params and SHIFTS in posted.params["text"]
    time.sleep(SETTLE)
    assert [c.succeeded for c in platform.api.find("telegram", "sendMessage", to(chat_id))] == [False, True]
    assert_the_conversation_goes_on(platform, chat_id, 2)


def test_a_message_sent_during_the_wait_is_answered_after_the_waiting_reply(platform):
    chat_id = next(_chat_ids)
    platform.api.script("telegram", "sendMessage", telegram_error(429, "Too Many Requests: retry after 2",
                                                                  retry_after=2), where=to(chat_id))
    ask(platform, chat_id, "what are the shift timings")  # answered as soon as the reply starts waiting
    ask(platform, chat_id, "hi")
    calls = sent(platform, chat_id, count=3)
    assert [c.status for c in calls] == [429, 200, 200]
    assert SHIFTS in calls[1].params["text"]
    assert calls[2].params["text"].startswith("Hi! I'm the BPO Careers Assistant")


def test_server_errors_are_retried_with_a_growing_backoff(platform):
    chat_id = next(_chat_ids)
    platform.api.script("telegram", "sendMessage", server_error(500), server_error(502), where=to(chat_id))
    ask(platform, chat_id, "what are the shift timings")
    calls = sent(platform, chat_id, count=3)
    assert [c.status for c in calls] == [500, 502, 200] and calls[-1].succeeded
    assert calls[1].at - calls[0].at >= BACKOFF
    assert calls[2].at - calls[1].at >= 2 * BACKOFF
    time.sleep(SETTLE)
    assert len(platform.api.find("telegram", "sendMessage", to(chat_id))) == 3
    assert_the_conversation_goes_on(platform, chat_id, 3)


def test_a_dropped_connection_is_retried_and_the_reply_arrives_once(platform):
    chat_id = next(_chat_ids)
    platform.api.script("telegram", "sendMessage", DROP, where=to(chat_id))
    ask(platform, chat_id, "what are the shift timings")
    dropped, posted = sent(platform, chat_id, count=2)
    assert dropped.status is None and posted.succeeded and SHIFTS in posted.params["text"]
    time.sleep(SETTLE)
    assert len(platform.api.find("telegram", "sendMessage", to(chat_id))) == 2


@pytest.mark.parametrize("code, description, logged", [
    (400, "Bad Request: chat not found", "ChatNotFound: Chat not found"),
    (403, "Forbidden: bot was blocked by the user", "BotBlocked: Forbidden: bot was blocked by the user"),
])
def test_a_refusal_is_logged_once_and_never_retried(platform, code, description, logged):
    chat_id = next(_chat_ids)
    mark = len(platform.log())
    platform.api.script("telegram", "sendMessage", telegram_error(code, description), where=to(chat_id))
    ask(platform, chat_id, "what are the shift timings")
    [refused] = sent(platform, chat_id)
    assert refused.status == code
    time.sleep(SETTLE)
    assert len(platform.api.find("telegram", "sendMessage", to(chat_id))) == 1
    lines = [line for line in platform.log(mark).splitlines() if str(chat_id) in line]
    assert len(lines) == 1, lines
    assert "WARNING" in lines[0] and f"Telegram refused sendMessage to chat {chat_id}: {logged}" in lines[0]
    assert TELEGRAM_TOKEN not in platform.log(mark)
    assert_the_conversation_goes_on(platform, chat_id, 1)


def test_a_rate_limited_button_acknowledgement_is_retried_and_the_answer_sent_once(platform):
    chat_id, query_id = next(_chat_ids), f"q{next(_update_ids)}"
    platform.api.script("telegram", "answerCallbackQuery", telegram_error(429, "Too Many Requests: retry after 1",
                                                                          retry_after=1),
                        where=lambda c: c.params.get("callback_query_id") == query_id)
    bot_message = {**message(chat_id, text="Hi! I'm the BPO Careers Assistant."),
                   "from": {"id": 123456789, "is_bot": True, "first_name": "BPO Careers", "username": TELEGRAM_BOT}}
    update = {"update_id": next(_update_ids), "callback_query": {
        "id": query_id, "from": person(chat_id), "chat_instance": "-51988", "message": bot_message,
        "data": "/ask_what_is_bpo"}}
    assert platform.telegram(update).status_code == 200
    acks = platform.api.wait_for("telegram", "answerCallbackQuery",
                                 lambda c: c.params.get("callback_query_id") == query_id, count=2)
    assert [a.status for a in acks] == [429, 200] and acks[1].at - acks[0].at >= 1.0
    [answer] = sent(platform, chat_id)
    assert answer.succeeded and "outside provider" in answer.params["text"]
    time.sleep(SETTLE)
    assert len(platform.api.find("telegram", "sendMessage", to(chat_id))) == 1


# --- the output channel on its own: limits the shared server's settings do not reach --------------
def send_alone(api, policy, text, timeout=None):
    """TelegramReplies(...).send_text_message to chat 555 on its own Bot client."""
    from bot.channels.telegram import Payloads, TelegramBot, TelegramReplies

    async def send():
        bot = TelegramBot(TELEGRAM_TOKEN, api.telegram_base)
        try:
            if timeout is None:
                await TelegramReplies(bot, Payloads(), retry=policy).send_text_message("555", text)
            else:
                with bot.request_timeout(timeout):
                    await TelegramReplies(bot, Payloads(), retry=policy).send_text_message("555", text)
        finally:
            await bot.close_session()

    asyncio.run(send())


def test_a_long_retry_after_is_capped():
    api = FakePlatformAPI()
    try:
        api.script("telegram", "sendMessage", telegram_error(429, "Too Many Requests: retry after 60", retry_after=60))
        send_alone(api, RetryPolicy(retries=1, max_wait=0.5), "hello")
        limited, posted = api.find("telegram", "sendMessage")
        assert posted.succeeded and 0.5 <= posted.at - limited.at < 5
    finally:
        api.stop()


def test_a_refused_piece_does_not_stop_the_rest_of_the_reply():
    api = FakePlatformAPI()
    try:
        api.script("telegram", "sendMessage", telegram_error(400, "Bad Request: message is too long"))
        line = "Night and rotating shifts are common in voice processes serving other time zones."
        send_alone(api, RetryPolicy(retries=1, backoff=0.01), "\n".join([line] * 120))  # three pieces
        assert [c.succeeded for c in api.find("telegram", "sendMessage")] == [False, True, True]
    finally:
        api.stop()


def test_a_send_that_times_out_is_not_repeated():
    # No answer may still mean Telegram posted the message: a second try could show it twice.
    api = FakePlatformAPI()
    api.hang.add("sendMessage")
    try:
        started = time.monotonic()
        send_alone(api, RetryPolicy(retries=3, backoff=0.01), "hello", timeout=1)
        assert time.monotonic() - started < 10
        time.sleep(0.5)
        assert len(api.find("telegram", "sendMessage")) == 1
    finally:
        api.stop()
