"""What an answer leaves in focus, and what a follow-up after it is taken to mean.

Our own examples: a back-reference that names its kind ("that course") after an answer about another
kind; a role question after general advice; the growth roles the stability answer names, picked from
like a list; the skill a kind of work needs most, asked "why?" about.
"""
import pytest
from rasa_sdk.events import SlotSet

from actions.follow_up import ActionFollowUp
from actions.lists import ActionSelectItem
from actions.roles import ActionRoleCertifications
from actions.topics import ActionAnswerTopic
from bot.answers import Composer
from bot.kind_references import entry_of_kind_meant, kind_pointed_back
from bot.knowledge import load
from bot.references import Context, Resolver
from bot.retrieval import EntryIndex
from tests.action_runner import run

KB = load()
RESOLVER = Resolver(KB, EntryIndex(KB))


@pytest.mark.parametrize("text, kind", [
    ("is that course online?", "certifications"), ("who wrote this book", "books"),
    ("does the same role need a degree", "roles"), ("what is that cert meant for", "certifications"),
    ("what is it", None), ("which role suits me", None),
])
def test_the_kind_a_pointing_phrase_names(text, kind):
    assert kind_pointed_back(text) == kind


def test_that_course_after_a_roles_certifications_is_the_first_certification_shown():
    listed = [KB.get("itil"), KB.get("soft_skills_training")]
    meant = entry_of_kind_meant(KB, "tell me more about that course", KB.get("technical_support_associate"), listed)
    assert meant is KB.get("itil")


def test_that_role_after_a_certification_is_the_one_role_it_helps():
    assert entry_of_kind_meant(KB, "what does that role do", KB.get("itil"), []) is KB.get("technical_support_associate")
    # Six Sigma helps two roles: which one is meant is not for us to guess.
    assert entry_of_kind_meant(KB, "what does that role do", KB.get("six_sigma"), []) is None


def test_a_kind_naming_reference_is_resolved_through_the_resolver():
    context = Context(listed=("itil", "soft_skills_training"), topic="technical_support_associate")
    reference = RESOLVER.resolve("so what is this cert for then", "ask_role", [], context)
    assert reference is not None and reference.entry.id == "itil" and reference.question == ""


def test_the_same_kind_as_the_focus_is_left_to_the_other_rules():
    assert entry_of_kind_meant(KB, "what does that role need", KB.get("data_entry_operator"), []) is None


def test_certifications_for_that_after_general_advice_are_the_role_discussed_before():
    message, _ = run(ActionRoleCertifications(), "ask_role_certifications", "any course that helps with that?",
                     slots={"topic": "advice", "role": "customer_service_executive"})
    assert "For the Customer Service Executive role" in message["text"]
    assert "Certified Customer Service Professional" in message["text"]


def test_the_stability_answer_leaves_the_growth_roles_it_names_on_screen():
    answer = Composer(KB).topic(KB.topic("job_stability"))
    growth = [e.id for e in KB.collection("roles_growth")]
    assert answer.slots["listed"] == growth
    reference = RESOLVER.resolve("compare the last two", "out_of_scope", [], Context(listed=tuple(growth),
                                                                                     topic="job_stability"))
    assert reference is not None and [reference.entry.id, *[e.id for e in reference.others]] == growth[-2:]


def test_the_skill_a_kind_of_work_needs_most_is_what_why_asks_about():
    message, events = run(ActionAnswerTopic(), "ask_skills", "what skill matters most on the phone side?",
                          [("work_type", "voice")])
    assert message["text"].startswith("What matters most here: Communication")
    assert SlotSet("topic", "communication") in events
    message, _ = run(ActionFollowUp(), "ask_more", "why?", slots={"topic": "communication", "listed": []})
    assert message["text"].startswith("Communication: ") and "right tone" in message["text"]


def test_the_last_two_picked_as_a_list_item_are_set_side_by_side():
    growth = [e.id for e in KB.collection("roles_growth")]
    message, _ = run(ActionSelectItem(), "select_item", "compare the last two", [("position", "last")],
                     slots={"listed": growth, "topic": "job_stability"})
    assert message["text"].startswith("Transition / Migration Manager: ")
    assert "\nClient Relationship Manager: " in message["text"]


def test_a_certification_asked_for_by_its_purpose_is_that_one_whatever_role_is_in_focus():
    message, _ = run(ActionRoleCertifications(), "ask_role_certifications",
                     "which certification is about improving quality of processes?", slots={"role": "team_leader"})
    assert message["text"].startswith("Six Sigma (Yellow or Green Belt): ")


def test_which_role_a_certification_is_for_with_no_role_discussed_is_that_certification():
    message, _ = run(ActionRoleCertifications(), "ask_role_certifications", "konse role me kaam aata hai",
                     slots={"topic": "ccsp"})
    assert "Useful for: Customer Service Executive" in message["text"]


def test_whether_the_certification_in_focus_is_worth_it_for_a_role_is_that_roles_certifications():
    reference = RESOLVER.resolve("would it be useful for a tsa", "nlu_fallback", [KB.get("technical_support_associate")],
                                 Context(topic="itil"))
    assert reference.entry.id == "technical_support_associate" and reference.question == "ask_role_certifications"


@pytest.mark.parametrize("text, topic", [("any other certs?", "certifications"), ("more books like it", "books"),
                                         ("other skills?", "skills")])
def test_other_entries_of_a_kind_are_its_whole_list(text, topic):
    reference = RESOLVER.resolve(text, "ask_more", [], Context(topic="ccsp"))
    assert reference is not None and reference.entry.id == topic


def test_tell_me_more_about_that_course_is_still_the_course():
    reference = RESOLVER.resolve("tell me more about that course", "ask_more", [],
                                 Context(listed=("itil", "soft_skills_training"), topic="technical_support_associate"))
    assert reference.entry.id == "itil"


def test_a_word_of_another_kind_describes_the_list_item_instead_of_leaving_the_list():
    books = tuple(e.id for e in KB.collection("books"))
    reference = RESOLVER.resolve("which one suits a beginner on voice calls", "ask_entry_roles", [KB.get("voice")],
                                 Context(listed=books, topic="the_bpo_revolution"))
    assert reference is not None and reference.entry.id == "call_center_fundamentals"


def test_a_course_for_the_skill_in_focus_is_the_certification_that_trains_it():
    message, _ = run(ActionRoleCertifications(), "ask_role_certifications", "is there some course to improve it",
                     slots={"topic": "communication"})
    assert message["text"].startswith("Soft skills and communication training: ")


def test_a_certification_described_after_a_role_is_that_certification_not_the_roles_list():
    reading = {"intent_ranking": [{"name": "ask_role_certifications", "confidence": 0.95}], "entities": []}
    reference = RESOLVER.resolve("what certificate teaches quality control", "ask_certification", [],
                                 Context(topic="team_leader"), [("ask_certification", 0.5)], reading)
    assert reference is not None and reference.entry.id == "six_sigma"


def test_an_item_on_screen_named_alone_is_that_item_even_when_nlu_calls_it_off_topic():
    companies = tuple(e.id for e in KB.collection("companies"))
    reference = RESOLVER.resolve("wipro bhi?", "out_of_scope", [KB.get("wipro")],
                                 Context(listed=companies, topic="companies"))
    assert reference is not None and reference.entry.id == "wipro"
    assert RESOLVER.resolve("wipro bhi?", "out_of_scope", [KB.get("wipro")], Context(topic="shifts")) is None
