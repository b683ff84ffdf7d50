"""How far test-wise guessing gets on the quiz bank, without knowing the subject.

A learner who cannot answer an item may still pick the longest option, the most enumerative one,
or drop options with absolute words. If such a strategy beats chance by much, the bank teaches
the format instead of the subject. Each strategy here returns its *expected* score on one item
(ties between options are broken at random), so the figures do not depend on option order,
which the bot shuffles anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "ABSOLUTE_WORDS",
    "STOPWORDS",
    "STRATEGIES",
    "Item",
    "counts_options",
    "cue_report",
    "drop_absolutes_then_random",
    "enumeration",
    "has_absolute",
    "hint_giveaways",
    "key_is_longest",
    "longest",
    "most_enumerative",
    "random_guess",
    "random_of_two_longest",
    "second_longest",
    "shortest",
]

ABSOLUTE_WORDS = frozenset({"always", "never", "only", "all", "none", "every", "must"})
_ENUMERATORS = re.compile(r",|\band\b|\bplus\b|\bwith\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Words too common to give anything away when a hint and the key share them.
STOPWORDS = frozenset(
    """a an the and or but if then than so of to in on at by for from with without into onto
    over under about after before between through is are was were be been being it its this that
    these those there their them they he she his her you your we our us i me my what which who
    whom whose when where why how not no yes do does did done can could would should may might
    will shall just also too very more most less least much many some any each one two own same
    other such only as up down out off again still yet even new old first last next""".split()
)


@dataclass(frozen=True, slots=True)
class Item:
    """One question, reduced to what a guesser sees."""

    options: tuple[str, ...]
    key: int  # index of the correct option
    difficulty: str


def _rank_chance(item: Item, rank: int, score: Callable[[str], float]) -> float:
    """Chance that the key sits at `rank` (1 = highest score) when ties are broken at random."""
    mine = score(item.options[item.key])
    above = sum(score(o) > mine for o in item.options)
    tied = sum(score(o) == mine for o in item.options)
    return 1 / tied if above < rank <= above + tied else 0.0


def enumeration(option: str) -> int:
    """How list-like an option reads: commas plus 'and', 'plus' and 'with'."""
    return len(_ENUMERATORS.findall(option))


def has_absolute(option: str) -> bool:
    return any(word in ABSOLUTE_WORDS for word in _WORD.findall(option.lower()))


def longest(item: Item) -> float:
    return _rank_chance(item, 1, len)


def second_longest(item: Item) -> float:
    return _rank_chance(item, 2, len)


def random_of_two_longest(item: Item) -> float:
    return (_rank_chance(item, 1, len) + _rank_chance(item, 2, len)) / 2


def most_enumerative(item: Item) -> float:
    return _rank_chance(item, 1, enumeration)


def drop_absolutes_then_random(item: Item) -> float:
    kept = [i for i, option in enumerate(item.options) if not has_absolute(option)]
    if not kept:  # every option is absolute: nothing to drop, guess among all
        return 1 / len(item.options)
    return 1 / len(kept) if item.key in kept else 0.0


def shortest(item: Item) -> float:
    # Not one of the classic cues, but a bank tuned against "longest" can overshoot into this.
    return _rank_chance(item, 1, lambda option: -len(option))


def random_guess(item: Item) -> float:
    return 1 / len(item.options)


STRATEGIES: dict[str, Callable[[Item], float]] = {
    "random guess": random_guess,
    "longest": longest,
    "shortest": shortest,
    "second-longest": second_longest,
    "random of two longest": random_of_two_longest,
    "most enumerative": most_enumerative,
    "drop absolutes, then random": drop_absolutes_then_random,
}


def key_is_longest(item: Item) -> bool:
    """The key is strictly longer than every other option."""
    mine = len(item.options[item.key])
    return all(len(o) < mine for i, o in enumerate(item.options) if i != item.key)


def cue_report(items: Iterable[Item]) -> dict[str, dict[str, float]]:
    """Mean score of each strategy, and the share of keys that are longest, per group."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.difficulty, []).append(item)
        groups.setdefault("all", []).append(item)
    report: dict[str, dict[str, float]] = {}
    for group, members in groups.items():
        figures = {name: _mean(map(f, members)) for name, f in STRATEGIES.items()}
        figures["key is longest"] = _mean(float(key_is_longest(i)) for i in members)
        figures["items"] = float(len(members))
        report[group] = figures
    return report


def _mean(values: Iterable[float]) -> float:
    listed = list(values)
    return sum(listed) / len(listed) if listed else 0.0


# --- hints ---------------------------------------------------------------------------------------


def _stem(word: str) -> str:
    """A crude stem, so 'labels' in a hint matches 'label' in the key."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 2}


def hint_giveaways(stem: str, options: Sequence[str], key: int, hint: str) -> set[str]:
    """Words that only the key uses (not the stem, not another option) and the hint repeats."""
    others = set().union(*(_content_words(o) for i, o in enumerate(options) if i != key))
    distinctive = _content_words(options[key]) - _content_words(stem) - others
    return distinctive & _content_words(hint)


_COUNTING = re.compile(
    r"\b(two|three|four|all but one|both|either)\b[^.?!]{0,25}\b(of|among)\s+(these|them|the"
    r" options|the answers)\b",
    re.IGNORECASE,
)


def counts_options(hint: str) -> bool:
    """Whether a hint eliminates options by counting them ("three of these ...")."""
    return bool(_COUNTING.search(hint))
