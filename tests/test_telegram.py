"""The Telegram channel against the real bot: Bot API Update JSON in, Bot API calls caught on the fake
Telegram server (tests/fake_platform_api.py).

The webhook answers after the bot has replied, so the calls are there when the POST returns (unless
a reply has to wait for a retry: tests/test_telegram_retries.py). The shared server was started
while the fake API never answered setWebhook: that it serves at all is the start-up test.
"""
import asyncio
import itertools
import json
import subprocess
import time

import pytest
import requests

from tests.fake_platform_api import (SECRETS, TELEGRAM_BOT, TELEGRAM_SECRET, TELEGRAM_TOKEN, TELEGRAM_WEBHOOK,
                                     FakePlatformAPI, shared_platform_bot)
from tests.servers import BIN, ROOT, environment, free_port

_update_ids = itertools.count(int(time.time()) % 100000 * 1000)
_chat_ids = itertools.count(7100000001)


@pytest.fixture(scope="module")
def platform(pytestconfig):
    return shared_platform_bot(pytestconfig)


def person(chat_id):
    return {"id": chat_id, "is_bot": False, "first_name": "Asha", "username": "asha_k", "language_code": "en"}


def message(chat_id, **content):
    return {"message_id": next(_update_ids) % 100000, "from": person(chat_id),
            "chat": {"id": chat_id, "first_name": "Asha", "username": "asha_k", "type": "private"},
            "date": int(time.time()), **content}


def text_update(chat_id, text):
    content = {"text": text}
    if text.startswith("/"):
        content["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": next(_update_ids), "message": message(chat_id, **content)}


def sent(platform, chat_id, method="sendMessage"):
    return platform.api.find("telegram", method, lambda c: str(c.params.get("chat_id")) == str(chat_id))


def keyboard(call):
    return json.loads(call.params["reply_markup"])["inline_keyboard"]


def ask(platform, text):
    chat_id = next(_chat_ids)
    response = platform.telegram(text_update(chat_id, text))
    assert response.status_code == 200, response.text
    return chat_id, sent(platform, chat_id)


def test_start_up_did_not_wait_for_an_unanswered_set_webhook(platform):
    # The fake API took the setWebhook request and never answered; the server came up regardless.
    call = platform.api.wait_for("telegram", "setWebhook", timeout=10)[0]
    assert call.params["url"] == TELEGRAM_WEBHOOK
    assert call.params["secret_token"] == TELEGRAM_SECRET
    assert platform.startup_seconds < 240
    # ...and the other channels work while it hangs.
    assert "night and rotating shifts" in platform.rest.text("rest-during-hang", "what are the shift timings?")


def test_text_update_gets_a_reply_with_an_inline_keyboard(platform):
    chat_id, [call] = ask(platform, "hi")
    assert call.token == TELEGRAM_TOKEN
    assert call.params["chat_id"] == str(chat_id)
    assert call.params["text"].startswith("Hi! I'm the BPO Careers Assistant")
    rows = keyboard(call)
    assert [b["text"] for row in rows for b in row] == ["What is BPO?", "Entry-level roles", "Which job suits me?"]
    assert [b["callback_data"] for row in rows for b in row] == ["/ask_what_is_bpo", "/ask_entry_roles",
                                                                "/find_role"]


def test_question_gets_its_answer(platform):
    _, [call] = ask(platform, "what are the shift timings")
    assert "night and rotating shifts" in call.params["text"]


def test_start_greets_and_help_lists_what_the_bot_answers(platform):
    _, [greeting] = ask(platform, "/start")
    assert greeting.params["text"].startswith("Hi! I'm the BPO Careers Assistant")
    _, [help_] = ask(platform, "/help")
    assert help_.params["text"].startswith("I can explain what BPO is")
    _, [addressed] = ask(platform, f"/help@{TELEGRAM_BOT}")
    assert addressed.params["text"].startswith("I can explain what BPO is")


def test_button_press_is_acknowledged_and_answered(platform):
    chat_id = next(_chat_ids)
    update = {"update_id": next(_update_ids), "callback_query": {
        "id": "4382bfdwdsb323b2d9", "from": person(chat_id), "chat_instance": "-5198827394657923004",
        "message": {**message(chat_id, text="Hi! I'm the BPO Careers Assistant."),
                    "from": {"id": 123456789, "is_bot": True, "first_name": "BPO Careers", "username": TELEGRAM_BOT}},
        "data": "/ask_what_is_bpo"}}
    assert platform.telegram(update).status_code == 200
    [ack] = platform.api.find("telegram", "answerCallbackQuery",
                              lambda c: c.params.get("callback_query_id") == "4382bfdwdsb323b2d9")
    [answer] = sent(platform, chat_id)
    assert ack.at <= answer.at  # the spinner stops before the bot starts working
    assert "outside provider" in answer.params["text"]


def test_edited_message_is_answered_as_a_reply_to_it(platform):
    chat_id = next(_chat_ids)
    edited = message(chat_id, text="what are the shift timings", edit_date=int(time.time()))
    assert platform.telegram({"update_id": next(_update_ids), "edited_message": edited}).status_code == 200
    [call] = sent(platform, chat_id)
    assert "night and rotating shifts" in call.params["text"]
    assert call.params["reply_to_message_id"] == str(edited["message_id"])


def test_sticker_and_photo_without_caption_get_what_the_bot_can_do(platform):
    sticker = {"file_id": "CAACAgIAAxkBAAEBsticker", "file_unique_id": "AgADsticker", "type": "regular",
               "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}
    photo = [{"file_id": "AgACAgIAAxkBAAEBphoto", "file_unique_id": "AQADphoto", "file_size": 1200,
              "width": 90, "height": 60}]
    for content in ({"sticker": sticker}, {"photo": photo}):
        chat_id = next(_chat_ids)
        response = platform.telegram({"update_id": next(_update_ids), "message": message(chat_id, **content)})
        assert response.status_code == 200, response.text
        [call] = sent(platform, chat_id)
        assert call.params["text"].startswith("I can explain what BPO is")


def test_photo_caption_is_read_as_the_question(platform):
    chat_id = next(_chat_ids)
    photo = [{"file_id": "AgACphoto2", "file_unique_id": "AQADphoto2", "width": 90, "height": 60}]
    update = {"update_id": next(_update_ids),
              "message": message(chat_id, photo=photo, caption="what are the shift timings")}
    platform.telegram(update)
    [call] = sent(platform, chat_id)
    assert "night and rotating shifts" in call.params["text"]


def test_service_messages_and_other_bots_are_not_answered(platform):
    chat_id = next(_chat_ids)
    joined = message(chat_id, new_chat_members=[person(chat_id + 1)])
    from_bot = {**message(chat_id, text="hello"), "from": {"id": 42, "is_bot": True, "first_name": "Other"}}
    for content in (joined, from_bot):
        response = platform.telegram({"update_id": next(_update_ids), "message": content})
        assert response.status_code == 200
    assert platform.telegram({"update_id": next(_update_ids), "my_chat_member": {}}).status_code == 200
    assert sent(platform, chat_id) == []


def test_a_redelivered_update_is_answered_once(platform):
    chat_id = next(_chat_ids)
    update = text_update(chat_id, "what are the shift timings")
    for _ in range(2):
        assert platform.telegram(update).status_code == 200
    assert len(sent(platform, chat_id)) == 1


def test_updates_without_the_secret_token_are_refused(platform):
    chat_id = next(_chat_ids)
    assert platform.telegram(text_update(chat_id, "hi"), secret=None).status_code == 403
    assert platform.telegram(text_update(chat_id, "hi"), secret="guessed").status_code == 403
    assert sent(platform, chat_id) == []


def test_set_webhook_route_and_command(platform):
    platform.api.hang.discard("setWebhook")
    response = requests.get(f"{platform.url}/webhooks/telegram/set_webhook", timeout=30)
    assert response.status_code == 200, response.text
    calls = platform.api.find("telegram", "setWebhook")
    assert len(calls) == 2 and calls[-1].params["url"] == TELEGRAM_WEBHOOK
    assert json.loads(calls[-1].params["allowed_updates"]) == ["message", "edited_message", "callback_query"]
    command = [str(BIN / "python"), "-m", "bot.channels.telegram", "set-webhook"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=environment(**platform.env))
    assert done.returncode == 0, done.stderr
    assert len(platform.api.find("telegram", "setWebhook")) == 3


def test_set_webhook_command_with_an_unreachable_api_fails_fast_and_quietly():
    env = environment(TELEGRAM_TOKEN=TELEGRAM_TOKEN, TELEGRAM_BOT_NAME=TELEGRAM_BOT,
                      TELEGRAM_WEBHOOK_URL=TELEGRAM_WEBHOOK,
                      TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    started = time.monotonic()
    done = subprocess.run([str(BIN / "python"), "-m", "bot.channels.telegram", "set-webhook"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1
    assert "Could not set the Telegram webhook" in done.stderr
    assert TELEGRAM_TOKEN not in done.stderr + done.stdout
    assert time.monotonic() - started < 30


def test_the_hung_set_webhook_was_logged_without_the_token(platform):
    deadline = time.monotonic() + 30
    while "Could not set the Telegram webhook" not in platform.log() and time.monotonic() < deadline:
        time.sleep(0.5)
    log = platform.log()
    assert "Could not set the Telegram webhook" in log
    for secret in SECRETS:
        assert secret not in log


# --- the output channel on its own: limits the bot's own answers never reach -------------------------
def test_long_answers_and_long_payloads_fit_telegrams_limits():
    from bot.channels.telegram import CALLBACK_DATA_LIMIT, MESSAGE_LIMIT, Payloads, TelegramBot, TelegramReplies
    from bot.channels.shared import utf16_length

    api = FakePlatformAPI()
    try:
        line = "Night and rotating shifts are common in voice processes serving other time zones 🌙."
        text = "\n".join([line] * 120)  # about 10,000 characters, emoji counting twice
        long_payload = '/ask_role_certifications{"role": "a_role_id_long_enough_to_break_the_limit"}'
        buttons = [{"title": "Short", "payload": "/ask_shifts"}, {"title": "Long", "payload": long_payload}]
        payloads = Payloads()

        async def send():
            bot = TelegramBot(TELEGRAM_TOKEN, api.telegram_base)
            try:
                await TelegramReplies(bot, payloads).send_text_with_buttons("555", text, buttons)
            finally:
                await bot.close_session()

        asyncio.run(send())
        calls = api.find("telegram", "sendMessage")
        assert len(calls) == 3
        assert all(utf16_length(c.params["text"]) <= MESSAGE_LIMIT for c in calls)
        assert ["reply_markup" in c.params for c in calls] == [False, False, True]
        data = [b["callback_data"] for row in keyboard(calls[-1]) for b in row]
        assert data[0] == "/ask_shifts"
        assert len(data[1].encode()) <= CALLBACK_DATA_LIMIT
        assert payloads.unpack(data[1]) == long_payload.replace(": ", ":")
        assert payloads.unpack("#p:forgotten-after-a-restart") == "/ask_capabilities"
    finally:
        api.stop()
