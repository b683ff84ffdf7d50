"""content/vocabulary.yaml: the subject's words come from the pack, validated like the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.content import load_content
from bot.core.matcher import Matcher
from bot.errors import ContentError

MINIPACK = Path(__file__).parents[1] / "data" / "minipack"


def _pack_with(tmp_path: Path, vocabulary: str) -> Path:
    root = tmp_path / "minipack"
    shutil.copytree(MINIPACK, root)
    (root / "vocabulary.yaml").write_text(vocabulary, encoding="utf-8")
    return root


def test_the_bundled_vocabulary_is_loaded() -> None:
    vocabulary = load_content().vocabulary
    assert vocabulary.words["k8s"] == "kubernetes"
    assert "mlops" in vocabulary.subject_words
    assert "pay" in vocabulary.synonyms["salary"]


def test_a_pack_without_a_vocabulary_still_matches() -> None:
    """The minimal pack has no vocabulary.yaml: generic English rewrites only, no crash."""
    pack = load_content(MINIPACK)
    assert pack.vocabulary.subject_words == []
    assert Matcher(pack).match("what is mlops").reply


def test_authors_extend_the_matcher_without_code(tmp_path: Path) -> None:
    """A new rewrite and a new synonym in the YAML change what the matcher understands."""
    plain = Matcher(load_content(MINIPACK))
    root = _pack_with(
        tmp_path,
        "words:\n  mdl: model\nsynonyms:\n  drift: [wander]\nsubject_words: [model, drift]\n",
    )
    taught = Matcher(load_content(root))
    assert plain.text.words("what is a mdl") == ["what", "is", "a", "mdl"]
    assert taught.text.words("what is a mdl") == ["what", "is", "a", "model"]
    assert taught.text.stem("wandering") == taught.text.stem("drift") != plain.text.stem("wander")
    assert taught.text.stem("model") in taught.text.domain_anchors


@pytest.mark.parametrize(
    ("vocabulary", "expected"),
    [
        ("words:\n  K8S: kubernetes\n", "vocabulary.yaml:2: words.K8S"),
        ("phrases:\n  mlops: ml ops\n", "phrases need two or more words"),
        ("synonyms:\n  pay: [wage]\n  money: [wage]\n", "'wage' is in two synonym groups"),
        (
            "subject_words: [model]\neveryday_subject_words: [model]\n",
            "'model' is in both subject_words and everyday_subject_words",
        ),
        ("subjects: [model]\n", "unknown field"),
        ("words: [k8s]\n", "vocabulary.yaml:1"),
    ],
)
def test_a_broken_vocabulary_is_reported(tmp_path: Path, vocabulary: str, expected: str) -> None:
    with pytest.raises(ContentError) as caught:
        load_content(_pack_with(tmp_path, vocabulary))
    assert any(expected in str(problem) for problem in caught.value.problems), [
        str(p) for p in caught.value.problems
    ]
