"""Fixtures for end-to-end tests: the emulator, the real tutor Application, and a small world.

Every test here runs the real `Application` from `bot.tg.app.build_application` over real HTTP
against the Bot API emulator on 127.0.0.1. The content pack and matcher are loaded once per
session (they are immutable); everything else is fresh per test.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram import Chat, User
from telegram.ext import Application

from bot.config import Settings
from bot.core.content import ContentPack, load_content
from bot.core.matcher import Matcher
from bot.tg.app import build_application
from bot.tg.state import AppState
from tests.e2e.harness import running_application
from tests.emulator import BotApiEmulator, BotMessage, started_emulator

GROUP_ID = -1001234


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


@pytest.fixture(scope="session")
def pack() -> ContentPack:
    return load_content()


@pytest.fixture(scope="session")
def matcher(pack: ContentPack) -> Matcher:
    return Matcher(pack)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with started_emulator() as emulator:
        yield emulator


@dataclass
class World:
    """Three learners, their private chats, and one study group they share with the bot."""

    emu: BotApiEmulator
    alice: User
    bob: User
    carol: User
    alice_chat: Chat
    bob_chat: Chat
    carol_chat: Chat
    group: Chat

    async def ask(self, user: User, chat: Chat, text: str, **kw: Any) -> BotMessage:
        """Send `text` and return the bot's next message in that chat."""
        before = len(self.emu.bot_messages(chat.id))
        self.emu.send_text(user, chat, text, **kw)
        messages = await self.emu.wait_for_messages(chat.id, before + 1)
        return messages[before]

    async def press(self, user: User, message: BotMessage, label: str) -> dict[str, Any]:
        """Press a button and return the answerCallbackQuery the bot sent for it."""
        query_id = self.emu.press(user, message, label)
        return await self.answer_of(query_id)

    async def press_data(self, user: User, message: BotMessage, data: str) -> dict[str, Any]:
        query_id = self.emu.press_data(user, message.chat_id, message.message_id, data)
        return await self.answer_of(query_id)

    async def answer_of(self, query_id: str) -> dict[str, Any]:
        answers = await self.emu.wait_for(lambda: self.emu.callback_answers(query_id))
        assert len(answers) == 1, f"query {query_id} answered {len(answers)} times"
        return answers[0]

    def current(self, message: BotMessage) -> BotMessage:
        """The message as it is now (after edits)."""
        return next(
            m for m in self.emu.bot_messages(message.chat_id) if m.message_id == message.message_id
        )


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


TutorFactory = Callable[
    ..., AbstractAsyncContextManager[Application[Any, Any, Any, Any, Any, Any]]
]


@pytest.fixture
def tutor_factory(
    emu: BotApiEmulator, tmp_path: Path, pack: ContentPack, matcher: Matcher
) -> TutorFactory:
    """Start the tutor against the emulator; keyword arguments tune its settings or state."""

    @asynccontextmanager
    async def start(
        *,
        matcher_override: Any = None,
        rate_limit: bool = False,
        flood_limit: int = 20,
        flood_window: float = 10.0,
    ) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
        settings = Settings.for_tests(
            token=emu.token,
            api_base_url=emu.base_url,
            db_path=tmp_path / "tutor.sqlite3",
            rate_limit=rate_limit,
            flood_limit=flood_limit,
            flood_window=flood_window,
        )
        state = AppState.create(settings, pack, matcher_override or matcher)
        app = build_application(settings, state=state)
        async with running_application(app) as running:
            yield running

    return start


@pytest.fixture
async def tutor(
    tutor_factory: TutorFactory, emu: BotApiEmulator
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The tutor, polling the emulator with default test settings."""
    async with tutor_factory() as app:
        await emu.wait_until_polling()
        yield app
