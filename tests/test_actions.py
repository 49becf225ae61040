"""Each action against the real knowledge file, with real rasa_sdk Tracker and dispatcher objects."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.certifications import ActionDescribeCertification
from actions.fallback import ActionClarify, ActionNotCovered
from actions.lists import ActionSelectItem
from actions.roles import ActionCareerPath, ActionDescribeRole, ActionRoleCertifications, ActionRoleSkills
from actions.topics import ActionAnswerTopic


def run(action, intent, text="", entities=(), slots=None, ranking=None):
    message = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": e, "value": v} for e, v in entities],
        "text": text,
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
    }
    tracker = Tracker("t", dict(slots or {}), message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0], events


def test_topic_answer_for_shifts():
    message, events = run(ActionAnswerTopic(), "ask_shifts", "night shift?")
    assert "night" in message["text"] and "rotating" in message["text"]
    assert message["buttons"] and events == []


def test_topic_list_sets_listed_slot():
    message, events = run(ActionAnswerTopic(), "ask_entry_roles")
    assert "Data Entry Operator" in message["text"]
    assert events == [SlotSet("listed", ["customer_service_executive", "technical_support_associate",
                                         "data_entry_operator", "process_associate"])]


def test_topic_with_named_list_item_describes_it():
    message, _ = run(ActionAnswerTopic(), "ask_industries", "do hospitals hire", [("industry", "hospitals")])
    assert message["text"].startswith("Yes: Healthcare is on the guide's list")


def test_describe_role_by_synonym_sets_slot():
    message, events = run(ActionDescribeRole(), "ask_role", "what does a DEO do", [("role", "DEO")])
    assert "Keys in, updates and checks data" in message["text"]
    assert events == [SlotSet("role", "data_entry_operator")]


@pytest.mark.parametrize("action, expected", [
    (ActionRoleSkills(), "Typing speed and accuracy"),
    (ActionRoleCertifications(), "doesn't link a particular certification"),
    (ActionCareerPath(), "Quality Analyst or Team Leader"),
])
def test_follow_up_uses_the_role_slot(action, expected):
    message, events = run(action, action.intent, "and for that role?", slots={"role": "data_entry_operator"})
    assert expected in message["text"]
    assert SlotSet("role", "data_entry_operator") in events


def test_new_entity_wins_over_the_slot():
    message, events = run(ActionRoleCertifications(), "ask_role_certifications", "and for tech support?",
                          [("role", "tech support")], slots={"role": "data_entry_operator"})
    assert "ITIL Foundation" in message["text"]
    assert SlotSet("role", "technical_support_associate") in events


def test_no_role_known_asks_which_with_buttons():
    message, events = run(ActionDescribeRole(), "ask_role", "tell me about that job")
    assert message["text"].startswith("Which role")
    assert len(message["buttons"]) == 9
    assert message["buttons"][0]["payload"] == '/ask_role{"role": "customer_service_executive"}'
    assert events == []


@pytest.mark.parametrize("action, expected", [
    (ActionRoleSkills(), "Six skills"), (ActionRoleCertifications(), "The guide suggests"),
    (ActionCareerPath(), "five roles"),
])
def test_no_role_known_gives_the_general_answer(action, expected):
    message, _ = run(action, action.intent, "what do I need?")
    assert expected in message["text"]


def test_certification_by_entity_and_by_slot():
    message, events = run(ActionDescribeCertification(), "ask_certification", "green belt?", [("certification", "green belt")])
    assert "Yellow Belt, Green Belt" in message["text"] and events == [SlotSet("certification", "six_sigma")]
    message, _ = run(ActionDescribeCertification(), "ask_certification", "who is it for?", slots={"certification": "itil"})
    assert "Technical Support Associate" in message["text"]


def test_select_item_from_last_list():
    listed = ["six_sigma", "itil", "soft_skills_training", "ccsp"]
    message, _ = run(ActionSelectItem(), "select_item", "the 2nd one", [("position", "2nd")], slots={"listed": listed})
    assert message["text"].startswith("ITIL Foundation")
    message, _ = run(ActionSelectItem(), "select_item", "last one please", slots={"listed": listed})
    assert "CCSP" in message["text"]


def test_not_covered_names_the_topic():
    message, events = run(ActionNotCovered(), "ask_not_covered", "what is the package for freshers at TCS")
    assert "doesn't cover salaries or pay" in message["text"] and events == []


def test_clarify_offers_the_two_likeliest_intents():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "ask_career_path", "confidence": 0.4},
               {"name": "ask_growth_roles", "confidence": 0.35}]
    message, _ = run(ActionClarify(), "nlu_fallback", "QA growth", [("role", "QA")], ranking=ranking)
    assert [b["payload"] for b in message["buttons"]] == ['/ask_career_path{"role": "quality_analyst"}', "/ask_growth_roles"]


def test_clarify_without_answerable_intent_redirects():
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "out_of_scope", "confidence": 0.4}]
    message, _ = run(ActionClarify(), "nlu_fallback", "hmm", ranking=ranking)
    assert message["text"].startswith("Sorry, I can only help with careers in BPO")


def tracker_for(intent, text, slots=None, active_loop=None):
    message = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text}
    return Tracker("t", dict(slots or {}), message, [], False, None, active_loop or {}, "action_listen")


def test_role_finder_validation_reads_yes_no_and_free_text():
    import asyncio

    from actions.role_finder import ValidateRoleFinderForm

    events = asyncio.run(ValidateRoleFinderForm().run(
        CollectingDispatcher(), tracker_for("affirm", "yes", {"requested_slot": "rf_calls"}), {}))
    assert events == [SlotSet("rf_calls", True)]
    events = asyncio.run(ValidateRoleFinderForm().run(
        CollectingDispatcher(), tracker_for("tell_profile", "I'm a graduate and I type fast",
                                            {"requested_slot": "rf_calls"}), {}))
    assert SlotSet("rf_degree", True) in events and SlotSet("rf_typing", True) in events
    assert not any(e["name"] == "rf_calls" for e in events)


def test_recommend_reads_the_answers_from_slots():
    from actions.role_finder import ActionRecommendRole

    slots = {"rf_calls": False, "rf_typing": True, "rf_technical": False, "rf_degree": False, "rf_nights": True}
    dispatcher = CollectingDispatcher()
    events = ActionRecommendRole().run(dispatcher, tracker_for("deny", "no", slots), {})
    assert dispatcher.messages[0]["text"].splitlines()[1].startswith("1. Data Entry Operator")
    assert events == [SlotSet("role", "data_entry_operator")]


def test_a_question_in_the_middle_of_the_role_finder_ends_it():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("ask_shifts", "what are the shifts", {"requested_slot": "rf_degree"},
                          {"name": "role_finder_form"})
    tracker.latest_message["intent_ranking"] = []
    events = ActionAnswerTopic().run(dispatcher, tracker, {})
    assert "night and rotating shifts" in dispatcher.messages[0]["text"]
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
