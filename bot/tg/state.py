"""What every handler can reach: the application state and a typed callback context.

`AppState` is built once at start-up and stored on `application.bot_data`; handlers read it as
`context.state` instead of fishing untyped values out of a dict. The services (database, quiz,
daily, stats) are opened by `post_init` and reached as `context.services`.
"""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.content import ContentPack
from bot.core.matcher import Matcher
from bot.services import Services
from bot.tg.flood import FloodControl

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A small bounded mapping that forgets the least recently used entry first."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def discard(self, key: K) -> None:
        self._items.pop(key, None)

    def discard_where(self, predicate: Callable[[K], bool]) -> int:
        """Forget every entry whose key matches (someone's, after /forget); return how many."""
        doomed = [key for key in self._items if predicate(key)]
        for key in doomed:
            del self._items[key]
        return len(doomed)

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class AppState:
    """Long-lived objects shared by all handlers of one running bot."""

    settings: Settings
    pack: ContentPack
    matcher: Matcher
    flood: FloodControl
    # Telegram file_id of each picture after its first upload, so later sends skip the upload.
    photo_ids: dict[str, str] = field(default_factory=dict)
    # Rendering a picture is CPU work done in a thread; one at a time is plenty.
    render_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Daily questions being claimed and sent right now (bot.tg.daily); sized in `create`.
    daily_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))
    # Learners often send the very same text ("what is mlops"); matching and rendering are the
    # costliest steps of a reply and both are pure, so recent replies are reused.
    replies: LruCache[str, Any] = field(default_factory=lambda: LruCache(2048))
    # The services' clock; None is the system clock (tests inject a fixed one).
    clock: Clock | None = None
    # Each user's last /quiz level ("" for any), reused by Next and the menu's Quiz entry.
    quiz_levels: LruCache[int, str] = field(default_factory=lambda: LruCache(65536))
    # (chat, message) whose Next / Quiz-now button already sent a question: a double tap sends one.
    used_next: LruCache[tuple[int, int], bool] = field(default_factory=lambda: LruCache(8192))
    # (chat, message) of quiz questions whose verdict is known to be on screen; a press on one
    # that is not (the verdict edit failed) shows the stored verdict instead of a refusal.
    verdicts_shown: LruCache[tuple[int, int], bool] = field(default_factory=lambda: LruCache(8192))
    # (chat, user) -> (is an admin, time.monotonic() of the check); see bot.tg.admins.is_admin.
    admin_cache: LruCache[tuple[int, int], tuple[bool, float]] = field(
        default_factory=lambda: LruCache(8192)
    )
    # (chat, message) of a /forget confirmation -> (whose, time.monotonic() when asked); a press
    # counts only on a prompt listed here, once (bot.tg.privacy).
    forget_prompts: LruCache[tuple[int, int], tuple[int, float]] = field(
        default_factory=lambda: LruCache(1024)
    )
    # The database-backed use cases: opened in post_init (it needs the running loop) unless a
    # caller supplies them, closed in post_shutdown.
    services: Services | None = None

    def open_services(self) -> Services:
        """The services, which post_init opens; needing them earlier is a programming error."""
        if self.services is None:
            raise RuntimeError("the services are not open (post_init has not run)")
        return self.services

    @classmethod
    def create(
        cls, settings: Settings, pack: ContentPack, matcher: Matcher | None = None
    ) -> AppState:
        return cls(
            settings=settings,
            pack=pack,
            matcher=matcher or Matcher(pack),
            flood=FloodControl(settings.flood_limit, settings.flood_window),
            daily_slots=asyncio.Semaphore(daily_concurrency(settings)),
        )


def daily_concurrency(settings: Settings) -> int:
    """How many daily questions may be claimed-but-unsent at once.

    Enough to keep the send rate busy while each send waits ~0.5 s for Telegram, and no more:
    every claim in flight is one a `kill -9` leaves unconfirmed (re-sent after a restart), and
    claims queued ahead of confirmations in the database would delay those confirmations.
    """
    rate = settings.send_rate if settings.rate_limit else 100.0
    return max(4, math.ceil(rate / 2))


class BotData:
    """`application.bot_data`: holds the state once `build_application` has set it."""

    __slots__ = ("state",)

    def __init__(self) -> None:
        self.state: AppState | None = None


class TutorContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The callback context every handler receives."""

    @property
    def state(self) -> AppState:
        state = self.bot_data.state
        if state is None:
            raise RuntimeError("the application was built without an AppState")
        return state

    @property
    def services(self) -> Services:
        return self.state.open_services()


CONTEXT_TYPES = ContextTypes(context=TutorContext, bot_data=BotData)

# What handler modules accept: any Application (tests and tools may build their own).
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def app_state(app: AnyApp) -> AppState:
    """The state of a built application (for the runner, tests and the benchmark)."""
    state = getattr(app.bot_data, "state", None)
    if not isinstance(state, AppState):
        raise RuntimeError("the application was built without an AppState")
    return state
