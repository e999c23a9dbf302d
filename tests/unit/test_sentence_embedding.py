"""The intent classifier's sentence embedding: the real all-MiniLM-L6-v2 from its package."""

import json
import zipfile
from math import erf

import numpy as np
import pytest
from safetensors.numpy import load as load_safetensors
from tokenizers import Tokenizer

from massage_coach.nlu.sentence_embedding import SentenceEncoder, model_zip_path, shared_encoder


def test_the_same_request_in_other_words_lies_closer_than_another_request():
    rows = shared_encoder().encode(["she flinches when I press", "that hurts her a bit", "how long should it last", ""])
    assert rows.shape == (4, 384) and np.allclose(np.linalg.norm(rows[:3], axis=1), 1.0, atol=1e-4)
    assert rows[0] @ rows[1] > rows[0] @ rows[2] + 0.2


def reference_embedding(text: str) -> np.ndarray:
    """BERT written out in numpy from the published weights, mean-pooled and normalised: what the
    ONNX graph must compute."""
    with zipfile.ZipFile(model_zip_path()) as archive:
        w = load_safetensors(archive.read("model.safetensors"))
        config = json.loads(archive.read("config.json"))
        tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
    tokenizer.no_padding()
    ids = tokenizer.encode(text).ids
    heads, eps = config["num_attention_heads"], config["layer_norm_eps"]

    def norm(x, prefix):
        centred = x - x.mean(-1, keepdims=True)
        normalised = centred / np.sqrt((centred ** 2).mean(-1, keepdims=True) + eps)
        return normalised * w[prefix + ".weight"] + w[prefix + ".bias"]

    def linear(x, prefix):
        return x @ w[prefix + ".weight"].T + w[prefix + ".bias"]

    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
    x = norm(x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    size = x.shape[1] // heads
    for index in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{index}"
        q, k, v = (linear(x, f"{p}.attention.self.{n}").reshape(len(ids), heads, size).transpose(1, 0, 2)
                   for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
        attention = np.exp(scores - scores.max(-1, keepdims=True))
        attention /= attention.sum(-1, keepdims=True)
        attended = (attention @ v).transpose(1, 0, 2).reshape(len(ids), -1)
        x = norm(x + linear(attended, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
        hidden = linear(x, f"{p}.intermediate.dense")
        hidden = hidden * 0.5 * (1 + np.vectorize(erf)(hidden / np.sqrt(2)))
        x = norm(x + linear(hidden, f"{p}.output.dense"), f"{p}.output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


@pytest.mark.parametrize("text", ["can I massage my pregnant wife?", "shoulders like concrete", ""])
def test_the_onnx_graph_computes_the_published_model(text):
    assert np.allclose(shared_encoder().encode([text])[0], reference_embedding(text), atol=1e-5)


def test_a_changed_weights_file_is_refused(tmp_path):
    changed = tmp_path / "model.zip"
    with zipfile.ZipFile(model_zip_path()) as original, zipfile.ZipFile(changed, "w") as copy:
        for name in ("config.json", "tokenizer.json"):
            copy.writestr(name, original.read(name))
        copy.writestr("model.safetensors", b"not the published weights")
    with pytest.raises(RuntimeError, match="sha256"):
        SentenceEncoder(changed)
