"""The group's record per topic: what its daily question aims at, and what /top may say."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from bot.core import group_focus as focus
from bot.core.group_focus import TopicRecord

DAY = date(2026, 3, 10)
TOPICS = ["ci", "cd", "drift", "testing", "versioning"]


def records(**counts: tuple[int, int]) -> dict[str, TopicRecord]:
    return {topic: TopicRecord(topic, *pair) for topic, pair in counts.items()}


def test_tally_topics_sums_questions_and_skips_what_the_content_lost() -> None:
    topic_of = {"q1": "ci", "q2": "ci", "q3": "drift"}
    tallied = focus.tally_topics(
        {"q1": (3, 2), "q2": (2, 0), "q3": (4, 4), "gone": (9, 0)}, topic_of
    )
    assert tallied == records(ci=(5, 2), drift=(4, 4))


def test_miss_rate_is_smoothed() -> None:
    """One answer does not make a topic perfect or hopeless; no answer is a coin toss."""
    assert focus.miss_rate(None) == 0.5
    assert focus.miss_rate(TopicRecord("ci", 1, 1)) == 1 / 3
    assert focus.miss_rate(TopicRecord("ci", 1, 0)) == 2 / 3
    assert focus.miss_rate(TopicRecord("ci", 10, 0)) == 11 / 12


def test_weights_take_only_weak_topics_worst_heaviest() -> None:
    weights = focus.topic_weights(
        TOPICS, records(ci=(10, 0), cd=(10, 4), drift=(10, 10), testing=(1, 1)), {}, DAY
    )
    assert set(weights) == {"ci", "cd"}  # drift is strong, testing one right answer, no record
    assert weights["ci"] > weights["cd"] > 0
    assert weights["ci"] == (11 / 12) ** 2


def test_a_topic_asked_lately_is_damped_so_weak_topics_take_turns() -> None:
    weak = records(ci=(10, 0), cd=(10, 0))
    fresh = focus.topic_weights(TOPICS, weak, {"cd": DAY - timedelta(days=5)}, DAY)
    damped = focus.topic_weights(TOPICS, weak, {"ci": DAY - timedelta(days=1)}, DAY)
    assert fresh["ci"] == fresh["cd"]
    assert damped["ci"] < damped["cd"] / 2


def test_the_weakest_topic_comes_most_often_yet_others_rotate_in() -> None:
    """Simulated days with a seeded generator: the topic the group misses comes far more often
    than any strong one, and coverage still brings every topic round."""
    rng = random.Random(7)
    group = records(ci=(12, 1), cd=(12, 12), drift=(12, 11), testing=(12, 12), versioning=(12, 12))
    last: dict[str, date] = {}
    counts: Counter[str] = Counter()
    for offset in range(200):
        day = DAY + timedelta(days=offset)
        topic = focus.choose_topic(TOPICS, group, last, day, rng)
        assert topic is not None
        counts[topic] += 1
        last[topic] = day
    strong_most = max(counts[t] for t in TOPICS if t != "ci")
    assert counts["ci"] > 3 * strong_most
    assert set(counts) == set(TOPICS)


def test_two_weak_topics_share_the_days() -> None:
    rng = random.Random(3)
    group = records(ci=(10, 1), cd=(10, 2), drift=(10, 10))
    last: dict[str, date] = {}
    picks = []
    for offset in range(60):
        day = DAY + timedelta(days=offset)
        topic = focus.choose_topic(TOPICS, group, last, day, rng)
        assert topic is not None
        picks.append(topic)
        last[topic] = day
    counts = Counter(picks)
    assert counts["ci"] >= 15 and counts["cd"] >= 15
    # Damping keeps the same weak topic from running on for days.
    longest = max(len(run) for run in "".join("x" if p == "ci" else "." for p in picks).split("."))
    assert longest <= 4


def test_no_history_covers_every_topic_least_recently_asked_first() -> None:
    """Without answers the days walk through every topic before any repeats, then start again
    with the one asked longest ago."""
    rng = random.Random(1)
    last: dict[str, date] = {}
    first_round = []
    for offset in range(len(TOPICS)):
        day = DAY + timedelta(days=offset)
        topic = focus.choose_topic(TOPICS, {}, last, day, rng)
        assert topic is not None
        first_round.append(topic)
        last[topic] = day
    assert sorted(first_round) == sorted(TOPICS)
    next_day = DAY + timedelta(days=len(TOPICS))
    assert focus.choose_topic(TOPICS, {}, last, next_day, rng) == first_round[0]


def test_coverage_ties_follow_the_seed() -> None:
    picks = {focus.coverage_topic(TOPICS, {}, random.Random(seed)) for seed in range(30)}
    assert len(picks) > 1
    assert focus.coverage_topic(TOPICS, {}, random.Random(5)) == focus.coverage_topic(
        TOPICS, {}, random.Random(5)
    )


def test_no_topics_no_choice() -> None:
    assert focus.choose_topic([], {}, {}, DAY, random.Random(0)) is None


def test_last_asked_topics_takes_the_latest_day_per_topic() -> None:
    topic_of = {"q1": "ci", "q2": "ci", "q3": "drift"}
    days = {"q1": DAY, "q2": DAY - timedelta(days=3), "q3": DAY - timedelta(days=1), "old": DAY}
    assert focus.last_asked_topics(days, topic_of) == {
        "ci": DAY,
        "drift": DAY - timedelta(days=1),
    }


def test_standing_names_weak_and_strong_on_enough_evidence() -> None:
    result = focus.standing(
        records(ci=(10, 2), cd=(6, 3), drift=(8, 8), testing=(5, 4), versioning=(10, 7)).values()
    )
    assert [r.topic for r in result.weakest] == ["ci", "cd"]
    assert [r.topic for r in result.strongest] == ["drift", "testing"]


def test_standing_says_nothing_on_thin_evidence() -> None:
    """Four answers are not enough, and one well-known topic has nothing to compare with."""
    assert focus.standing(records(ci=(4, 0), drift=(4, 4)).values()) == focus.TopicStanding((), ())
    assert focus.standing(records(ci=(20, 1), drift=(4, 4)).values()) == focus.TopicStanding(
        (), ()
    )


def test_standing_in_the_middle_is_neither() -> None:
    """Topics answered about 70% right are neither weakest nor strongest."""
    result = focus.standing(records(ci=(10, 7), drift=(10, 7)).values())
    assert result.weakest == () and result.strongest == ()
