"""Group quiz rules that need no storage: arguments, scoring, standings, and the texts around them.

A group quiz is a *session* of numbered *rounds*; each round shows one question to the whole group
and every member may answer it once. Points work like Kahoot: a right answer is worth 1000 points
at once, falling linearly to 500 at the deadline, plus a bonus for a run of right answers.

Decisions worth knowing:
- Arguments come in any order: ``/groupquiz hard 10 30``, ``/groupquiz seconds=45 q=8``,
  ``/groupquiz 30s medium``. Unlabelled numbers fill questions first, then seconds. Values out of
  range are clamped and a note says so; anything unreadable is an error that shows the usage.
- Early close: the *participants* of round N are the members who answered any earlier round of
  the session. Round N may close early once every participant has answered it. Round 1 has no
  participants, so it always runs to its deadline: nobody can know who in the group means to
  play (the starter may only be the host), and closing after a lone first tap would lock everyone
  else out of the question.
- "Fastest" is the quickest *right* answer; a fast wrong tap earns nothing, so it is not shown.
- Rounding: halves round up (862.5 -> 863), not to even as ``round`` would.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Protocol, TypeVar

from bot.core.content import DIFFICULTIES, Difficulty
from bot.core.echo import echo
from bot.errors import TutorError

__all__ = [
    "EDIT_INTERVAL",
    "PRIVATE_CHAT_HINT",
    "TOP",
    "USAGE",
    "GroupArgs",
    "GroupArgsError",
    "Leaderboard",
    "Score",
    "Standing",
    "TapStatus",
    "Total",
    "all_answered",
    "fastest",
    "parse_args",
    "rank",
    "score",
    "should_edit_count",
    "speed_points",
    "status_text",
    "streak_bonus",
    "toast_text",
]

MIN_QUESTIONS, MAX_QUESTIONS, DEFAULT_QUESTIONS = 1, 20, 5
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 10, 120, 20
MAX_POINTS, MIN_POINTS = 1000, 500
STREAK_STEP, MAX_STREAK_BONUS = 100, 500
# Standings show the first five; everyone else still learns their own place.
TOP = 5
# Telegram allows about 20 messages a minute in a group; one count edit every 3 s uses at most
# that budget on its own, and the rate limiter in the adapter absorbs the question and reveal.
EDIT_INTERVAL = 3.0

USAGE = (
    "Usage: /groupquiz [questions] [seconds] [easy|medium|hard], in any order.\n"
    f"Questions {MIN_QUESTIONS}-{MAX_QUESTIONS} (default {DEFAULT_QUESTIONS}), seconds per "
    f"question {MIN_SECONDS}-{MAX_SECONDS} (default {DEFAULT_SECONDS}), all levels if none is "
    "given.\nExamples: /groupquiz 10 30 hard, /groupquiz medium seconds=45, /groupquiz 8q 15s"
)
PRIVATE_CHAT_HINT = (
    "Group quizzes are played in group chats: add me to a group and send /groupquiz there. "
    "For a quiz of your own right here, send /quiz."
)

_QUESTION_KEYS = frozenset({"questions", "question", "q", "rounds", "n"})
_SECOND_KEYS = frozenset({"seconds", "second", "secs", "sec", "s", "time", "t"})
_QUESTION_SUFFIXES = frozenset({"q", "qs", "questions", "question", "rounds"})
_SECOND_SUFFIXES = frozenset({"s", "sec", "secs", "seconds", "second"})
_MIXED = frozenset({"mixed", "any", "all"})
# More digits than this is absurd anyway; capping the length keeps int() cheap on pasted junk.
_MAX_DIGITS = 9
_NUMBER = re.compile(r"^([+-]?\d+)([a-z]*)$")
_KEY_VALUE = re.compile(r"^([a-z]+)[=:](.*)$")


class GroupArgsError(TutorError):
    """The /groupquiz arguments cannot be read; the message ends with the usage."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"{problem}\n{USAGE}")


@dataclass(frozen=True, slots=True)
class GroupArgs:
    """The settings of one /groupquiz session, parsed from its arguments (``parse_args``)."""

    questions: int = DEFAULT_QUESTIONS
    seconds: int = DEFAULT_SECONDS
    difficulty: Difficulty | None = None  # None: every level
    notes: tuple[str, ...] = ()  # what was clamped, in words fit to show the group


def _number(digits: str) -> tuple[int, str]:
    """The value of a typed integer, and how to quote it back (huge ones shortened)."""
    sign = -1 if digits.startswith("-") else 1
    bare = digits.lstrip("+-")  # the pattern guarantees at least one digit
    if len(bare) > _MAX_DIGITS:
        return sign * 10**_MAX_DIGITS, f"{digits[: _MAX_DIGITS + 1]}..."
    return sign * int(bare), str(sign * int(bare))


def _clamp(value: int, low: int, high: int, what: str, asked: str) -> tuple[int, str | None]:
    if value < low:
        return low, f"{what.capitalize()} raised to {low}, the minimum (you asked for {asked})."
    if value > high:
        return high, f"{what.capitalize()} capped at {high}, the maximum (you asked for {asked})."
    return value, None


def parse_args(args: str | Sequence[str]) -> GroupArgs:
    """Read /groupquiz arguments in any order; clamp numbers into range with a note."""
    tokens = args.split() if isinstance(args, str) else [t for a in args for t in a.split()]
    given: dict[str, tuple[int, str]] = {}
    difficulty: Difficulty | None = None
    level_seen = False
    bare: list[tuple[str, str]] = []

    def put(slot: str, digits: str, token: str) -> None:
        if slot in given:
            raise GroupArgsError(f"The {slot} are given twice ('{echo(token)}').")
        given[slot] = _number(digits)

    for token in tokens:
        word = token.casefold()
        if word in DIFFICULTIES or word in _MIXED:
            if level_seen:
                raise GroupArgsError(f"Only one level, please ('{echo(token)}' is a second one).")
            level_seen = True
            difficulty = next((d for d in DIFFICULTIES if d == word), None)
        elif pair := _KEY_VALUE.match(word):
            key, value = pair.groups()
            if key not in _QUESTION_KEYS | _SECOND_KEYS:
                raise GroupArgsError(f"Unknown setting '{echo(key)}' in '{echo(token)}'.")
            number = _NUMBER.match(value)
            if number is None or number.group(2):
                raise GroupArgsError(f"'{echo(token)}' needs a whole number after '{echo(key)}='.")
            put("questions" if key in _QUESTION_KEYS else "seconds", number.group(1), token)
        elif number := _NUMBER.match(word):
            digits, suffix = number.groups()
            if not suffix:
                bare.append((digits, token))
            elif suffix in _QUESTION_SUFFIXES:
                put("questions", digits, token)
            elif suffix in _SECOND_SUFFIXES:
                put("seconds", digits, token)
            else:
                raise GroupArgsError(f"I can't read '{echo(token)}'.")
        else:
            raise GroupArgsError(f"I can't read '{echo(token)}'.")

    # Unlabelled numbers fill whatever the labelled ones left open: questions first.
    for digits, token in bare:
        slot = next((s for s in ("questions", "seconds") if s not in given), None)
        if slot is None:
            raise GroupArgsError(f"Too many numbers: '{echo(token)}' has no place left.")
        given[slot] = _number(digits)

    notes: list[str] = []
    asked_q, shown_q = given.get("questions", (DEFAULT_QUESTIONS, ""))
    questions, note = _clamp(asked_q, MIN_QUESTIONS, MAX_QUESTIONS, "questions", shown_q)
    notes += [note] if note else []
    asked_s, shown_s = given.get("seconds", (DEFAULT_SECONDS, ""))
    seconds, note = _clamp(asked_s, MIN_SECONDS, MAX_SECONDS, "seconds", shown_s)
    notes += [note] if note else []
    return GroupArgs(questions, seconds, difficulty, tuple(notes))


# --- scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Score:
    points: int  # speed + bonus; 0 for a wrong answer
    streak: int  # right answers in a row including this one; 0 after a wrong answer
    speed: int
    bonus: int


def speed_points(elapsed: float, limit: float) -> int:
    """1000 for an instant answer, falling linearly to 500 at the deadline (time is clamped)."""
    if limit <= 0:
        raise ValueError(f"time limit must be positive, got {limit}")
    # Exact fractions, so a half is a half and rounds up however the float was computed.
    share = Fraction(min(max(elapsed, 0.0), limit)) / Fraction(limit)
    return math.floor(MAX_POINTS - (MAX_POINTS - MIN_POINTS) * share + Fraction(1, 2))


def streak_bonus(streak: int) -> int:
    """+100 for the 2nd right answer in a row, +200 for the 3rd, ... at most +500."""
    return min(max(streak - 1, 0) * STREAK_STEP, MAX_STREAK_BONUS)


def score(*, correct: bool, elapsed: float, limit: float, streak_before: int) -> Score:
    """Points for one answer; ``streak_before`` is the answerer's run before this round."""
    if not correct:
        return Score(points=0, streak=0, speed=0, bonus=0)
    streak = streak_before + 1
    speed = speed_points(elapsed, limit)
    bonus = streak_bonus(streak)
    return Score(points=speed + bonus, streak=streak, speed=speed, bonus=bonus)


def all_answered(participants: Collection[int], answered: Collection[int]) -> bool:
    """Whether a round may close early: there are known participants and all have answered."""
    return bool(participants) and set(participants) <= set(answered)


# --- standings --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Standing:
    """One player's row of a ``Leaderboard``: place, name, points and right answers."""

    place: int
    user_id: int
    name: str
    points: int
    correct: int


@dataclass(frozen=True, slots=True)
class Leaderboard:
    standings: tuple[Standing, ...] = ()  # everyone, best first

    @property
    def top(self) -> tuple[Standing, ...]:
        return self.standings[:TOP]

    def place_of(self, user_id: int) -> Standing | None:
        return next((s for s in self.standings if s.user_id == user_id), None)


@dataclass(frozen=True, slots=True)
class Total:
    user_id: int
    name: str
    points: int
    correct: int = 0


def rank(totals: Iterable[Total]) -> Leaderboard:
    """Order by points; equal points share a place and the next place is skipped (1, 2, 2, 4)."""
    ordered = sorted(totals, key=lambda t: (-t.points, -t.correct, t.name.casefold(), t.user_id))
    standings: list[Standing] = []
    for index, total in enumerate(ordered):
        tied = standings and standings[-1].points == total.points
        place = standings[-1].place if tied else index + 1
        standings.append(Standing(place, total.user_id, total.name, total.points, total.correct))
    return Leaderboard(tuple(standings))


class _Timed(Protocol):
    @property
    def correct(self) -> bool: ...
    @property
    def elapsed_ms(self) -> int: ...
    @property
    def user_id(self) -> int: ...


_T = TypeVar("_T", bound=_Timed)


def fastest(results: Iterable[_T]) -> _T | None:
    """The quickest right answer (ties: the lower user id, so the choice is stable)."""
    right = [r for r in results if r.correct]
    return min(right, key=lambda r: (r.elapsed_ms, r.user_id)) if right else None


def should_edit_count(
    last_edit_at: float | None, now: float, min_interval: float = EDIT_INTERVAL
) -> bool:
    """Whether the live answer count may be edited again; times are monotonic seconds."""
    return last_edit_at is None or now - last_edit_at >= min_interval


# --- texts ------------------------------------------------------------------------------------


class TapStatus(StrEnum):
    """What became of a tap on a group answer button (``toast_text`` words it)."""

    ACCEPTED = "accepted"
    ALREADY_ANSWERED = "already_answered"  # the option chosen first is reported back
    ROUND_OVER = "round_over"
    UNKNOWN_ROUND = "unknown_round"
    INVALID_POSITION = "invalid_position"


def toast_text(status: TapStatus, option_text: str | None = None) -> str:
    """The private reply to a tap; it never tells right from wrong before the reveal."""
    match status:
        case TapStatus.ACCEPTED:
            return f"Locked in: {option_text}. The answer comes at the reveal."
        case TapStatus.ALREADY_ANSWERED:
            return f"You already answered: {option_text}. One answer per question."
        case TapStatus.ROUND_OVER:
            return "Time is up for this question."
        case TapStatus.UNKNOWN_ROUND:
            return "This quiz is no longer running."
        case TapStatus.INVALID_POSITION:
            return "That button is out of date; answer on the latest question."


def status_text(number: int, total: int) -> str:
    """The round counter shown under a question: "round 2 of 5"."""
    return f"round {number} of {total}"
