"""The Slack channel against the real bot: signed Events API and interactivity requests in, Web API
calls caught on the fake Slack server (tests/fake_platform_api.py).

Slack's webhook answers before the bot does (replies are posted in the background), so each test
waits for the chat.postMessage it expects; "no reply" checks wait a short settle time.
"""
import asyncio
import time
import uuid

import pytest

from tests.fake_platform_api import (SECRETS, SLACK_BOT_USER, SLACK_CHANNEL, SLACK_TEAM, SLACK_TOKEN,
                                     FakePlatformAPI, shared_platform_bot)

SETTLE = 2.0  # seconds to be sure a second (duplicate) reply is not on its way


@pytest.fixture(scope="module")
def platform(pytestconfig):
    return shared_platform_bot(pytestconfig)


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:9].upper()


def event_callback(text, *, channel=None, channel_type="im", kind="message", user=None, thread_ts=None,
                   event_id=None, **event_fields):
    """An Events API delivery as Slack sends it (trimmed of fields the bot never reads, like blocks)."""
    ts = f"{time.time():.6f}"
    event = {"client_msg_id": str(uuid.uuid4()), "type": kind, "text": text, "user": user or new_id("U"),
             "ts": ts, "team": SLACK_TEAM, "channel": channel or new_id("D"), "event_ts": ts}
    if kind == "message":
        event["channel_type"] = channel_type
    if thread_ts:
        event["thread_ts"] = thread_ts
    event.update(event_fields)
    return {"token": "legacy-verification-token", "team_id": SLACK_TEAM, "api_app_id": "A0BPOAPP",
            "event": event, "type": "event_callback", "event_id": event_id or new_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": SLACK_TEAM, "user_id": SLACK_BOT_USER,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": "4-eyJldCI6Im1lc3NhZ2UifQ"}


def replies(platform, channel, count=1, timeout=30):
    return platform.api.wait_for("slack", "chat.postMessage", lambda c: c.params.get("channel") == channel,
                                 count=count, timeout=timeout)


def replies_now(platform, channel):
    return platform.api.find("slack", "chat.postMessage", lambda c: c.params.get("channel") == channel)


def buttons_of(call):
    return [e for block in call.params.get("blocks", []) if block["type"] == "actions" for e in block["elements"]]


def test_direct_message_gets_exactly_one_reply(platform):
    payload = event_callback("what are the shift timings")
    channel = payload["event"]["channel"]
    response = platform.slack(payload)
    assert response.status_code == 200, response.text
    [call] = replies(platform, channel)
    assert call.token == SLACK_TOKEN
    assert "night and rotating shifts" in call.params["text"]
    assert call.params["blocks"][0]["type"] == "section"
    assert "night and rotating shifts" in call.params["blocks"][0]["text"]["text"]
    assert "thread_ts" not in call.params  # asked outside a thread: answered outside one
    time.sleep(SETTLE)
    assert len(replies_now(platform, channel)) == 1


def test_greeting_buttons_are_block_kit_buttons(platform):
    payload = event_callback("hi")
    platform.slack(payload)
    [call] = replies(platform, payload["event"]["channel"])
    buttons = buttons_of(call)
    assert [b["text"]["text"] for b in buttons] == ["What is BPO?", "Entry-level roles", "Which job suits me?"]
    assert [b["value"] for b in buttons] == ["/ask_what_is_bpo", "/ask_entry_roles", "/find_role"]
    assert all(b["type"] == "button" for b in buttons)
    assert len({b["action_id"] for b in buttons}) == 3  # Slack wants them unique within a message


def test_url_verification_is_answered(platform):
    response = platform.slack({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                               "type": "url_verification"})
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_wrong_signature_is_refused_and_not_answered(platform):
    payload = event_callback("what are the shift timings")
    response = platform.slack(payload, secret="not-the-signing-secret")
    assert response.status_code in (400, 401)
    challenge = platform.slack({"challenge": "x", "type": "url_verification"}, secret="not-the-signing-secret")
    assert challenge.status_code in (400, 401)
    time.sleep(SETTLE)
    assert replies_now(platform, payload["event"]["channel"]) == []


def test_request_older_than_five_minutes_is_refused(platform):
    payload = event_callback("what are the shift timings")
    response = platform.slack(payload, timestamp=int(time.time()) - 6 * 60)
    assert response.status_code in (400, 401)
    time.sleep(SETTLE)
    assert replies_now(platform, payload["event"]["channel"]) == []


def test_retries_of_any_reason_get_one_reply(platform):
    payload = event_callback("what are the shift timings")
    channel = payload["event"]["channel"]
    assert platform.slack(payload).status_code == 200
    for number, reason in ((1, "http_error"), (2, "http_timeout"), (3, "http_error")):
        response = platform.slack(payload, retry=(number, reason))
        assert response.status_code == 200
        assert response.headers.get("X-Slack-No-Retry") == "1"
    replies(platform, channel)
    time.sleep(SETTLE)
    assert len(replies_now(platform, channel)) == 1


def test_a_retry_whose_first_delivery_never_arrived_is_answered(platform):
    # Deduplication is by event id, not by header: if the bot was down for the first try, the retry counts.
    payload = event_callback("what are the shift timings")
    platform.slack(payload, retry=(1, "http_error"))
    [call] = replies(platform, payload["event"]["channel"])
    assert "night and rotating shifts" in call.params["text"]


def test_json_with_a_charset_is_still_json(platform):
    payload = event_callback("what are the shift timings")
    platform.slack(payload, content_type="application/json; charset=utf-8")
    [call] = replies(platform, payload["event"]["channel"])
    assert "night and rotating shifts" in call.params["text"]


def test_app_mention_in_a_channel_is_answered_there_without_the_mention(platform):
    channel = new_id("C")
    payload = event_callback(f"<@{SLACK_BOT_USER}> what are the shift timings", channel=channel, kind="app_mention")
    platform.slack(payload)
    [call] = replies(platform, channel)
    assert "night and rotating shifts" in call.params["text"]
    assert "thread_ts" not in call.params
    # Nothing but the mention: the bot's own id is stripped and what is left is a hello.
    bare = event_callback(f"<@{SLACK_BOT_USER}>", channel=channel, kind="app_mention")
    platform.slack(bare)
    calls = replies(platform, channel, count=2)
    assert [b["value"] for b in buttons_of(calls[1])][0] == "/ask_what_is_bpo"
    assert f"<@{SLACK_BOT_USER}>" not in calls[1].params["text"]


def test_question_in_a_thread_is_answered_in_that_thread(platform):
    channel, thread = new_id("C"), "1700000000.000100"
    payload = event_callback(f"<@{SLACK_BOT_USER}> what are the shift timings", channel=channel,
                             kind="app_mention", thread_ts=thread)
    platform.slack(payload)
    [call] = replies(platform, channel)
    assert call.params["thread_ts"] == thread
    assert "night and rotating shifts" in call.params["text"]


def test_the_bots_own_channel_is_answered_without_a_mention(platform):
    thread = f"{time.time():.6f}"  # marks this test's reply in the shared channel
    payload = event_callback("what are the shift timings", channel=SLACK_CHANNEL, channel_type="channel",
                             thread_ts=thread)
    platform.slack(payload)
    calls = platform.api.wait_for("slack", "chat.postMessage", lambda c: c.params.get("thread_ts") == thread)
    assert calls[0].params["channel"] == SLACK_CHANNEL
    assert "night and rotating shifts" in calls[0].params["text"]


def test_other_channels_without_a_mention_are_ignored(platform):
    payload = event_callback("what are the shift timings", channel=new_id("C"), channel_type="channel")
    response = platform.slack(payload)
    assert response.status_code == 200 and "ignored" in response.text
    # In the bot's own channel a mention arrives as message *and* app_mention; only the latter is answered.
    mention = event_callback(f"<@{SLACK_BOT_USER}> hi", channel=SLACK_CHANNEL, channel_type="channel")
    assert "ignored" in platform.slack(mention).text
    time.sleep(SETTLE)
    assert replies_now(platform, payload["event"]["channel"]) == []


def test_the_bots_own_messages_are_ignored(platform):
    channel = new_id("D")
    own = event_callback("Hi! I'm the BPO Careers Assistant.", channel=channel, user=SLACK_BOT_USER,
                         bot_id="B0BPO", app_id="A0BPOAPP")
    other_bot = event_callback("deploy finished", channel=channel, subtype="bot_message", bot_id="B0OTHER")
    edited = event_callback("", channel=channel, subtype="message_changed")
    for payload in (own, other_bot, edited):
        response = platform.slack(payload)
        assert response.status_code == 200 and "ignored" in response.text, response.text
    time.sleep(SETTLE)
    assert replies_now(platform, channel) == []


def test_button_click_gets_its_answer(platform):
    channel, user = new_id("D"), new_id("U")
    message_ts = f"{time.time():.6f}"
    click = {
        "type": "block_actions",
        "user": {"id": user, "username": "asha", "name": "asha", "team_id": SLACK_TEAM},
        "api_app_id": "A0BPOAPP", "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": "1234567890.0987654321.abcdef", "team": {"id": SLACK_TEAM, "domain": "bpo-test"},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "user": SLACK_BOT_USER, "bot_id": "B0BPO", "ts": message_ts,
                    "text": "Hi! I'm the BPO Careers Assistant."},
        "response_url": "https://hooks.slack.com/actions/T0BPOTEAM/1/abc",
        "actions": [{"action_id": "answer_button_0", "block_id": "b1", "type": "button", "value": "/ask_what_is_bpo",
                     "text": {"type": "plain_text", "text": "What is BPO?", "emoji": True},
                     "action_ts": f"{time.time():.6f}"}],
    }
    response = platform.slack_click(click)
    assert response.status_code == 200, response.text
    [call] = replies(platform, channel)
    assert "outside provider" in call.params["text"]
    assert "thread_ts" not in call.params


def test_slash_text_is_read_as_words_not_as_an_intent(platform):
    payload = event_callback("/help")
    platform.slack(payload)
    [call] = replies(platform, payload["event"]["channel"])
    assert call.params["text"].startswith("I can explain what BPO is")


def test_no_secret_reaches_the_log(platform):
    log = platform.log()
    assert "Rasa server is up" in log or log.strip()
    for secret in SECRETS:
        assert secret not in log


# --- the output channel on its own: splitting needs answers longer than the bot gives ----------------
def test_long_answers_are_split_at_slacks_block_limit():
    from bot.channels.slack import SECTION_LIMIT, SlackReplies

    api = FakePlatformAPI()
    try:
        paragraph = "Customer service work means answering questions clearly and kindly. " * 20
        text = "\n\n".join([paragraph.strip()] * 6)  # about 8,300 characters
        buttons = [{"title": f"Option {n}", "payload": f"/ask_skills{n}"} for n in range(8)]
        replies_to = SlackReplies(SLACK_TOKEN, "D0LONG", None, None, api.slack_base)
        asyncio.run(replies_to.send_text_with_buttons("D0LONG", text, buttons))
        calls = api.find("slack", "chat.postMessage")
        assert len(calls) == 3
        for call in calls:
            assert len(call.params["blocks"][0]["text"]["text"]) <= SECTION_LIMIT
        assert [buttons_of(c) for c in calls[:-1]] == [[], []]
        assert len(buttons_of(calls[-1])) == 8  # Slack takes up to 25; the stock channel dropped all over 5
        assert "".join(c.params["blocks"][0]["text"]["text"] for c in calls).replace("\n", "").replace(" ", "") \
            == text.replace("\n", "").replace(" ", "")
    finally:
        api.stop()
