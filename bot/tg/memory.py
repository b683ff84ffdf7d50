"""What the running bot remembers between updates, one small typed object per feature.

Nothing here survives a restart, and nothing needs to: each object holds caches and guards
whose loss costs a little speed or lets an old button be pressed once more. Each one knows the
shape of its own keys, so `forget_user` (after /forget) is the feature's business, not the
privacy handler's.

The flood counter (bot.tg.flood) is deliberately not here: it is not data about a person, and
clearing it would let /forget reset the limit.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from telegram import InlineQueryResultArticle

from bot.core.matcher import MatchResult
from bot.services.group import Round
from bot.tg.send import PreparedReply

__all__ = [
    "AdminMemory",
    "AskMemory",
    "AskedReply",
    "DailyMemory",
    "ForgetMemory",
    "GroupScreen",
    "GroupScreens",
    "InlineMemory",
    "LearnMemory",
    "LruCache",
    "MessageKey",
    "QuizMemory",
]

_K = TypeVar("_K")
_V = TypeVar("_V")


class LruCache(Generic[_K, _V]):
    """A small bounded mapping that forgets the least recently used entry first."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[_K, _V] = OrderedDict()

    def get(self, key: _K) -> _V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: _K, value: _V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def discard(self, key: _K) -> None:
        self._items.pop(key, None)

    def discard_where(self, predicate: Callable[[_K], bool]) -> int:
        """Forget every entry whose key matches (someone's, after /forget); return how many."""
        doomed = [key for key in self._items if predicate(key)]
        for key in doomed:
            del self._items[key]
        return len(doomed)

    def __len__(self) -> int:
        return len(self._items)


# (chat, message): one message the bot sent.
MessageKey = tuple[int, int]


@dataclass(frozen=True, slots=True)
class AskedReply:
    """The matcher's verdict on one text, and its reply as anyone sees it."""

    result: MatchResult
    reply: PreparedReply
    # The same answer with "Test me on this", for a learner with an item of its topic to try.
    practise: PreparedReply | None = None


@dataclass
class AskMemory:
    # Learners often send the very same text ("what is mlops"); matching and rendering are the
    # costliest steps of a reply and both are pure, so recent replies are reused.
    replies: LruCache[str, AskedReply] = field(default_factory=lambda: LruCache(2048))
    # Each learner's last answered question, for a follow-up such as "and for ml?"
    # (bot.core.followup); in memory only, the most recent learners first.
    last_questions: LruCache[int, str] = field(default_factory=lambda: LruCache(10_000))

    def forget_user(self, user_id: int) -> None:
        """Their last question goes; replies are keyed by question text, shared by everyone."""
        self.last_questions.discard(user_id)


@dataclass
class InlineMemory:
    # Rendered inline results per normalised query, with the monotonic time they go stale
    # (None: never, the matcher being pure); people type the same few questions letter by letter.
    results: LruCache[str, tuple[float | None, tuple[InlineQueryResultArticle, ...]]] = field(
        default_factory=lambda: LruCache(1024)
    )

    def get(self, key: str, now: float) -> tuple[InlineQueryResultArticle, ...] | None:
        found = self.results.get(key)
        if found is None:
            return None
        expires, results = found
        if expires is not None and now >= expires:
            self.results.discard(key)
            return None
        return results

    def put(
        self,
        key: str,
        results: tuple[InlineQueryResultArticle, ...],
        *,
        expires: float | None = None,
    ) -> None:
        self.results.put(key, (expires, results))

    def forget_user(self, user_id: int) -> None:
        """Nothing: results are keyed by query text and are the same for everyone."""


@dataclass
class LearnMemory:
    # Telegram file_id of each picture after its first upload, so later sends skip the upload.
    photo_ids: dict[str, str] = field(default_factory=dict)
    # Rendering a picture is CPU work done in a thread; one at a time is plenty.
    render_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def forget_user(self, user_id: int) -> None:
        """Nothing: the pictures are the same for everyone."""


@dataclass
class QuizMemory:
    # (chat, message) whose Next / Quiz-now button already sent a question: a double tap sends one.
    used_next: LruCache[MessageKey, bool] = field(default_factory=lambda: LruCache(8192))
    # (chat, message) of quiz questions whose verdict is known to be on screen; a press on one
    # that is not (the verdict edit failed) shows the stored verdict instead of a refusal.
    verdicts_shown: LruCache[MessageKey, bool] = field(default_factory=lambda: LruCache(8192))

    def forget_user(self, user_id: int) -> None:
        # Telegram gives a person's private chat with the bot their user id.
        self.used_next.discard_where(lambda key: key[0] == user_id)
        self.verdicts_shown.discard_where(lambda key: key[0] == user_id)


@dataclass
class DailyMemory:
    # Daily questions being claimed and sent right now (bot.tg.handlers.daily).
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))

    def forget_user(self, user_id: int) -> None:
        """Nothing: a semaphore remembers nobody."""


@dataclass
class AdminMemory:
    # (chat, user) -> (is an admin, time.monotonic() of the check); see bot.tg.admins.is_admin.
    checked: LruCache[tuple[int, int], tuple[bool, float]] = field(
        default_factory=lambda: LruCache(8192)
    )

    def forget_user(self, user_id: int) -> None:
        self.checked.discard_where(lambda key: key[1] == user_id)


@dataclass
class ForgetMemory:
    # (chat, message) of a /forget confirmation -> (whose, time.monotonic() when asked); a press
    # counts only on a prompt listed here, once (bot.tg.handlers.privacy).
    prompts: LruCache[MessageKey, tuple[int, float]] = field(
        default_factory=lambda: LruCache(1024)
    )

    def forget_user(self, user_id: int) -> None:
        self.prompts.discard_where(lambda key: key[0] == user_id)


@dataclass
class GroupScreen:
    """What one group's quiz screen shows now; rebuilt from the database after a restart."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    round: Round | None = None  # the open round on screen (message_id set), None between rounds
    shown: int = 0  # the count the question message shows
    latest: int = 0  # the newest count a tap reported
    last_edit: float | None = None  # the services' clock (epoch seconds) at the last count edit
    count_queued: bool = False  # a count edit waits in the group's queue


@dataclass
class GroupScreens:
    """Each group's quiz screen (bot.tg.handlers.group_screen), by chat id."""

    screens: dict[int, GroupScreen] = field(default_factory=dict)

    def of(self, chat_id: int) -> GroupScreen:
        screen = self.screens.get(chat_id)
        if screen is None:
            screen = self.screens[chat_id] = GroupScreen()
        return screen

    def drop(self, chat_id: int) -> None:
        """The chat moved to a new id: its old screen is gone."""
        self.screens.pop(chat_id, None)

    def forget_user(self, user_id: int) -> None:
        """Nothing: a screen belongs to a group (who answered is in the database)."""
