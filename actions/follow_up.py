"""Follow-ups with no question of their own ("how come?", "tell me more", "and for a TSA?", "which one
suits a fast typist?"): answered about the entry in focus, the one the last answer was about."""
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (COMPOSER, ENTITY_OF, INDEX, KNOWLEDGE, ROLE_QUESTION_SLOT, mentioned, reply,
                            text_of)
from actions.role_finder import FINDER, profile_of
from bot.answers import TOPIC_SLOT
from bot.knowledge import ROLE_FINDER
from bot.references import Reference, Resolver, answer_intent
from bot.unsure import LIST_ITEM_FLOOR, LIST_ITEM_MARGIN, ROLE_ANSWERS

RESOLVER = Resolver(KNOWLEDGE, INDEX)


def reference_in(tracker: Tracker) -> Optional[Reference]:
    """What the latest message refers back to: the same call as bot/policies/reference_policy.py's,
    which sent the turn here."""
    return RESOLVER.resolve_message(text_of(tracker), tracker.latest_message, tracker.get_slot)


class ActionFollowUp(Action):
    def name(self) -> str:
        return "action_follow_up"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        reference = reference_in(tracker)
        if reference is not None:
            question = answer_intent(reference)
            if reference.others:
                return reply(dispatcher, tracker, COMPOSER.compare([reference.entry, *reference.others]))
            if not question:
                return reply(dispatcher, tracker, COMPOSER.describe(reference.entry))
            return reply(dispatcher, tracker, getattr(COMPOSER, ROLE_ANSWERS[question])(reference.entry))
        named = mentioned(tracker, ENTITY_OF.values())
        if named is not None:
            # "and for a TSA?": the question asked last, about the entry named now.
            asked = tracker.get_slot(ROLE_QUESTION_SLOT)
            if named.kind == "roles" and asked in ROLE_ANSWERS:
                return reply(dispatcher, tracker, getattr(COMPOSER, ROLE_ANSWERS[asked])(named))
            return reply(dispatcher, tracker, COMPOSER.describe(named))
        focus = tracker.get_slot(TOPIC_SLOT)
        if focus == ROLE_FINDER:
            return reply(dispatcher, tracker, FINDER.recommend(profile_of(tracker)))
        item = INDEX.best(text_of(tracker), ids=tracker.get_slot("listed") or [], floor=LIST_ITEM_FLOOR,
                          margin=LIST_ITEM_MARGIN)
        if item is not None:
            return reply(dispatcher, tracker, COMPOSER.describe(item))
        entry = KNOWLEDGE.get(focus or "")
        if entry is None or entry.kind == "not_covered":
            return reply(dispatcher, tracker, COMPOSER.redirect())
        return reply(dispatcher, tracker, COMPOSER.describe(entry))
