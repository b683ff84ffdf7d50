"""Fixtures for end-to-end tests: the emulator, the real tutor Application, and a small world.

Every test here runs the real `Application` from `bot.tg.app.build_application` over real HTTP
against the Bot API emulator on 127.0.0.1. The content pack and matcher are the
session's shared ones (tests/conftest.py); everything else is fresh per test.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.config import Settings
from bot.core.clock import Clock, FixedClock
from bot.core.content import ContentPack
from bot.core.matcher import Matcher
from bot.tg.app import build_application
from bot.tg.state import AppState
from tests.emulator import BotApiEmulator, started_emulator
from tests.support.harness import running_application
from tests.support.world import GROUP_ID, START, TutorFactory, World, bot_idle

# What `tutor-bot run` sets at start-up (bot.tg.runner.configure_ptb); the warning it silences
# is ignored in pyproject's filterwarnings.
os.environ.setdefault("PTB_TIMEDELTA", "true")


class _ErrorLog(logging.Handler):
    """Keeps every ERROR (or worse) the bot's own loggers emit during one test."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def bot_stayed_healthy(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test whose bot logged an error (its error handler fired, or a job failed), whose
    emulator hit a bug of its own, or that left a button press unanswered (a spinning client).

    A test that provokes such a failure on purpose says so with ``@pytest.mark.expects_bot_error``.
    """
    errors = _ErrorLog()
    logger = logging.getLogger("bot")
    logger.addHandler(errors)
    try:
        yield
    finally:
        logger.removeHandler(errors)
    if request.node.get_closest_marker("expects_bot_error") is not None:
        return
    problems = [f"bot logged {r.levelname}: {r.getMessage()}" for r in errors.records]
    emu = request.node.funcargs.get("emu")
    if isinstance(emu, BotApiEmulator):
        problems += [f"emulator bug: {error!r}" for error in emu.internal_errors]
        problems += [f"callback query {q} never answered" for q in emu.unanswered_queries()]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with started_emulator() as emulator:
        yield emulator


@pytest.fixture
def world(emu: BotApiEmulator) -> World:
    alice = emu.user(101, "Alice", "alice")
    bob = emu.user(102, "Bob <b>", "bob")
    carol = emu.user(103, "Carol")
    return World(
        emu=emu,
        alice=alice,
        bob=bob,
        carol=carol,
        alice_chat=emu.private_chat(alice),
        bob_chat=emu.private_chat(bob),
        carol_chat=emu.private_chat(carol),
        group=emu.group(GROUP_ID, "MLOps study group", admins=[alice]),
    )


@pytest.fixture
def clock() -> FixedClock:
    """The services' clock for tests that pass it to the tutor; it moves only when told."""
    return FixedClock(START)


@pytest.fixture
def tutor_factory(
    emu: BotApiEmulator, tmp_path: Path, pack: ContentPack, matcher: Matcher
) -> TutorFactory:
    """Start (or restart) the tutor polling the emulator; every start uses the same database
    file. Keyword arguments tune its settings (pacing and retries too), its clock (None: the
    system clock) or matcher."""

    @asynccontextmanager
    async def start(
        *,
        clock: Clock | None = None,
        matcher_override: Matcher | None = None,
        rate_limit: bool = False,
        flood_limit: int = 1000,
        flood_window: float = 10.0,
        admin_ids: tuple[int, ...] = (),
        heartbeat_file: Path | None = None,
        **pacing: Any,
    ) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
        # Retries keep the production count but not its waits (tests of the waits pass theirs).
        pacing.setdefault("retry_delay", 0.02)
        settings = Settings.for_tests(
            token=emu.token,
            api_base_url=emu.base_url,
            db_path=tmp_path / "tutor.sqlite3",
            rate_limit=rate_limit,
            flood_limit=flood_limit,
            flood_window=flood_window,
            admin_ids=admin_ids,
            heartbeat_file=heartbeat_file,
            **pacing,  # send_rate, group_rate, group_rate_period, send_retries, retry_delay
        )
        state = AppState.create(settings, pack, matcher_override or matcher)
        state.clock = clock
        app = build_application(settings, state=state)
        since = len(emu.calls)
        async with running_application(app) as running:
            # Polling has begun once a getUpdates arrives (it stays in flight: a long poll).
            await emu.wait_for(lambda: any(c.method == "getUpdates" for c in emu.calls[since:]))
            # Silence checks (emu.wait_quiet) then wait for this bot to drain, not for a lull.
            emu.attach_bot(partial(bot_idle, running))
            try:
                yield running
            finally:
                emu.attach_bot(None)

    return start


@pytest.fixture
async def tutor(
    tutor_factory: TutorFactory,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The tutor on the system clock with the production flood limit (20 in 10 s)."""
    async with tutor_factory(flood_limit=20) as app:
        yield app
