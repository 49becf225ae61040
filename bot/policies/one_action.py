"""What the bot's own dialogue policies share: nothing to learn, and at each step either one action
they insist on or no opinion (the other policies decide)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker


class OneActionPolicy(Policy):
    """Subclasses say which action must come next, or None, in `next_action`."""

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def next_action(self, tracker: DialogueStateTracker, domain: Domain) -> Optional[str]:
        """The action that must come next in `tracker`'s conversation, or None for no opinion."""
        raise NotImplementedError

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self.next_action(tracker, domain)
        if action is None:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        # Marked as not depending on the user's message, like RulePolicy's predictions for an active
        # form: those overrule every other kind, so a prediction of another kind would lose to them.
        return self._prediction(probabilities, is_no_user_prediction=True)
