"""The gap queue's rules: what of a question is kept, and which questions count as the same.

A question the content could not answer outright is kept as the learner typed it
(``stored_question``: cleaned, control characters gone, capped) and as ``normalised`` text
(lower case, words only), which storage groups by in SQL, so a million rows reach Python as the
distinct texts only. ``group_gaps`` then puts similar texts together: texts with the same
meaningful stems in any order share a key, and keys close enough under a fuzzy ratio join the
group of the most asked one. Only keys that share a word are compared (an inverted index over the
groups' words), and each key is compared with a bounded number of groups, so the work grows with
the distinct texts, not with their square.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from bot.core.text import STOPWORDS, raw_stem

__all__ = [
    "MAX_EXAMPLES",
    "MAX_GAPS_PER_DAY",
    "MAX_STORED_CHARS",
    "SIMILARITY",
    "GapCount",
    "GapGroup",
    "GapOutcome",
    "PickedEntry",
    "group_gaps",
    "normalised",
    "stored_question",
    "worth_reading",
]

GapOutcome = Literal["suggest", "fallback"]

# A question longer than this is a paste, not a question; the start says what it was about.
MAX_STORED_CHARS = 300
# A learner who asks 50 questions in a day that the content cannot answer has shown the authors
# what they need; beyond that a script (within the flood limits) could store ~170,000 rows a day
# and swell its own /export, so further questions that day are answered and not kept.
MAX_GAPS_PER_DAY = 50
# Two keys this similar (rapidfuzz ratio, 0-100) are the same question worded differently.
SIMILARITY = 80.0
MAX_EXAMPLES = 3
# The groups a key is compared with, per word it shares with them (the most asked first).
_CANDIDATES_PER_WORD = 200
# Words looked up per key: its rarest, which say most about what it asks.
_LOOKUP_WORDS = 3

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_SPACES = re.compile(r"\s+")


def stored_question(text: str) -> str:
    """The question as kept: NFKC, control and invisible characters dropped, whitespace
    collapsed, capped at ``MAX_STORED_CHARS`` (with an ellipsis when cut)."""
    text = unicodedata.normalize("NFKC", text[: MAX_STORED_CHARS * 4])
    visible = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or ch.isprintable()
    )
    visible = _SPACES.sub(" ", visible).strip()
    if len(visible) > MAX_STORED_CHARS:
        return visible[: MAX_STORED_CHARS - 1].rstrip() + "…"
    return visible


def normalised(text: str) -> str:
    """Lower case words only, in order: "What's MLOps??" and "what's mlops" are one text."""
    return " ".join(_WORD.findall(stored_question(text).casefold()))


def worth_reading(normalised_text: str) -> bool:
    """Whether a normalised text says anything an author could act on: at least one word of two
    or more characters that is not a number ("h", "1", "-1" are stray keys, not questions)."""
    return any(len(word) >= 2 and not word.isdecimal() for word in normalised_text.split())


def _key(text: str, stems: dict[str, str]) -> str:
    """The meaningful stems of a normalised text, sorted: word order and filler do not count.
    `stems` remembers each word's stem (stemming is most of the cost, and words repeat)."""
    found: set[str] = set()
    for word in text.split():
        if word in STOPWORDS:
            continue
        stem = stems.get(word)
        if stem is None:
            stem = stems[word] = raw_stem(word)
        found.add(stem)
    return " ".join(sorted(found)) if found else text


@dataclass(frozen=True, slots=True)
class GapCount:
    """How often one normalised text ended one way (and which suggestion was then opened)."""

    text: str  # normalised
    example: str  # one way it was typed
    outcome: GapOutcome
    picked: str | None
    count: int


@dataclass(frozen=True, slots=True)
class PickedEntry:
    """A "did you mean" suggestion learners opened after asking this: the question is a new
    phrasing for that entry."""

    entry_id: str
    count: int
    phrasing: str  # the most asked wording that led to it


@dataclass(frozen=True, slots=True)
class GapGroup:
    """Similar questions together: how often, how they ended, a few wordings."""

    count: int
    examples: tuple[str, ...]  # the most asked first
    outcomes: dict[str, int]  # "suggest" / "fallback" -> how many
    picked: tuple[PickedEntry, ...]  # the most opened first

    @property
    def label(self) -> str:
        return self.examples[0]


@dataclass(slots=True)
class _Text:
    """One normalised text with everything counted for it (slots, and no dict for a text
    nobody picked a suggestion for: a report holds thousands of these)."""

    count: int = 0
    example: str = ""
    example_count: int = 0
    suggest: int = 0
    fallback: int = 0
    picked: dict[str, int] | None = None


@dataclass
class _Group:
    key: str
    texts: list[tuple[str, _Text]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(t.count for _, t in self.texts)


def _collect(rows: Iterable[GapCount]) -> dict[str, _Text]:
    texts: dict[str, _Text] = {}
    for row in rows:
        entry = texts.get(row.text)
        if entry is None:
            entry = texts[row.text] = _Text()
        entry.count += row.count
        if row.outcome == "suggest":
            entry.suggest += row.count
        else:
            entry.fallback += row.count
        if row.picked:
            if entry.picked is None:
                entry.picked = {}
            entry.picked[row.picked] = entry.picked.get(row.picked, 0) + row.count
        if row.count > entry.example_count or not entry.example:
            entry.example, entry.example_count = row.example, row.count
    return texts


def group_gaps(rows: Iterable[GapCount], *, similarity: float = SIMILARITY) -> list[GapGroup]:
    """Similar questions grouped, the most asked group first."""
    by_key: dict[str, list[tuple[str, _Text]]] = defaultdict(list)
    stems: dict[str, str] = {}
    for text, counted in _collect(rows).items():
        by_key[_key(text, stems)].append((text, counted))
    keys = sorted(by_key, key=lambda k: (-sum(t.count for _, t in by_key[k]), k))
    # How many keys use each word: rare words say most about what a question is about.
    frequency: Counter[str] = Counter(w for k in keys for w in set(k.split()))
    groups: list[_Group] = []
    # word -> the groups whose key has it, and those keys (slices of both are taken together).
    holding: dict[str, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    for key in keys:
        words = sorted(set(key.split()), key=lambda w: (frequency[w], w))[:_LOOKUP_WORDS]
        indexes: list[int] = []
        choices: list[str] = []
        for word in words:
            held_indexes, held_keys = holding[word]
            # A group may come up under two words: comparing it twice costs less than deduping.
            indexes += held_indexes[:_CANDIDATES_PER_WORD]
            choices += held_keys[:_CANDIDATES_PER_WORD]
        best = _closest(key, choices, indexes, similarity)
        if best is None:
            best = len(groups)
            groups.append(_Group(key))
            for word in set(key.split()):
                held_indexes, held_keys = holding[word]
                held_indexes.append(best)
                held_keys.append(key)
        groups[best].texts.extend(by_key[key])
    ordered = sorted(groups, key=lambda g: -g.count)
    return [_summary(group) for group in ordered]


def _closest(key: str, choices: list[str], indexes: list[int], cutoff: float) -> int | None:
    if not choices:
        return None
    found = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
    return indexes[found[2]] if found is not None else None


def _summary(group: _Group) -> GapGroup:
    texts = sorted(group.texts, key=lambda item: (-item[1].count, item[0]))
    outcomes: Counter[str] = Counter()
    picked: Counter[str] = Counter()
    phrasing: dict[str, tuple[int, str]] = {}
    for _, counted in texts:
        outcomes["suggest"] += counted.suggest
        outcomes["fallback"] += counted.fallback
        if counted.picked is None:
            continue
        picked.update(counted.picked)
        for entry_id, times in counted.picked.items():
            if times > phrasing.get(entry_id, (0, ""))[0]:
                phrasing[entry_id] = (times, counted.example)
    examples = tuple(dict.fromkeys(t.example for _, t in texts))[:MAX_EXAMPLES]
    return GapGroup(
        count=sum(t.count for _, t in texts),
        examples=examples,
        outcomes={outcome: n for outcome, n in sorted(outcomes.items()) if n},
        picked=tuple(
            PickedEntry(entry_id, times, phrasing[entry_id][1])
            for entry_id, times in sorted(picked.items(), key=lambda item: (-item[1], item[0]))
        ),
    )
