"""What every handler can reach: the application state and a typed callback context.

`AppState` is built once at start-up and stored on `application.bot_data`; handlers read it as
`context.state` instead of fishing untyped values out of a dict. The services (database, quiz,
daily, stats) are opened by `post_init` and reached as `context.services`. What each feature
remembers in memory is its own small object (bot.tg.memory).
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.content import ContentPack
from bot.core.matcher import Matcher
from bot.services import Services
from bot.tg.flood import FloodControl
from bot.tg.matching import MatcherThread
from bot.tg.memory import (
    AdminMemory,
    AskMemory,
    DailyMemory,
    ForgetMemory,
    GroupScreens,
    InlineMemory,
    LearnMemory,
    QuizMemory,
)

__all__ = [
    "CONTEXT_TYPES",
    "AnyApp",
    "AppState",
    "BotData",
    "TutorContext",
    "app_state",
    "daily_concurrency",
]


@dataclass
class AppState:
    """Long-lived objects shared by all handlers of one running bot."""

    settings: Settings
    pack: ContentPack
    matcher: Matcher
    flood: FloodControl
    ask: AskMemory = field(default_factory=AskMemory)
    inline: InlineMemory = field(default_factory=InlineMemory)
    learn: LearnMemory = field(default_factory=LearnMemory)
    quiz: QuizMemory = field(default_factory=QuizMemory)
    daily: DailyMemory = field(default_factory=DailyMemory)
    admins: AdminMemory = field(default_factory=AdminMemory)
    forget: ForgetMemory = field(default_factory=ForgetMemory)
    groups: GroupScreens = field(default_factory=GroupScreens)
    # The services' clock; None is the system clock (tests inject a fixed one).
    clock: Clock | None = None
    # The database-backed use cases: opened in post_init (it needs the running loop) unless a
    # caller supplies them, closed in post_shutdown.
    services: Services | None = None
    # Handlers match free text here, off the event loop (bot.tg.matching).
    matching: MatcherThread = field(init=False)

    def __post_init__(self) -> None:
        self.matching = MatcherThread(self.matcher)

    def open_services(self) -> Services:
        """The services, which post_init opens; needing them earlier is a programming error."""
        if self.services is None:
            raise RuntimeError("the services are not open (post_init has not run)")
        return self.services

    def forget_user(self, user_id: int) -> None:
        """Drop what every feature holds in memory about `user_id` (after /forget)."""
        for memory in (
            self.ask,
            self.inline,
            self.learn,
            self.quiz,
            self.daily,
            self.admins,
            self.forget,
            self.groups,
        ):
            memory.forget_user(user_id)

    @classmethod
    def create(
        cls, settings: Settings, pack: ContentPack, matcher: Matcher | None = None
    ) -> AppState:
        return cls(
            settings=settings,
            pack=pack,
            matcher=matcher or Matcher(pack),
            flood=FloodControl(settings.flood_limit, settings.flood_window),
            daily=DailyMemory(asyncio.Semaphore(daily_concurrency(settings))),
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
