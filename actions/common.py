"""What every action shares: the loaded knowledge, entity resolution and sending an Answer."""
from __future__ import annotations

import logging
import os
import sys
from typing import Any, Dict, Iterable, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import ROLE_QUESTION_SLOT, TOPIC_SLOT, Answer, Composer  # noqa: F401 (the actions' slot name)
from bot.context_rewrite import points_back
from bot.feedback import new_answer_metadata
from bot.knowledge import DEFAULT_PATH, ENTITY_OF, Entry, KnowledgeError, load
from bot.retrieval import EntryIndex
from bot.unsure import DESCRIBED_ROLE_FLOOR, DESCRIBED_ROLE_MARGIN

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
INDEX = EntryIndex(KNOWLEDGE)
KIND_OF_ENTITY = {entity: kind for kind, entity in ENTITY_OF.items()}


def intent_of(tracker: Tracker) -> str:
    """The intent NLU (or a button payload) gave the latest message."""
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def text_of(tracker: Tracker) -> str:
    """The latest message as NLU read it (normalised), '' for none."""
    return tracker.latest_message.get("text") or ""


def mentioned_all(tracker: Tracker, entities: Iterable[str]) -> List[Entry]:
    """Every entry the latest message names through one of `entities`, in order, each once."""
    wanted, found = list(entities), []
    for entity in tracker.latest_message.get("entities") or []:
        name = entity.get("entity")
        if name in wanted:
            entry = KNOWLEDGE.find(entity.get("value"), kinds=[KIND_OF_ENTITY[name]])
            if entry is not None and entry not in found:
                found.append(entry)
    return found


def mentioned(tracker: Tracker, entities: Iterable[str]) -> Optional[Entry]:
    """The first entry the latest message names through one of `entities`."""
    found = mentioned_all(tracker, entities)
    return found[0] if found else None


def in_focus(tracker: Tracker, entity: str, described: bool = False) -> Optional[Entry]:
    """The entry the user means: named in this message, else (with `described`) the one whose
    duties the message describes ("who checks calls for quality?"), else the one discussed last."""
    kind = KIND_OF_ENTITY[entity]
    named = mentioned(tracker, [entity])
    if named is not None:
        return named
    if described:
        match = INDEX.best(text_of(tracker), kinds=[kind], floor=DESCRIBED_ROLE_FLOOR, margin=DESCRIBED_ROLE_MARGIN)
        if match is not None:
            return match
    return KNOWLEDGE.find(tracker.get_slot(entity), kinds=[kind])


def work_type_meant(tracker: Tracker) -> Optional[Entry]:
    """The kind of work (voice, non-voice) the latest message names, or points back at ("what skill
    is essential there?") when one is in focus; None otherwise."""
    named = mentioned(tracker, ["work_type"])
    if named is not None:
        return named
    focus = KNOWLEDGE.get(tracker.get_slot(TOPIC_SLOT) or "")
    return focus if focus is not None and focus.kind == "work_types" and points_back(text_of(tracker)) else None


def send(dispatcher: CollectingDispatcher, answer: Answer) -> List[Dict[str, Any]]:
    """Utter the answer and return the slot events it asks for. A guide answer (one about an entry
    or topic) carries an answer id in its metadata, so channels can offer 👍/👎 (bot/feedback.py)."""
    buttons = [{"title": b.title, "payload": b.payload} for b in answer.buttons]
    rateable = new_answer_metadata(answer.subject) if answer.subject else {}
    dispatcher.utter_message(text=answer.text, buttons=buttons, **rateable)
    return [SlotSet(name, value) for name, value in answer.slots.items()]


def reply(dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer) -> List[Dict[str, Any]]:
    """Send an answer to a question asked outside any form; a question asked in the middle of
    the role finder ends it politely instead of re-asking its question afterwards. A part of the
    question the guide doesn't cover ("is the course costly?") is said to be so."""
    answer = COMPOSER.note_not_covered(answer, text_of(tracker))
    # A slot set again to the value it has changes nothing but the length of the conversation, which
    # Rasa reads back and sends to this server on every turn (docs/benchmarks.md).
    events = [e for e in send(dispatcher, answer)
              if not (e.get("event") == "slot" and tracker.get_slot(e["name"]) == e["value"])]
    if tracker.active_loop.get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events
