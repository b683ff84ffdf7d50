"""Group quiz rules: argument parsing and clamping, Kahoot-style scoring, standings, throttling."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.group_round import (
    DEFAULT_QUESTIONS,
    DEFAULT_SECONDS,
    PRIVATE_CHAT_HINT,
    USAGE,
    GroupArgs,
    GroupArgsError,
    TapStatus,
    Total,
    all_answered,
    fastest,
    parse_args,
    rank,
    score,
    should_edit_count,
    speed_points,
    status_text,
    streak_bonus,
    toast_text,
)

# --- arguments --------------------------------------------------------------------------------


def test_no_arguments_give_the_defaults() -> None:
    """A bare /groupquiz means 5 questions of 20 seconds at every level, with no notes."""
    assert parse_args([]) == GroupArgs(DEFAULT_QUESTIONS, DEFAULT_SECONDS, None, ())
    assert (DEFAULT_QUESTIONS, DEFAULT_SECONDS) == (5, 20)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("10 30 hard", (10, 30, "hard")),
        ("hard 10 30", (10, 30, "hard")),
        ("10 hard 30", (10, 30, "hard")),
        ("MEDIUM", (5, 20, "medium")),
        ("seconds=45 medium", (5, 45, "medium")),
        ("s=45 q=8", (8, 45, None)),
        ("questions=12 seconds=15 easy", (12, 15, "easy")),
        ("30s 8q", (8, 30, None)),
        ("45sec easy 3", (3, 45, "easy")),
        ("seconds=60 12", (12, 60, None)),
        ("questions=7 40", (7, 40, None)),
        ("mixed 6", (6, 20, None)),
        ("t:25 n:4", (4, 25, None)),
    ],
)
def test_arguments_in_any_order_and_spelling(args: str, expected: tuple[object, ...]) -> None:
    """Numbers, labelled settings and the level are read wherever they appear."""
    parsed = parse_args(args)
    assert (parsed.questions, parsed.seconds, parsed.difficulty) == expected
    assert parsed.notes == ()


def test_a_list_of_words_reads_like_the_same_text() -> None:
    """The adapter may pass context.args (a list) or the raw text; both parse the same."""
    assert parse_args(["hard", "12", "30"]) == parse_args("hard 12 30")


@pytest.mark.parametrize(
    ("args", "questions", "seconds", "notes"),
    [
        (
            "0",
            1,
            20,
            ["Questions raised to 1, the minimum (you asked for 0)."],
        ),
        (
            "100000 100000",
            20,
            120,
            [
                "Questions capped at 20, the maximum (you asked for 100000).",
                "Seconds capped at 120, the maximum (you asked for 100000).",
            ],
        ),
        ("5 3", 5, 10, ["Seconds raised to 10, the minimum (you asked for 3)."]),
        ("q=-4", 1, 20, ["Questions raised to 1, the minimum (you asked for -4)."]),
        ("20 120", 20, 120, []),
        ("1 10", 1, 10, []),
        ("21 121", 20, 120, ["Questions capped at 20", "Seconds capped at 120"]),
    ],
)
def test_out_of_range_values_are_clamped_with_a_note(
    args: str, questions: int, seconds: int, notes: list[str]
) -> None:
    """Absurd numbers are pulled into 1..20 and 10..120 and a note says what changed."""
    parsed = parse_args(args)
    assert (parsed.questions, parsed.seconds) == (questions, seconds)
    assert len(parsed.notes) == len(notes)
    for note, expected in zip(parsed.notes, notes, strict=True):
        assert note.startswith(expected)


def test_a_number_with_thousands_of_digits_is_clamped_quickly_and_quoted_short() -> None:
    """A pasted wall of digits is capped without building the huge integer, and not echoed."""
    parsed = parse_args("9" * 5000)
    assert parsed.questions == 20
    assert len(parsed.notes[0]) < 100


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("banana", "I can't read 'banana'."),
        ("5 banana", "I can't read 'banana'."),
        ("5z", "I can't read '5z'."),
        ("1 2 3", "Too many numbers: '3' has no place left."),
        ("easy hard", "Only one level, please ('hard' is a second one)."),
        ("q=5 10q", "The questions are given twice ('10q')."),
        ("s=20 seconds=30", "The seconds are given twice ('seconds=30')."),
        ("colour=red", "Unknown setting 'colour' in 'colour=red'."),
        ("q=abc", "'q=abc' needs a whole number after 'q='."),
        ("seconds=2.5", "'seconds=2.5' needs a whole number after 'seconds='."),
        ("2.5", "I can't read '2.5'."),
    ],
)
def test_junk_arguments_are_an_error_that_shows_the_usage(args: str, problem: str) -> None:
    """Unreadable arguments raise an error naming the word at fault, followed by the usage."""
    with pytest.raises(GroupArgsError) as caught:
        parse_args(args)
    assert caught.value.problem == problem
    assert str(caught.value) == f"{problem}\n{USAGE}"
    assert "/groupquiz" in USAGE and "easy|medium|hard" in USAGE


def test_private_chat_hint_points_to_a_group_and_to_quiz() -> None:
    """The private-chat message says where group quizzes run and offers the personal quiz."""
    assert "/groupquiz" in PRIVATE_CHAT_HINT and "/quiz" in PRIVATE_CHAT_HINT
    assert "group" in PRIVATE_CHAT_HINT


# --- scoring ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "limit", "points"),
    [
        (0.0, 20, 1000),
        (3.0, 20, 925),
        (5.0, 20, 875),
        (10.0, 20, 750),
        (19.0, 20, 525),
        (19.99, 20, 500),
        (20.0, 20, 500),
        (25.0, 20, 500),  # late by the clock: never below 500
        (-1.0, 20, 1000),  # clock skew: never above 1000
        (5.5, 20, 863),  # 862.5 rounds half up, not to even
        (1.0, 16, 969),  # 968.75
        (60.0, 120, 750),
        (0.25, 10, 988),  # 987.5
    ],
)
def test_speed_points_fall_linearly_from_1000_to_500(
    elapsed: float, limit: int, points: int
) -> None:
    """points = round(1000 - 500 * elapsed / limit), clamped to the round's time."""
    assert speed_points(elapsed, limit) == points


def test_speed_points_need_a_positive_limit() -> None:
    """A zero time limit is a programming error, not a division by zero."""
    with pytest.raises(ValueError, match="positive"):
        speed_points(1.0, 0)


@pytest.mark.parametrize(
    ("streak", "bonus"), [(0, 0), (1, 0), (2, 100), (3, 200), (5, 400), (6, 500), (20, 500)]
)
def test_streak_bonus_is_100_per_answer_in_a_row_from_the_second_capped_at_500(
    streak: int, bonus: int
) -> None:
    """The 2nd right answer in a row earns +100, the 3rd +200, ..., never more than +500."""
    assert streak_bonus(streak) == bonus


def test_score_adds_speed_and_streak_and_a_wrong_answer_resets() -> None:
    """A right answer scores speed + bonus and extends the run; a wrong one scores 0 and resets."""
    first = score(correct=True, elapsed=5.0, limit=20, streak_before=0)
    assert (first.points, first.streak, first.speed, first.bonus) == (875, 1, 875, 0)
    second = score(correct=True, elapsed=0.0, limit=20, streak_before=first.streak)
    assert (second.points, second.streak, second.bonus) == (1100, 2, 100)
    wrong = score(correct=False, elapsed=0.0, limit=20, streak_before=second.streak)
    assert (wrong.points, wrong.streak) == (0, 0)
    after = score(correct=True, elapsed=10.0, limit=20, streak_before=wrong.streak)
    assert (after.points, after.streak) == (750, 1)
    long_run = score(correct=True, elapsed=10.0, limit=20, streak_before=7)
    assert (long_run.points, long_run.streak, long_run.bonus) == (1250, 8, 500)


def test_a_whole_session_scores_the_exact_kahoot_table() -> None:
    """Eight rounds (right, right, right, missed, right x4) at 2 s of 20 score exactly 7,550."""
    pattern = [True, True, True, False, True, True, True, True]
    streak, total, per_round = 0, 0, []
    for correct in pattern:
        result = score(correct=correct, elapsed=2.0, limit=20, streak_before=streak)
        streak = result.streak
        total += result.points
        per_round.append(result.points)
    assert per_round == [950, 1050, 1150, 0, 950, 1050, 1150, 1250]
    assert total == 7550


# --- early close and standings ----------------------------------------------------------------


def test_a_round_closes_early_only_when_known_participants_all_answered() -> None:
    """No participants (round 1) never closes early; otherwise all of them must have answered."""
    assert all_answered(set(), {1, 2, 3}) is False
    assert all_answered({1, 2}, {1}) is False
    assert all_answered({1, 2}, {1, 2}) is True
    assert all_answered({1, 2}, {1, 2, 9}) is True  # a newcomer does not hold the round open


def test_rank_shares_places_on_equal_points_and_skips_the_next() -> None:
    """Equal points share a place (1, 2, 2, 4); the order among them is by right answers, name."""
    board = rank(
        [
            Total(1, "dora", 900, 1),
            Total(2, "ana", 2000, 2),
            Total(3, "bob", 900, 1),
            Total(4, "cy", 0, 0),
            Total(5, "eve", 900, 2),
        ]
    )
    assert [(s.place, s.name) for s in board.standings] == [
        (1, "ana"),
        (2, "eve"),
        (2, "bob"),
        (2, "dora"),
        (5, "cy"),
    ]
    assert board.place_of(4) is not None and board.place_of(4).place == 5  # type: ignore[union-attr]
    assert board.place_of(99) is None


def test_leaderboard_top_is_the_first_five_and_everyone_keeps_a_place() -> None:
    """The top shows five rows; the seventh player can still look up their own place."""
    board = rank(Total(i, f"p{i}", 1000 - i, 0) for i in range(1, 8))
    assert [s.user_id for s in board.top] == [1, 2, 3, 4, 5]
    seventh = board.place_of(7)
    assert seventh is not None and seventh.place == 7


@dataclass(frozen=True)
class _Answer:
    user_id: int
    correct: bool
    elapsed_ms: int


def test_fastest_is_the_quickest_right_answer() -> None:
    """A faster wrong tap is ignored; ties go to the lower user id; no right answer -> None."""
    answers = [_Answer(1, False, 100), _Answer(3, True, 900), _Answer(2, True, 900)]
    assert fastest(answers) == _Answer(2, True, 900)
    assert fastest([_Answer(1, False, 5)]) is None
    assert fastest([]) is None


def test_count_edits_are_throttled_to_one_per_interval() -> None:
    """The live count may be edited at once, then again only 3 s (by default) after the last."""
    assert should_edit_count(None, 100.0) is True
    assert should_edit_count(100.0, 101.0) is False
    assert should_edit_count(100.0, 102.9) is False
    assert should_edit_count(100.0, 103.0) is True
    assert should_edit_count(100.0, 103.5) is True
    assert should_edit_count(100.0, 101.0, min_interval=1.0) is True


def test_toasts_never_say_right_or_wrong() -> None:
    """Every private tap reply keeps the result hidden and echoes the option where relevant."""
    accepted = toast_text(TapStatus.ACCEPTED, "Data drift")
    again = toast_text(TapStatus.ALREADY_ANSWERED, "Data drift")
    assert "Data drift" in accepted and "Data drift" in again
    for status in TapStatus:
        text = toast_text(status, "x").lower()
        assert text
        assert "correct" not in text and "wrong" not in text and "right" not in text


def test_status_text_names_the_round() -> None:
    """The running session's status reads "round N of M"."""
    assert status_text(2, 5) == "round 2 of 5"
