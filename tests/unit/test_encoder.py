"""The MiniLM encoder on both runtimes: sentence-transformers' vectors, the same vectors from
onnxruntime and numpy, numpy whenever onnxruntime cannot run, and no trust in bad files."""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import bot.core.encoder
from bot.core.encoder import MODEL_FILE, MODEL_SHA256, TOKENIZER_FILE, Encoder, ModelError
from bot.core.minilm_onnx import graph_path

REFERENCE = Path(__file__).parents[1] / "data" / "minilm_reference.json"
ODD_INPUTS = ["", "🔥" * 3000, "b" * 100_000, "\u200b\u200f\x00\x1b[31m", "機械学習", " \n" * 4000]
ODD_INPUTS += ["\u202eמה זה mlops\u202c", "what is\u200d ml\u200bops 🤖"]


@pytest.fixture(scope="module", params=["onnxruntime", "numpy"])
def encoder(model_dir: Path, request: pytest.FixtureRequest) -> Encoder:
    built = Encoder(model_dir, request.param)
    assert built.runtime == request.param
    return built


@pytest.fixture
def linked_model(model_dir: Path, tmp_path: Path) -> Path:
    """A model directory of its own (links to the pinned files), with no graph built yet."""
    directory = tmp_path / "model"
    directory.mkdir()
    for name in (MODEL_FILE, TOKENIZER_FILE):
        (directory / name).symlink_to(model_dir / name)
    return directory


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


@pytest.mark.parametrize("text", ODD_INPUTS)
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


def test_both_runtimes_give_the_same_vectors(model_dir: Path) -> None:
    """onnxruntime runs the numpy encoder's network, not an approximation of it: float32
    rounding apart, every vector is the same, singly and in padded batches."""
    fast, plain = Encoder(model_dir, "onnxruntime"), Encoder(model_dir, "numpy")
    texts = [*ODD_INPUTS, "how is testing different in mlops", "do i need kubernetes for mlops"]
    for text in texts:
        assert np.abs(fast.encode_one(text) - plain.encode_one(text)).max() < 1e-5, text
    assert np.abs(fast.encode(texts) - plain.encode(texts)).max() < 1e-5


def test_the_graph_is_built_once_beside_the_weights(linked_model: Path) -> None:
    graph = graph_path(linked_model, MODEL_SHA256)
    first = Encoder(linked_model)
    assert first.runtime == "onnxruntime" and graph.is_file()
    built = graph.stat().st_mtime_ns
    second = Encoder(linked_model)
    assert second.runtime == "onnxruntime" and graph.stat().st_mtime_ns == built
    question = "what does a feature store do"
    assert np.array_equal(first.encode_one(question), second.encode_one(question))


def test_a_damaged_graph_is_built_again(linked_model: Path) -> None:
    """A graph cut short (a full disk, a killed fetch) is replaced, not trusted or fatal."""
    Encoder(linked_model)
    weights = Path(str(graph_path(linked_model, MODEL_SHA256)) + ".data")
    weights.write_bytes(weights.read_bytes()[:1000])
    again = Encoder(linked_model)
    assert again.runtime == "onnxruntime"
    reference = Encoder(linked_model, "numpy").encode_one("what is mlops")
    assert np.abs(again.encode_one("what is mlops") - reference).max() < 1e-5


def test_without_onnxruntime_numpy_runs_and_says_why(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    encoder = Encoder(model_dir)
    assert encoder.runtime == "numpy"
    assert "onnxruntime is not installed" in encoder.runtime_note
    assert encoder.encode_one("what is mlops").shape == (384,)
    with pytest.raises(ModelError, match="onnxruntime cannot run the model"):
        Encoder(model_dir, "onnxruntime")


def test_a_graph_that_cannot_be_written_leaves_numpy(
    linked_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only model directory without a graph (an old image) still answers, on numpy."""

    def read_only(*_: object) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(bot.core.encoder, "write_graph", read_only)
    encoder = Encoder(linked_model)
    assert encoder.runtime == "numpy" and "read-only" in encoder.runtime_note
    assert not graph_path(linked_model, MODEL_SHA256).exists()


def test_onnxruntime_failing_on_a_question_hands_over_to_numpy(
    model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    encoder = Encoder(model_dir, "onnxruntime")
    expected = Encoder(model_dir, "numpy").encode_one("what is mlops")

    def broken(*_: object) -> np.ndarray:
        raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION")

    assert encoder._onnx is not None
    encoder._onnx.tokens = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING):
        vector = encoder.encode_one("what is mlops")
        encoder.encode_one("and again")
    assert np.abs(vector - expected).max() < 1e-5
    assert encoder.runtime == "numpy"
    assert [r.getMessage() for r in caplog.records if "onnxruntime failed" in r.getMessage()]
    assert len(caplog.records) == 1
