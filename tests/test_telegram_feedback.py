"""👍/👎 in Telegram against the real bot: a guide answer's inline keyboard ends with a rating row, a
callback_query on it is acknowledged and rates the answer, and the rating lands in the chat's tracker.

The callback queries are built from the sendMessage the fake Telegram API caught
(tests/fake_platform_api.py), as Telegram builds them: the sent message with its keyboard, and the
pressed button's data.
"""
import json

import pytest

from bot.channels.telegram import CALLBACK_DATA_LIMIT
from tests.fake_platform_api import TELEGRAM_BOT, shared_platform_bot
from tests.stored_ratings import events_after, ratings_in
from tests.test_telegram import _chat_ids, _update_ids, ask, keyboard, person, sent

NOT_HELPFUL_REPLY = "What were you looking for?"
REFUSED_REPLY = "There's nothing more to record for that answer."
RATING_PREFIXES = ("/helpful", "/not_helpful")


@pytest.fixture(scope="module")
def platform(pytestconfig):
    return shared_platform_bot(pytestconfig)


def press(platform, answer, data, chat_id=None):
    """A callback_query for pressing the button with `data` under the message `answer` sent, from
    `chat_id` (the answer's own chat unless given); returns the query's id."""
    chat_id = chat_id or int(answer.params["chat_id"])
    query_id = f"q{next(_update_ids)}"
    shown = {"message_id": answer.body["result"]["message_id"], "date": answer.body["result"]["date"],
             "from": {"id": 123456789, "is_bot": True, "first_name": "BPO Careers", "username": TELEGRAM_BOT},
             "chat": {"id": chat_id, "first_name": "Asha", "type": "private"}, "text": answer.params["text"],
             "reply_markup": json.loads(answer.params["reply_markup"])}
    update = {"update_id": next(_update_ids), "callback_query": {
        "id": query_id, "from": person(chat_id), "chat_instance": "-5198827394657923004", "message": shown,
        "data": data}}
    assert platform.telegram(update).status_code == 200
    platform.api.wait_for("telegram", "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query_id)
    return query_id


def rating_row(call):
    return keyboard(call)[-1]


def answer_id_of(call):
    data = rating_row(call)[0]["callback_data"]
    return json.loads(data[data.index("{"):])["answer_id"]


def edits_of(platform, answer):
    message_id = str(answer.body["result"]["message_id"])
    return platform.api.find("telegram", "editMessageReplyMarkup", lambda c: c.params.get("message_id") == message_id)


def replies_in(platform, chat_id, count):
    return platform.api.wait_for("telegram", "sendMessage", lambda c: str(c.params.get("chat_id")) == str(chat_id),
                                 count=count)


def test_an_answer_ends_with_a_rating_row_under_its_follow_ups(platform):
    _, [answer] = ask(platform, "what are the shift timings")
    rows = keyboard(answer)
    assert [b["text"] for b in rows[-1]] == ["👍", "👎"]
    answer_id = answer_id_of(answer)
    data = [b["callback_data"] for b in rows[-1]]
    assert data == [f'/helpful{{"answer_id":"{answer_id}"}}', f'/not_helpful{{"answer_id":"{answer_id}"}}']
    assert all(len(d.encode("utf-8")) <= CALLBACK_DATA_LIMIT for d in data)
    follow_ups = [b for row in rows[:-1] for b in row]
    assert follow_ups and not any(b["callback_data"].startswith(RATING_PREFIXES) for b in follow_ups)


def test_a_greeting_has_no_rating_row(platform):
    _, [greeting] = ask(platform, "hi")
    assert not any(b["callback_data"].startswith(RATING_PREFIXES) for row in keyboard(greeting) for b in row)


def test_a_thumbs_down_is_acknowledged_stored_and_shown(platform):
    chat_id, [answer] = ask(platform, "what are the shift timings")
    answer_id = answer_id_of(answer)
    thumbs_down = rating_row(answer)[1]["callback_data"]
    press(platform, answer, thumbs_down)
    reply = replies_in(platform, chat_id, 2)[1]
    assert NOT_HELPFUL_REPLY in reply.params["text"]
    [stored] = ratings_in(events_after(platform, chat_id, thumbs_down))
    assert stored["answer_id"] == answer_id and stored["rating"] == "not_helpful"
    # The rating row gives way to one button saying the rating; the follow-ups stay.
    [edit] = platform.api.wait_for("telegram", "editMessageReplyMarkup",
                                   lambda c: c.params.get("message_id") == str(answer.body["result"]["message_id"]))
    rows = json.loads(edit.params["reply_markup"])["inline_keyboard"]
    assert rows[:-1] == keyboard(answer)[:-1]
    assert len(rows[-1]) == 1 and rows[-1][0]["text"].startswith("👎")
    # ...and pressing that one only stops the spinner.
    press(platform, answer, rows[-1][0]["callback_data"])
    assert len(sent(platform, chat_id)) == 2

    # The comment after it is answered, and so is the next question, as if no rating had been given.
    platform.telegram({"update_id": next(_update_ids), "message": {
        "message_id": next(_update_ids) % 100000, "from": person(chat_id), "date": 1700000000,
        "chat": {"id": chat_id, "first_name": "Asha", "type": "private"},
        "text": "I wanted to know about the night shift allowance"}})
    third = replies_in(platform, chat_id, 3)[2]
    assert third.params["text"].strip() and REFUSED_REPLY not in third.params["text"]

    # A second rating of the same answer is refused politely, stored nowhere, and changes nothing.
    thumbs_up = rating_row(answer)[0]["callback_data"]
    press(platform, answer, thumbs_up)
    assert REFUSED_REPLY in replies_in(platform, chat_id, 4)[3].params["text"]
    events = events_after(platform, chat_id, thumbs_up)
    assert ratings_in(events) == [stored]
    # The comment is in the store right after the rating, for the operator to read.
    texts = [e.get("text") for e in events if e["event"] == "user"]
    assert texts.index("I wanted to know about the night shift allowance") == texts.index(thumbs_down) + 1
    assert len(edits_of(platform, answer)) == 1


def test_a_rating_of_another_chats_answer_is_refused(platform):
    owner, [answer] = ask(platform, "what are the shift timings")
    stranger = next(_chat_ids)
    thumbs_up = rating_row(answer)[0]["callback_data"]
    press(platform, answer, thumbs_up, chat_id=stranger)
    [reply] = replies_in(platform, stranger, 1)
    assert REFUSED_REPLY in reply.params["text"] and "Sorry" not in reply.params["text"]
    assert ratings_in(events_after(platform, stranger, thumbs_up)) == []
    assert ratings_in(platform.rest.tracker(str(owner))["events"]) == []
    assert edits_of(platform, answer) == []


def test_follow_up_buttons_of_a_rateable_answer_still_work(platform):
    chat_id, [answer] = ask(platform, "what are the shift timings")
    follow_up = keyboard(answer)[0][0]["callback_data"]
    press(platform, answer, follow_up)
    assert "telemarketing" in replies_in(platform, chat_id, 2)[1].params["text"]
    assert ratings_in(events_after(platform, chat_id, follow_up)) == [] and edits_of(platform, answer) == []


# --- the output channel on its own: answers longer than the bot gives --------------------------------
def test_a_long_answer_has_its_rating_row_on_the_last_piece_only():
    import asyncio

    from bot.channels.telegram import Payloads, TelegramBot, TelegramReplies
    from tests.fake_platform_api import TELEGRAM_TOKEN, FakePlatformAPI

    api = FakePlatformAPI()
    try:
        text = "\n".join(["Night and rotating shifts are common in voice processes serving other time zones."] * 120)

        async def send():
            bot = TelegramBot(TELEGRAM_TOKEN, api.telegram_base)
            try:
                await TelegramReplies(bot, Payloads()).send_response("556", {"text": text, "answer_id": "0123456789ab"})
            finally:
                await bot.close_session()

        asyncio.run(send())
        calls = api.find("telegram", "sendMessage")
        assert len(calls) > 1 and all("reply_markup" not in c.params for c in calls[:-1])
        assert keyboard(calls[-1]) == [[
            {"text": "👍", "callback_data": '/helpful{"answer_id":"0123456789ab"}'},
            {"text": "👎", "callback_data": '/not_helpful{"answer_id":"0123456789ab"}'}]]
    finally:
        api.stop()
