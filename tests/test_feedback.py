"""Ratings of answers (bot/feedback.py, actions/feedback.py, the turn guard's interjections), without a
server: which ratings count, what the action stores, and that a rating leaves the dialogue as it was.
The channels' 👍/👎 and the stored ratings through the real servers: test_*_feedback*.py."""
import pytest
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUtteranceReverted
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet as SdkSlotSet, UserUtteranceReverted as SdkReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, KNOWLEDGE, send
from actions.feedback import ActionRateAnswer
from bot.feedback import ALREADY_RATED, NOTHING_TO_RATE, UNKNOWN_ANSWER, judge
from tests.test_policies import GUARD, DOMAIN, LISTEN, said, tracker


def answer_event(answer_id, about="shifts", text="Shifts answer"):
    return {"event": "bot", "text": text, "metadata": {"answer_id": answer_id, "answer_about": about}}


def rating_event(answer_id, rating="helpful"):
    return {"event": "slot", "name": "feedback", "value": {"answer_id": answer_id, "rating": rating}}


EVENTS = [answer_event("a1", "shifts"), {"event": "bot", "text": "Hi!", "metadata": {}},
          answer_event("a2", "quality_analyst", "Quality Analyst: checks calls")]


def test_a_named_answer_is_rated_with_what_it_was_about():
    verdict = judge(EVENTS, "not_helpful", "a1")
    assert verdict.refused is None
    assert verdict.rating.as_slot_value() == {"answer_id": "a1", "rating": "not_helpful", "about": "shifts",
                                              "answer_text": "Shifts answer", "comment_asked": True}


def test_no_id_rates_the_latest_answer():
    assert judge(EVENTS, "helpful", None).rating.answer_id == "a2"


@pytest.mark.parametrize("events, answer_id, reason", [
    (EVENTS, "zz", UNKNOWN_ANSWER),                       # made up, or another conversation's answer
    (EVENTS + [rating_event("a2")], "a2", ALREADY_RATED),  # twice for one answer, whatever the verdict
    (EVENTS + [rating_event("a2")], None, ALREADY_RATED),
    ([{"event": "bot", "text": "Hi!"}], None, NOTHING_TO_RATE),
])
def test_refused_ratings(events, answer_id, reason):
    verdict = judge(events, "helpful", answer_id)
    assert verdict.rating is None and verdict.refused == reason


def test_only_the_two_ratings_exist():
    with pytest.raises(ValueError):
        judge(EVENTS, "meh", None)


def test_guide_answers_carry_an_answer_id_and_others_do_not():
    dispatcher = CollectingDispatcher()
    send(dispatcher, COMPOSER.describe(KNOWLEDGE.get("quality_analyst")))
    send(dispatcher, COMPOSER.redirect())
    rated, redirect = dispatcher.messages
    assert len(rated["answer_id"]) == 12 and rated["answer_about"] == "quality_analyst"
    assert "answer_id" not in redirect


def rate(intent, events, answer_id=None, text=None, form=None):
    entities = [{"entity": "answer_id", "value": answer_id}] if answer_id else []
    text = text or (f'/{intent}{{"answer_id": "{answer_id}"}}' if answer_id else f"/{intent}")
    message = {"intent": {"name": intent, "confidence": 1.0}, "entities": entities, "text": text}
    dispatcher = CollectingDispatcher()
    loop = {"name": form} if form else {}
    result = ActionRateAnswer().run(dispatcher, Tracker("t", {}, message, events, False, None, loop, LISTEN), {})
    return dispatcher.messages, result


@pytest.mark.parametrize("payload", ['/helpful{"answer_id":', "/helpful{}", '/helpful{"role": "quality_analyst"}'])
def test_a_payload_naming_no_answer_is_refused_not_taken_for_the_latest(payload):
    messages, events = rate("helpful", EVENTS, text=payload)
    assert [m["response"] for m in messages] == ["utter_feedback_refused"] and events == [SdkReverted()]


def test_a_thumbs_down_while_the_role_finder_waits_points_back_at_its_question():
    messages, events = rate("not_helpful", EVENTS, form="role_finder_form")
    assert [m["response"] for m in messages] == ["utter_feedback_in_form"]
    assert events[0]["value"]["comment_asked"] is False and events[0]["value"]["answer_id"] == "a2"


def test_ratings_typed_in_words_are_unsure_not_stored():
    # NLU mixes up "thumbs up" and "thumbs down": only a payload is taken as a rating.
    assert GUARD.next_action(tracker(said("not_helpful", "thumbs down")), DOMAIN) == "action_clarify"
    assert GUARD.next_action(tracker(said("helpful", "/helpful")), DOMAIN) == "action_rate_answer"


def test_the_action_stores_a_rating_and_takes_the_turn_back():
    messages, events = rate("not_helpful", EVENTS, "a2")
    assert [m["response"] for m in messages] == ["utter_feedback_ask"]
    assert events == [SdkSlotSet("feedback", {"answer_id": "a2", "rating": "not_helpful", "about": "quality_analyst",
                                              "answer_text": "Quality Analyst: checks calls", "comment_asked": True}),
                      SdkReverted()]


def test_an_id_that_is_not_text_names_no_answer():
    message = {"intent": {"name": "helpful"}, "entities": [{"entity": "answer_id", "value": 5}], "text": "/helpful"}
    dispatcher = CollectingDispatcher()
    events = ActionRateAnswer().run(dispatcher, Tracker("t", {}, message, EVENTS, False, None, {}, LISTEN), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_refused"] and events == [SdkReverted()]


def test_a_second_rating_is_answered_but_not_stored():
    messages, events = rate("helpful", EVENTS + [rating_event("a2")], "a2")
    assert [m["response"] for m in messages] == ["utter_feedback_refused"] and events == [SdkReverted()]


def test_a_rating_interrupts_a_form_and_leaves_it_as_it_was():
    asking = [ActiveLoop("role_finder_form"), SlotSet("requested_slot", "rf_typing"),
              ActionExecuted("role_finder_form"), BotUttered("Do you type fast?")]
    before = tracker(*asking, ActionExecuted(LISTEN))
    rating = tracker(*asking, ActionExecuted(LISTEN), said("helpful", "/helpful"))
    assert GUARD.next_action(rating, DOMAIN) == "action_rate_answer"
    for event in [ActionExecuted("action_rate_answer"), BotUttered("Thanks"), SlotSet("feedback", {"answer_id": "x"}),
                  UserUtteranceReverted()]:
        rating.update(event, DOMAIN)
    assert GUARD.next_action(rating, DOMAIN) == LISTEN
    rating.update(ActionExecuted(LISTEN), DOMAIN)
    # The dialogue state is the one before the rating: form, its question, slots, last action.
    assert rating.active_loop_name == "role_finder_form" and rating.get_slot("requested_slot") == "rf_typing"
    assert rating.get_slot("feedback") is None
    assert [e for e in rating.applied_events()] == [e for e in before.applied_events()]
