"""Answer a topic question (what BPO is, shifts, the list of roles...)."""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, ENTITY_OF, KNOWLEDGE, intent_of, mentioned, reply


class ActionAnswerTopic(Action):
    """ask_<topic> intents: the topic's text; a named item of the topic's list is described instead."""

    def name(self) -> str:
        return "action_answer_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        intent = intent_of(tracker)
        topic = KNOWLEDGE.topic(intent.removeprefix("ask_"))
        if topic is None:
            return reply(dispatcher, tracker, COMPOSER.redirect())
        listed_kind = topic.get("lists", "").split("_")[0]
        item = mentioned(tracker, [ENTITY_OF[listed_kind]]) if listed_kind in ENTITY_OF else None
        return reply(dispatcher, tracker, COMPOSER.describe(item) if item else COMPOSER.topic(topic))
