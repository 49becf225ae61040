"""bot/references.py: which follow-ups point back at the conversation, and which don't.

The team's own examples; the slots are set as the answers set them (bot/answers.py).
"""
import pytest

from bot.knowledge import load
from bot.references import Context, Resolver, named_entries, ordinal_position
from bot.retrieval import EntryIndex

KB = load()
RESOLVER = Resolver(KB, EntryIndex(KB))
BOOKS = ("bpo_management_and_it", "the_bpo_revolution", "call_center_fundamentals")
CERTIFICATIONS = tuple(e.id for e in KB.collection("certifications"))
GROWTH = tuple(e.id for e in KB.collection("roles") if e.get("level") == "growth")
INDUSTRIES = tuple(e.id for e in KB.collection("industries"))


def resolve(text, intent="out_of_scope", named=(), listed=(), topic=None, role_question=None):
    entries = named_entries(KB, [{"entity": kind, "value": value} for kind, value in named])
    return RESOLVER.resolve(text, intent, entries, Context(listed, topic, role_question))


@pytest.mark.parametrize("text, position", [
    ("who is the author of the third one", 3), ("the last one?", -1), ("2nd option pls", 2),
    ("what's the first one about", 1), ("doosra wala", 2), ("number 3", 3), ("tell me about the second", 2),
])
def test_ordinal_references(text, position):
    assert ordinal_position(text) == position


@pytest.mark.parametrize("text", [
    "what was the first job you had", "what is the first step to join", "I was the first in my family to work",
    "which of the two is better", "two roles", "one more question",
])
def test_phrases_with_ordinal_words_that_pick_nothing(text):
    assert ordinal_position(text) is None


@pytest.mark.parametrize("text, intent, listed, topic, expected", [
    ("who is the author of the third one", "out_of_scope", BOOKS, "books", "call_center_fundamentals"),
    ("why does the second one matter", "ask_degree", CERTIFICATIONS, "certifications", CERTIFICATIONS[1]),
    ("which of these is about auditing calls", "ask_skills", GROWTH, "growth_roles", "quality_analyst"),
    ("which one helps with IT support jobs", "ask_companies", CERTIFICATIONS, "certifications", "itil"),
])
def test_an_item_of_the_list_on_screen_by_position_or_description(text, intent, listed, topic, expected):
    reference = resolve(text, intent, listed=listed, topic=topic)
    assert reference is not None and reference.entry.id == expected


def test_a_role_after_a_certification_asks_for_that_roles_certifications():
    reference = resolve("and for a data entry operator?", "ask_role", named=[("role", "data entry operator")],
                        topic="six_sigma")
    assert (reference.entry.id, reference.question) == ("data_entry_operator", "ask_role_certifications")
    again = resolve("and DEO", "ask_role", named=[("role", "deo")], topic="quality_analyst",
                    role_question="ask_role_skills")
    assert (again.entry.id, again.question) == ("data_entry_operator", "ask_role_skills")


def test_and_for_a_kind_of_work_after_an_faq_is_the_same_faq():
    assert resolve("and in telemarketing?", "ask_voice_vs_non_voice", topic="shifts").entry.id == "shifts"
    assert resolve("what about a TSA", "ask_role", named=[("role", "tsa")], topic="degree").entry.id == "degree"


def test_what_about_another_of_the_same_kind():
    reference = resolve("what about telecom", "nlu_fallback", named=[("industry", "telecom")], topic="healthcare")
    assert reference.entry.id == "telecom"


def test_a_pronoun_that_echoes_the_entry_in_focus():
    assert resolve("do they coach new joiners as well", topic="team_leader").entry.id == "team_leader"
    assert resolve("is healthcare one of them", named=[("industry", "healthcare")], listed=INDUSTRIES,
                   topic="industries").entry.id == "healthcare"


@pytest.mark.parametrize("text, intent, named, listed, topic", [
    ("is it going to rain today", "out_of_scope", (), (), "team_leader"),  # no word of the entry in focus
    ("what about shifts?", "ask_shifts", (), (), "degree"),  # a new topic, not the same FAQ
    ("which one should I pick, voice or non voice?", "ask_voice_vs_non_voice", (), GROWTH, "growth_roles"),
    ("and what skills does a team leader need", "ask_role_skills", (("role", "team leader"),), (), "quality_analyst"),
    ("/ask_role{\"role\": \"quality_analyst\"}", "ask_role", (), BOOKS, "books"),  # a button's payload
    ("the second one", "select_item", (), (), None),  # no list: NLU's intent (and the guard) decide
])
def test_new_questions_are_left_to_their_intent(text, intent, named, listed, topic):
    assert resolve(text, intent, named=named, listed=listed, topic=topic) is None


@pytest.mark.parametrize("text, named", [
    ("TL vs QA, which is better for me", (("role", "tl"), ("role", "qa"))),
    ("call center fundamentals ya bpo management and it, kaunsi padhu", (("book", "call center fundamentals"),
                                                                        ("book", "bpo management and it"))),
    ("difference between typing and communication skills", (("skill", "typing"), ("skill", "communication"))),
])
def test_two_entries_of_one_kind_with_a_comparison_word_are_compared(text, named):
    reference = resolve(text, "ask_books", named=named)
    assert reference.why == "comparison" and len(reference.others) == 1


def test_the_two_kinds_of_work_compared_are_the_topic_that_compares_them():
    named = (("work_type", "voice"), ("work_type", "non voice"))
    text = "difference between voice and non voice process"
    assert resolve(text, "ask_voice_vs_non_voice", named=named) is None
    # Read as another question, the two are still set side by side.
    assert resolve(text, "ask_skills", named=named).why == "comparison"


def test_two_entries_without_a_comparison_word_are_left_to_nlu():
    assert resolve("can a CSE become a QA", "ask_career_path", named=(("role", "cse"), ("role", "qa"))) is None


def test_a_short_message_nlu_is_torn_about_leans_to_the_topic_in_focus():
    torn = [("ask_job_stability", 0.55), ("ask_switch_industry", 0.3), ("ask_skills", 0.1)]
    reference = RESOLVER.resolve("which skills carry over then", "ask_job_stability", [],
                                 Context(topic="switch_industry"), torn)
    assert reference.entry.id == "switch_industry"
    sure = [("ask_shifts", 0.92), ("ask_degree", 0.05)]  # a new topic NLU is sure of keeps its answer
    assert RESOLVER.resolve("what about night shifts", "ask_shifts", [], Context(topic="degree"), sure) is None
    far = [("ask_skills", 0.5), ("ask_companies", 0.3), ("ask_books", 0.1), ("ask_switch_industry", 0.1)]
    assert RESOLVER.resolve("which skills matter", "ask_skills", [], Context(topic="switch_industry"), far) is None
