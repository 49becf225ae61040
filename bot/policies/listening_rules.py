"""Rasa's RulePolicy, reading a user message as heard even where the turn before never ended.

Conversations stored before bot/policies/turn_guard.py existed can end with a turn that never reached
`action_listen` (the fallback action repeated until Rasa's limit). A new message in such a
conversation follows that action directly, so RulePolicy's rules, which all begin with "listen, then
the user's intent", matched "after the fallback action, listen" instead, and the conversation stayed
silent for good. Here a prediction for such a tracker is made on a copy with the missing
`action_listen` put back before the latest user message; the stored conversation is not changed.
Everything else is RulePolicy as configured.

config.yml:   - name: bot.policies.listening_rules.ListeningRulePolicy   (RulePolicy's options)
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def heard(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    """`tracker`, or a copy of it with `action_listen` put back before its latest user message when
    the action before that message was another one. Trackers without that gap are returned as they are.
    """
    seen_user = False
    for event in reversed(tracker.events):  # from the end: a turn is a few events, a tracker thousands
        if isinstance(event, UserUttered) and not seen_user:
            seen_user = True
        elif seen_user and isinstance(event, ActionExecuted):
            if event.action_name == ACTION_LISTEN_NAME:
                return tracker
            break
    if not seen_user:
        return tracker
    events = list(tracker.events)
    index = max(i for i, e in enumerate(events) if isinstance(e, UserUttered))
    if not any(isinstance(e, ActionExecuted) for e in events[:index]):
        return tracker
    events.insert(index, ActionExecuted(ACTION_LISTEN_NAME, timestamp=events[index].timestamp))
    return DialogueStateTracker.from_events(tracker.sender_id, events, slots=domain.slots,
                                            max_event_history=tracker._max_event_history)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class ListeningRulePolicy(RulePolicy):
    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        return super().predict_action_probabilities(heard(tracker, domain), domain, rule_only_data, **kwargs)
