"""action_clarify, what the bot says when NLU is unsure, against the real knowledge file."""
import pytest

from actions.fallback import ActionClarify
from tests.action_runner import run


def test_clarify_offers_the_two_likeliest_intents():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_career_path", "confidence": 0.4},
               {"name": "ask_growth_roles", "confidence": 0.35}]
    message, _ = run(ActionClarify(), "nlu_fallback", "where does this line of work lead after some years",
                     ranking=ranking)
    assert message["text"].startswith("I'm not sure I got that")
    assert [b["payload"] for b in message["buttons"]] == ["/ask_career_path", "/ask_growth_roles"]


def test_clarify_answers_a_few_words_naming_one_entry():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_career_path", "confidence": 0.4},
               {"name": "ask_growth_roles", "confidence": 0.35}]
    message, _ = run(ActionClarify(), "nlu_fallback", "QA next step", [("role", "QA")], ranking=ranking)
    assert "From Quality Analyst, the guide's growth roles" in message["text"]


@pytest.mark.parametrize("text, entities, named, expected", [
    ("tell me about the OM role in bpo please", [("role", "OM")], True, "Operations Manager: Runs"),
    ("my TL shouted at me in front of everyone today", [("role", "TL")], False, "Team Leader / Process Trainer: Leads"),
])
def test_clarify_answers_a_message_that_only_names_one_entry(text, entities, named, expected):
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "out_of_scope", "confidence": 0.25}]
    message, _ = run(ActionClarify(), "nlu_fallback", text, entities, ranking=ranking)
    assert (expected in message["text"]) == named, message["text"]


def test_clarify_reads_a_guess_about_what_the_conversation_is_about():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_more", "confidence": 0.25}]
    message, _ = run(ActionClarify(), "nlu_fallback", "is it calls only?", ranking=ranking,
                     slots={"topic": "customer_service_executive"})
    assert message["text"].startswith("Customer Service Executive: Sorts out customers' questions")


def test_clarify_answers_when_the_knowledge_file_agrees_with_nlu():
    # The retrieval finds the Quality Analyst in the words; NLU's second guess asks about a role's
    # next step: together they answer that question about that role.
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_career_path", "confidence": 0.4},
               {"name": "ask_growth_roles", "confidence": 0.35}]
    message, _ = run(ActionClarify(), "nlu_fallback", "quallity analyst next step", ranking=ranking)
    assert "From Quality Analyst, the guide's growth roles" in message["text"]


@pytest.mark.parametrize("text, intent", [("ok", "affirm"), ("no", "deny"), ("yes please", "affirm"),
                                          ("ok", "out_of_scope"), ("theek hai", "nlu_fallback"), ("👍", "greet")])
def test_clarify_answers_a_bare_yes_or_no_with_nothing_pending_once_and_kindly(text, intent):
    message, _ = run(ActionClarify(), intent, text)
    assert message["text"].startswith("Okay! Anything I can help with?") and len(message["buttons"]) == 3


def test_clarify_offers_the_role_finder_for_facts_about_oneself():
    message, _ = run(ActionClarify(), "tell_profile", "I'm a graduate and I type fast")
    assert "Shall I suggest a BPO role" in message["text"]
    assert message["buttons"][0]["payload"] == "/find_role"


def test_clarify_never_lets_the_retrieval_overrule_a_confident_out_of_scope():
    ranking = [{"name": "out_of_scope", "confidence": 0.6}, {"name": "ask_industries", "confidence": 0.3}]
    message, _ = run(ActionClarify(), "out_of_scope", "is it safe to travel to Spain", ranking=ranking)
    assert message["text"].startswith("Sorry, I can only help with careers in BPO")


def test_clarify_without_answerable_intent_redirects():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "out_of_scope", "confidence": 0.4}]
    message, _ = run(ActionClarify(), "nlu_fallback", "qwertz uiop asdf", ranking=ranking)
    assert message["text"].startswith("Sorry, I can only help with careers in BPO")
