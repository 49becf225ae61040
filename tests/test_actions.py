"""Each action against the real knowledge file, with real rasa_sdk Tracker and dispatcher objects."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.certifications import ActionDescribeCertification
from actions.fallback import ActionNotCovered
from actions.lists import ActionSelectItem
from actions.roles import ActionCareerPath, ActionDescribeRole, ActionRoleCertifications, ActionRoleSkills
from actions.topics import ActionAnswerTopic
from tests.action_runner import run, tracker_for


def test_topic_answer_for_shifts():
    message, events = run(ActionAnswerTopic(), "ask_shifts", "night shift?")
    assert "night" in message["text"] and "rotating" in message["text"]
    assert message["buttons"] and events == [SlotSet("topic", "shifts")]


def test_topic_list_sets_listed_slot():
    message, events = run(ActionAnswerTopic(), "ask_entry_roles")
    assert "Data Entry Operator" in message["text"]
    assert events == [SlotSet("listed", ["customer_service_executive", "technical_support_associate",
                                         "data_entry_operator", "process_associate"]),
                      SlotSet("topic", "entry_roles")]


def test_the_entry_roles_say_which_is_the_usual_way_in_and_stability_names_where_it_leads():
    # Guide, entry roles: CSE is the most common entry point; FAQs: stable, with career progression.
    entry, _ = run(ActionAnswerTopic(), "ask_entry_roles", "which is the most common first job in bpo?")
    assert "most people come in through the first" in entry["text"] and "complaints" in entry["text"]
    stable, _ = run(ActionAnswerTopic(), "ask_job_stability", "will i be stuck taking calls forever?")
    for role in ("Team Leader", "Quality Analyst", "Operations Manager", "Client Relationship Manager"):
        assert role in stable["text"]


def test_topic_with_named_list_item_describes_it():
    message, _ = run(ActionAnswerTopic(), "ask_industries", "do hospitals hire", [("industry", "hospitals")])
    assert message["text"].startswith("Yes: Healthcare is on the guide's list")


def test_describe_role_by_synonym_sets_slot():
    message, events = run(ActionDescribeRole(), "ask_role", "what does a DEO do", [("role", "DEO")])
    assert "Keys in, updates and checks data" in message["text"]
    slots = {e["name"]: e["value"] for e in events}
    assert slots == {"role": "data_entry_operator", "topic": "data_entry_operator", "role_question": "ask_role"}


@pytest.mark.parametrize("action, expected", [
    (ActionRoleSkills(), "Typing speed and accuracy"),
    (ActionRoleCertifications(), "doesn't link a particular certification"),
    (ActionCareerPath(), "Quality Analyst or Team Leader"),
])
def test_follow_up_uses_the_role_slot(action, expected):
    message, events = run(action, action.intent, "and for that role?", slots={"role": "data_entry_operator"})
    assert expected in message["text"]
    # The role is already in focus: setting it again would only lengthen the conversation.
    assert not any(e["name"] == "role" for e in events) and SlotSet("role_question", action.intent) in events


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
    assert "Yellow Belt, Green Belt" in message["text"]
    assert events == [SlotSet("certification", "six_sigma"), SlotSet("topic", "six_sigma")]
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


def test_role_finder_validation_reads_yes_no_and_free_text():
    import asyncio

    from actions.role_finder import ValidateRoleFinderForm

    events = asyncio.run(ValidateRoleFinderForm().run(
        CollectingDispatcher(), tracker_for("affirm", "yes", {"requested_slot": "rf_calls"}), {}))
    assert events == [SlotSet("rf_calls", True), SlotSet("rf_misreads", None)]
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
    assert events == [SlotSet("role", "data_entry_operator"), SlotSet("listed", ["data_entry_operator"]),
                      SlotSet("topic", "role_finder")]


def test_a_question_in_the_middle_of_the_role_finder_ends_it():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("ask_shifts", "what are the shifts", {"requested_slot": "rf_degree"},
                          {"name": "role_finder_form"})
    tracker.latest_message["intent_ranking"] = []
    events = ActionAnswerTopic().run(dispatcher, tracker, {})
    assert "night and rotating shifts" in dispatcher.messages[0]["text"]
    assert {"event": "active_loop", "timestamp": None, "name": None} in events


def test_a_follow_up_naming_another_role_asks_the_last_question_about_it():
    from actions.follow_up import ActionFollowUp

    message, _ = run(ActionFollowUp(), "ask_more", "and for tech support?", [("role", "tech support")],
                     slots={"role_question": "ask_role_certifications", "topic": "customer_service_executive"})
    assert message["text"].startswith("For the Technical Support Associate role, the guide points to: ITIL")


def test_a_follow_up_describing_one_item_of_the_list_on_screen_picks_it():
    from actions.follow_up import ActionFollowUp

    message, _ = run(ActionFollowUp(), "ask_more", "which one suits someone who types well?",
                     slots={"listed": ["voice", "non_voice"], "topic": "voice_vs_non_voice"})
    assert message["text"].startswith("Non-voice BPO")


def test_a_role_question_pointing_back_at_a_certification_is_about_the_certification():
    message, _ = run(ActionDescribeRole(), "ask_role", "which roles is it for",
                     slots={"topic": "six_sigma", "role": "customer_service_executive"})
    assert message["text"].startswith("Six Sigma") and "Useful for: Quality Analyst" in message["text"]


@pytest.mark.parametrize("text, start", [
    ("what's the weather in pune", "Sorry, that's outside what I know"),
    ("ok", "Okay! Anything I can help with?"),
    ("how much do doctors earn", "The guide doesn't cover salaries or pay"),
])
def test_decline_says_what_fits(text, start):
    from actions.fallback import ActionDecline

    domain = {"responses": {"utter_out_of_scope": [{"text": "Sorry, that's outside what I know."}]}}
    message = {"intent": {"name": "out_of_scope", "confidence": 0.9}, "entities": [], "text": text}
    dispatcher = CollectingDispatcher()
    ActionDecline().run(dispatcher, Tracker("t", {}, message, [], False, None, {}, "action_listen"), domain)
    assert len(dispatcher.messages) == 1
    shown = dispatcher.messages[0].get("text") or dispatcher.messages[0].get("response")
    assert shown == "utter_out_of_scope" if start.startswith("Sorry, that's") else shown.startswith(start)


def test_a_certification_question_pointing_back_at_a_role_lists_that_roles_certifications():
    message, _ = run(ActionDescribeCertification(), "ask_certification", "which certification helps for that?",
                     slots={"topic": "technical_support_associate"})
    assert message["text"].startswith("For the Technical Support Associate role, the guide points to: ITIL")


def test_a_role_skills_question_naming_one_skill_is_about_that_skill():
    from actions.roles import ActionRoleSkills
    message, _ = run(ActionRoleSkills(), "ask_role_skills", "why does a CSE need time management",
                     [("role", "CSE"), ("skill", "time management")])
    assert message["text"].startswith("Time management:"), message["text"]


def test_a_named_kind_of_work_is_described_with_the_skill_that_matters_most_for_it():
    message, events = run(ActionAnswerTopic(), "ask_voice_vs_non_voice", "wat is voice process", [("work_type", "voice")])
    assert message["text"].startswith("Voice-based BPO: work done on the phone")
    assert "Communication: Clarity and the right tone" in message["text"] and "Non-voice" not in message["text"]
    assert SlotSet("topic", "voice") in events


def test_both_kinds_of_work_named_get_the_whole_comparison_even_without_a_comparison_word():
    message, _ = run(ActionAnswerTopic(), "ask_voice_vs_non_voice", "diffrence btw voice and nonvoice",
                     [("work_type", "voice"), ("work_type", "nonvoice")])
    assert "Voice-based BPO" in message["text"] and "Non-voice BPO" in message["text"]


@pytest.mark.parametrize("action, intent, text", [
    (ActionAnswerTopic(), "ask_skills", "what skill is essential there"),
    (ActionRoleSkills(), "ask_role_skills", "what skill matters most for it"),
])
def test_a_skills_question_about_the_kind_of_work_in_focus_names_its_key_skill_then_the_others(action, intent, text):
    message, _ = run(action, intent, text, slots={"topic": "non_voice"})
    lines = message["text"].split("\n")
    assert lines[0] == "What matters most here: Typing speed and accuracy: Non-voice and back-office roles depend on it."
    assert "Communication" in lines[1] and "Typing" not in lines[1]
    # With nothing in focus, the general list.
    general, _ = run(action, intent, text)
    assert general["text"].startswith("Six skills")
