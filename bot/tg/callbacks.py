"""Callback data: every button's data is spelt here, and parsed here before anything happens.

Telegram returns whatever `callback_data` a client sends (at most 64 bytes), so it is untrusted
input. Each feature's handler registers with the pattern exported for it (`*_PATTERN`); the
patterns share no data, so the order handlers are added in does not matter, and `claimed` tells
the fallback handler (bot.tg.handlers.fallback) which data no feature takes: that press gets the
"expired" toast. The kinds of data:

- Content navigation is a compact code such as `a:<entry id>`, `w:3` or `k:2.1` (option 1 of the
  checkpoint question at walk-through step 2). It names only public,
  read-only content, so it needs no secret; `parse` accepts it only if it refers to something that
  exists in the loaded pack. Such buttons keep working after a restart.
- Quiz and daily-question buttons (`qa:<delivery>:<position>`, `qh:<delivery>`) name a delivery
  stored in SQLite; the quiz service decides who may answer it and how often, so they survive
  restarts and a forged id or position changes nothing. Next (`qn:<level>:<user>`) names the
  one learner who may press it. Group quiz answers
  (`gt:<round>:<position>`) work the same way, checked by the group service against the pressing
  chat; `gs:<0|1>` is the group's "who may start" toggle.
- `pp:<topic id>` practises a topic (the /progress buttons, an answer's "Test me on this", and
  the topics offered when `/quiz <words>` is unsure): public content like navigation, so anyone
  may press it and it survives restarts; `parse_practice` accepts only a topic of the loaded pack.
- A "did you mean" suggestion (`dm:<gap>:<entry id>`) answers the entry like `a:`, and tells the
  ask service which suggestion the asker opened; the service writes only when the presser asked
  that question (a forged gap id changes nothing).
- `rm:off` turns streak reminders off; `fg:<y|n>:<user>` answers a /forget confirmation (only
  that user, on a prompt this process showed them).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core.content import ContentPack

__all__ = [
    "ASK_PATTERN",
    "EXPIRED_TEXT",
    "FORGET_PATTERN",
    "LEARN_PATTERN",
    "MAX_DATA_BYTES",
    "MENU_DATA",
    "PATTERNS",
    "PICK_PATTERN",
    "PRACTICE_PATTERN",
    "QUIZ_LEVEL_ANY",
    "QUIZ_PATTERN",
    "REMINDERS_OFF_DATA",
    "REMINDERS_OFF_PATTERN",
    "SETTING_PATTERN",
    "TAP_PATTERN",
    "ButtonHandler",
    "ForgetPress",
    "Nav",
    "NavKind",
    "PickPress",
    "QuizKind",
    "QuizPress",
    "TapPress",
    "answer_data",
    "aspect_data",
    "checkpoint_data",
    "claimed",
    "encode",
    "forget_data",
    "lesson_data",
    "parse",
    "parse_forget",
    "parse_pick",
    "parse_practice",
    "parse_quiz",
    "parse_setting",
    "parse_tap",
    "pick_data",
    "picture_data",
    "practice_data",
    "quiz_answer_data",
    "quiz_hint_data",
    "quiz_next_data",
    "setting_data",
    "step_data",
    "tap_data",
    "topic_data",
]

MAX_DATA_BYTES = 64
EXPIRED_TEXT = "That button has expired — send /learn or ask again."

NavKind = Literal["answer", "topic", "menu", "lesson", "step", "aspect", "picture", "check"]
_PREFIX: dict[NavKind, str] = {
    "answer": "a",
    "topic": "t",
    "menu": "m",
    "lesson": "l",
    "step": "w",
    "aspect": "c",
    "picture": "p",
    "check": "k",
}
_KIND = {prefix: kind for kind, prefix in _PREFIX.items()}


@dataclass(frozen=True, slots=True)
class Nav:
    """One validated navigation action."""

    kind: NavKind
    arg: str = ""

    @property
    def index(self) -> int:
        """The walk-through step of a `step` or `check` action (0 for other kinds)."""
        if self.kind == "check":
            return int(self.arg.partition(".")[0])
        return int(self.arg) if self.kind == "step" else 0

    @property
    def option(self) -> int:
        """The checkpoint option a `check` action picks (0 for other kinds)."""
        return int(self.arg.partition(".")[2]) if self.kind == "check" else 0


def encode(nav: Nav) -> str:
    data = _PREFIX[nav.kind] if nav.kind == "menu" else f"{_PREFIX[nav.kind]}:{nav.arg}"
    if len(data.encode()) > MAX_DATA_BYTES:
        raise ValueError(f"callback data over {MAX_DATA_BYTES} bytes: {data!r}")
    return data


def answer_data(entry_id: str) -> str:
    return encode(Nav("answer", entry_id))


def topic_data(topic_id: str) -> str:
    return encode(Nav("topic", topic_id))


def lesson_data(lesson_id: str) -> str:
    return encode(Nav("lesson", lesson_id))


def step_data(index: int) -> str:
    return encode(Nav("step", str(index)))


def checkpoint_data(index: int, option: int) -> str:
    return encode(Nav("check", f"{index}.{option}"))


def aspect_data(row_id: str) -> str:
    return encode(Nav("aspect", row_id))


def picture_data(name: str) -> str:
    return encode(Nav("picture", name))


MENU_DATA = encode(Nav("menu"))


def parse(
    data: str | None,
    pack: ContentPack,
    *,
    lessons: Collection[str] = (),
    pictures: Collection[str] = (),
    steps: int = 0,
) -> Nav | None:
    """The action `data` stands for, or None if it is malformed or names nothing that exists."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_DATA_BYTES:
        return None
    if data == MENU_DATA:
        return Nav("menu")
    prefix, sep, arg = data.partition(":")
    kind = _KIND.get(prefix)
    if kind is None or not sep or kind == "menu":
        return None
    return Nav(kind, arg) if _exists(kind, arg, pack, lessons, pictures, steps) else None


def _exists(
    kind: NavKind,
    arg: str,
    pack: ContentPack,
    lessons: Collection[str],
    pictures: Collection[str],
    steps: int,
) -> bool:
    if kind == "answer":
        return arg in pack.answerables
    if kind == "topic":
        return arg in pack.topics
    if kind == "lesson":
        return arg in lessons
    if kind == "step":
        return _canonical(arg) and int(arg) < steps
    if kind == "check":
        step, sep, option = arg.partition(".")
        if not (sep and _canonical(step) and _canonical(option) and int(step) < steps):
            return False
        walkthrough = pack.lessons.walkthrough
        checkpoint = walkthrough[int(step)].checkpoint if int(step) < len(walkthrough) else None
        return checkpoint is not None and int(option) < len(checkpoint.options)
    if kind == "aspect":
        return arg in pack.comparison
    return kind == "picture" and arg in pictures


def _canonical(number: str) -> bool:
    # Canonical ASCII digits only: "01" or "٣" would be a second spelling of the same number.
    return number.isascii() and number.isdigit() and number == str(int(number))


# --- quiz and daily-question buttons -------------------------------------------------------------
# These carry a delivery id, not a registry token: the delivery is a database row, so its buttons
# keep working across restarts, and the quiz service checks who presses and whether the position
# exists (a forged id or position changes nothing). The codec only insists on canonical numbers.

QuizKind = Literal["answer", "hint", "next"]
QUIZ_LEVEL_ANY = ""
REMINDERS_OFF_DATA = "rm:off"
_QUIZ_PREFIX: dict[QuizKind, str] = {"answer": "qa", "hint": "qh", "next": "qn"}
_QUIZ_KIND = {prefix: kind for kind, prefix in _QUIZ_PREFIX.items()}
_MAX_ID = 2**63 - 1  # SQLite's INTEGER range
_MAX_POSITION = 99


@dataclass(frozen=True, slots=True)
class QuizPress:
    """One parsed quiz button: answer a delivery, take its hint, or ask for the next question."""

    kind: QuizKind
    delivery_id: int = 0
    position: int = 0
    level: str = QUIZ_LEVEL_ANY  # "next" only: a difficulty, or "" for any
    owner: int | None = None  # "next" only: who may press it (None: a button from before owners)


def quiz_answer_data(delivery_id: int, position: int) -> str:
    return f"qa:{delivery_id}:{position}"


def quiz_hint_data(delivery_id: int) -> str:
    return f"qh:{delivery_id}"


def quiz_next_data(level: str = QUIZ_LEVEL_ANY, owner: int | None = None) -> str:
    """Next / Quiz-me-now: a question of `level` for `owner` (only they may press it)."""
    return f"qn:{level}" if owner is None else f"qn:{level}:{owner}"


def _number(text: str, limit: int) -> int | None:
    # Canonical ASCII digits only, so one button has exactly one spelling.
    if not (text.isascii() and text.isdigit()) or text != str(int(text)):
        return None
    value = int(text)
    return value if value <= limit else None


def parse_quiz(data: str | None, levels: Collection[str]) -> QuizPress | None:
    """The quiz button `data` stands for, or None when it is malformed."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_DATA_BYTES:
        return None
    prefix, sep, rest = data.partition(":")
    kind = _QUIZ_KIND.get(prefix)
    if kind is None or not sep:
        return None
    if kind == "next":
        level, has_owner, owner_text = rest.partition(":")
        if level not in levels and level != QUIZ_LEVEL_ANY:
            return None
        owner = _number(owner_text, _MAX_ID) if has_owner else None
        if has_owner and owner is None:
            return None
        return QuizPress("next", level=level, owner=owner)
    parts = rest.split(":")
    if len(parts) != (2 if kind == "answer" else 1):
        return None
    delivery_id = _number(parts[0], _MAX_ID)
    position = _number(parts[1], _MAX_POSITION) if kind == "answer" else 0
    if delivery_id is None or position is None:
        return None
    return QuizPress(kind, delivery_id, position)


# --- reminders, /forget, group quiz --------------------------------------------------------------

_FORGET = re.compile(r"^fg:([yn]):([1-9][0-9]{0,18})$")
# Canonical numbers only ("007" or "+7" would be a second spelling of the same button).
_TAP = re.compile(r"^gt:([1-9][0-9]{0,17}):([0-9])$")
_SETTING = re.compile(r"^gs:([01])$")


def forget_data(*, confirm: bool, owner: int) -> str:
    """A /forget confirmation button: delete (`confirm`) or cancel, for `owner` only."""
    return f"fg:{'y' if confirm else 'n'}:{owner}"


@dataclass(frozen=True, slots=True)
class ForgetPress:
    confirm: bool
    owner: int


def parse_forget(data: str | None) -> ForgetPress | None:
    found = _FORGET.fullmatch(data or "")
    return ForgetPress(found.group(1) == "y", int(found.group(2))) if found else None


def tap_data(round_id: int, position: int) -> str:
    """A group quiz answer button; the group service checks round, chat and position."""
    return f"gt:{round_id}:{position}"


@dataclass(frozen=True, slots=True)
class TapPress:
    round_id: int
    position: int


def parse_tap(data: str | None) -> TapPress | None:
    found = _TAP.fullmatch(data or "")
    return TapPress(int(found.group(1)), int(found.group(2))) if found else None


def setting_data(*, anyone_can_start: bool) -> str:
    """The group settings toggle: the value it sets."""
    return f"gs:{int(anyone_can_start)}"


def parse_setting(data: str | None) -> bool | None:
    """The "anyone can start" value a toggle sets, or None when the data is malformed."""
    found = _SETTING.fullmatch(data or "")
    return found.group(1) == "1" if found else None


# --- "did you mean" picks ---------------------------------------------------------------------

_PICK = re.compile(r"^dm:([1-9][0-9]{0,18}):(.+)$")


@dataclass(frozen=True, slots=True)
class PickPress:
    """A pressed "did you mean" suggestion: the stored question (gap) and the entry picked."""

    gap_id: int
    entry_id: str


def pick_data(gap_id: int, entry_id: str) -> str:
    """A suggestion button that also records the pick; plain `a:` when it would not fit."""
    data = f"dm:{gap_id}:{entry_id}"
    return data if len(data.encode()) <= MAX_DATA_BYTES else answer_data(entry_id)


def parse_pick(data: str | None, pack: ContentPack) -> PickPress | None:
    """The suggestion pressed, or None when malformed or the entry is not in the pack."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_DATA_BYTES:
        return None
    found = _PICK.fullmatch(data)
    if found is None or int(found.group(1)) > _MAX_ID or found.group(2) not in pack.answerables:
        return None
    return PickPress(int(found.group(1)), found.group(2))


# --- practising a topic --------------------------------------------------------------------------

_PRACTICE = re.compile(r"^pp:([a-z0-9][a-z0-9-]{1,47})$")


def practice_data(topic_id: str) -> str:
    """A "practise this topic" button: a quiz item of `topic_id` for whoever presses it."""
    data = f"pp:{topic_id}"
    if len(data.encode()) > MAX_DATA_BYTES:
        raise ValueError(f"callback data over {MAX_DATA_BYTES} bytes: {data!r}")
    return data


def parse_practice(data: str | None, pack: ContentPack) -> str | None:
    """The topic id a practise button names, or None when malformed or not in the pack."""
    found = _PRACTICE.fullmatch(data or "")
    return found.group(1) if found and found.group(1) in pack.topics else None


# --- what each handler registers with ------------------------------------------------------------
# Prefixes only: malformed data with a feature's prefix still reaches that feature, which answers
# in its own words. No two patterns match the same data.

ASK_PATTERN = r"^[at]:"
LEARN_PATTERN = r"^(?:m$|[lwcpk]:)"
QUIZ_PATTERN = r"^q[ahn]:"
REMINDERS_OFF_PATTERN = rf"^{REMINDERS_OFF_DATA}$"
FORGET_PATTERN = r"^fg:"
TAP_PATTERN = r"^gt:"
SETTING_PATTERN = r"^gs:"
PICK_PATTERN = r"^dm:"
PRACTICE_PATTERN = r"^pp:"
PATTERNS: tuple[str, ...] = (
    ASK_PATTERN,
    LEARN_PATTERN,
    QUIZ_PATTERN,
    REMINDERS_OFF_PATTERN,
    FORGET_PATTERN,
    TAP_PATTERN,
    SETTING_PATTERN,
    PICK_PATTERN,
    PRACTICE_PATTERN,
)
_CLAIMED = re.compile("|".join(f"(?:{pattern})" for pattern in PATTERNS))


def claimed(data: object) -> bool:
    """Whether a feature's handler takes this data (else the fallback answers it)."""
    return isinstance(data, str) and _CLAIMED.match(data) is not None


class ButtonHandler(CallbackQueryHandler[Any, None]):
    """A feature's button handler: the presses its pattern matches, and nothing else.

    PTB hands a press without data (or with empty data) to any pattern handler, whichever was
    added first; here such a press is no feature's, so it goes to the fallback like any other
    data nobody claims.
    """

    def check_update(self, update: object) -> bool | object | None:
        query = update.callback_query if isinstance(update, Update) else None
        if query is not None and not query.data:
            return False
        return super().check_update(update)
