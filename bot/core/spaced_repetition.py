"""Spaced repetition with FSRS: how an answer becomes a rating, and which question comes next.

Ratings: a wrong answer is ``Again``, a right answer after a hint is ``Hard``, a right answer is
``Good``. FSRS then schedules the card: a missed question is due again within minutes, a known
one after days.

Choosing the next question (``pick_next``): questions that are due come first (the most overdue
first), then questions never seen (random order), then, when everything has been seen and nothing
is due, the one that will be due soonest, so the quiz never runs dry. The question asked last is
never asked again straight away; when it is the only candidate, there is no next question.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

from bot.core.clock import require_aware

__all__ = ["Reviewed", "card_due", "new_card", "pick_next", "rating_for", "review"]

# Fuzzing spreads intervals at random; with a small question bank it only makes the order harder
# to predict and to test, so it is off.
_SCHEDULER = Scheduler(enable_fuzzing=False)


@dataclass(frozen=True, slots=True)
class Reviewed:
    card_json: str
    due: datetime


def rating_for(*, correct: bool, hinted: bool) -> Rating:
    """Wrong -> Again, right after a hint -> Hard, right -> Good."""
    if not correct:
        return Rating.Again
    return Rating.Hard if hinted else Rating.Good


def new_card(now: datetime) -> Card:
    # Passing card_id avoids Card() sleeping a millisecond to mint a unique id we never use.
    return Card(card_id=1, due=require_aware(now).astimezone(UTC))


def review(card_json: str | None, *, correct: bool, hinted: bool, now: datetime) -> Reviewed:
    """Apply one answer to a card (a fresh one when ``card_json`` is None)."""
    at = require_aware(now).astimezone(UTC)
    card = Card.from_json(card_json) if card_json else new_card(at)
    card, _log = _SCHEDULER.review_card(
        card, rating_for(correct=correct, hinted=hinted), review_datetime=at
    )
    return Reviewed(card_json=card.to_json(), due=card.due)


def card_due(card_json: str) -> datetime:
    return Card.from_json(card_json).due


def pick_next(
    candidates: Sequence[str],
    dues: Mapping[str, datetime],
    avoid: Collection[str],
    now: datetime,
    rng: random.Random,
) -> str | None:
    """The question to ask next, from ``candidates`` (already filtered by difficulty).

    ``dues`` maps each question the learner has seen to when it is due; ``avoid`` holds the
    question(s) just asked, which must not come straight back.
    """
    require_aware(now)
    pool = [q for q in candidates if q not in avoid]
    if not pool:
        return None
    seen = [q for q in pool if q in dues]
    due = sorted((q for q in seen if dues[q] <= now), key=lambda q: (dues[q], q))
    if due:
        return due[0]
    new = [q for q in pool if q not in dues]
    if new:
        return rng.choice(new)
    return min(seen, key=lambda q: (dues[q], q))
