"""bot/nlu/blended_intents.py: the linear model's opinion averaged with DIET's, trained and saved the
way Rasa trains a component, and loaded back answering as it did (never quietly untrained)."""
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.blended_intents import BlendedIntentClassifier, UntrustedModelFile, blend

EXAMPLES = {
    "ask_shifts": ["what are the shift timings", "is there night shift", "do bpo people work nights",
                   "rotational shifts in call centres?", "shift timing kya hai"],
    "ask_degree": ["is a degree required", "can i join without graduation", "do i need to be a graduate",
                   "12th pass can apply?", "degree zaroori hai kya"],
}


def test_each_confidence_is_the_weighted_average_and_the_ranking_is_resorted():
    earlier = [{"name": "ask_degree", "confidence": 0.9}, {"name": "ask_shifts", "confidence": 0.1}]
    ranking = blend(earlier, ["ask_degree", "ask_shifts", "out_of_scope"], np.array([0.1, 0.8, 0.1]), 0.3, 10)
    assert [r["name"] for r in ranking] == ["ask_shifts", "ask_degree", "out_of_scope"]
    assert [round(r["confidence"], 2) for r in ranking] == [0.59, 0.34, 0.07]
    assert len(blend(earlier, ["a", "b", "c"], np.array([0.2, 0.3, 0.5]), 0.3, 2)) == 2


def classifier(storage, config=None):
    context = ExecutionContext(graph_schema=None, node_name="blended")
    return BlendedIntentClassifier.create({**BlendedIntentClassifier.get_default_config(), **(config or {})},
                                          storage, Resource("blended"), context), context


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def training_data():
    return TrainingData([Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts])


def test_trained_saved_and_loaded_it_reads_as_before_and_blends_with_diets_ranking(storage):
    trained, context = classifier(storage, {"diet_weight": 0.3})
    trained.train(training_data())
    loaded = BlendedIntentClassifier.load(trained.config, storage, Resource("blended"), context)

    message = Message(data={"text": "night shift hoti hai kya", "intent_ranking": [{"name": "ask_degree", "confidence": 1.0}]})
    loaded.process([message])
    ranking = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
    assert message.get("intent")["name"] == "ask_shifts"
    # DIET's 1.0 for the degree counts 0.3; the linear model gives the rest, most of it to shifts.
    assert 0.3 < ranking["ask_degree"] < 0.5 and ranking["ask_shifts"] > 0.5
    assert abs(sum(ranking.values()) - 1.0) < 1e-6


def test_a_model_trained_without_intent_examples_leaves_diets_reading_alone(storage):
    untrained, context = classifier(storage)
    untrained.train(TrainingData([]))
    loaded = BlendedIntentClassifier.load(untrained.config, storage, Resource("blended"), context)
    message = Message(data={"text": "hi", "intent": {"name": "greet", "confidence": 0.9}})
    loaded.process([message])
    assert message.get("intent") == {"name": "greet", "confidence": 0.9}


def test_a_saved_file_holding_a_type_it_does_not_trust_fails_loudly(storage, monkeypatch):
    trained, context = classifier(storage)
    trained.train(training_data())
    monkeypatch.setattr("bot.nlu.blended_intents.TRUSTED_TYPES", [])
    with pytest.raises(UntrustedModelFile, match="csr_matrix"):
        BlendedIntentClassifier.load(trained.config, storage, Resource("blended"), context)
