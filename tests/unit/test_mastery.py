"""Topic mastery and the practice level: the rule in bot.core.mastery, with its edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.mastery import (
    RECENT_DAYS,
    AnswerEvent,
    Level,
    TopicMastery,
    practice_level,
    retrievability,
    topic_mastery,
    weakest_first,
)
from bot.core.spaced_repetition import review

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ITEMS = ("t-easy", "t-medium", "t-hard")


def _answer(qid: str, correct: bool, at: datetime, difficulty: str = "easy") -> AnswerEvent:
    return AnswerEvent(qid, difficulty, correct, at)


def _history(
    plays: list[tuple[str, bool]], start: datetime, gap: timedelta
) -> tuple[dict[str, str], list[AnswerEvent]]:
    """Cards and answers after playing (question, right?) in order, `gap` apart."""
    cards: dict[str, str] = {}
    answers: list[AnswerEvent] = []
    at = start
    for qid, correct in plays:
        cards[qid] = review(cards.get(qid), correct=correct, hinted=False, now=at).card_json
        answers.append(_answer(qid, correct, at))
        at += gap
    return cards, answers


def test_a_topic_never_answered_is_not_started() -> None:
    m = topic_mastery("drift", ITEMS, {}, [], NOW)
    assert m.level is Level.NOT_STARTED
    assert (m.seen, m.recent_answers, m.memory, m.strength) == (0, 0, None, 0.0)
    assert m.practicable


def test_a_topic_without_quiz_items_is_not_started_and_cannot_be_practised() -> None:
    """Answers to other topics' items do not leak into a topic that has none."""
    cards, answers = _history([("other", True)], NOW - timedelta(hours=1), timedelta(0))
    m = topic_mastery("salary", (), cards, answers, NOW)
    assert m.level is Level.NOT_STARTED
    assert (m.items, m.coverage, m.practicable) == (0, 0.0, False)


def test_one_lucky_answer_is_learning_not_mastered() -> None:
    """Even on a topic with a single item (full coverage), one right answer is too little."""
    cards, answers = _history([("only", True)], NOW - timedelta(minutes=5), timedelta(0))
    m = topic_mastery("drift", ("only",), cards, answers, NOW)
    assert m.level is Level.LEARNING
    assert m.coverage == 1.0


def test_every_item_right_three_times_recently_is_mastered() -> None:
    plays = [(q, True) for _ in range(2) for q in ITEMS]
    cards, answers = _history(plays, NOW - timedelta(days=6), timedelta(hours=12))
    m = topic_mastery("drift", ITEMS, cards, answers, NOW)
    assert m.level is Level.MASTERED
    assert m.recent_accuracy == 1.0
    assert m.memory is not None and m.memory >= 0.85


def test_two_of_three_items_right_is_solid_and_a_miss_among_them_is_learning() -> None:
    good, good_answers = _history(
        [("t-easy", True), ("t-medium", True)], NOW - timedelta(hours=3), timedelta(hours=1)
    )
    assert topic_mastery("drift", ITEMS, good, good_answers, NOW).level is Level.SOLID
    mixed, mixed_answers = _history(
        [("t-easy", True), ("t-medium", False)], NOW - timedelta(hours=3), timedelta(hours=1)
    )
    assert topic_mastery("drift", ITEMS, mixed, mixed_answers, NOW).level is Level.LEARNING


def test_answers_older_than_the_window_leave_the_topic_learning() -> None:
    """A topic mastered long ago, never practised since: no fresh evidence, faded memory."""
    plays = [(q, True) for _ in range(2) for q in ITEMS]
    start = NOW - timedelta(days=RECENT_DAYS + 30)
    cards, answers = _history(plays, start, timedelta(hours=12))
    then = start + timedelta(days=4)
    assert topic_mastery("drift", ITEMS, cards, answers, then).level is Level.MASTERED
    m = topic_mastery("drift", ITEMS, cards, answers, NOW)
    assert m.level is Level.LEARNING
    assert m.recent_answers == 0 and m.recent_accuracy is None


def test_memory_fades_with_time_since_the_last_review() -> None:
    card = review(None, correct=True, hinted=False, now=NOW).card_json
    soon = retrievability(card, NOW + timedelta(hours=1))
    later = retrievability(card, NOW + timedelta(days=30))
    assert 0.0 < later < soon <= 1.0


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        topic_mastery("drift", ITEMS, {}, [], NOW.replace(tzinfo=None))


def _m(topic: str, level: Level, strength: float, items: int = 3) -> TopicMastery:
    return TopicMastery(topic, level, items, 0, 0, 0, None, strength)


def test_weakest_first_puts_learning_first_then_strength_and_drops_topics_without_items() -> None:
    ordered = weakest_first(
        [
            _m("a", Level.SOLID, 0.1),
            _m("b", Level.LEARNING, 0.6),
            _m("c", Level.LEARNING, 0.2),
            _m("d", Level.NOT_STARTED, 0.0, items=0),
            _m("e", Level.NOT_STARTED, 0.0),
        ]
    )
    # A topic being learned is a known weak spot: it comes before one never started.
    assert [m.topic_id for m in ordered] == ["c", "b", "e", "a"]


def _run(*plays: tuple[str, bool]) -> list[AnswerEvent]:
    return [
        AnswerEvent(f"q{i}", level, correct, NOW + timedelta(minutes=i))
        for i, (level, correct) in enumerate(plays)
    ]


def test_a_new_learner_starts_easy() -> None:
    assert practice_level([]) == "easy"


def test_three_right_in_a_row_raise_the_level_and_two_misses_lower_it() -> None:
    assert practice_level(_run(*[("easy", True)] * 2)) == "easy"
    assert practice_level(_run(*[("easy", True)] * 3)) == "medium"
    assert practice_level(_run(*[("easy", True)] * 3, *[("medium", True)] * 3)) == "hard"
    # Hard is the top: more right answers keep it there.
    assert practice_level(_run(*[("easy", True)] * 3, *[("medium", True)] * 10)) == "hard"
    dropped = _run(*[("easy", True)] * 3, ("medium", False), ("medium", False))
    assert practice_level(dropped) == "easy"


def test_a_miss_breaks_the_run_and_easy_answers_do_not_raise_a_medium_learner() -> None:
    assert (
        practice_level(_run(("easy", True), ("easy", True), ("easy", False), ("easy", True)))
        == "easy"
    )
    at_medium = [("easy", True)] * 3
    assert practice_level(_run(*at_medium, *[("easy", True)] * 5)) == "medium"
    # Missing a hard question does not pull a medium learner down.
    assert practice_level(_run(*at_medium, *[("hard", False)] * 4)) == "medium"
    # Easy never falls lower.
    assert practice_level(_run(*[("easy", False)] * 5)) == "easy"


def test_the_level_follows_answer_time_not_list_order() -> None:
    plays = _run(*[("easy", True)] * 3, ("medium", False), ("medium", False))
    assert practice_level(list(reversed(plays))) == "easy"


def test_only_answers_inside_the_window_count_as_recent_even_with_a_strong_memory() -> None:
    """Cards fresh from reviews, yet every answer event older than the window (as if the
    recent reviews came from elsewhere): no fresh evidence, so no more than learning."""
    plays = [(q, True) for _ in range(2) for q in ITEMS]
    cards, _ = _history(plays, NOW - timedelta(days=3), timedelta(hours=12))
    old = NOW - timedelta(days=RECENT_DAYS, minutes=1)
    answers = [_answer(q, True, old) for q, _ in plays]
    m = topic_mastery("drift", ITEMS, cards, answers, NOW)
    assert m.memory is not None and m.memory >= 0.85
    assert m.level is Level.LEARNING and m.recent_answers == 0
    inside = [_answer(q, True, NOW - timedelta(days=RECENT_DAYS - 1)) for q, _ in plays]
    assert topic_mastery("drift", ITEMS, cards, inside, NOW).level is Level.MASTERED
