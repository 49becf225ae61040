"""Tell the user when an answer could not be looked up because the action server is unreachable.

When Rasa 3.6 cannot reach the action server it logs the error, records the action as run with no
events, and goes on predicting; the rule for the question is complete, so it listens again and the
user gets nothing. Every custom action of this bot sends a message, so a custom action that left no
event at all in a live conversation means the action server was not reached. The same holds for a
form: its validation and its questions are custom actions, and a form run that worked always leaves
something (the slots, the next question, or the end of the loop), while one that could not reach
the action server leaves nothing. The form stays active, so once the server is back the person's
answer fills the question still pending. This policy then
predicts a response from domain.yml (sent by the Rasa server itself, so it needs no action server),
and after it, listening. The next message is handled normally, so once the action server is back
the next question is answered.

An action server that accepts the connection but does not answer (overloaded, paused, deadlocked)
counts the same once `action_timeout` seconds have passed: Rasa 3.6 waits 5 minutes for a custom
action (rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT, passed on every call), and the person hears
nothing meanwhile. Loading this policy lowers that wait; the timed-out action leaves no events, so
the apology follows and the turn ends listening.

config.yml:   - name: bot.policies.action_server_down.ActionServerDownPolicy
Options: `response` (default utter_cannot_look_up), `priority` (default just above RulePolicy, so its
"the rule is done, listen" doesn't win the tie at confidence 1.0), `action_timeout` (seconds,
default 10; the environment variable ACTION_TIMEOUT_SECONDS overrides it).
"""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, Optional, Text

import rasa.core.actions.action as rasa_actions
from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from bot.policies.one_action import OneActionPolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, DEFAULT_ACTION_NAMES
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

RESPONSE = "response"
ACTION_TIMEOUT = "action_timeout"
ACTION_TIMEOUT_ENV = "ACTION_TIMEOUT_SECONDS"

logger = logging.getLogger(__name__)


def bound_action_wait(seconds: float) -> None:
    """Make Rasa give up on a custom action after `seconds` instead of 300.

    Rasa reads the module constant on every call (RemoteAction.run and the forms' validation), so
    setting it once in the server process is enough.
    """
    rasa_actions.DEFAULT_REQUEST_TIMEOUT = seconds


def is_custom(action: Optional[Text], domain: Domain) -> bool:
    """An action that needs the action server: a custom action, or a form (its validation and
    questions are custom actions); not a response or one of Rasa's own."""
    if not action or action in DEFAULT_ACTION_NAMES or action.startswith("utter_"):
        return False
    return action in domain.user_actions or action in domain.form_names


def is_live(tracker: DialogueStateTracker) -> bool:
    """Channels give every incoming message an id; trackers replayed from stories (training,
    `rasa test`) have none and never reach an action server, so they must not count."""
    return bool(getattr(tracker.latest_message, "message_id", None))


def left_nothing(tracker: DialogueStateTracker, domain: Domain) -> bool:
    """The last event is a custom action or form that left no event at all in a live conversation:
    the action server could not be reached (or did not answer in time)."""
    last = tracker.events[-1] if tracker.events else None
    return isinstance(last, ActionExecuted) and is_custom(last.action_name, domain) and is_live(tracker)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ActionServerDownPolicy(OneActionPolicy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {POLICY_PRIORITY: RULE_POLICY_PRIORITY + 1, RESPONSE: "utter_cannot_look_up", ACTION_TIMEOUT: 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, featurizer: Any = None) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        seconds = float(os.environ.get(ACTION_TIMEOUT_ENV) or self.config[ACTION_TIMEOUT])
        bound_action_wait(seconds)
        logger.debug("Custom actions time out after %s s", seconds)

    def next_action(self, tracker: DialogueStateTracker, domain: Domain) -> Optional[str]:
        response = self.config[RESPONSE]
        if response not in domain.action_names_or_texts:
            return None
        # The apology ends with its BotUttered event, so look at the last action, not the last event.
        # Both predictions overrule RulePolicy's for an active form (bot/policies/one_action.py): else
        # the form would be run again at once (and fail again) instead of the apology, or instead of
        # listening after it.
        if tracker.latest_action_name == response:
            return ACTION_LISTEN_NAME
        if left_nothing(tracker, domain):
            return response
        return None
