"""Quiz rules: option shuffling, grading by displayed position, and the "Why?" link."""

from __future__ import annotations

import random

import pytest

from bot.core.quiz import (
    decode_order,
    displayed_options,
    encode_order,
    grade,
    most_chosen_wrong,
    option_text,
    order_fits,
    shuffled_order,
    stored_question,
    valid_position,
    why_entry,
    wrong_choice_why,
)
from tests.support.storage import make_pack, question


def test_shuffled_order_is_a_permutation() -> None:
    """Every option appears exactly once in a shuffled order."""
    for seed in range(20):
        assert sorted(shuffled_order(4, random.Random(seed))) == [0, 1, 2, 3]


def test_shuffling_moves_the_correct_option_around() -> None:
    """Across deliveries the correct option lands in every position."""
    q = question("q-shuffle")
    positions = {
        grade(q, order, 0).correct_position
        for order in (shuffled_order(4, random.Random(s)) for s in range(40))
    }
    assert positions == {0, 1, 2, 3}


def test_order_round_trips_through_its_stored_text() -> None:
    """The stored text form decodes to the same order."""
    order = (2, 0, 3, 1)
    assert encode_order(order) == "2,0,3,1"
    assert decode_order(encode_order(order)) == order


def test_grading_uses_the_displayed_position() -> None:
    """Pressing the position where the correct option is shown is right; others are wrong."""
    q = question("q-grade")  # option 0 is correct
    order = (2, 0, 3, 1)
    assert displayed_options(q, order)[1] == "q-grade right"
    right = grade(q, order, 1)
    assert (right.correct, right.chosen_text, right.correct_position) == (True, "q-grade right", 1)
    wrong = grade(q, order, 0)
    assert (wrong.correct, wrong.chosen_index, wrong.chosen_text) == (False, 2, "q-grade wrong 2")
    assert wrong.correct_text == "q-grade right"


@pytest.mark.parametrize("position", [-1, 4, 99])
def test_positions_out_of_range_are_invalid(position: int) -> None:
    """A position outside the shown options is rejected rather than graded."""
    order = (0, 1, 2, 3)
    assert not valid_position(order, position)
    with pytest.raises(ValueError, match="position"):
        grade(question("q-range"), order, position)


def test_order_fits_detects_a_question_whose_options_changed() -> None:
    """A stored 4-option order does not fit a question that now has 3 options."""
    assert order_fits(question("q-fit"), (3, 1, 0, 2))
    assert not order_fits(question("q-fit", options=3), (3, 1, 0, 2))
    assert option_text(question("q-fit", options=3), 3) == ""


def test_stored_question_is_none_once_the_content_changed_under_it() -> None:
    """A stored delivery keeps its question only while the pack has it with as many options."""
    pack = make_pack([question("q-kept"), question("q-shrunk", options=3)])
    assert stored_question(pack, "q-kept", "3,1,0,2") is pack.quiz["q-kept"]
    assert stored_question(pack, "q-shrunk", "3,1,0,2") is None
    assert stored_question(pack, "q-gone", "3,1,0,2") is None


def test_why_uses_the_explicit_related_entry() -> None:
    """A question's own related id wins over the topic's FAQ entries."""
    q = question("q-why", topic="drift", related="drift-detect")
    assert why_entry(q, make_pack([q])) == "drift-detect"


def test_why_falls_back_to_the_first_faq_entry_of_the_topic() -> None:
    """Without a related id, the first FAQ entry of the question's topic is used."""
    q = question("q-why", topic="drift")
    assert why_entry(q, make_pack([q])) == "drift-what-is"


def test_why_is_none_when_the_topic_has_no_faq() -> None:
    """A topic with no FAQ entry gives no "Why?" target."""
    q = question("q-why", topic="nowhere")
    assert why_entry(q, make_pack([q])) is None


def test_a_wrong_choice_brings_its_own_why_and_the_key_none() -> None:
    """The feedback is the chosen option's `why`; the key and unknown indexes have none."""
    q = question("q-why")
    assert wrong_choice_why(q, 2) == "Why q-why wrong 2 is wrong."
    assert wrong_choice_why(q, 0) is None
    assert wrong_choice_why(q, 9) is None and wrong_choice_why(q, -1) is None


def test_grade_carries_the_why_of_a_wrong_choice_only() -> None:
    """Grading a wrong position returns that option's why; a right one returns None."""
    q = question("q-g")
    order = (3, 0, 1, 2)
    assert grade(q, order, 0).chosen_why == "Why q-g wrong 3 is wrong."
    assert grade(q, order, 1).chosen_why is None


def test_most_chosen_wrong_counts_wrong_picks_only() -> None:
    """The group reveal names the wrong option most players took; ties go to the first."""
    q = question("q-m")
    assert most_chosen_wrong(q, [0, 2, 1, 2, 0, 0]) == 2
    assert most_chosen_wrong(q, [3, 1]) == 1
    assert most_chosen_wrong(q, [0, 0]) is None
    assert most_chosen_wrong(q, []) is None
    assert most_chosen_wrong(q, [7, -1]) is None
