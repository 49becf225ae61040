"""The message's own words before NLU's guess: follow-ups that point back at the conversation, and
comparisons of two entries named side by side, go to `action_follow_up`.

NLU is often sure of the wrong thing when a message leans on context: "who wrote the second one"
scores 0.99 out of scope, "why is the first one important" 0.63 the degree FAQ, "and TSA" 0.98
"what is a TSA?" after a question about certifications. RulePolicy would then run that intent's
answer. This policy asks bot/references.py whether the message refers back (an ordinal or "which of
those" with a list on screen, a short "and for X?", a pronoun echoing the entry in focus) or compares
two entries ("The BPO Revolution or Call Center Fundamentals?", which NLU reads as one book); if so the
turn goes to `action_follow_up`, which asks the same function for the answer. It stays out of the
role finder's questions (a form), of button payloads, and of every turn's later steps.

config.yml:   - name: bot.policies.reference_policy.ReferencePolicy
Options: `follow_up_action` (default action_follow_up), `priority` (default above TurnGuardPolicy,
so that "which one suits a fast typist?" with a list on screen is answered, not treated as unsure).
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Any, Dict, Optional, Text

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.knowledge import DEFAULT_PATH, load
from bot.policies.one_action import OneActionPolicy
from bot.policies.turn_guard import actions_this_turn, message_text
from bot.references import Reference, Resolver
from bot.retrieval import EntryIndex

logger = logging.getLogger(__name__)
FOLLOW_UP_INTENTS = {"select_item", "ask_more"}


@lru_cache(maxsize=1)
def resolver(path: str) -> Resolver:
    """One resolver per knowledge file, built on first use (a few milliseconds)."""
    knowledge = load(path)
    return Resolver(knowledge, EntryIndex(knowledge))


def reference_in(tracker: DialogueStateTracker, path: Optional[str] = None) -> Optional[Reference]:
    """What the latest message refers back to (bot/references.py), or None."""
    if tracker.latest_message is None:
        return None
    found = resolver(path or os.environ.get("BPO_KNOWLEDGE_FILE", str(DEFAULT_PATH)))
    return found.resolve_message(message_text(tracker), tracker.latest_message.parse_data, tracker.get_slot)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ReferencePolicy(OneActionPolicy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {POLICY_PRIORITY: RULE_POLICY_PRIORITY + 3, "follow_up_action": "action_follow_up"}

    def next_action(self, tracker: DialogueStateTracker, domain: Domain) -> Optional[str]:
        action = self.config["follow_up_action"]
        if actions_this_turn(tracker) != [] or tracker.active_loop_name or action not in domain.action_names_or_texts:
            return None
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        # NLU already read it as a follow-up: the rules send it to the action that answers it.
        reference = None if intent in FOLLOW_UP_INTENTS else reference_in(tracker)
        if reference is None:
            return None
        logger.debug("Follow-up (%s): %s", reference.why, reference.entry.id)
        return action
