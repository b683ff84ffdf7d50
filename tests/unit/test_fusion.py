"""The fusion policy, rule by rule, on made-up scores (bot/core/fusion.py states the rules)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core.content import Answerable
from bot.core.fusion import DEFAULT_POLICY, Verdict, fuse

ENTRIES = [
    Answerable(f"e{i}", "faq", f"t{i}", f"Entry {i}?", (f"Entry {i}?",), (), f"Answer {i}.", ())
    for i in range(4)
]
POSITIONS = {e.id: i for i, e in enumerate(ENTRIES)}


def _fuse(
    lexical: Verdict, lexical_scores: list[float], cosines: list[float], words: int = 5
) -> Verdict:
    return fuse(
        lexical,
        np.array(lexical_scores, dtype=float),
        np.array(cosines, dtype=np.float32),
        words,
        ENTRIES,
        POSITIONS,
    )


ANSWER_E0 = Verdict("answer", ENTRIES[0], 60.0)
SUGGEST = Verdict("suggest", None, 32.0, (ENTRIES[0], ENTRIES[1]))
FALLBACK = Verdict("fallback", None, 10.0)


def test_agreement_keeps_the_lexical_answer() -> None:
    assert _fuse(ANSWER_E0, [60, 20, 0, 0], [0.7, 0.5, 0.1, 0.1]) is ANSWER_E0
    # Within `agreement` of the fused favourite still counts as agreeing.
    assert _fuse(ANSWER_E0, [40, 20, 0, 0], [0.62, 0.85, 0.1, 0.1]).entry == ENTRIES[0]


def test_a_clearly_better_paraphrase_overrides_the_lexical_answer() -> None:
    result = _fuse(ANSWER_E0, [40, 35, 0, 0], [0.3, 0.8, 0.1, 0.1])
    assert result.status == "answer" and result.entry == ENTRIES[1]


def test_disagreement_below_the_bar_asks_with_both_candidates() -> None:
    """A confident lexical answer the encoder finds unlike the question becomes a question."""
    result = _fuse(ANSWER_E0, [36, 20, 0, 0], [0.05, 0.58, 0.1, 0.1])
    assert result.status == "suggest"
    assert result.suggestions[:2] == (ENTRIES[0], ENTRIES[1])
    assert len(set(result.suggestions)) == len(result.suggestions) <= 3


def test_did_you_mean_is_settled_by_a_strong_fused_favourite() -> None:
    result = _fuse(SUGGEST, [33, 32, 0, 0], [0.6, 0.3, 0.1, 0.1])
    assert result.status == "answer" and result.entry == ENTRIES[0]
    assert _fuse(SUGGEST, [20, 19, 0, 0], [0.56, 0.3, 0.1, 0.1]) is SUGGEST


def test_a_vague_question_keeps_its_did_you_mean() -> None:
    """One or two words cannot settle an ambiguity, whatever the encoder says."""
    assert _fuse(SUGGEST, [33, 32, 0, 0], [0.9, 0.3, 0.1, 0.1], words=2) is SUGGEST


def test_a_fallback_needs_the_higher_rescue_bar() -> None:
    assert DEFAULT_POLICY.rescue_bar > DEFAULT_POLICY.answer_bar
    below = _fuse(FALLBACK, [28, 0, 0, 0], [0.56, 0.2, 0.1, 0.1])  # "bank rejected my loan"
    assert below is FALLBACK
    above = _fuse(FALLBACK, [29, 0, 0, 0], [0.62, 0.2, 0.1, 0.1])
    assert above.status == "answer" and above.entry == ENTRIES[0]


@pytest.mark.parametrize(("words", "status"), [(3, "answer"), (2, "fallback")])
def test_unmistakable_meaning_rescues_unknown_words(words: int, status: str) -> None:
    """Words mostly unknown to the pack, meaning clear: answered if the question is specific."""
    result = _fuse(FALLBACK, [1, 0, 0, 0], [0.1, 0.73, 0.1, 0.1], words=words)
    assert result.status == status
    if status == "answer":
        assert result.entry == ENTRIES[1]


def test_off_topic_stays_a_fallback() -> None:
    assert _fuse(FALLBACK, [10, 5, 0, 0], [0.62, 0.4, 0.1, 0.1]) is FALLBACK


def test_an_answer_with_no_phrasing_near_in_meaning_is_declined() -> None:
    """Rule 7: shared words used in another sense ("how do I train my dog") are not answered."""
    assert DEFAULT_POLICY.scope_bar == 0.5
    # A confident lexical answer with every cosine below the bar: the words only look alike.
    result = _fuse(ANSWER_E0, [60, 20, 0, 0], [0.45, 0.3, 0.1, 0.1])
    assert result.status == "fallback" and result.entry is None and not result.suggestions
    # The same words with a phrasing close in meaning keep their answer.
    assert _fuse(ANSWER_E0, [60, 20, 0, 0], [0.55, 0.3, 0.1, 0.1]) is ANSWER_E0
    # A fallback stays one.
    assert _fuse(FALLBACK, [10, 0, 0, 0], [0.2, 0.1, 0.1, 0.1]) is FALLBACK


def test_a_did_you_mean_with_nothing_near_in_meaning_is_declined() -> None:
    """Rule 7 for suggestions: unsure words far from every phrasing in meaning are mostly used
    in another sense ("sales pipeline in crm"), so a "did you mean" needs 0.55."""
    assert DEFAULT_POLICY.suggest_scope_bar == 0.55
    assert _fuse(SUGGEST, [20, 19, 0, 0], [0.57, 0.3, 0.1, 0.1]) is SUGGEST
    for nearest in (0.52, 0.4):
        declined = _fuse(SUGGEST, [20, 19, 0, 0], [nearest, 0.3, 0.1, 0.1])
        assert declined.status == "fallback" and not declined.suggestions


def test_words_and_meaning_pointing_apart_ask_instead_of_answering() -> None:
    """Rule 8: the answered entry far below the encoder's favourite becomes "did you mean"."""
    assert DEFAULT_POLICY.disagreement == 0.3
    # Lexically e0 by far (fused 1.1 vs 1.13, within `agreement`), the encoder prefers e1 by 0.43.
    result = _fuse(ANSWER_E0, [60, 20, 0, 0], [0.5, 0.93, 0.1, 0.1])
    assert result.status == "suggest" and result.entry is None
    assert result.suggestions[:2] == (ENTRIES[0], ENTRIES[1])
    assert len(set(result.suggestions)) == len(result.suggestions) <= 3
    # A gap within the bar keeps the answer.
    kept = _fuse(ANSWER_E0, [60, 20, 0, 0], [0.65, 0.93, 0.1, 0.1])
    assert kept is ANSWER_E0


# Rule 9 (ties): e0 and e1 answer different topics; e2 shares e0's topic.
TIED_TOPICS = [
    Answerable("e0", "faq", "t0", "Entry 0?", ("Entry 0?",), (), "Answer 0.", ()),
    Answerable("e1", "faq", "t1", "Entry 1?", ("Entry 1?",), (), "Answer 1.", ()),
    Answerable("e2", "faq", "t0", "Entry 2?", ("Entry 2?",), (), "Answer 2.", ()),
    Answerable("e3", "faq", "t3", "Entry 3?", ("Entry 3?",), (), "Answer 3.", ()),
]
UNLIKE = np.eye(4, dtype=np.float32)


def _fuse_tied(
    lexical_scores: list[float],
    cosines: list[float],
    kinship: np.ndarray | None = UNLIKE,
    entries: list[Answerable] = TIED_TOPICS,
) -> Verdict:
    return fuse(
        Verdict("answer", entries[0], 70.0),
        np.array(lexical_scores, dtype=float),
        np.array(cosines, dtype=np.float32),
        5,
        entries,
        {e.id: i for i, e in enumerate(entries)},
        DEFAULT_POLICY,
        kinship,
    )


def test_a_tie_across_topics_asks_with_both_entries_first() -> None:
    """Rule 9: another topic's entry as close in both signals makes the question two-way."""
    assert DEFAULT_POLICY.tie == 0.035
    result = _fuse_tied([70, 68, 0, 0], [0.84, 0.82, 0.1, 0.1])
    assert result.status == "suggest" and result.entry is None
    assert result.suggestions[:2] == (TIED_TOPICS[0], TIED_TOPICS[1])
    assert len(set(result.suggestions)) == len(result.suggestions) <= 3
    # Without a kinship table every other topic counts as unlike.
    assert _fuse_tied([70, 68, 0, 0], [0.84, 0.82, 0.1, 0.1], kinship=None).status == "suggest"


@pytest.mark.parametrize(
    ("lexical_scores", "cosines"),
    [
        ([70, 68, 0, 0], [0.84, 0.79, 0.1, 0.1]),  # the encoder tells them apart (0.05)
        ([70, 62, 0, 0], [0.84, 0.84, 0.1, 0.1]),  # the words tell them apart (0.08)
        ([70, 20, 70, 0], [0.84, 0.3, 0.84, 0.1]),  # an exact tie, but within the topic
    ],
)
def test_no_tie_when_one_signal_separates_or_the_topic_is_the_same(
    lexical_scores: list[float], cosines: list[float]
) -> None:
    result = _fuse_tied(lexical_scores, cosines)
    assert result.status == "answer" and result.entry == TIED_TOPICS[0]


def test_a_tie_with_an_entry_of_the_same_meaning_still_answers() -> None:
    """Entries whose phrasings mean much the same answer the question either way."""
    kin = UNLIKE.copy()
    kin[0, 1] = kin[1, 0] = DEFAULT_POLICY.kinship_bar
    result = _fuse_tied([70, 68, 0, 0], [0.84, 0.82, 0.1, 0.1], kinship=kin)
    assert result.status == "answer" and result.entry == TIED_TOPICS[0]
    kin[0, 1] = kin[1, 0] = DEFAULT_POLICY.kinship_bar - 0.01
    assert _fuse_tied([70, 68, 0, 0], [0.84, 0.82, 0.1, 0.1], kinship=kin).status == "suggest"


def test_a_did_you_mean_from_rules_8_and_9_needs_the_same_meaning_bar() -> None:
    """Rule 7 holds for every "did you mean", not only the words': a disagreement (rule 8) or a
    tie (rule 9) with nothing within 0.55 in meaning is declined too."""
    disagreement = _fuse(ANSWER_E0, [60, 20, 0, 0], [0.2, 0.53, 0.1, 0.1])
    assert disagreement.status == "fallback" and not disagreement.suggestions
    assert _fuse(ANSWER_E0, [60, 20, 0, 0], [0.2, 0.57, 0.1, 0.1]).status == "suggest"
    tie = _fuse_tied([70, 68, 0, 0], [0.53, 0.52, 0.1, 0.1])
    assert tie.status == "fallback" and not tie.suggestions
    assert _fuse_tied([70, 68, 0, 0], [0.58, 0.57, 0.1, 0.1]).status == "suggest"
