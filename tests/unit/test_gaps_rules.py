"""The gap queue's rules: what of a question is kept, and which questions are grouped together."""

from __future__ import annotations

from bot.core.gaps import (
    MAX_STORED_CHARS,
    GapCount,
    group_gaps,
    normalised,
    stored_question,
    worth_reading,
)


def _count(text: str, count: int = 1, outcome: str = "fallback", picked: str | None = None):
    return GapCount(normalised(text), normalised(text), outcome, picked, count)  # type: ignore[arg-type]


def test_a_huge_question_is_capped_with_an_ellipsis() -> None:
    kept = stored_question("why " * 100_000)
    assert len(kept) == MAX_STORED_CHARS
    assert kept.endswith("…")


def test_control_and_invisible_characters_are_dropped() -> None:
    text = "what\x00 is\u200b\x1b[31m drift\r\n\t  now\x7f"
    assert stored_question(text) == "what is[31m drift now"
    assert normalised(text) == "what is 31m drift now"


def test_blank_and_symbol_only_questions_normalise_to_nothing() -> None:
    assert stored_question("  \n\t ") == ""
    assert normalised("?!… 🤔 --") == ""


def test_stray_keys_and_bare_numbers_are_not_worth_an_authors_time() -> None:
    for stray in ("", "h", "1", "1 2", "42"):
        assert not worth_reading(normalised(stray)), stray
    for question in ("ci", "what is ml", "mlops 101", "k8s?"):
        assert worth_reading(normalised(question)), question


def test_case_and_punctuation_do_not_make_a_new_text() -> None:
    assert normalised("What's MLOps??") == normalised("what's   mlops") == "what's mlops"


def test_similar_questions_are_grouped_and_the_most_asked_comes_first() -> None:
    groups = group_gaps(
        [
            _count("How do I version a dataset?", 5),
            _count("dataset versioning how do i", 2),  # same words, another order
            _count("how do i verison a dataset", 1),  # a typo
            _count("what is a feature store", 3),
            _count("best pizza in town", 1),
        ]
    )
    assert [g.count for g in groups] == [8, 3, 1]
    assert groups[0].label == "how do i version a dataset"
    assert set(groups[0].examples) <= {
        "how do i version a dataset",
        "dataset versioning how do i",
        "how do i verison a dataset",
    }
    assert len(groups[0].examples) == 3
    assert groups[1].examples == ("what is a feature store",)


def test_outcomes_and_picks_are_counted_with_the_wording_that_led_to_each_pick() -> None:
    [group] = group_gaps(
        [
            _count("spot data drift", 4, "suggest", "drift-detect"),
            _count("spotting data drift", 1, "suggest", "drift-what"),
            _count("spot data drift", 2, "fallback"),
            _count("spot data drift", 1, "suggest"),
        ]
    )
    assert group.count == 8
    assert group.outcomes == {"fallback": 2, "suggest": 6}
    assert [(p.entry_id, p.count, p.phrasing) for p in group.picked] == [
        ("drift-detect", 4, "spot data drift"),
        ("drift-what", 1, "spotting data drift"),
    ]


def test_nothing_in_gives_nothing_out() -> None:
    assert group_gaps([]) == []


def test_every_question_lands_in_exactly_one_group() -> None:
    """Thousands of distinct texts: the groups' counts add up to the rows' (none lost or
    counted twice), and each group's examples are texts that were asked."""
    rows = [_count(f"how do i set up tool{i % 400} for team {i}", 1 + i % 7) for i in range(3000)]
    groups = group_gaps(rows)
    assert sum(g.count for g in groups) == sum(r.count for r in rows)
    asked = {r.text for r in rows}
    assert all(set(g.examples) <= asked for g in groups)
    assert 1 < len(groups) < len(rows)
