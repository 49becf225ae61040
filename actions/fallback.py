"""Messages the guide cannot answer: known gaps, unsure classifications."""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, mentioned, reply

FALLBACK_INTENT = "nlu_fallback"
# Below this confidence an intent is a guess, not a candidate: gibberish scores ~0.1 on every intent.
SUGGEST_FLOOR = 0.2


class ActionNotCovered(Action):
    """Career questions outside the guide (pay, dates, visas...): say so, never guess."""

    def name(self) -> str:
        return "action_not_covered"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        return reply(dispatcher, tracker, COMPOSER.not_covered(tracker.latest_message.get("text") or ""))


class ActionClarify(Action):
    """NLU was unsure: offer the two likeliest answerable questions as buttons, else redirect."""

    def name(self) -> str:
        return "action_clarify"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        intents = [r["name"] for r in ranking
                   if r.get("name") != FALLBACK_INTENT and r.get("confidence", 0) >= SUGGEST_FLOOR][:2]
        entities = {}
        for entity in ("role", "certification"):
            entry = mentioned(tracker, [entity])
            if entry is not None:
                entities[entity] = entry.id
        return reply(dispatcher, tracker, COMPOSER.did_you_mean(intents, entities))
