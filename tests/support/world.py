"""The small world of the end-to-end tests: three learners, their chats and a study group, the
names the fixtures in tests/e2e/conftest.py build it from, and helpers that reach into a running
tutor (its services, its scheduled jobs)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from telegram import Chat, User
from telegram.ext import Application

from bot.services import Services
from bot.tg.outbox import outbox_of
from bot.tg.state import app_state
from bot.tg.updates import BoundedUpdateQueue
from tests.emulator import BotApiEmulator, BotMessage

GROUP_ID = -1001234


# A request that fails this many times in a row fails for good (its first try and 3 retries).
ALL_ATTEMPTS = 4


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

    async def ask(
        self,
        user: User,
        chat: Chat,
        text: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - passed on to the emulator's wait
        **kw: Any,
    ) -> BotMessage:
        """Send `text` and return the bot's next message in that chat."""
        before = len(self.emu.bot_messages(chat.id))
        self.emu.send_text(user, chat, text, **kw)
        messages = await self.emu.wait_for_messages(chat.id, before + 1, timeout)
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


TutorFactory = Callable[
    ..., AbstractAsyncContextManager[Application[Any, Any, Any, Any, Any, Any]]
]


App = Any


# A Tuesday morning, 08:00 UTC: the fixed clock's start unless a test moves it.
START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def services_of(app: App) -> Services:
    """The running tutor's services (opened by post_init)."""
    services = app_state(app).services
    assert services is not None
    return services


async def run_job(app: App, name: str) -> None:
    """Run the one scheduled job called `name` now instead of waiting for it."""
    assert app.job_queue is not None
    jobs = app.job_queue.get_jobs_by_name(name)
    assert len(jobs) == 1, f"expected one job named {name}, found {len(jobs)}"
    await jobs[0].run(app)


def daily_messages(world: World, chat_id: int) -> list[Any]:
    return [
        m for m in world.emu.bot_messages(chat_id) if m.plain_text.startswith("📅 Question of")
    ]


def bot_idle(app: App) -> bool:
    """Whether the running tutor has finished every update it took (PTB marks one done after its
    handlers ran) and its group outbox has no send waiting or in flight."""
    queue = app.update_queue
    unfinished = queue.unfinished if isinstance(queue, BoundedUpdateQueue) else queue.qsize()
    outbox = outbox_of(app.bot)
    return unfinished == 0 and (outbox is None or outbox.idle())
