"""👍/👎 over REST against the real servers: a rating is stored in the conversation with the answer it
rates, refused when it names no answer of this conversation or one already rated, and the dialogue
goes on as if it had not been sent (a list on screen, a question of the role finder).
The same through the web chat, Slack, Telegram and rasa shell: tests/test_*_feedback*.py."""
import json
import uuid

from tests.stored_ratings import ratings_in

THANKS = "Thanks, glad it helped."
ASK = "What were you looking for?"
REFUSED = "There's nothing more to record for that answer."


def new_sender() -> str:
    return f"rate-{uuid.uuid4().hex[:10]}"


def rating(verdict: str, answer_id: str) -> str:
    return f"/{verdict}{json.dumps({'answer_id': answer_id})}"


def stored_ratings(bot, sender):
    return ratings_in(bot.tracker(sender)["events"])


def test_a_rated_answer_is_stored_with_what_it_was_about(bot):
    sender = new_sender()
    answer = bot.say(sender, "what does a quality analyst do?")[0]
    assert len(answer["answer_id"]) == 12
    assert bot.text(sender, rating("helpful", answer["answer_id"])).startswith(THANKS)
    assert bot.last_turn_ends_listening(sender)
    [stored] = stored_ratings(bot, sender)
    assert stored["answer_id"] == answer["answer_id"] and stored["rating"] == "helpful"
    assert stored["about"] == "quality_analyst" and "Quality Analyst" in stored["answer_text"]


def test_not_helpful_asks_what_was_wanted_and_the_next_message_is_answered_as_usual(bot):
    sender = new_sender()
    answer = bot.say(sender, "what are the shift timings?")[0]
    assert ASK in bot.text(sender, rating("not_helpful", answer["answer_id"]))
    assert "Customer Service Executive" in bot.text(sender, "entry level jobs for freshers")
    assert [r["rating"] for r in stored_ratings(bot, sender)] == ["not_helpful"]


def test_greetings_and_declines_cannot_be_rated(bot):
    sender = new_sender()
    assert all("answer_id" not in m for m in bot.say(sender, "hi") + bot.say(sender, "what's the weather in Pune?"))
    assert bot.text(sender, "/helpful").startswith(REFUSED)
    assert stored_ratings(bot, sender) == []


def test_twice_for_one_answer_or_another_conversations_answer_is_refused_politely(bot):
    sender, other = new_sender(), new_sender()
    answer_id = bot.say(sender, "what is BPO?")[0]["answer_id"]
    bot.say(sender, rating("helpful", answer_id))
    assert bot.text(sender, rating("not_helpful", answer_id)).startswith(REFUSED)
    bot.say(other, "what is BPO?")
    assert bot.text(other, rating("not_helpful", answer_id)).startswith(REFUSED)
    assert bot.text(other, rating("helpful", "0" * 12)).startswith(REFUSED)
    assert [r["rating"] for r in stored_ratings(bot, sender)] == ["helpful"] and stored_ratings(bot, other) == []
    assert bot.last_turn_ends_listening(other)


def test_typed_helpful_rates_the_latest_answer(bot):
    sender = new_sender()
    bot.say(sender, "what is BPO?")
    latest = bot.say(sender, "which certifications help?")[0]["answer_id"]
    assert bot.text(sender, "/helpful").startswith(THANKS)
    assert [r["answer_id"] for r in stored_ratings(bot, sender)] == [latest]


def test_a_rating_leaves_the_list_on_screen_in_focus(bot):
    sender = new_sender()
    answer = bot.say(sender, "entry level roles in BPO")[0]
    bot.say(sender, rating("helpful", answer["answer_id"]))
    assert "Technical Support Associate" in bot.text(sender, "tell me about the second one")


def test_a_rating_in_the_middle_of_the_role_finder_keeps_its_question(bot):
    sender = new_sender()
    bot.say(sender, "what are the shift timings?")
    first_question = bot.text(sender, "which job suits me?")
    assert "back to the question above" in bot.text(sender, "/not_helpful")
    second_question = bot.text(sender, "yes")
    assert second_question and second_question != first_question and "Anything I can help with" not in second_question
    assert bot.last_turn_ends_listening(sender)
