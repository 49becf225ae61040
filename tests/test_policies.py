"""The dialogue guards on real Rasa trackers and the real domain (bot/policies/), without a server."""
import tempfile

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.listening_rules import heard
from bot.policies.turn_guard import TurnGuardPolicy, actions_this_turn
from tests.servers import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
LISTEN = "action_listen"


def guard() -> TurnGuardPolicy:
    """The guard exactly as config.yml configures it."""
    config = next(p for p in yaml.safe_load((ROOT / "config.yml").read_text())["policies"]
                  if p["name"].endswith("TurnGuardPolicy"))
    options = {**TurnGuardPolicy.get_default_config(), **{k: v for k, v in config.items() if k != "name"}}
    return TurnGuardPolicy.create(options, LocalModelStorage(tempfile.mkdtemp()), Resource("guard"),
                                  ExecutionContext(GraphSchema({}), "test"))


GUARD = guard()


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("t", [ActionExecuted(LISTEN), *events], slots=DOMAIN.slots)


def said(intent: str, text: str = "x") -> UserUttered:
    # A live message: channels give each one an id (bot/policies/action_server_down.py).
    return UserUttered(text, {"name": intent, "confidence": 0.9}, message_id="m1")


@pytest.mark.parametrize("intent, context, expected", [
    ("affirm", [], "action_clarify"),
    ("affirm", [ActiveLoop("role_finder_form"), SlotSet("requested_slot", "rf_calls")], None),
    ("select_item", [], "action_clarify"),
    ("select_item", [SlotSet("listed", ["itil"])], None),
    ("tell_profile", [], "action_clarify"),
    ("tell_profile", [SlotSet("topic", "role_finder")], None),
    ("ask_more", [], "action_clarify"),
    ("ask_more", [SlotSet("topic", "shifts")], None),
    ("ask_shifts", [], None),
])
def test_context_intents_act_only_in_their_context(intent, context, expected):
    assert GUARD.next_action(tracker(*context, said(intent)), DOMAIN) == expected


def test_after_the_turns_answer_the_guard_listens():
    answered = tracker(said("ask_shifts"), ActionExecuted("action_answer_topic"), BotUttered("Many BPOs..."))
    assert GUARD.next_action(answered, DOMAIN) == LISTEN


def test_the_role_finders_intro_and_form_continue_the_turn():
    started = tracker(said("find_role"), ActionExecuted("action_start_role_finder"), BotUttered("Let's find..."))
    assert GUARD.next_action(started, DOMAIN) is None
    started.update(ActionExecuted("role_finder_form"))
    started.update(BotUttered("Are you comfortable..."))
    assert GUARD.next_action(started, DOMAIN) is None


def test_a_custom_action_that_left_nothing_is_left_to_the_apology():
    unreachable = tracker(said("ask_shifts"), ActionExecuted("action_answer_topic"))
    assert GUARD.next_action(unreachable, DOMAIN) is None


def test_a_turn_never_runs_more_than_max_actions():
    looping = tracker(said("find_role"), *[ActionExecuted("role_finder_form")] * GUARD.config["max_actions"])
    assert GUARD.next_action(looping, DOMAIN) == LISTEN


def test_actions_this_turn_counts_from_the_latest_message():
    events = tracker(said("greet"), ActionExecuted("utter_greet"), ActionExecuted(LISTEN), said("ask_shifts"),
                     ActionExecuted("action_answer_topic"))
    assert actions_this_turn(events) == ["action_answer_topic"]
    assert actions_this_turn(DialogueStateTracker.from_events("t", [], slots=DOMAIN.slots)) is None


def test_heard_puts_back_the_missing_listen_before_the_latest_message_only():
    broken = tracker(said("affirm", "yes"), *[ActionExecuted("action_clarify")] * 10, said("ask_shifts"))
    repaired = heard(broken, DOMAIN)
    names = [e.action_name for e in repaired.events if isinstance(e, ActionExecuted)]
    assert names[-2:] == ["action_clarify", LISTEN] and repaired.latest_message.intent["name"] == "ask_shifts"
    assert len(broken.events) == 13  # the stored tracker itself is left as it was
    healthy = tracker(said("greet"), ActionExecuted("utter_greet"), ActionExecuted(LISTEN), said("ask_shifts"))
    assert heard(healthy, DOMAIN) is healthy


@pytest.mark.parametrize("text, intent, expected", [
    ("/start", "ask_entry_roles", "action_clarify"),  # no such intent: NLU guessed from the word
    ("/no_such_intent", "ask_skills", "action_clarify"),
    ('/ask_role{"role": "quality_analyst"}', "ask_role", None),  # a real button
])
def test_a_payload_naming_an_intent_the_bot_lacks_is_unsure(text, intent, expected):
    assert GUARD.next_action(tracker(said(intent, text)), DOMAIN) == expected


def reference_policy():
    from bot.policies.reference_policy import ReferencePolicy
    return ReferencePolicy.create(ReferencePolicy.get_default_config(), LocalModelStorage(tempfile.mkdtemp()),
                                 Resource("follow_up"), ExecutionContext(GraphSchema({}), "test"))


BOOKS = SlotSet("listed", ["bpo_management_and_it", "the_bpo_revolution", "call_center_fundamentals"])


@pytest.mark.parametrize("events, expected", [
    # NLU's confident "out of scope" for an ordinal with a list on screen: a follow-up.
    ([BOOKS, SlotSet("topic", "books"), said("out_of_scope", "who is the author of the third one")], 1.0),
    ([said("out_of_scope", "who is the author of the third one")], 0.0),  # no list: NLU decides
    ([BOOKS, said("ask_books", '/ask_books')], 0.0),  # a button's payload says what it asks
    ([BOOKS, ActiveLoop("role_finder_form"), said("out_of_scope", "the third one")], 0.0),  # the form asks
    ([BOOKS, said("select_item", "the third one")], 0.0),  # already a follow-up: its rule answers it
])
def test_the_reference_policy_sends_references_to_action_follow_up(events, expected):
    prediction = reference_policy().predict_action_probabilities(tracker(*events), DOMAIN)
    assert prediction.probabilities[DOMAIN.index_for_action("action_follow_up")] == expected
    assert prediction.is_no_user_prediction == bool(expected)


def test_the_reference_policy_leaves_the_rest_of_the_turn_alone():
    answered = tracker(BOOKS, said("out_of_scope", "who is the author of the third one"),
                       ActionExecuted("action_follow_up"), BotUttered("Call Center Fundamentals..."))
    prediction = reference_policy().predict_action_probabilities(answered, DOMAIN)
    assert max(prediction.probabilities) == 0.0


@pytest.mark.parametrize("text, listed, expected", [
    ("which bpo job suits me?", None, None),
    ("roast me", None, "action_clarify"),  # about the person, not about work
    ("which one suits a fast typist?", ["customer_service_executive", "data_entry_operator"], "action_clarify"),
    ("which one of these jobs suits me?", ["customer_service_executive", "data_entry_operator"], None),
    ("/find_role", ["itil"], None),  # the button
])
def test_the_role_finder_starts_only_for_a_message_about_work(text, listed, expected):
    context = [SlotSet("listed", listed)] if listed else []
    assert GUARD.next_action(tracker(*context, said("find_role", text)), DOMAIN) == expected
