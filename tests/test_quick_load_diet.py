"""bot/nlu/quick_load_diet.py loads the trained model without a training step, and the loaded
model answers exactly as Rasa's own load of the same file does: same intent, confidence, ranking
and entities for every held-out question and some odd input."""
import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIET

from bot.nlu.quick_load_diet import QuickLoadDIETClassifier
from measure.nlu_scores import holdout_examples
from tests.servers import MODEL

ODD_INPUT = ["", "🙂🙂🙂", "<b>team leader</b>", "¿qué es un BPO?", "asdkjh qwe", "tl " * 300]


def parse_all(agent: Agent, messages):
    parsed = [asyncio.run(agent.parse_message(text)) for text in messages]
    return [(p["intent"], p.get("intent_ranking"), [(e["entity"], e["value"], e["extractor"]) for e in p["entities"]])
            for p in parsed]


@pytest.fixture(scope="module")
def messages():
    return [text for text, _ in holdout_examples()] + ODD_INPUT


def test_quick_load_runs_no_training_step_and_predicts_what_rasas_own_load_does(messages, monkeypatch):
    # Also fails if config.yml stops using the quick load: Rasa's own load would run `fit`.
    def no_training(*args, **kwargs):
        raise AssertionError("the quick load ran a training step")

    with monkeypatch.context() as patched:
        patched.setattr(DIET, "fit", no_training)
        quick = parse_all(Agent.load(str(MODEL)), messages)

    with monkeypatch.context() as patched:
        patched.setattr(QuickLoadDIETClassifier, "model_class", staticmethod(lambda: DIET))
        stock = parse_all(Agent.load(str(MODEL)), messages)

    assert any(entities for _, _, entities in stock)  # the comparison covers entities, not only intents
    for text, mine, rasas in zip(messages, quick, stock):
        assert mine == rasas, text

