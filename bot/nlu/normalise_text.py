"""The first step of the NLU pipeline: each message's text normalised by bot.text.normalise_message.

Training examples pass through it too, so what the model learns and what it reads at run time are
in the same form. Intent payloads ("/ask_role{...}") are plain ASCII and come through unchanged.

config.yml:   - name: bot.nlu.normalise_text.TextNormaliser   (first, before SpacyNLP)
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.text import normalise_message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormaliser(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TextNormaliser":
        return cls()

    @staticmethod
    def _normalise(messages: List[Message]) -> None:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.set(TEXT, normalise_message(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples normalised in place; returns the same TrainingData."""
        self._normalise(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Incoming messages normalised in place; returns the same list."""
        self._normalise(messages)
        return messages
