"""Streak rules: local calendar days, time zones, DST, freezes, and the reminder window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FixedClock, local_date
from bot.core.streaks import (
    MAX_FREEZES,
    StreakState,
    in_reminder_window,
    record_activity,
    replay,
    settle,
    view,
)

TOKYO = ZoneInfo("Asia/Tokyo")
LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")


def play(clock: FixedClock, tz: ZoneInfo, instants: list[datetime]) -> StreakState:
    """Record one answer at each instant, as the service does: the day is the local date."""
    state = StreakState()
    for instant in instants:
        clock.set(instant)
        state = record_activity(state, local_date(clock.now(), tz))
    return state


def days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


def run(day_list: list[date], state: StreakState | None = None) -> StreakState:
    state = state or StreakState()
    for day in day_list:
        state = record_activity(state, day)
    return state


def test_first_answer_starts_a_streak_of_one() -> None:
    """The first answer ever makes the streak 1 and the best 1."""
    state = record_activity(StreakState(), date(2025, 1, 1))
    assert (state.current, state.best, state.freezes, state.last_day) == (
        1,
        1,
        0,
        date(2025, 1, 1),
    )


def test_more_answers_the_same_day_count_once() -> None:
    """Several answers on one day add one day, not several."""
    state = run([date(2025, 1, 1)] * 5)
    assert state.current == 1


def test_tokyo_midnight_splits_days_two_minutes_apart() -> None:
    """23:59 and 00:01 in Tokyo are two days, though both are the same UTC afternoon."""
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    before = datetime(2025, 5, 10, 23, 59, tzinfo=TOKYO)
    after = datetime(2025, 5, 11, 0, 1, tzinfo=TOKYO)
    assert before.astimezone(UTC).date() == after.astimezone(UTC).date()
    assert play(clock, TOKYO, [before, after]).current == 2


def test_tokyo_same_local_day_spanning_two_utc_days_counts_once() -> None:
    """08:00 and 10:00 in Tokyo fall on different UTC days but are one local day."""
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    early = datetime(2025, 5, 10, 8, 0, tzinfo=TOKYO)
    late = datetime(2025, 5, 10, 10, 0, tzinfo=TOKYO)
    assert early.astimezone(UTC).date() != late.astimezone(UTC).date()
    assert play(clock, TOKYO, [early, late]).current == 1


def test_los_angeles_late_evening_belongs_to_the_local_day() -> None:
    """23:30 and 00:30 in Los Angeles are consecutive local days within one UTC day."""
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    evening = datetime(2025, 1, 10, 23, 30, tzinfo=LA)
    night = datetime(2025, 1, 11, 0, 30, tzinfo=LA)
    assert evening.astimezone(UTC).date() == night.astimezone(UTC).date()
    state = play(clock, LA, [evening, night])
    assert (state.current, state.last_day) == (2, date(2025, 1, 11))


def test_los_angeles_missed_day_is_counted_in_local_days() -> None:
    """Answering at 20:00 LA then 01:00 LA two local days later is a missed day, not a streak."""
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    first = datetime(2025, 1, 10, 20, 0, tzinfo=LA)
    second = datetime(2025, 1, 12, 1, 0, tzinfo=LA)  # only 29 hours later
    assert play(clock, LA, [first, second]).current == 1


def test_berlin_spring_forward_short_day_still_links_days() -> None:
    """Across the 23-hour day (30 March 2025) evening answers stay consecutive days."""
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    sat = datetime(2025, 3, 29, 23, 30, tzinfo=BERLIN)
    sun = datetime(2025, 3, 30, 23, 30, tzinfo=BERLIN)
    assert sun.astimezone(UTC) - sat.astimezone(UTC) == timedelta(hours=23)
    assert play(clock, BERLIN, [sat, sun]).current == 2


def test_berlin_spring_forward_day_is_one_day() -> None:
    """Answers at 00:10 and 23:50 on the short day are one day."""
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    instants = [
        datetime(2025, 3, 30, 0, 10, tzinfo=BERLIN),
        datetime(2025, 3, 30, 23, 50, tzinfo=BERLIN),
    ]
    assert play(clock, BERLIN, instants).current == 1


def test_berlin_fall_back_long_day_is_one_day() -> None:
    """On the 25-hour day (26 October 2025) answers almost 25 hours apart are still one day."""
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    start = datetime(2025, 10, 26, 0, 5, tzinfo=BERLIN)
    end = datetime(2025, 10, 26, 23, 55, tzinfo=BERLIN)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24, minutes=50)
    state = play(clock, BERLIN, [start, end])
    assert state.current == 1
    clock.set(datetime(2025, 10, 27, 0, 5, tzinfo=BERLIN))
    assert record_activity(state, local_date(clock.now(), BERLIN)).current == 2


def test_berlin_fall_back_repeated_hour_does_not_double_count() -> None:
    """Both passes through 02:30 on the fall-back night are the same local day."""
    first = datetime(2025, 10, 26, 2, 30, tzinfo=BERLIN, fold=0)
    second = datetime(2025, 10, 26, 2, 30, tzinfo=BERLIN, fold=1)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    clock = FixedClock(datetime(2025, 1, 1, tzinfo=UTC))
    assert play(clock, BERLIN, [first, second]).current == 1


def test_missed_day_without_freeze_resets_to_one() -> None:
    """A gap with no freeze restarts the streak at 1; the best streak is kept."""
    state = run([*days(date(2025, 1, 1), 5), date(2025, 1, 7)])
    assert (state.current, state.best) == (1, 5)


def test_a_freeze_is_earned_after_seven_days_in_a_row() -> None:
    """Six days earn nothing; the seventh earns one freeze."""
    assert run(days(date(2025, 1, 1), 6)).freezes == 0
    assert run(days(date(2025, 1, 1), 7)).freezes == 1


def test_freezes_are_capped_at_two() -> None:
    """Fourteen days hold two freezes, and twenty-one days still only two."""
    assert run(days(date(2025, 1, 1), 14)).freezes == 2
    state = run(days(date(2025, 1, 1), 21))
    assert (state.current, state.freezes) == (21, MAX_FREEZES)


def test_a_freeze_covers_one_missed_day() -> None:
    """Seven days, one missed, then an answer: streak 8, the freeze is spent."""
    state = run(days(date(2025, 1, 1), 7))
    state = record_activity(state, date(2025, 1, 9))
    assert (state.current, state.freezes) == (8, 0)


def test_two_freezes_cover_two_missed_days() -> None:
    """Fourteen days, two missed, then an answer: streak 15, both freezes spent."""
    state = run(days(date(2025, 1, 1), 14))
    state = record_activity(state, date(2025, 1, 17))
    assert (state.current, state.freezes) == (15, 0)


def test_not_enough_freezes_resets_and_spends_them() -> None:
    """Three missed days with two freezes: the streak resets to 1 and no freeze is left."""
    state = run(days(date(2025, 1, 1), 14))
    state = record_activity(state, date(2025, 1, 18))
    assert (state.current, state.best, state.freezes) == (1, 14, 0)


def test_frozen_days_do_not_count_towards_the_next_freeze() -> None:
    """After a frozen day, the next freeze comes when active days reach 14, not 13."""
    state = run(days(date(2025, 1, 1), 7))  # 1 freeze
    state = run(days(date(2025, 1, 9), 6), state)  # one frozen day, then 6 more active days
    assert (state.current, state.freezes) == (13, 0)
    state = record_activity(state, date(2025, 1, 15))
    assert (state.current, state.freezes) == (14, 1)


def test_view_shows_a_broken_streak_as_zero_before_the_next_answer() -> None:
    """Two days after the last answer with no freeze, the streak shown is 0, best kept."""
    state = run(days(date(2025, 1, 1), 3))
    shown = view(state, date(2025, 1, 6))
    assert (shown.current, shown.best, shown.active_today) == (0, 3, False)


def test_view_keeps_a_streak_that_freezes_cover() -> None:
    """The day after a missed day, a held freeze keeps the streak shown alive."""
    state = run(days(date(2025, 1, 1), 7))
    shown = view(state, date(2025, 1, 9))
    assert (shown.current, shown.freezes) == (7, 0)


def test_view_on_the_day_after_is_alive_and_not_active() -> None:
    """Yesterday's streak is still whole today; today has not counted yet."""
    shown = view(run(days(date(2025, 1, 1), 3)), date(2025, 1, 4))
    assert (shown.current, shown.active_today) == (3, False)


def test_settle_is_repeatable() -> None:
    """Settling the same stored state twice for the same day gives the same result."""
    state = run(days(date(2025, 1, 1), 14))
    once = settle(state, date(2025, 1, 17))
    assert settle(state, date(2025, 1, 17)) == once
    assert once.freezes == 0 and once.current == 14


def test_an_earlier_day_after_moving_west_changes_nothing() -> None:
    """A local day before the last active day (a zone change) leaves the streak alone."""
    state = run(days(date(2025, 1, 1), 3))
    assert record_activity(state, date(2025, 1, 2)) == state


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(21, 59, False), (22, 0, True), (23, 59, True), (0, 0, False), (12, 0, False)],
)
def test_reminder_window_is_the_last_two_hours_before_midnight(
    hour: int, minute: int, expected: bool
) -> None:
    """Only local times from 22:00 up to midnight are in the reminder window."""
    assert in_reminder_window(datetime(2025, 6, 1, hour, minute, tzinfo=TOKYO)) is expected


def test_replay_of_no_answers_is_the_empty_streak() -> None:
    """A learner who never answered has no streak, no best and no freezes."""
    assert replay([]) == StreakState()


def test_replay_equals_recording_each_answer_in_turn() -> None:
    """Replaying a history with repeats, a covered gap and a broken streak gives the same state
    as recording each answer as it happened."""
    start = date(2025, 1, 1)
    history = [
        *days(start, 7),  # a week earns a freeze
        start + timedelta(days=6),  # a second answer the same day
        start + timedelta(days=8),  # one missed day, covered by the freeze
        start + timedelta(days=12),  # three missed days, no freeze left: a new streak
        start + timedelta(days=13),
    ]
    state = StreakState()
    for day in history:
        state = record_activity(state, day)
    replayed = replay(history)
    assert replayed == state
    assert (replayed.current, replayed.best, replayed.freezes) == (2, 8, 0)
    assert replayed.last_day == start + timedelta(days=13)


def test_replay_follows_the_order_answered() -> None:
    """An earlier day answered after a later one (a move west) adds nothing, so the order of
    the history matters."""
    d1, d2 = date(2025, 1, 1), date(2025, 1, 2)
    assert replay([d1, d2]).current == 2
    assert replay([d2, d1]) == StreakState(current=1, best=1, freezes=0, last_day=d2)


def test_replay_continues_from_a_given_state() -> None:
    """Replaying the rest of a history from a saved state gives what replaying it all gives."""
    history = days(date(2025, 3, 1), 15)
    assert replay(history[9:], replay(history[:9])) == replay(history)
    assert replay(history).freezes == MAX_FREEZES
