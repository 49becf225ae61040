"""A second intent classifier, linear, whose opinion is averaged with DIET's.

On questions written by people who never saw the training data, a logistic regression over TF-IDF
weighted word and character n-grams picked the right intent more often than DIET (blind sets,
docs/evaluation.md), and the two are wrong on different messages, so their average beats both.
DIET varies from one training to the next (a few added examples flip its close calls); the linear
model is deterministic, and the average moves less.

This is Rasa's LogisticRegressionClassifier (training on the intent examples, skops persistence)
with its own features: scikit-learn's TfidfVectorizer on the message text, words and word pairs plus
character n-grams within words (2-5, so typos still share most of their n-grams), sublinear counts.
On the blind sets those beat the pipeline's count features (lemmas, character 2-4 grams and lexical
features) by 2-5 points. `C` is an option, and `process` blends: each intent's confidence becomes
`diet_weight` x DIET's confidence + (1 - diet_weight) x the linear model's, and the ranking is
re-sorted. Placed after DIET and before FallbackClassifier, so the fallback and everything downstream
(bot/unsure.py) read the blended confidences.

config.yml:   - name: bot.nlu.blended_intents.BlendedIntentClassifier   (after DIET)
Options: `C` (default 20), `diet_weight` (default 0.3), and LogisticRegressionClassifier's.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

import math

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

Ranking = List[Dict[str, Any]]
# What the saved pipeline holds besides scikit-learn's own types: TfidfTransformer keeps its weights
# as a sparse diagonal matrix.
TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]
# A confidence of 0 in a geometric average would veto an intent outright; this keeps it merely unlikely.
FLOOR = 1e-4


class UntrustedModelFile(ValueError):
    """The saved classifier holds a type that loading it would have to trust blindly."""


def blend(earlier: Ranking, classes: List[str], probabilities: np.ndarray, weight: float, length: int,
          geometric: bool = False) -> Ranking:
    """The `earlier` ranking's confidences (DIET's) and `probabilities` (one per class of `classes`)
    averaged with weights `weight` and 1 - `weight`: arithmetically, or geometrically (then
    renormalised, so an intent one model all but rules out stays low). Best first, `length` entries
    (all for 0); an intent only one of them ranks counts as 0 in the other. Pure."""
    theirs = {e["name"]: float(e.get("confidence") or 0.0) for e in earlier or [] if e.get("name")}
    ours = {name: float(p) for name, p in zip(classes, probabilities)}
    names = set(ours) | set(theirs)
    if geometric:
        raw = {n: math.exp(weight * math.log(theirs.get(n, 0.0) + FLOOR) + (1 - weight) * math.log(ours.get(n, 0.0) + FLOOR))
               for n in names}
        total = sum(raw.values())
        mixed = {n: v / total for n, v in raw.items()}
    else:
        mixed = {n: weight * theirs.get(n, 0.0) + (1 - weight) * ours.get(n, 0.0) for n in names}
    ranking = sorted(({"name": n, "confidence": c} for n, c in mixed.items()), key=lambda e: (-e["confidence"], e["name"]))
    return ranking[:length] if length > 0 else ranking


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BlendedIntentClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 20.0, "diet_weight": 0.3,
                "blend": "linear", "words_min_df": 2, "chars_min_df": 3, "max_iter": 3000}

    def __init__(self, config: Dict[Text, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        linear: LogisticRegression = self.clf
        linear.set_params(C=self.config["C"], class_weight=None)
        features = FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=self.config["words_min_df"])),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                      min_df=self.config["chars_min_df"])),
        ])
        self.clf = Pipeline([("features", features), ("linear", linear)])

    def _create_X(self, messages: List[Message]) -> List[str]:  # type: ignore[override]
        """The texts themselves: the pipeline's first step turns them into features."""
        return [message.get(TEXT) or "" for message in messages]

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the features and the linear model on the intent examples and saves them; with no
        intent examples there is nothing to fit, and nothing is saved."""
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if examples:
            self.clf.fit(self._create_X(examples), [e.get(INTENT) for e in examples])
            self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Each message's intent and ranking set to the blend of the ranking already on it (DIET's)
        and this model's probabilities; returns the same list."""
        if not messages or not hasattr(self.clf, "classes_"):
            return messages  # untrained (no intent examples): leave DIET's reading alone
        probabilities = self.clf.predict_proba(self._create_X(messages))
        classes = [str(c) for c in self.clf.classes_]
        for message, row in zip(messages, probabilities):
            ranking = blend(message.get(INTENT_RANKING_KEY) or [], classes, row, self.config["diet_weight"],
                            self.config[RANKING_LENGTH], geometric=self.config["blend"] == "geometric")
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "BlendedIntentClassifier":
        """The trained component. Unlike Rasa's, which quietly starts untrained when its file holds
        a type it does not trust, this one fails: a model answering without half of its intent
        classifier would look fine and be wrong. A model trained without intent examples saved
        nothing, and leaves DIET's reading alone.

        Raises UntrustedModelFile naming the types."""
        import skops.io as sio

        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / f"{resource.name}.skops"
                if path.exists():
                    untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
                    if untrusted:
                        raise UntrustedModelFile(f"{path} holds types this component does not trust: {untrusted}")
                    component.clf = sio.load(path, trusted=TRUSTED_TYPES)
        except UntrustedModelFile:
            raise
        except ValueError:  # Rasa's "resource does not exist": nothing was trained
            pass
        return component
