"""The semantic index: per-entry scores (closest phrasing, doubted by the entry classifier),
their cache, and how alike two entries are in meaning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bot.core.semantic
from bot.core.encoder import DIMENSION
from bot.core.entry_classifier import EntryClassifier
from bot.core.semantic import DOUBT_WEIGHT, SemanticIndex


class AxisEncoder:
    """Each text is the unit vector along the axis its first word names ("a2 ..." -> axis 2)."""

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.encode_one(t) for t in texts])

    def encode_one(self, text: str) -> np.ndarray:
        vector = np.zeros(DIMENSION, dtype=np.float32)
        for word in text.split()[:1]:
            vector[int(word[1:])] = 1.0
        return vector

    def knows(self, word: str) -> bool:
        return True


def test_kinship_is_the_cosine_between_the_entries_phrasing_centroids() -> None:
    # Entry 0 says "a0" twice; entry 1 half "a0", half "a1"; entry 2 only "a2".
    index = SemanticIndex(
        AxisEncoder(),  # type: ignore[arg-type]
        ["a0 one", "a0 two", "a0 three", "a1 four", "a2 five"],
        [0, 0, 1, 1, 2],
        3,
    )
    assert index.kinship.shape == (3, 3)
    assert np.allclose(np.diag(index.kinship), 1.0)
    assert np.isclose(index.kinship[0, 1], index.kinship[1, 0])
    assert np.isclose(index.kinship[0, 1], 1 / np.sqrt(2))
    assert np.isclose(index.kinship[0, 2], 0.0)
    # Entry 1 owns the only "a1" phrasing and is the classifier's favourite: its cosine stands;
    # the others are lowered by at most DOUBT_WEIGHT.
    scores = index.scores("a1 question")
    assert np.isclose(scores[1], 1.0)
    assert np.all(scores[[0, 2]] <= 0.0) and np.all(scores[[0, 2]] >= -DOUBT_WEIGHT - 1e-6)


def test_an_entry_without_phrasings_is_kin_to_nothing() -> None:
    index = SemanticIndex(AxisEncoder(), ["a0 one"], [0], 2)  # type: ignore[arg-type]
    assert np.isfinite(index.kinship).all()
    assert index.kinship[1, 1] == 0.0 and index.kinship[0, 1] == 0.0


def raw_cosines(index: SemanticIndex, encoder: AxisEncoder, text: str) -> np.ndarray:
    cosines = index._vectors @ encoder.encode_one(text)
    best = np.full(index._entry_count, -1.0, dtype=np.float32)
    np.maximum.at(best, index._owner, cosines)
    return best


def test_the_classifier_lowers_the_entries_it_doubts_never_raises_any() -> None:
    # Entry 0 owns "a0" alone; entry 1 owns "a1" three times and once "a0": a question along
    # "a0" is equally close to a phrasing of each, but the classifier has learned that "a0"
    # is entry 0's direction, so entry 1 is doubted.
    encoder = AxisEncoder()
    index = SemanticIndex(
        encoder,  # type: ignore[arg-type]
        ["a0 one", "a1 two", "a1 three", "a1 four", "a0 five", "a2 six"],
        [0, 1, 1, 1, 1, 2],
        3,
    )
    raw = raw_cosines(index, encoder, "a0 question")
    assert np.allclose(raw, [1.0, 1.0, 0.0])
    scores = index.scores("a0 question")
    assert np.isclose(scores[0], 1.0)
    assert scores[1] < 1.0 - DOUBT_WEIGHT / 10
    assert np.all(scores <= raw + 1e-6)
    assert np.all(scores >= raw - DOUBT_WEIGHT - 1e-6)


def test_the_classifier_is_cached_beside_the_vectors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phrasings, owners = ["a0 one", "a1 two", "a2 three"], [0, 1, 2]
    first = SemanticIndex(AxisEncoder(), phrasings, owners, 3, tmp_path)  # type: ignore[arg-type]
    cached = list(tmp_path.glob("classifier-*.npy"))
    assert len(cached) == 1

    def no_training(*args: object) -> EntryClassifier:
        raise AssertionError("a warm start must not train the classifier again")

    monkeypatch.setattr(bot.core.semantic, "train_entry_classifier", no_training)
    second = SemanticIndex(AxisEncoder(), phrasings, owners, 3, tmp_path)  # type: ignore[arg-type]
    assert np.array_equal(second.classifier.weights, first.classifier.weights)
    assert np.allclose(second.scores("a1 q"), first.scores("a1 q"))

    assert second.classifier_from_cache and not first.classifier_from_cache
    # Readable by other users: the Docker image writes the cache as root, the bot runs as another.
    assert cached[0].stat().st_mode & 0o777 == 0o644

    # A damaged file (garbage, empty, wrong dtype) is ignored and the weights are trained and
    # stored again; nothing raises.
    monkeypatch.undo()
    for damage in (b"not an array", b""):
        cached[0].write_bytes(damage)
        again = SemanticIndex(AxisEncoder(), phrasings, owners, 3, tmp_path)  # type: ignore[arg-type]
        assert not again.classifier_from_cache
        assert np.array_equal(again.classifier.weights, first.classifier.weights)
    np.save(cached[0], first.classifier.weights.astype(np.float64))
    assert not SemanticIndex(AxisEncoder(), phrasings, owners, 3, tmp_path).classifier_from_cache  # type: ignore[arg-type]
    assert np.load(cached[0]).dtype == np.float32
    assert not list(tmp_path.glob("*.tmp"))


def test_other_training_settings_never_load_cached_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phrasings, owners = ["a0 one", "a1 two"], [0, 1]
    SemanticIndex(AxisEncoder(), phrasings, owners, 2, tmp_path)  # type: ignore[arg-type]
    monkeypatch.setattr(bot.core.semantic, "TRAINING_KEY", "t-other-settings")
    other = SemanticIndex(AxisEncoder(), phrasings, owners, 2, tmp_path)  # type: ignore[arg-type]
    assert not other.classifier_from_cache
    assert len(list(tmp_path.glob("classifier-*.npy"))) == 2


def test_the_training_key_follows_the_training_settings() -> None:
    from bot.core import entry_classifier as classifier

    shipped = (
        classifier._TRAINING_VERSION,
        classifier._SHARPNESS,
        classifier._WEIGHT_DECAY,
        classifier._STEPS,
        classifier._STEP_SIZE,
    )
    assert classifier.training_key(*shipped) == classifier.TRAINING_KEY
    for position in range(len(shipped)):
        changed = list(shipped)
        changed[position] = changed[position] * 2 + 1
        assert classifier.training_key(*changed) != classifier.TRAINING_KEY
