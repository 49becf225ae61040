"""A long message that tells a story and then asks is read for its question too.

"Good evening. I have worked in retail sales for three years and am considering a move into BPO.
Which entry-level positions would be appropriate?" asks for the entry roles; read whole, the story's
words (retail, move) pull it towards the FAQ on moving to other industries. The first component
(before the tokenizer) adds the message's question sentence to the batch as a message of its own;
every later component reads it as usual. The second (after the intent classifiers, before
FallbackClassifier) takes it out again and, when NLU is clearly surer of what the question asks
than of the whole message, gives the whole message the question's intent and ranking. Its entities
stay those found in the whole message, so the story still says which role or skill is meant.

config.yml:   - name: bot.nlu.question_reading.QuestionSplitter   (after ContextualRewriter)
              ...
              - name: bot.nlu.question_reading.QuestionReadingCollector   (before FallbackClassifier)
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.contextual_reading import REWRITE_OF

# On the added message: the position of the typed message whose question it is.
QUESTION_OF = "question_of"
# On the typed message, in NLU's output: the question sentence and what NLU made of it, when its
# intent was taken.
QUESTION_READING = "question_reading"
# Shorter messages are one question already.
MIN_WORDS = 15
# A question of fewer words ("Why?") says too little without the sentence before it.
MIN_QUESTION_WORDS = 4
# The question's intent is taken when NLU is this sure of it and less than TYPED_CEILING sure of the
# whole message's.
QUESTION_FLOOR, TYPED_CEILING = 0.8, 0.9
# Intents that mean something only in a conversation's context ("can you explain it simply?" is
# ask_more), never a long message's question.
CONTEXT_INTENTS = {"select_item", "ask_more", "affirm", "deny", "tell_profile", "stop", "greet", "goodbye", "helpful",
                   "not_helpful"}
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def question_sentence(text: str) -> Optional[str]:
    """The sentence of a long `text` that asks (the last one ending in "?", else the last), with the
    sentence before it when it is very short; None for a short text or a single sentence."""
    text = " ".join((text or "").split())
    if len(text.split()) < MIN_WORDS or text.startswith("/"):
        return None
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    if len(sentences) < 2:
        return None
    asking = [i for i, s in enumerate(sentences) if s.rstrip().endswith("?")]
    last = asking[-1] if asking else len(sentences) - 1
    first = last
    while first > 0 and len(" ".join(sentences[first:last + 1]).split()) < MIN_QUESTION_WORDS:
        first -= 1
    question = " ".join(sentences[first:last + 1])
    return question if question != text else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class QuestionSplitter(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "QuestionSplitter":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are read whole: unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """`messages` plus, for each long typed one, its question sentence as a message of its own."""
        typed = [m for m in messages if m.get(REWRITE_OF) is None]
        added = []
        for position, message in enumerate(typed):
            question = question_sentence(message.get(TEXT) or "")
            if question:
                added.append(Message(data={TEXT: question, QUESTION_OF: position}))
        return messages + added


def surer_question(typed: Message, question: Message) -> bool:
    """True if NLU reads `question` as a guide question it is clearly surer of than of `typed`."""
    asked, whole = question.get(INTENT) or {}, typed.get(INTENT) or {}
    name = asked.get("name")
    return (bool(name) and name != whole.get("name") and name not in CONTEXT_INTENTS
            and float(asked.get("confidence") or 0) >= QUESTION_FLOOR
            and float(whole.get("confidence") or 0) < TYPED_CEILING)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class QuestionReadingCollector(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "QuestionReadingCollector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """`messages` without the question sentences; a typed message takes its question's intent
        and ranking when NLU is clearly surer of them (`surer_question`)."""
        kept = [m for m in messages if m.get(QUESTION_OF) is None]
        typed = [m for m in kept if m.get(REWRITE_OF) is None]
        for message in messages:
            position = message.get(QUESTION_OF)
            if position is None or not 0 <= position < len(typed) or not surer_question(typed[position], message):
                continue
            typed[position].set(INTENT, message.get(INTENT), add_to_output=True)
            typed[position].set(INTENT_RANKING_KEY, message.get(INTENT_RANKING_KEY) or [], add_to_output=True)
            typed[position].set(QUESTION_READING, {TEXT: message.get(TEXT), INTENT: message.get(INTENT)},
                                add_to_output=True)
        return kept
