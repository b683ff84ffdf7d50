"""Sentence-embedding side of the matcher: every phrasing of every entry as a unit vector.

Encoding the ~1,900 phrasings of the pack takes seconds, so the vectors are kept on disk, keyed
by a hash of exactly what was encoded (the normalised phrasings, in order) and of the model and
encoder version: a changed pack or model computes them again, an unchanged one loads them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.core.encoder import DIMENSION, ENCODER_VERSION, MODEL_SHA256, Encoder

__all__ = ["SemanticIndex"]

log = logging.getLogger(__name__)


class SemanticIndex:
    """Cosine similarity between a query and each entry (its best-matching phrasing)."""

    def __init__(
        self,
        encoder: Encoder,
        phrasings: Sequence[str],
        owners: Sequence[int],
        entry_count: int,
        cache_dir: Path | None = None,
    ) -> None:
        self._encoder = encoder
        self._owner = np.asarray(owners, dtype=np.int32)
        self._entry_count = entry_count
        self.cache_key = _cache_key(phrasings, owners)
        self.cache_path = cache_dir / f"entries-{self.cache_key[:24]}.npy" if cache_dir else None
        self.loaded_from_cache = False
        vectors = self._load_cached(len(phrasings))
        if vectors is None:
            if self.cache_path is not None:
                # A warning, so that the console and `ask` show why this start takes a while.
                log.warning(
                    "computing the vectors of %d phrasings once (content or model changed); "
                    "later starts read them from %s",
                    len(phrasings),
                    self.cache_path.parent,
                )
            vectors = encoder.encode(list(phrasings))
            self._store(vectors)
        else:
            self.loaded_from_cache = True
        self._vectors = vectors
        # How alike two entries are in meaning: the cosine between the centroids of their
        # phrasings. Tells a real ambiguity from two entries that say much the same thing.
        centroids = np.zeros((entry_count, DIMENSION), dtype=np.float32)
        np.add.at(centroids, self._owner, vectors)
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        centroids /= np.where(norms > 0, norms, 1.0)
        self.kinship: np.ndarray = centroids @ centroids.T

    def scores(self, text: str) -> np.ndarray:
        """Per entry: the highest cosine between the text and one of the entry's phrasings."""
        query = self._encoder.encode_one(text)
        cosines = self._vectors @ query
        best = np.full(self._entry_count, -1.0, dtype=np.float32)
        np.maximum.at(best, self._owner, cosines)
        return best

    def _load_cached(self, rows: int) -> np.ndarray | None:
        if self.cache_path is None or not self.cache_path.is_file():
            return None
        try:
            vectors: np.ndarray = np.load(self.cache_path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable embedding cache %s: %s", self.cache_path, exc)
            return None
        if (
            vectors.shape != (rows, DIMENSION)
            or vectors.dtype != np.float32
            or not np.isfinite(vectors).all()
        ):
            log.warning("ignoring embedding cache %s: wrong shape or values", self.cache_path)
            return None
        return vectors

    def _store(self, vectors: np.ndarray) -> None:
        if self.cache_path is None:
            return
        # Write then rename, so a crash or a second process never leaves half a file behind.
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.cache_path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                np.save(stream, vectors, allow_pickle=False)
            os.replace(temporary, self.cache_path)
        except OSError as exc:
            # A read-only model directory only costs the next start the same computation.
            log.warning("could not cache entry embeddings in %s: %s", self.cache_path, exc)


def _cache_key(phrasings: Sequence[str], owners: Sequence[int]) -> str:
    digest = hashlib.sha256()
    digest.update(f"{MODEL_SHA256}\n{ENCODER_VERSION}\n".encode())
    for owner, text in zip(owners, phrasings, strict=True):
        digest.update(f"{owner}\t{text}\n".encode())
    return digest.hexdigest()
