"""The numpy MiniLM encoder: sentence-transformers' vectors, and no trust in bad files."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from bot.core.encoder import MODEL_FILE, TOKENIZER_FILE, Encoder, ModelError

REFERENCE = Path(__file__).parents[1] / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def encoder(model_dir: Path) -> Encoder:
    return Encoder(model_dir)


@pytest.mark.slow
def test_vectors_match_sentence_transformers(encoder: Encoder) -> None:
    """Every reference sentence (made by tests/tools/make_minilm_reference.py with
    sentence-transformers on the same weights) gets a vector with cosine >= 0.999 to it."""
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    assert len(items) >= 50
    texts = [item["text"] for item in items]
    reference = np.array([item["vector"] for item in items])
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    for vectors in (encoder.encode(texts), np.stack([encoder.encode_one(t) for t in texts])):
        cosines = (vectors * reference).sum(axis=1)
        worst = int(np.argmin(cosines))
        assert cosines[worst] >= 0.999, (texts[worst], cosines[worst])
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    "text", ["", "🔥" * 3000, "b" * 100_000, "\u200b\u200f\x00\x1b[31m", "機械学習", " \n" * 4000]
)
def test_odd_and_huge_inputs_give_a_unit_vector_quickly(encoder: Encoder, text: str) -> None:
    """Input is cut before tokenising, so even 100,000 characters cost one short question."""
    start = time.perf_counter()
    vector = encoder.encode_one(text)
    assert time.perf_counter() - start < 0.5
    assert vector.shape == (384,) and np.isfinite(vector).all()
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4


def _copy(model_dir: Path, target: Path) -> Path:
    target.mkdir()
    for name in (MODEL_FILE, TOKENIZER_FILE):
        shutil.copyfile(model_dir / name, target / name)
    return target


def test_missing_weights_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="missing"):
        Encoder(tmp_path)


def test_truncated_weights_are_refused(model_dir: Path, tmp_path: Path) -> None:
    """A download cut short fails the hash check with one clear message, not a crash later."""
    directory = _copy(model_dir, tmp_path / "model")
    data = (directory / MODEL_FILE).read_bytes()
    (directory / MODEL_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match=r"sha256.*truncated or not the pinned file"):
        Encoder(directory)


def test_other_weights_of_the_same_size_are_refused(model_dir: Path, tmp_path: Path) -> None:
    """One flipped byte is a different model: refused by the pinned hash."""
    directory = _copy(model_dir, tmp_path / "model")
    data = bytearray((directory / MODEL_FILE).read_bytes())
    data[-1] ^= 0xFF
    (directory / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256"):
        Encoder(directory)


def test_a_changed_tokenizer_is_refused(model_dir: Path, tmp_path: Path) -> None:
    directory = _copy(model_dir, tmp_path / "model")
    (directory / TOKENIZER_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match=r"tokenizer\.json"):
        Encoder(directory)
