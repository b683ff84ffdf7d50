"""The semantic index: per-entry cosines, and how alike two entries are in meaning."""

from __future__ import annotations

import numpy as np

from bot.core.encoder import DIMENSION
from bot.core.semantic import SemanticIndex


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
    assert np.allclose(index.scores("a1 question"), [0.0, 1.0, 0.0])


def test_an_entry_without_phrasings_is_kin_to_nothing() -> None:
    index = SemanticIndex(AxisEncoder(), ["a0 one"], [0], 2)  # type: ignore[arg-type]
    assert np.isfinite(index.kinship).all()
    assert index.kinship[1, 1] == 0.0 and index.kinship[0, 1] == 0.0
