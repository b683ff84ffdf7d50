"""A short follow-up read against the question before it (bot.core.followup)."""

from __future__ import annotations

import pytest

from bot.core.followup import follow_up
from tests.support.content import shared_matcher


def _follow(previous: str | None, message: str) -> str | None:
    return follow_up(previous, message, shared_matcher().text.words)


@pytest.mark.parametrize(
    ("previous", "message", "meant"),
    [
        ("how is testing done in devops", "and for ml?", "how is testing done in mlops"),
        ("what is devops", "and mlops?", "what is mlops"),
        ("what is devops", "what about ML-Ops", "what is mlops"),
        ("what is devops", "and for machine learning?", "what is mlops"),
        ("what is mlops", "and devops?", "what is devops"),
        ("who is on an mlops team", "same for devops pls", "who is on an devops team"),
        # No discipline before: the follow-up names where the question now applies.
        ("how do you version things", "and for ml?", "how do you version things in mlops"),
    ],
)
def test_a_follow_up_swaps_the_discipline(previous: str, message: str, meant: str) -> None:
    assert _follow(previous, message) == meant


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        (None, "and for ml?"),  # nothing to follow
        ("", "and for ml?"),
        ("devops vs mlops testing", "and for ml?"),  # the comparison covers both already
        ("what is mlops", "and mlops?"),  # the same discipline asks nothing new
        ("what is devops", "and what is drift"),  # a question of its own
        ("what is devops", "mlops?"),  # no lead: a question of its own
        ("what is devops", "and for ml and devops"),
        ("what is devops", ""),
    ],
)
def test_anything_else_is_left_as_typed(previous: str | None, message: str) -> None:
    assert _follow(previous, message) is None
