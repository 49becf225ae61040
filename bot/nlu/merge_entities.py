"""The last step of the NLU pipeline: one entity per span, however many extractors found it, and
none that is a pronoun.

Two extractors read entities here: spaCy's patterns, generated from the knowledge file's names and
synonyms (exact), and DIET (learned; it also catches typos and new phrasings). Where both find the
same words they report the entity twice, which reads as two mentions ("CSE or CSE?") to anything
that counts them, such as a comparison or an end-to-end test story. Of entities of one type whose
character spans overlap, the first found is kept (the patterns run first in config.yml).

DIET reads lower-cased words, so it cannot tell the pronoun in "what experience does it need" from
the IT industry: it tagged "it" as an industry in 9 of the 59 blind conversation turns with an "it"
(first and fresh sets), and the bot answered that IT is a hiring sector. A pronoun (bot/text.py's
BACK_REFERENCES) names no entry, so such an entity is dropped unless it was typed in capitals
("IT companies").

config.yml:   - name: bot.nlu.merge_entities.EntityMerger   (after every entity extractor)
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from bot.text import BACK_REFERENCES


def is_pronoun(entity: Dict[str, Any]) -> bool:
    """The entity's words are a pronoun ("it", "that"), not typed in capitals."""
    value = str(entity.get("value") or "")
    return value.lower() in BACK_REFERENCES and value != value.upper()


def merged(entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """`entities` without pronouns and without those overlapping an earlier one of the same type,
    order kept."""
    kept: List[Dict[str, Any]] = []
    for entity in entities:
        if is_pronoun(entity):
            continue
        start, end = entity.get("start"), entity.get("end")
        overlaps = any(k.get("entity") == entity.get("entity") and start is not None and k.get("start") is not None
                       and start < k["end"] and k["start"] < end for k in kept)
        if not overlaps:
            kept.append(entity)
    return kept


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityMerger(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EntityMerger":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Each message's entities merged in place (see `merged`); returns the same list."""
        for message in messages:
            entities = message.get(ENTITIES)
            if entities:
                message.set(ENTITIES, merged(entities), add_to_output=True)
        return messages
