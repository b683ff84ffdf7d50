"""How well a learner knows a topic, and at which level they should practise next.

Mastery (``topic_mastery``) is one of four levels, decided from three kinds of evidence about
the topic's quiz items:

- **coverage**: the share of the topic's items the learner has answered at least once;
- **memory**: the mean FSRS retrievability *now* of the items they have answered (the chance
  they would still recall each one today, which falls as time passes since the last review);
- **recent accuracy**: the share of right answers among their answers on the topic in the last
  ``RECENT_DAYS`` days (the newest ``RECENT_LIMIT`` of them).

The rule, checked from the top:

=============  =================================================================================
mastered       coverage >= 0.8, at least 3 recent answers, recent accuracy >= 0.8, memory >= 0.85
solid          coverage >= 0.5, at least 2 recent answers, recent accuracy >= 0.6, memory >= 0.7
learning       anything answered at all (also: every answer older than ``RECENT_DAYS``)
not started    nothing answered on the topic yet (or the topic has no quiz items)
=============  =================================================================================

Why these thresholds: a topic holds about three items (one per difficulty), so 0.8 coverage
means every item of a three-item topic and 0.5 means two of them; "mastered" asks for at least
three fresh answers so one lucky tap (a 1-in-4 guess) never reaches it, and "solid" for two.
Memory keeps a topic answered well months ago from staying "mastered": once FSRS expects
recall to have dropped below 85%, the topic is due for practice and shows it. Answers older
than ``RECENT_DAYS`` say little about today, so without fresh answers a topic stays "learning"
however it went back then. Only the newest ``RECENT_LIMIT`` (6: two rounds of a three-item
topic) count, so a run of fresh misses shows at once instead of being averaged away by a long
good history. Hinted right answers count as right (FSRS already rates them lower).

"Weakest first" (``weakest_first``, used by /progress and by plain /quiz) puts topics being
learned before those not started: a topic the learner has tried and still gets wrong is a known
weak spot, an untouched one only an unknown; then not started, solid, mastered. Within a level,
``strength`` (0..1) decides: the mean of memory over *all* items (unanswered ones count 0) and
recent accuracy (memory again when there is none).

The practice level (``practice_level``) follows the learner's answers in order, oldest first,
starting at easy: ``RISE_AFTER`` right answers in a row at (or above) the current level move it
up one step, ``FALL_AFTER`` misses in a row at (or below) it move it down one step. It is a
pure function of the newest ``LEVEL_WINDOW`` answers, so it needs no state of its own: it
survives restarts, and /forget resets it with the answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from fsrs import Card, Scheduler

from bot.core.clock import require_aware
from bot.core.content import DIFFICULTIES, ContentPack, Difficulty

__all__ = [
    "ANSWERS_READ",
    "FALL_AFTER",
    "LEVEL_WINDOW",
    "RECENT_DAYS",
    "RECENT_LIMIT",
    "RISE_AFTER",
    "AnswerEvent",
    "Level",
    "TopicMastery",
    "pack_mastery",
    "practice_level",
    "retrievability",
    "topic_mastery",
    "weakest_first",
]

RECENT_DAYS = 60
# Answers a caller reads to judge mastery: the newest of the last RECENT_DAYS, far more than any
# learner gives in that time, so the cap only bounds a pathological history.
ANSWERS_READ = 2000
RECENT_LIMIT = 6
RISE_AFTER = 3
FALL_AFTER = 2
LEVEL_WINDOW = 30

_MASTERED = (0.8, 3, 0.8, 0.85)  # coverage, recent answers, recent accuracy, memory
_SOLID = (0.5, 2, 0.6, 0.7)

# Retrievability only reads the card's stability and last review; the default scheduler's
# decay is the one the cards were scheduled with (bot.core.spaced_repetition).
_SCHEDULER = Scheduler(enable_fuzzing=False)


class Level(IntEnum):
    """Ordered weakest to strongest, so levels compare and sort."""

    NOT_STARTED = 0
    LEARNING = 1
    SOLID = 2
    MASTERED = 3

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()


@dataclass(frozen=True, slots=True)
class AnswerEvent:
    """One answer to a quiz item (private, daily or group)."""

    question_id: str
    difficulty: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class TopicMastery:
    topic_id: str
    level: Level
    items: int  # the topic's quiz items in the pack
    seen: int  # of which answered at least once
    recent_answers: int
    recent_correct: int
    memory: float | None  # mean retrievability of the seen items; None before any
    strength: float  # 0..1, orders topics within a level

    @property
    def coverage(self) -> float:
        return self.seen / self.items if self.items else 0.0

    @property
    def recent_accuracy(self) -> float | None:
        return self.recent_correct / self.recent_answers if self.recent_answers else None

    @property
    def practicable(self) -> bool:
        """Whether the topic has quiz items to practise it with."""
        return self.items > 0


def retrievability(card_json: str, now: datetime) -> float:
    """FSRS's probability, 0..1, that the learner recalls the card's item at ``now``."""
    return float(_SCHEDULER.get_card_retrievability(Card.from_json(card_json), now))


def topic_mastery(
    topic_id: str,
    item_ids: Iterable[str],
    cards: Mapping[str, str],
    answers: Sequence[AnswerEvent],
    now: datetime,
) -> TopicMastery:
    """The mastery of one topic whose quiz items are ``item_ids``.

    ``cards`` maps question ids to FSRS card JSON (items never answered are absent); ``answers``
    may hold answers to any items and of any age: only this topic's recent ones count.
    """
    require_aware(now)
    items = sorted(set(item_ids))
    recall = [retrievability(cards[q], now) for q in items if q in cards]
    wanted = set(items)
    since = now - timedelta(days=RECENT_DAYS)
    recent = sorted(
        (a for a in answers if a.question_id in wanted and since <= a.answered_at <= now),
        key=lambda a: a.answered_at,
        reverse=True,
    )[:RECENT_LIMIT]
    right = sum(a.correct for a in recent)
    memory = sum(recall) / len(recall) if recall else None
    coverage = len(recall) / len(items) if items else 0.0
    accuracy = right / len(recent) if recent else None

    level = Level.NOT_STARTED
    if recall:
        level = Level.LEARNING
        for candidate, (cov, count, acc, mem) in (
            (Level.MASTERED, _MASTERED),
            (Level.SOLID, _SOLID),
        ):
            if (
                coverage >= cov
                and len(recent) >= count
                and accuracy is not None
                and accuracy >= acc
                and memory is not None
                and memory >= mem
            ):
                level = candidate
                break
    memory_all = sum(recall) / len(items) if items else 0.0
    strength = (memory_all + (accuracy if accuracy is not None else memory_all)) / 2
    return TopicMastery(
        topic_id=topic_id,
        level=level,
        items=len(items),
        seen=len(recall),
        recent_answers=len(recent),
        recent_correct=right,
        memory=memory,
        strength=strength,
    )


def pack_mastery(
    pack: ContentPack,
    cards: Mapping[str, str],
    answers: Sequence[AnswerEvent],
    now: datetime,
) -> dict[str, TopicMastery]:
    """Every topic of the pack (in its order), with its mastery."""
    items: dict[str, list[str]] = {topic: [] for topic in pack.topics}
    for item in pack.quiz.values():
        items.setdefault(item.topic, []).append(item.id)
    # Each topic reads only its own answers (a long history is not scanned once per topic).
    by_topic: dict[str, list[AnswerEvent]] = {}
    for answer in answers:
        question = pack.quiz.get(answer.question_id)
        if question is not None:
            by_topic.setdefault(question.topic, []).append(answer)
    return {
        topic: topic_mastery(topic, items[topic], cards, by_topic.get(topic, []), now)
        for topic in pack.topics
    }


_WEAKNESS_ORDER = {Level.LEARNING: 0, Level.NOT_STARTED: 1, Level.SOLID: 2, Level.MASTERED: 3}


def weakest_first(masteries: Iterable[TopicMastery]) -> list[TopicMastery]:
    """Topics that can be practised, weakest first (learning, not started, solid, mastered;
    then lowest strength); the order among equals is the order given, so a caller may shuffle
    to rotate ties."""
    return sorted(
        (m for m in masteries if m.practicable),
        key=lambda m: (_WEAKNESS_ORDER[m.level], round(m.strength, 6)),
    )


def practice_level(answers: Sequence[AnswerEvent]) -> Difficulty:
    """The difficulty to practise at after ``answers`` (any order; the newest ``LEVEL_WINDOW``
    count). A learner without answers starts at easy."""
    ordered = sorted(answers, key=lambda a: a.answered_at)[-LEVEL_WINDOW:]
    step = 0
    run = misses = 0
    for answer in ordered:
        asked = DIFFICULTIES.index(answer.difficulty) if answer.difficulty in DIFFICULTIES else 0
        if answer.correct:
            misses = 0
            if asked >= step:
                run += 1
                if run >= RISE_AFTER and step < len(DIFFICULTIES) - 1:
                    step, run = step + 1, 0
        else:
            run = 0
            if asked <= step:
                misses += 1
                if misses >= FALL_AFTER and step > 0:
                    step, misses = step - 1, 0
    return DIFFICULTIES[step]
