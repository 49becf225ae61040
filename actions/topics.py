"""Answer a topic question (what BPO is, shifts, the list of roles...)."""
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (COMPOSER, ENTITY_OF, INDEX, KNOWLEDGE, intent_of, mentioned, mentioned_all, reply,
                            text_of, work_type_meant)
from bot.knowledge import Entry
from bot.references import COMPARISON
from bot.text import refers_back


# How clearly a question must point at one item of the topic's list to get that item's answer
# ("what does customer-centric mindset mean?" asks about one skill, not the list of six).
ITEM_FLOOR = 0.25
ITEM_MARGIN = 0.15
# A topic asked about a named role is that role's version of it ("skills for a DEO").
ROLE_VERSIONS = {"skills": "role_skills", "certifications": "role_certifications", "growth_roles": "career_path"}


class ActionAnswerTopic(Action):
    """ask_<topic> intents: the topic's text; a named item of the topic's list is described instead,
    and a topic asked about a named role gets that role's version."""

    def name(self) -> str:
        return "action_answer_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        intent = intent_of(tracker)
        topic = KNOWLEDGE.topic(intent.removeprefix("ask_"))
        if topic is None:
            return reply(dispatcher, tracker, COMPOSER.redirect())
        role = mentioned(tracker, ["role"])
        if role is None and refers_back(text_of(tracker)):  # "what skills do I need for it?"
            role = KNOWLEDGE.find(tracker.get_slot("role"), kinds=["roles"])
        if role is not None and topic.id in ROLE_VERSIONS:
            return reply(dispatcher, tracker, getattr(COMPOSER, ROLE_VERSIONS[topic.id])(role))
        work = work_type_meant(tracker)
        if work is not None and topic.id == "skills":  # "what skill is essential there?" after non-voice
            return reply(dispatcher, tracker, COMPOSER.work_skills(work))
        listed = topic.get("lists", "")
        item = self.item_asked(tracker, "roles" if listed.startswith("roles_") else listed)
        return reply(dispatcher, tracker, COMPOSER.describe(item) if item else COMPOSER.topic(topic))

    @staticmethod
    def item_asked(tracker: Tracker, kind: str) -> Optional[Entry]:
        """The item of a listed collection the message names, or clearly describes. Of the two kinds of
        work only the one named counts, and not when both are named or it is compared with the other
        ("calls vs backend work", "diff btwn voice n nonvoice"): their descriptions share words that a
        question uses either way ("is there work where I don't have to talk to customers?" reads like
        voice work)."""
        if kind not in ENTITY_OF:
            return None
        if kind == "work_types":
            named_all = mentioned_all(tracker, [ENTITY_OF[kind]])
            return None if len(named_all) != 1 or COMPARISON.search(text_of(tracker)) else named_all[0]
        named = mentioned(tracker, [ENTITY_OF[kind]])
        return named or INDEX.best(text_of(tracker), kinds=[kind], floor=ITEM_FLOOR, margin=ITEM_MARGIN)
