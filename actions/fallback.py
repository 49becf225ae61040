"""Messages the guide cannot answer, and messages NLU is unsure of or that make no sense where said."""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, ENTITY_OF, INDEX, KNOWLEDGE, mentioned, reply, text_of
from actions.role_finder import FINDER
from bot.answers import TOPIC_SLOT
from bot.unsure import Clarifier

CLARIFIER = Clarifier(COMPOSER, INDEX, FINDER)


class ActionNotCovered(Action):
    """Career questions outside the guide (pay, dates, visas...): say so, never guess."""

    def name(self) -> str:
        return "action_not_covered"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        return reply(dispatcher, tracker, COMPOSER.not_covered(text_of(tracker)))


class ActionDecline(Action):
    """Off-topic messages: a polite decline; one that asks what the guide leaves out (pay, fees,
    dates) hears that the guide doesn't cover it, which is the more useful answer, and a bare "ok"
    gets the friendly "anything I can help with?"."""

    def name(self) -> str:
        return "action_decline"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        text = text_of(tracker)
        if CLARIFIER.acknowledges(text):
            return reply(dispatcher, tracker, CLARIFIER.anything_else())
        if KNOWLEDGE.not_covered_in(text) is not None or KNOWLEDGE.speaks_of_the_field(text):
            return reply(dispatcher, tracker, COMPOSER.not_covered(text))
        dispatcher.utter_message(response="utter_out_of_scope")
        return []


class ActionClarify(Action):
    """NLU was unsure, or a context intent came without its context (bot/policies/turn_guard.py):
    answer from the knowledge file's second opinion, offer "did you mean", or decline (bot/unsure.py)."""

    def name(self) -> str:
        return "action_clarify"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        ranking = [(r.get("name") or "", float(r.get("confidence") or 0))
                   for r in tracker.latest_message.get("intent_ranking") or []]
        if not ranking and tracker.latest_message.get("intent"):
            intent = tracker.latest_message["intent"]
            ranking = [(intent.get("name") or "", float(intent.get("confidence") or 0))]
        entities = {}
        for entity in ENTITY_OF.values():
            entry = mentioned(tracker, [entity])
            if entry is not None:
                entities[entity] = entry.id
        focus = KNOWLEDGE.get(tracker.get_slot(TOPIC_SLOT) or "")
        focus = focus if focus is not None and focus.kind != "not_covered" else None
        listed = [e for e in (KNOWLEDGE.get(i) for i in tracker.get_slot("listed") or []) if e is not None]
        return reply(dispatcher, tracker, CLARIFIER.reply(text_of(tracker), ranking, entities, focus, listed))
