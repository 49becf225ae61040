"""NLU reads a follow-up twice: as typed, and rewritten with the entry in focus named.

The first component runs before the tokenizer. It sees the conversation (Rasa hands the tracker to an
NLU component whose `process` asks for one), takes the entry the last answer was about (the `topic`
slot), and adds a second message to the batch: the text rewritten by bot/context_rewrite.py ("what
skill is most needed for it" -> "... for Data Entry Operator"). Every later component reads both
messages as usual. The last component, after FallbackClassifier, takes the second one out again and
keeps what NLU made of it on the first, under `context_reading` (its text, intent, ranking and
entities), where bot/references.py compares the two readings. So the message Rasa logs and acts on is
the one the person typed; the rewritten one only adds an opinion.

Nothing is rewritten with no entry in focus (a new conversation, `/model/parse`), while the role
finder asks its questions (a form is active), for a button's payload, for a message that names an
entry itself, or after a topic that shows a list (bot/references.py reads the rewrite in neither case).

config.yml:   - name: bot.nlu.contextual_reading.ContextualRewriter   (after TextNormaliser)
              ...
              - name: bot.nlu.contextual_reading.ContextualReadingCollector   (last)
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.context_rewrite import with_focus
from bot.knowledge import DEFAULT_PATH, Entry, Knowledge, load

# On the added message: the position of the message it rewrites.
REWRITE_OF = "rewrite_of"
# On the typed message, in NLU's output: what NLU made of the rewritten one.
CONTEXT_READING = "context_reading"
TOPIC_SLOT = "topic"
# Entries of these kinds are never "in focus" for a rewrite: a declined subject, the role finder.
NOT_A_FOCUS = {"not_covered"}


@lru_cache(maxsize=4)
def knowledge(path: str) -> Knowledge:
    return load(path)


def in_focus(tracker: Optional[DialogueStateTracker], kb: Knowledge) -> Optional[Entry]:
    """The entry the conversation is about, or None (no tracker, a form asking, nothing answered yet)."""
    if tracker is None or tracker.active_loop_name:
        return None
    entry = kb.get(tracker.get_slot(TOPIC_SLOT) or "")
    return entry if entry is not None and entry.kind not in NOT_A_FOCUS else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ContextualRewriter(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ContextualRewriter":
        # Read the knowledge file at start-up, not on the first person's message.
        return cls(knowledge(os.environ.get("BPO_KNOWLEDGE_FILE", str(DEFAULT_PATH))))

    def __init__(self, kb: Optional[Knowledge] = None) -> None:
        self.kb = kb

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples have no conversation: unchanged."""
        return training_data

    def process(self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        """`messages` plus, for each, its rewrite with the entry in focus named, when there is one."""
        kb = self.kb or knowledge(os.environ.get("BPO_KNOWLEDGE_FILE", str(DEFAULT_PATH)))
        focus = in_focus(tracker, kb)
        # bot/references.py reads the rewrite only for a message that names no entry, about an entry
        # that shows no list: skipping the others spares most turns a second pass through NLU.
        if focus is None or focus.get("lists"):
            return messages
        added = []
        for position, message in enumerate(messages):
            if kb.names_an_entry(message.get(TEXT) or ""):
                continue
            rewritten = with_focus(message.get(TEXT) or "", focus)
            if rewritten:
                added.append(Message(data={TEXT: rewritten, REWRITE_OF: position}))
        return messages + added


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ContextualReadingCollector(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ContextualReadingCollector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """The typed messages only, each with what NLU made of its rewrite under `context_reading`."""
        typed = [m for m in messages if m.get(REWRITE_OF) is None]
        for message in messages:
            position = message.get(REWRITE_OF)
            if position is not None and 0 <= position < len(typed):
                typed[position].set(CONTEXT_READING, {
                    TEXT: message.get(TEXT),
                    INTENT: message.get(INTENT),
                    INTENT_RANKING_KEY: message.get(INTENT_RANKING_KEY) or [],
                    ENTITIES: message.get(ENTITIES) or [],
                }, add_to_output=True)
        return typed
