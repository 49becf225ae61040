"""A follow-up read a second time with the entry in focus named: the rewrite (bot/context_rewrite.py),
the NLU components that carry the second reading (bot/nlu/contextual_reading.py) and the decision
between the two readings (bot/references.py). The team's own examples."""
import pytest
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.context_rewrite import with_focus
from bot.knowledge import load
from bot.nlu.contextual_reading import CONTEXT_READING, ContextualReadingCollector, ContextualRewriter
from bot.references import Context, Resolver
from bot.retrieval import EntryIndex

KB = load()
RESOLVER = Resolver(KB, EntryIndex(KB))


@pytest.mark.parametrize("text, focus, rewritten", [
    ("what skill is most needed for it", "data_entry_operator", "what skill is most needed for Data Entry Operator"),
    ("does that role need a degree?", "quality_analyst", "does Quality Analyst need a degree?"),
    ("usme communication bhi chahiye?", "technical_support_associate",
     "Technical Support Associate communication bhi chahiye?"),
    ("how come?", "shifts", "how come? Shifts"),
    ("which skills carry over", "switch_industry", "which skills carry over Moving to other industries"),
    ("who trains them", "team_leader", "who trains Team Leader Process Trainer"),
])
def test_a_follow_up_is_rewritten_with_the_entry_in_focus_named(text, focus, rewritten):
    assert with_focus(text, KB.get(focus)) == rewritten


@pytest.mark.parametrize("text, focus", [
    ("how come?", None), ("", "shifts"), ("/ask_shifts", "shifts"), (" ".join(["word"] * 26), "shifts"),
])
def test_nothing_to_rewrite_without_a_focus_a_text_or_for_a_payload_or_a_long_story(text, focus):
    assert with_focus(text, KB.get(focus) if focus else None) is None


def tracker(*events):
    return DialogueStateTracker.from_events("someone", list(events))


def test_the_rewriter_adds_one_rewritten_message_and_the_collector_takes_it_out_again():
    typed = Message(data={"text": "how come?"})
    batch = ContextualRewriter().process([typed], tracker(SlotSet("topic", "shifts")))
    assert [m.get("text") for m in batch] == ["how come?", "how come? Shifts"]
    batch[1].set("intent", {"name": "ask_shifts", "confidence": 0.9})
    batch[1].set("intent_ranking", [{"name": "ask_shifts", "confidence": 0.9}])
    collected = ContextualReadingCollector().process(batch)
    assert collected == [typed]
    reading = typed.get(CONTEXT_READING)
    assert reading["text"] == "how come? Shifts" and reading["intent"]["name"] == "ask_shifts"
    assert CONTEXT_READING in typed.as_dict(only_output_properties=True)


@pytest.mark.parametrize("events", [
    (),  # a new conversation: nothing in focus
    (SlotSet("topic", "salary"),),  # a declined subject is no focus
    (SlotSet("topic", "shifts"), ActiveLoop("role_finder_form")),  # the role finder is asking
])
def test_nothing_is_rewritten_without_an_entry_in_focus_or_while_a_form_asks(events):
    typed = Message(data={"text": "how come?"})
    assert ContextualRewriter().process([typed], tracker(*events)) == [typed]


@pytest.mark.parametrize("text, topic", [
    ("and for a data entry operator?", "shifts"),  # it names an entry: bot/references.py won't read the rewrite
    ("which one is the hardest?", "skills"),  # a topic that shows a list: its items are picked from the list
])
def test_no_second_reading_where_it_would_not_be_read(text, topic):
    typed = Message(data={"text": text})
    assert ContextualRewriter().process([typed], tracker(SlotSet("topic", topic))) == [typed]


def reading(intent, confidence, entities=()):
    return {"intent_ranking": [{"name": intent, "confidence": confidence}],
            "entities": [{"entity": kind, "value": value} for kind, value in entities]}


def resolve(text, typed, typed_confidence, read, topic):
    return RESOLVER.resolve(text, typed, [], Context((), topic, None), [(typed, typed_confidence)], read)


def test_a_pronoun_question_read_as_one_about_the_role_in_focus_asks_about_that_role():
    read = reading("ask_role_skills", 0.6, [("role", "Data Entry Operator")])
    reference = resolve("what skill is most needed for it", "ask_skills", 0.8, read, "data_entry_operator")
    assert (reference.entry.id, reference.question) == ("data_entry_operator", "ask_role_skills")
    # NLU all but sure of the message as typed keeps that reading.
    assert resolve("what skill is most needed for it", "ask_skills", 0.95, read, "data_entry_operator") is None


def test_a_topic_that_shows_a_list_is_left_to_the_list_rules():
    assert resolve("what skill is vital there", "ask_skills", 0.4, reading("ask_voice_vs_non_voice", 0.9),
                   "voice_vs_non_voice") is None


def test_a_few_words_without_a_pronoun_need_the_rewrite_to_be_read_at_least_as_surely():
    surer = resolve("how come?", "ask_advice", 0.35, reading("ask_shifts", 0.8), "shifts")
    assert surer is not None and surer.entry.id == "shifts"
    assert resolve("which companies hire", "ask_companies", 0.95, reading("ask_shifts", 0.6), "shifts") is None
    # A few words that are a clear question of their own stay that question, however sure the rewrite.
    assert resolve("what is bpo", "ask_what_is_bpo", 0.93, reading("ask_shifts", 0.95), "shifts") is None
    # Longer, pointing back at nothing: only a clear reading in context against an unclear typed one.
    author = resolve("who is the author", "out_of_scope", 0.47, reading("ask_books", 0.96), "the_bpo_revolution")
    assert author is not None and author.entry.id == "the_bpo_revolution"
    assert resolve("which companies have domestic processes", "ask_companies", 0.65, reading("ask_shifts", 0.9),
                   "shifts") is None


def test_the_rewrite_read_as_something_else_or_naming_another_entry_changes_nothing():
    assert resolve("is it hard", "ask_advice", 0.5, reading("ask_degree", 0.9), "shifts") is None
    other_role = reading("ask_role", 0.9, [("role", "Quality Analyst"), ("role", "Data Entry Operator")])
    assert resolve("and that one?", "out_of_scope", 0.4, other_role, "data_entry_operator") is None
