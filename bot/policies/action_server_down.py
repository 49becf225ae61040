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

config.yml:   - name: bot.policies.action_server_down.ActionServerDownPolicy
Options: `response` (default utter_cannot_look_up), `priority` (default just above RulePolicy, so its
"the rule is done, listen" doesn't win the tie at confidence 1.0).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, DEFAULT_ACTION_NAMES
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

RESPONSE = "response"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ActionServerDownPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {POLICY_PRIORITY: RULE_POLICY_PRIORITY + 1, RESPONSE: "utter_cannot_look_up"}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        response = self.config[RESPONSE]
        probabilities = self._default_predictions(domain)
        last = tracker.events[-1] if tracker.events else None
        if response not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        # The apology ends with its BotUttered event, so look at the last action, not the last event.
        if tracker.latest_action_name == response:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        elif isinstance(last, ActionExecuted) and self._is_custom(last.action_name, domain) and self._is_live(tracker):
            probabilities[domain.index_for_action(response)] = 1.0
        else:
            return self._prediction(probabilities)
        # Marked as not depending on the user's message, like RulePolicy's predictions for an active
        # form: those overrule every other kind, so otherwise the form would be run again at once
        # (and fail again) instead of the apology, or instead of listening after it.
        return self._prediction(probabilities, is_no_user_prediction=True)

    @staticmethod
    def _is_custom(action: Optional[Text], domain: Domain) -> bool:
        """An action that needs the action server: a custom action, or a form (its validation and
        questions are custom actions); not a response or one of Rasa's own."""
        if not action or action in DEFAULT_ACTION_NAMES or action.startswith("utter_"):
            return False
        return action in domain.user_actions or action in domain.form_names

    @staticmethod
    def _is_live(tracker: DialogueStateTracker) -> bool:
        # Channels give every incoming message an id; trackers replayed from stories (training,
        # `rasa test`) have none and never reach an action server, so they must not match.
        return bool(getattr(tracker.latest_message, "message_id", None))
