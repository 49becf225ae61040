"""What every action shares: the loaded knowledge, entity resolution and sending an Answer."""
from __future__ import annotations

import logging
import os
import sys
from typing import Any, Dict, Iterable, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Answer, Composer
from bot.knowledge import DEFAULT_PATH, ENTITY_OF, Entry, KnowledgeError, load

logger = logging.getLogger(__name__)

KNOWLEDGE_PATH = os.environ.get("BPO_KNOWLEDGE_FILE", str(DEFAULT_PATH))

try:
    KNOWLEDGE = load(KNOWLEDGE_PATH)
except KnowledgeError as error:
    # The action server must not serve answers from a broken file: say why and stop.
    logger.critical("Invalid knowledge file, refusing to start: %s", error)
    print(f"Invalid knowledge file, refusing to start: {error}", file=sys.stderr)
    raise SystemExit(2)

COMPOSER = Composer(KNOWLEDGE)
KIND_OF_ENTITY = {entity: kind for kind, entity in ENTITY_OF.items()}


def intent_of(tracker: Tracker) -> str:
    """The intent NLU (or a button payload) gave the latest message."""
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def mentioned(tracker: Tracker, entities: Iterable[str]) -> Optional[Entry]:
    """The first entry the latest message names through one of `entities`."""
    wanted = list(entities)
    for found in tracker.latest_message.get("entities") or []:
        name = found.get("entity")
        if name in wanted:
            entry = KNOWLEDGE.find(found.get("value"), kinds=[KIND_OF_ENTITY[name]])
            if entry is not None:
                return entry
    return None


def in_focus(tracker: Tracker, entity: str) -> Optional[Entry]:
    """The entry the user means: named in this message, else the one discussed last (slot)."""
    return mentioned(tracker, [entity]) or KNOWLEDGE.find(
        tracker.get_slot(entity), kinds=[KIND_OF_ENTITY[entity]]
    )


def send(dispatcher: CollectingDispatcher, answer: Answer) -> List[Dict[str, Any]]:
    """Utter the answer and return the slot events it asks for."""
    buttons = [{"title": b.title, "payload": b.payload} for b in answer.buttons]
    dispatcher.utter_message(text=answer.text, buttons=buttons)
    return [SlotSet(name, value) for name, value in answer.slots.items()]


def reply(dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer) -> List[Dict[str, Any]]:
    """Send an answer to a question asked outside any form; a question asked in the middle of
    the role finder ends it politely instead of re-asking its question afterwards."""
    events = send(dispatcher, answer)
    if tracker.active_loop.get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events
