"""What a group knows, topic by topic: which topic its daily question aims at, and which
topics `/top` may call its weakest and strongest.

A group's record is every answer given in its chat (group quiz rounds and daily questions),
tallied per topic. The daily question aims at the topics answered worst; a little randomness,
and a damping of the topics asked the last two days, let several weak topics take turns. Some
weight always goes to coverage (the topic asked least recently, never-asked first), so a group
with no weak topic, or no history at all, still meets the whole syllabus in turn.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "COVERAGE_WEIGHT",
    "MIN_EVIDENCE",
    "RECENT_DAMPING",
    "SHOWN",
    "STRONG_ACCURACY",
    "WEAK_ACCURACY",
    "WEAK_MISS_RATE",
    "TopicRecord",
    "TopicStanding",
    "choose_topic",
    "coverage_topic",
    "last_asked_topics",
    "miss_rate",
    "standing",
    "tally_topics",
    "topic_weights",
]

# A topic counts as weak when its smoothed share of wrong answers is above this (accuracy under
# 60%); one right answer alone (smoothed 1/3) is not weak, one wrong answer (2/3) is.
WEAK_MISS_RATE = 0.4
# The weight of "the least recently asked topic" next to the weak topics' weights (a weak topic
# answered mostly wrong weighs up to 1). With the damping below, a group with one topic it
# keeps missing gets that topic about every other day, and the rest of the syllabus in between.
COVERAGE_WEIGHT = 0.3
# A weak topic asked as the daily question this many days ago keeps this share of its weight, so
# it does not run on day after day, and several weak topics take turns.
RECENT_DAMPING: Mapping[int, float] = {0: 0.05, 1: 0.15, 2: 0.4}
# /top names a topic weakest or strongest only on at least this many answers, and only when at
# least two topics have that many: one topic has nothing to be compared with.
MIN_EVIDENCE = 5
# What /top may call strong (share right) and weak (share right below this).
STRONG_ACCURACY = 0.8
WEAK_ACCURACY = 0.6
SHOWN = 2


@dataclass(frozen=True, slots=True)
class TopicRecord:
    """A group's answers on one topic."""

    topic: str
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class TopicStanding:
    """What /top may say: the weakest and strongest topics (either may be empty)."""

    weakest: tuple[TopicRecord, ...]
    strongest: tuple[TopicRecord, ...]


def tally_topics(
    by_question: Mapping[str, tuple[int, int]], topic_of: Mapping[str, str]
) -> dict[str, TopicRecord]:
    """Per-question (answered, correct) counts summed per topic; questions no longer in the
    content (absent from `topic_of`) are left out."""
    sums: dict[str, tuple[int, int]] = {}
    for question_id, (answered, correct) in by_question.items():
        topic = topic_of.get(question_id)
        if topic is None or answered <= 0:
            continue
        done, right = sums.get(topic, (0, 0))
        sums[topic] = (done + answered, right + max(0, min(correct, answered)))
    return {topic: TopicRecord(topic, *counts) for topic, counts in sums.items()}


def last_asked_topics(
    last_sent: Mapping[str, date], topic_of: Mapping[str, str]
) -> dict[str, date]:
    """Topic -> the last day one of its questions was the daily question, from the per-question
    days (questions no longer in the content are left out)."""
    days: dict[str, date] = {}
    for question_id, day in last_sent.items():
        topic = topic_of.get(question_id)
        if topic is not None and day > days.get(topic, date.min):
            days[topic] = day
    return days


def miss_rate(record: TopicRecord | None) -> float:
    """Share of wrong answers, smoothed as if one right and one wrong answer came first, so a
    single answer does not make a topic look perfect or hopeless."""
    if record is None:
        return 0.5
    return (record.answered - record.correct + 1) / (record.answered + 2)


def topic_weights(
    topics: Iterable[str],
    records: Mapping[str, TopicRecord],
    last_asked: Mapping[str, date],
    day: date,
) -> dict[str, float]:
    """The weak topics (answered, smoothed miss rate above WEAK_MISS_RATE) and their weights:
    the squared miss rate, damped when the topic was the daily question in the last two days."""
    weights: dict[str, float] = {}
    for topic in topics:
        record = records.get(topic)
        if record is None or record.answered == 0:
            continue
        miss = miss_rate(record)
        if miss <= WEAK_MISS_RATE:
            continue
        asked = last_asked.get(topic)
        damping = RECENT_DAMPING.get((day - asked).days, 1.0) if asked is not None else 1.0
        weights[topic] = miss * miss * damping
    return weights


def coverage_topic(
    topics: Sequence[str], last_asked: Mapping[str, date], rng: random.Random
) -> str:
    """The topic asked least recently (never-asked first); ties are broken at random."""
    shuffled = list(topics)
    rng.shuffle(shuffled)
    # min() keeps the first of equal keys, so the shuffle decides among ties.
    return min(shuffled, key=lambda t: (t in last_asked, last_asked.get(t, date.min)))


def choose_topic(
    topics: Sequence[str],
    records: Mapping[str, TopicRecord],
    last_asked: Mapping[str, date],
    day: date,
    rng: random.Random,
) -> str | None:
    """The topic of a group's daily question on `day`.

    `topics` are those that have quiz questions; `records` the group's answers per topic;
    `last_asked` the last day each topic was the chat's daily question. One weighted draw
    between the weak topics (``topic_weights``) and coverage (``COVERAGE_WEIGHT``, standing for
    ``coverage_topic``); with no weak topic it is coverage.
    """
    if not topics:
        return None
    weights = topic_weights(topics, records, last_asked, day)
    if weights:
        names = [*weights, ""]
        [picked] = rng.choices(names, weights=[*weights.values(), COVERAGE_WEIGHT])
        if picked:
            return picked
    return coverage_topic(topics, last_asked, rng)


def standing(records: Iterable[TopicRecord]) -> TopicStanding:
    """The weakest and strongest topics, named only on enough evidence.

    Only topics with MIN_EVIDENCE answers count, and only when two or more do. Weakest: up to
    two under WEAK_ACCURACY, worst first. Strongest: up to two at STRONG_ACCURACY or above,
    best first. A topic in between is neither.
    """
    known = [r for r in records if r.answered >= MIN_EVIDENCE]
    if len(known) < 2:
        return TopicStanding((), ())
    weak = sorted(
        (r for r in known if r.accuracy < WEAK_ACCURACY),
        key=lambda r: (r.accuracy, -r.answered, r.topic),
    )
    strong = sorted(
        (r for r in known if r.accuracy >= STRONG_ACCURACY),
        key=lambda r: (-r.accuracy, -r.answered, r.topic),
    )
    return TopicStanding(tuple(weak[:SHOWN]), tuple(strong[:SHOWN]))
