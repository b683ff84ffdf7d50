"""Spaced repetition: ratings, FSRS intervals, and the choice of the next question."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Rating

from bot.core.spaced_repetition import card_due, pick_next, rating_for, review

NOW = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)


def test_ratings_follow_correctness_and_hints() -> None:
    """Wrong is Again, right after a hint is Hard, right is Good (hints do not soften a miss)."""
    assert rating_for(correct=False, hinted=False) is Rating.Again
    assert rating_for(correct=False, hinted=True) is Rating.Again
    assert rating_for(correct=True, hinted=True) is Rating.Hard
    assert rating_for(correct=True, hinted=False) is Rating.Good


def test_missed_question_is_due_sooner_than_a_hinted_one_and_a_known_one() -> None:
    """On a new card: wrong comes back before right-with-hint, which comes before right."""
    missed = review(None, correct=False, hinted=False, now=NOW).due
    hinted = review(None, correct=True, hinted=True, now=NOW).due
    known = review(None, correct=True, hinted=False, now=NOW).due
    assert NOW < missed < hinted < known


def test_a_well_known_card_moves_out_by_days_and_a_lapse_brings_it_back() -> None:
    """Right three times spreads reviews over days; a miss then makes it due within the hour."""
    card, at = None, NOW
    for _ in range(3):
        reviewed = review(card, correct=True, hinted=False, now=at)
        card, at = reviewed.card_json, reviewed.due
    assert reviewed.due - NOW > timedelta(days=2)
    lapse = review(card, correct=False, hinted=False, now=at)
    assert lapse.due - at < timedelta(hours=1)


def test_card_json_round_trips_the_due_time() -> None:
    """The stored JSON gives back the due time the review computed."""
    reviewed = review(None, correct=True, hinted=False, now=NOW)
    assert card_due(reviewed.card_json) == reviewed.due


def test_review_accepts_any_zone_and_rejects_naive_times() -> None:
    """A Berlin-time review is the same instant as UTC; a naive time is refused."""
    berlin = NOW.astimezone(ZoneInfo("Europe/Berlin"))
    in_berlin = review(None, correct=True, hinted=False, now=berlin).due
    assert in_berlin == review(None, correct=True, hinted=False, now=NOW).due
    with pytest.raises(ValueError, match="naive"):
        review(None, correct=True, hinted=False, now=NOW.replace(tzinfo=None))


def test_due_questions_come_before_new_ones() -> None:
    """With a due question and unseen ones, the due question is picked."""
    dues = {"a": NOW - timedelta(minutes=1)}
    assert pick_next(["a", "b", "c"], dues, set(), NOW, random.Random(0)) == "a"


def test_most_overdue_question_comes_first() -> None:
    """Among due questions, the one due longest ago is picked."""
    dues = {"a": NOW - timedelta(minutes=1), "b": NOW - timedelta(days=2), "c": NOW}
    assert pick_next(["a", "b", "c"], dues, set(), NOW, random.Random(0)) == "b"


def test_new_questions_come_before_questions_not_yet_due() -> None:
    """When nothing is due, an unseen question is picked over a scheduled one."""
    dues = {"a": NOW + timedelta(days=3)}
    assert pick_next(["a", "b"], dues, set(), NOW, random.Random(0)) == "b"


def test_when_all_seen_and_none_due_the_soonest_comes_next() -> None:
    """The quiz never runs dry: the question due soonest is asked early."""
    dues = {"a": NOW + timedelta(days=3), "b": NOW + timedelta(hours=1)}
    assert pick_next(["a", "b"], dues, set(), NOW, random.Random(0)) == "b"


def test_the_last_question_is_never_repeated_even_when_due() -> None:
    """A due question that was just asked is skipped in favour of another."""
    dues = {"a": NOW - timedelta(days=1), "b": NOW + timedelta(days=1)}
    assert pick_next(["a", "b"], dues, {"a"}, NOW, random.Random(0)) == "b"


def test_no_next_question_when_the_only_candidate_was_just_asked() -> None:
    """A pool of one that was just asked gives None rather than a repeat."""
    assert pick_next(["a"], {}, {"a"}, NOW, random.Random(0)) is None
    assert pick_next([], {}, set(), NOW, random.Random(0)) is None


def test_new_questions_are_drawn_at_random() -> None:
    """Different seeds reach different unseen questions."""
    picks = {pick_next(list("abcdefgh"), {}, set(), NOW, random.Random(s)) for s in range(30)}
    assert len(picks) > 3


def test_missed_question_returns_before_a_right_one_in_a_session() -> None:
    """After one wrong and one right answer, the missed one is due first a few minutes later."""
    dues = {
        "missed": review(None, correct=False, hinted=False, now=NOW).due,
        "right": review(None, correct=True, hinted=False, now=NOW).due,
    }
    later = NOW + timedelta(minutes=2)
    assert (
        pick_next(["missed", "right", "other"], dues, set(), later, random.Random(0)) == "missed"
    )
