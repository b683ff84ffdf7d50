"""The entry classifier: softmax regression from phrasing vectors to their entries."""

from __future__ import annotations

import numpy as np

from bot.core.entry_classifier import train_entry_classifier


def clusters(seed: int, per_entry: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Three entries, each a cloud of unit vectors around its own direction."""
    rng = np.random.default_rng(seed)
    centres = np.eye(3, 16, dtype=np.float32)
    vectors, owners = [], []
    for entry, centre in enumerate(centres):
        for _ in range(per_entry):
            vector = centre + 0.4 * rng.standard_normal(16).astype(np.float32)
            vectors.append(vector / np.linalg.norm(vector))
            owners.append(entry)
    return np.array(vectors, dtype=np.float32), np.array(owners)


def test_it_recognises_unseen_vectors_of_each_entry() -> None:
    vectors, owners = clusters(seed=1)
    classifier = train_entry_classifier(vectors, owners, 3)
    unseen, truth = clusters(seed=2, per_entry=200)
    guesses = np.array([int(np.argmax(classifier.likelihoods(v))) for v in unseen])
    nearest_phrasing = owners[np.argmax(unseen @ vectors.T, axis=1)]
    # What the classifier is for: it generalises beyond the single closest phrasing.
    assert np.mean(guesses == truth) >= 0.85
    assert np.mean(guesses == truth) > np.mean(nearest_phrasing == truth)


def test_likelihoods_are_probabilities_and_training_is_deterministic() -> None:
    vectors, owners = clusters(seed=3)
    first = train_entry_classifier(vectors, owners, 3)
    second = train_entry_classifier(vectors, owners, 3)
    assert np.array_equal(first.weights, second.weights)
    probabilities = first.likelihoods(vectors[0])
    assert probabilities.shape == (3,)
    assert np.all(probabilities >= 0) and np.isclose(probabilities.sum(), 1.0)


def test_an_entry_without_phrasings_is_never_the_favourite_and_nothing_breaks() -> None:
    vectors, owners = clusters(seed=4)
    classifier = train_entry_classifier(vectors, owners, 4)
    for vector in vectors:
        probabilities = classifier.likelihoods(vector)
        assert np.isfinite(probabilities).all() and int(np.argmax(probabilities)) != 3
    empty = train_entry_classifier(np.zeros((0, 16), dtype=np.float32), np.zeros(0, int), 2)
    assert np.allclose(empty.likelihoods(np.ones(16, dtype=np.float32) / 4), [0.5, 0.5])
