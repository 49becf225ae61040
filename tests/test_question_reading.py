"""bot/nlu/question_reading.py: a long story is read for its question too. Our own examples."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.contextual_reading import REWRITE_OF
from bot.nlu.question_reading import (QUESTION_OF, QUESTION_READING, QuestionReadingCollector, QuestionSplitter,
                                      question_sentence)

STORY = ("My uncle runs a shop and I did his accounts for two years after school. Now I want a proper office "
         "job. Which BPO roles work on finance processes?")


@pytest.mark.parametrize("text, question", [
    (STORY, "Which BPO roles work on finance processes?"),
    ("I left college in 2022 and since then I have done small jobs here and there. I like typing. "
     "Tell me a job for that.", "Tell me a job for that."),
    # A very short question is read with the sentence before it.
    ("Everyone in my family says night shifts ruin your health and sleep for good. Is that so? Why?",
     "Is that so? Why?"),
    ("what roles are there for freshers in bpo", None),  # short: one question already
    ("i want to know which certification a quality analyst should do before applying anywhere", None),
])
def test_the_question_sentence_of_a_long_message(text, question):
    assert question_sentence(text) == question


def intent(message, name, confidence):
    message.set("intent", {"name": name, "confidence": confidence})
    message.set("intent_ranking", [{"name": name, "confidence": confidence}])


def test_the_question_is_added_and_its_surer_intent_taken_by_the_whole_message():
    typed = Message(data={"text": STORY})
    batch = QuestionSplitter().process([typed])
    assert [m.get("text") for m in batch] == [STORY, "Which BPO roles work on finance processes?"]
    assert batch[1].get(QUESTION_OF) == 0
    intent(typed, "ask_switch_industry", 0.55)
    intent(batch[1], "ask_entry_roles", 0.93)
    assert QuestionReadingCollector().process(batch) == [typed]
    assert typed.get("intent")["name"] == "ask_entry_roles"
    assert typed.get(QUESTION_READING)["text"] == "Which BPO roles work on finance processes?"


@pytest.mark.parametrize("whole, asked", [
    (("ask_switch_industry", 0.95), ("ask_entry_roles", 0.93)),  # the whole message is read surely enough
    (("ask_switch_industry", 0.55), ("ask_entry_roles", 0.6)),  # the question is not read surely
    (("out_of_scope", 0.5), ("affirm", 0.99)),  # a context intent is no long message's question
    (("ask_what_is_bpo", 0.6), ("ask_more", 0.95)),  # "can you explain it simply?" ends a question, asks none
])
def test_the_whole_messages_intent_stays_otherwise(whole, asked):
    typed = Message(data={"text": STORY})
    batch = QuestionSplitter().process([typed])
    intent(typed, *whole)
    intent(batch[1], *asked)
    assert QuestionReadingCollector().process(batch) == [typed]
    assert typed.get("intent")["name"] == whole[0] and typed.get(QUESTION_READING) is None


def test_a_rewritten_message_is_neither_split_nor_dropped():
    typed, rewritten = Message(data={"text": STORY}), Message(data={"text": STORY + " Shifts", REWRITE_OF: 0})
    batch = QuestionSplitter().process([typed, rewritten])
    assert len(batch) == 3 and batch[2].get(QUESTION_OF) == 0
    assert QuestionReadingCollector().process(batch) == [typed, rewritten]
