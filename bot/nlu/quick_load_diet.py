"""Rasa's DIETClassifier, trained the same way, loaded in a few seconds instead of ~25.

To load a DIET model Rasa 3.6 first runs one training step (`model.fit` on one example) so that
every weight exists before the saved values are read in. Compiling that step into a TensorFlow
graph, gradients and optimizer included, was ~77% of the Rasa server's start-up on these machines
(py-spy; docs/benchmarks.md). The weights only need to exist, so here one forward pass of the
training loss runs eagerly instead: it builds the same layers without compiling anything. What the
file holds is then read in and checked: every weight the model has must have come from the file
(the optimizer's and the metrics' saved state is not needed to answer). Predictions are identical to
Rasa's own load (tests/test_quick_load_diet.py).

config.yml:   - name: bot.nlu.quick_load_diet.QuickLoadDIETClassifier   (DIETClassifier's options)
"""
from __future__ import annotations

from typing import Any, Optional, Text, Type

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel


class QuickLoadDIET(DIET):
    @classmethod
    def load(cls, model_file_name: Text, model_data_example: RasaModelData,
             predict_data_example: Optional[RasaModelData] = None, finetune_mode: bool = False,
             *args: Any, **kwargs: Any) -> "QuickLoadDIET":
        if finetune_mode:  # training goes on, so the optimizer's state is needed: Rasa's own way
            return super().load(model_file_name, model_data_example, predict_data_example, finetune_mode,
                                *args, **kwargs)
        model = cls(*args, **kwargs)
        batch_in = RasaBatchDataGenerator(model_data_example, batch_size=1)[0][0]
        model._training = True
        model.batch_loss(batch_in)
        model._training = None
        status = model.load_weights(model_file_name)
        if predict_data_example:
            model.run_inference(predict_data_example)  # compiles prediction, as Rasa's load does
        # After prediction ran, so a weight created only then is checked too.
        status.assert_existing_objects_matched()
        status.expect_partial()
        return model


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class QuickLoadDIETClassifier(DIETClassifier):
    @staticmethod
    def model_class() -> Type[RasaModel]:
        return QuickLoadDIET
