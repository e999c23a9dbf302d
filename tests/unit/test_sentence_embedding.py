"""The intent classifier's sentence embedding: the real all-MiniLM-L6-v2 from its package."""

import zipfile

import numpy as np
import pytest

from massage_coach.nlu.sentence_embedding import SentenceEncoder, model_zip_path, shared_encoder


def test_the_same_request_in_other_words_lies_closer_than_another_request():
    rows = shared_encoder().encode(["she flinches when I press", "that hurts her a bit", "how long should it last", ""])
    assert rows.shape == (4, 384) and np.allclose(np.linalg.norm(rows[:3], axis=1), 1.0, atol=1e-4)
    assert rows[0] @ rows[1] > rows[0] @ rows[2] + 0.2


def test_a_changed_weights_file_is_refused(tmp_path):
    changed = tmp_path / "model.zip"
    with zipfile.ZipFile(model_zip_path()) as original, zipfile.ZipFile(changed, "w") as copy:
        for name in ("config.json", "tokenizer.json"):
            copy.writestr(name, original.read(name))
        copy.writestr("model.safetensors", b"not the published weights")
    with pytest.raises(RuntimeError, match="sha256"):
        SentenceEncoder(changed)
