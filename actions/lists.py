"""Picking an item from the list the bot showed last ("tell me about the second one")."""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, KNOWLEDGE, reply, text_of
from bot.ordinals import position
from bot.references import several_items


class ActionSelectItem(Action):
    def name(self) -> str:
        return "action_select_item"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        words = [e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "position"]
        picked = next((p for p in map(position, words) if p is not None), None)
        if picked is None:
            picked = position(tracker.latest_message.get("text"))
        listed = tracker.get_slot("listed") or []
        chosen = several_items(text_of(tracker), [e for e in map(KNOWLEDGE.get, listed) if e is not None])
        if chosen:  # "compare the last two": those items side by side
            return reply(dispatcher, tracker, COMPOSER.compare(chosen))
        return reply(dispatcher, tracker, COMPOSER.select(listed, picked if picked is not None else 0))
