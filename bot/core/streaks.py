"""Streak rules: pure functions over a small state, with the calendar day supplied by the caller.

A day counts when the learner answers at least one question on that calendar day in their own
time zone (the caller turns an instant into that day with ``bot.core.clock.local_date``).

Rules
- Answering on the day after the last active day extends the streak by one.
- Each missed day is covered by one freeze, if one is held; a covered day keeps the streak alive
  but does not add to it. When the freezes run out before the gap is covered, the streak resets
  (the freezes spent on the gap are gone too, as they were consumed day by day).
- A freeze is earned every time the streak reaches a multiple of 7 days; at most 2 are held.
- The best streak is the longest the learner has ever had.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

__all__ = [
    "FREEZE_EVERY",
    "MAX_FREEZES",
    "REMINDER_WINDOW",
    "StreakState",
    "StreakView",
    "in_reminder_window",
    "record_activity",
    "replay",
    "settle",
    "view",
]

FREEZE_EVERY = 7
MAX_FREEZES = 2
REMINDER_WINDOW = timedelta(hours=2)
# Wall-clock start of the window; wall-clock (not elapsed) time is what a learner means by "22:00".
_REMINDER_START = time(hour=24 - REMINDER_WINDOW.seconds // 3600)


@dataclass(frozen=True, slots=True)
class StreakState:
    """What storage keeps per user."""

    current: int = 0
    best: int = 0
    freezes: int = 0
    # The last local day on which the learner answered; None before the first answer.
    last_day: date | None = None


@dataclass(frozen=True, slots=True)
class StreakView:
    """What a learner is shown on a given day."""

    current: int
    best: int
    freezes: int
    active_today: bool


def settle(state: StreakState, today: date) -> StreakState:
    """Spend freezes on the days missed between the last active day and ``today``.

    Pure and repeatable: ``last_day`` is not moved, so settling the stored state again for the
    same ``today`` gives the same answer; only ``record_activity`` moves the state forward.
    """
    if state.last_day is None or state.current == 0:
        return state
    missed = (today - state.last_day).days - 1
    if missed <= 0:
        return state
    if missed <= state.freezes:
        return replace(state, freezes=state.freezes - missed)
    return replace(state, current=0, freezes=0)


def record_activity(state: StreakState, day: date) -> StreakState:
    """The learner answered at least one question on ``day`` (their local calendar day)."""
    if state.last_day is not None and day <= state.last_day:
        # Same day again, or an earlier day after moving west across time zones: nothing new.
        return state
    settled = settle(state, day)
    current = settled.current + 1
    freezes = settled.freezes
    if current % FREEZE_EVERY == 0 and freezes < MAX_FREEZES:
        freezes += 1
    return StreakState(
        current=current, best=max(settled.best, current), freezes=freezes, last_day=day
    )


def replay(days: Iterable[date], start: StreakState | None = None) -> StreakState:
    """The streak a learner holds after answering on each of ``days``, in the order answered.

    One entry per answer (repeats of a day are fine); the order matters because an earlier day
    after a later one (a move west) counts for nothing, exactly as it did when it happened. What
    storage keeps must equal this over the stored answer history, which is how a crash test or
    a repair can check it.
    """
    state = start if start is not None else StreakState()
    for day in days:
        state = record_activity(state, day)
    return state


def view(state: StreakState, today: date) -> StreakView:
    """The streak as it stands on ``today``, counting any freezes the missed days would use."""
    settled = settle(state, today)
    return StreakView(
        current=settled.current,
        best=settled.best,
        freezes=settled.freezes,
        active_today=state.last_day == today,
    )


def in_reminder_window(local_now: datetime) -> bool:
    """Whether a local wall-clock time is within the last two hours before midnight."""
    return local_now.time() >= _REMINDER_START
