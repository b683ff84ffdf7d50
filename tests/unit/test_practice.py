"""Which topic `/quiz <words>` practises (bot.core.practice.pick_topic)."""

from __future__ import annotations

import pytest

from bot.core.practice import pick_topic, quizzable
from tests.support.content import shared_matcher, shared_pack


@pytest.mark.parametrize(
    "words",
    ["drift", "DRIFT", "  model and   data drift ", "why does my model get worse over time"],
)
def test_a_topic_name_or_a_learners_words_pick_the_topic(words: str) -> None:
    pick = pick_topic(words, shared_pack(), shared_matcher())
    assert pick.topic is not None and pick.topic.id == "drift"


def test_an_exact_topic_name_wins_over_the_matcher() -> None:
    """ "testing" names a topic; the matcher alone might land on a neighbouring entry."""
    pick = pick_topic("testing", shared_pack(), shared_matcher())
    assert pick.topic is not None and pick.topic.id == "testing"


@pytest.mark.parametrize("words", ["", "   ", "banana bread", "²²²", "x" * 5000])
def test_words_that_name_nothing_pick_no_topic(words: str) -> None:
    pick = pick_topic(words, shared_pack(), shared_matcher())
    assert pick.topic is None
    assert all(quizzable(shared_pack(), t.id) for t in pick.choices)


def test_every_shipped_topic_can_be_practised() -> None:
    pack = shared_pack()
    assert all(quizzable(pack, topic) for topic in pack.topics)
    assert not quizzable(pack, "no-such-topic")
