"""Every turn ends listening: the guard that makes it so, whatever NLU predicted.

The dialogue of this bot is "a message in, one answer out": each intent's rule runs one answer
action, and only the role finder chains a few (its intro, then the form; the form, then the
recommendation). Rasa 3.6 itself does not enforce that a turn ends: with no rule for the situation
(a "yes" when nothing was asked) RulePolicy's fallback action was predicted again and again until
Rasa's limit of 10, and the turn never reached `action_listen`, which left that conversation silent
for good. This policy states the shape of a turn instead of listing the situations:

1. **Context intents act only in their context.** An intent that answers something (a yes/no, "the
   second one", facts about oneself, "how come?") is only meaningful where that something exists:
   a question pending in a form, a list shown, the role finder in use, a topic in focus. Elsewhere
   the message is treated as unsure (`unsure_action`), which answers it or declines politely. So is
   a payload naming an intent the bot doesn't have ("/start"), which Rasa hands to NLU to guess.
2. **After the turn's answer, listen.** Once an action that is not known to continue the turn has
   run (a form, or one of `continuing_actions`, continues it), the next action is `action_listen`.
3. **A bound.** After `max_actions` actions in one turn the turn ends, whatever was predicted.
4. **Interjections interrupt nothing.** An intent listed in `interjections` (a 👍/👎 rating), sent
   as a payload, runs its action in any state, a form's pending question included; that action
   reverts its own turn, so the form, the list on screen and the topic are as they were before it.
   Typed in words ("thumbs down"), the intent is only NLU's guess: the message is treated as unsure.

When the action server was unreachable the last action left no events; the guard then stays out
of the way of ActionServerDownPolicy, which apologises first (and listens after that).

Predictions are marked as not depending on the user's message (bot/policies/one_action.py), like
RulePolicy's predictions for an active form: those overrule all others, so the guard's "listen" must
be of the same kind to win.

config.yml:   - name: bot.policies.turn_guard.TurnGuardPolicy
Options: `unsure_action`, `continuing_actions`, `max_actions`, `interjections` (intent -> action),
`contexts` (intent -> list of
conditions, any of which is the context: `{active_loop: true}`, `{slot: name}` (set and not empty),
`{slot: name, equals: value}`, `{unset: name}` (empty), `{text: regex}` (the message matches),
`{all: [condition, ...]}` (every one of them holds)),
`priority` (default above ActionServerDownPolicy and RulePolicy).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Text

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.action_server_down import left_nothing
from bot.policies.one_action import OneActionPolicy

Condition = Mapping[str, Any]
PAYLOAD = re.compile(r"^/(\w+)")


def actions_this_turn(tracker: DialogueStateTracker) -> Optional[List[str]]:
    """Names of the actions run since the latest user message, oldest first; None before any."""
    names: List[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return list(reversed(names))
        if isinstance(event, ActionExecuted) and event.action_name:
            names.append(event.action_name)
    return None


def in_context(tracker: DialogueStateTracker, conditions: List[Condition]) -> bool:
    """True if any of `conditions` holds for `tracker` (see the module docstring for their form)."""
    text = (tracker.latest_message.text or "") if tracker.latest_message else ""
    for condition in conditions:
        if "all" in condition and all(in_context(tracker, [part]) for part in condition["all"]):
            return True
        if condition.get("active_loop") and tracker.active_loop_name:
            return True
        if "unset" in condition and tracker.get_slot(condition["unset"]) in (None, "", [], {}):
            return True
        if "text" in condition and re.search(condition["text"], text):
            return True
        slot = condition.get("slot")
        if slot:
            value = tracker.get_slot(slot)
            if "equals" in condition and value == condition["equals"]:
                return True
            if "equals" not in condition and value not in (None, "", [], {}):
                return True
    return False


def message_text(tracker: DialogueStateTracker) -> str:
    return ((tracker.latest_message.text or "") if tracker.latest_message else "").strip()


def broken_payload(tracker: DialogueStateTracker, intent: Optional[str]) -> bool:
    """The message looks like a button payload ("/ask_role{...}") but names another intent than the
    one it got: an unknown intent ("/start", "/no_such_intent") that Rasa left to NLU to guess."""
    match = PAYLOAD.match(message_text(tracker))
    return bool(match) and match.group(1) != intent


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class TurnGuardPolicy(OneActionPolicy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            POLICY_PRIORITY: RULE_POLICY_PRIORITY + 2,
            "unsure_action": "action_clarify",
            "continuing_actions": [],
            "max_actions": 4,
            "interjections": {},
            "contexts": {},
        }

    def next_action(self, tracker: DialogueStateTracker, domain: Domain) -> Optional[str]:
        """The action the guard insists on, or None to leave the choice to the other policies."""
        done = actions_this_turn(tracker)
        if done is None:
            return None
        if not done:
            intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
            interjection = self.config["interjections"].get(intent)
            if interjection in domain.action_names_or_texts:
                # Only as a payload (a button, or a typed "/helpful"): NLU tells "thumbs up" from
                # "thumbs down" too unreliably to store what it guessed, so typed words are unsure.
                return interjection if PAYLOAD.match(message_text(tracker)) else self.config["unsure_action"]
            conditions = self.config["contexts"].get(intent)
            unsure = self.config["unsure_action"]
            out_of_context = bool(conditions) and not in_context(tracker, conditions)
            if (out_of_context or broken_payload(tracker, intent)) and unsure in domain.action_names_or_texts:
                return unsure
            return None
        if len(done) >= self.config["max_actions"]:
            return ACTION_LISTEN_NAME
        if left_nothing(tracker, domain):
            return None  # ActionServerDownPolicy apologises first
        last = done[-1]
        if last in domain.form_names or last in self.config["continuing_actions"]:
            return None
        return ACTION_LISTEN_NAME
