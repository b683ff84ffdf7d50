"""A Telegram Bot API emulator for end-to-end tests (127.0.0.1 only).

Usage::

    from tests.emulator import started_emulator

    async with started_emulator() as emu:
        app = (
            ApplicationBuilder()
            .token(emu.token)
            .base_url(emu.base_url)
            .base_file_url(emu.base_file_url)
            .build()
        )
        alice = emu.user(1, "Alice")
        chat = emu.private_chat(alice)
        async with running_application(app):          # tests/support/harness.py
            emu.send_text(alice, chat, "hello")
            [reply] = await emu.wait_for_messages(chat.id, 1)

See :class:`BotApiEmulator` for the world-building, observation and fault-injection API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from tests.emulator._emulator import (
    SECRET_HEADER,
    ApiCall,
    BotApiEmulator,
    BotMessage,
    ButtonNotFoundError,
    EmulatorError,
    WebhookDelivery,
)

__all__ = [
    "SECRET_HEADER",
    "ApiCall",
    "BotApiEmulator",
    "BotMessage",
    "ButtonNotFoundError",
    "EmulatorError",
    "WebhookDelivery",
    "started_emulator",
]


@asynccontextmanager
async def started_emulator(
    token: str = "123456:TEST-TOKEN",  # noqa: S107 - a fake token, never a real one
    bot_username: str = "TutorTestBot",
    *,
    clock: Callable[[], datetime] | None = None,
    inline_mode: bool = False,
) -> AsyncIterator[BotApiEmulator]:
    """Start a :class:`BotApiEmulator` on 127.0.0.1 and stop it on exit, even after errors.

    ``clock`` is an optional ``() -> datetime`` (tz-aware) used for message dates;
    ``inline_mode`` is @BotFather's /setinline (off by default, as for a new bot).
    """
    emulator = BotApiEmulator(token, bot_username, clock=clock, inline_mode=inline_mode)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()
