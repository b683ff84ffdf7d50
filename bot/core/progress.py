"""How one answer moves a learner forward: the spaced-repetition card and the streak.

Every kind of answer (private quiz, daily question, group round) goes through ``apply_answer``,
so a learner's card and streak never depend on where they answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core import spaced_repetition, streaks

__all__ = ["Progress", "apply_answer"]


@dataclass(frozen=True, slots=True)
class Progress:
    """What one answer does to a learner: the rescheduled card and the streak around it."""

    reviewed: spaced_repetition.Reviewed
    before: streaks.StreakState
    settled: streaks.StreakState  # ``before`` with the missed days' freezes spent
    after: streaks.StreakState


def apply_answer(
    card_json: str | None,
    streak: streaks.StreakState,
    *,
    correct: bool,
    hinted: bool,
    now: datetime,
    today: date,
) -> Progress:
    """The one rule for how any answer (private, daily or group) moves spaced repetition and
    the streak; ``today`` is the learner's local day."""
    return Progress(
        reviewed=spaced_repetition.review(card_json, correct=correct, hinted=hinted, now=now),
        before=streak,
        settled=streaks.settle(streak, today),
        after=streaks.record_activity(streak, today),
    )
