"""No message can break a conversation: whatever is said, in whatever state, the bot replies once or a
few times, ends the turn listening, and answers the next question (bot/policies/turn_guard.py).

Chosen examples here; tests/test_property_turns.py draws random sequences of messages.
"""
import uuid

import pytest

ANYTHING_ELSE = "Okay! Anything I can help with?"
DECLINED = ("Sorry, I can only help with careers in BPO", "Sorry, that's outside what I know")
SHIFTS = "night and rotating shifts"


def new_sender() -> str:
    return f"listen-{uuid.uuid4().hex[:10]}"


def one_turn(bot, sender, message):
    """The replies to `message`, after checking the turn was short and ended listening."""
    replies = bot.say(sender, message)
    assert 1 <= len(replies) <= 3, replies
    assert bot.last_turn_ends_listening(sender)
    return replies


@pytest.mark.parametrize("word", ["yes", "no", "ok", "yeah sure", "nope"])
def test_a_conversation_that_starts_with_yes_or_no_gets_one_friendly_reply_and_goes_on(bot, word):
    sender = new_sender()
    replies = one_turn(bot, sender, word)
    assert len(replies) == 1 and replies[0]["text"].startswith(ANYTHING_ELSE)
    assert [b["payload"] for b in replies[0]["buttons"]] == ["/ask_entry_roles", "/ask_growth_roles",
                                                            "/ask_certifications"]
    assert SHIFTS in bot.text(sender, "what are the shift timings?")


def test_no_after_the_role_finders_recommendation_is_answered_once(bot):
    sender = new_sender()
    texts = [bot.text(sender, answer) for answer in ("which job suits me?", "yes", "no", "no", "yes", "yes")]
    assert "My suggestion" in texts[-1]  # the fifth answer ends the questions
    replies = one_turn(bot, sender, "no")
    assert len(replies) == 1 and replies[0]["text"].startswith(ANYTHING_ELSE)
    assert SHIFTS in bot.text(sender, "what are the shift timings?")


@pytest.mark.parametrize("message", [
    "/no_such_intent", '/ask_role{"role": ', '/ask_role{"role": "astronaut"}', "/select_item",
    "the second one", "3rd", "how come?", "I type fast",
])
def test_context_messages_out_of_context_and_broken_payloads_end_listening(bot, message):
    sender = new_sender()
    text = " ".join(r.get("text", "") for r in one_turn(bot, sender, message))
    assert "From the guide:" not in text and "Are you comfortable" not in text, text
    assert SHIFTS in bot.text(sender, "what are the shift timings?")


@pytest.mark.parametrize("message", ["what's 15 percent of 240", "tell me where my brother is right now",
                                     "book a table for two tonight", "find me a good yoga teacher nearby"])
def test_everyday_requests_are_declined_not_answered_from_the_guide(bot, message):
    text = one_turn(bot, new_sender(), message)[0]["text"]
    assert text.startswith(DECLINED) and "haven't shown a list" not in text, text


def test_a_role_finder_answer_it_cannot_read_is_asked_again_then_the_questions_stop(bot):
    sender = new_sender()
    assert "phone calls" in bot.text(sender, "which bpo job suits me?")
    again = one_turn(bot, sender, "banana")
    assert len(again) == 1 and "yes or no" in again[0]["text"] and "stop" in again[0]["text"]
    assert "phone calls" in again[0]["text"] and [b["title"] for b in again[0]["buttons"]] == ["Yes", "No"]
    left = one_turn(bot, sender, "banana")
    assert "I'll stop the questions here" in left[0]["text"] and "which job suits me" in left[0]["text"]
    assert SHIFTS in bot.text(sender, "what are the shift timings?")


def test_a_readable_answer_after_an_unreadable_one_carries_on(bot):
    sender = new_sender()
    bot.text(sender, "which bpo job suits me?")
    bot.text(sender, "banana")
    assert "type quickly" in bot.text(sender, "yes")


def test_facts_in_the_message_that_starts_the_role_finder_are_not_asked_again(bot):
    sender = new_sender()
    text = bot.text(sender, "I'm a graduate, I type fast and I hate phone calls. Which job suits me?")
    assert "phone calls" not in text.split("\n")[-1] and "type quickly" not in text
    assert "computer problems" in text  # the first question not answered yet
    slots = bot.tracker(sender)["slots"]
    assert (slots["rf_calls"], slots["rf_typing"], slots["rf_degree"]) == (False, True, True)


@pytest.mark.parametrize("message", [
    "ｗｈａｔ ａｒｅ ｔｈｅ ｓｈｉｆｔ ｔｉｍｉｎｇｓ？",  # full-width, as some phone keyboards type
    "what\u200b are the\u200b shift timings?",  # zero-width spaces
    "what\u00a0are\u00a0the shift\u00a0timings?",  # non-breaking spaces
    "\ufeffwhat are the shift timings?\u200d",  # byte-order mark, zero-width joiner
])
def test_a_known_question_in_other_unicode_forms_is_still_known(bot, message):
    assert SHIFTS in bot.text(new_sender(), message)
