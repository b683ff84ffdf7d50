"""Quiz rules that need no storage: option shuffling, grading, and the "Why?" link."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.content import ContentPack, QuizQuestion

__all__ = [
    "Grade",
    "correct_position",
    "decode_order",
    "displayed_options",
    "encode_order",
    "grade",
    "most_chosen_wrong",
    "option_text",
    "order_fits",
    "shuffled_order",
    "stored_question",
    "valid_position",
    "why_entry",
    "wrong_choice_why",
]


@dataclass(frozen=True, slots=True)
class Grade:
    correct: bool
    chosen_index: int
    chosen_text: str
    correct_text: str
    correct_position: int
    chosen_why: str | None  # why the chosen option is wrong; None when it is right


def shuffled_order(count: int, rng: random.Random) -> tuple[int, ...]:
    """A fresh option order for one delivery, so position never gives the answer away."""
    order = list(range(count))
    rng.shuffle(order)
    return tuple(order)


def encode_order(order: Sequence[int]) -> str:
    """The display order as text, the way storage keeps it (``decode_order`` reads it back)."""
    return ",".join(str(i) for i in order)


def decode_order(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(","))


def displayed_options(question: QuizQuestion, order: Sequence[int]) -> tuple[str, ...]:
    return tuple(question.options[i].text for i in order)


def correct_position(question: QuizQuestion, order: Sequence[int]) -> int:
    return list(order).index(question.correct_index)


def order_fits(question: QuizQuestion, order: Sequence[int]) -> bool:
    """Whether a stored order still matches the question (content may change between runs)."""
    return sorted(order) == list(range(len(question.options)))


def stored_question(pack: ContentPack, question_id: str, option_order: str) -> QuizQuestion | None:
    """The question a stored delivery or round refers to, or None if the pack no longer has
    it or it now has a different number of options (the stored order would not fit)."""
    question = pack.quiz.get(question_id)
    if question is None or not order_fits(question, decode_order(option_order)):
        return None
    return question


def option_text(question: QuizQuestion, index: int) -> str:
    return question.options[index].text if 0 <= index < len(question.options) else ""


def valid_position(order: Sequence[int], position: int) -> bool:
    """Whether ``position`` is a button of a question shown in ``order``."""
    return 0 <= position < len(order)


def grade(question: QuizQuestion, order: Sequence[int], position: int) -> Grade:
    """Grade the option shown at ``position``; the caller has checked it is in range."""
    if not valid_position(order, position):
        raise ValueError(f"position {position} outside 0..{len(order) - 1}")
    chosen = order[position]
    return Grade(
        correct=chosen == question.correct_index,
        chosen_index=chosen,
        chosen_text=question.options[chosen].text,
        correct_text=question.options[question.correct_index].text,
        correct_position=correct_position(question, order),
        chosen_why=wrong_choice_why(question, chosen),
    )


def why_entry(question: QuizQuestion, pack: ContentPack) -> str | None:
    """The entry the "Why?" button opens: the explicit link, else the topic's first FAQ entry."""
    if question.related is not None:
        return question.related
    return next((entry.id for entry in pack.faq.values() if entry.topic == question.topic), None)


def wrong_choice_why(question: QuizQuestion, index: int) -> str | None:
    """What the learner is told about the wrong option they picked (None for the key, or for an
    index the question no longer has)."""
    if not 0 <= index < len(question.options):
        return None
    return question.options[index].why


def most_chosen_wrong(question: QuizQuestion, chosen: Iterable[int]) -> int | None:
    """The wrong option picked most often (ties go to the earlier option), None if nobody erred."""
    counts = Counter(
        i for i in chosen if 0 <= i < len(question.options) and i != question.correct_index
    )
    if not counts:
        return None
    return min(counts, key=lambda i: (-counts[i], i))
