"""How updates are scheduled: different users at the same time, each user's in order, and no
more taken from Telegram than the bot is about to handle.

PTB handles one update at a time by default. Against the real Telegram every handler waits
~0.1-0.3 s for each API call it makes, so one learner's slow reply would hold up everyone: a
group of fifty tapping a quiz answer would wait seconds for their toasts. PTB's own concurrent
mode has no order at all, and a learner's double tap or "answer, then Next" must be handled in
the order it was sent. So updates run concurrently across users and in arrival order per user
(per chat for updates without a user, such as channel posts).

Telegram counts an update as delivered once the bot asks for the next ones. PTB's poller asks
again as soon as it has queued a batch, so a bot that is behind holds a long backlog Telegram
already forgot: `kill -9` loses all of it. `BoundedUpdateQueue` makes the poller wait while
`BACKLOG` updates are unfinished, so a crash loses at most that many; the rest of the batch in
hand was never confirmed and Telegram delivers it again after the restart (a press handled
twice only meets "already answered").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["BACKLOG", "MAX_CONCURRENT_UPDATES", "BoundedUpdateQueue", "PerUserUpdateProcessor"]

# Updates taken from Telegram and not yet handled, at most (see the module docstring).
BACKLOG = 32
# Updates in progress at once, most of them waiting on Telegram. With 0.1 s per API call, 8
# handle ~75 questions a second, past the 30 replies a second Telegram accepts; more only
# adds scheduling overhead (bench/e2e.py --latency 0.1 shows both).
MAX_CONCURRENT_UPDATES = 8


def _key(update: object) -> int:
    """Whose updates must stay in order: the sender's (a channel's stand-in counts as that
    channel, not as the one stand-in bot all channels share), else the chat's, else everyone's
    (0)."""
    if isinstance(update, Update):
        message = update.effective_message
        if message is not None and message.sender_chat is not None:
            return message.sender_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Runs updates of different users concurrently and each user's one after another."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # key -> (its lock, how many updates hold or wait for it); dropped when unused.
        self._queues: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        lock, users = self._queues.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._queues[key] = (lock, users + 1)
        try:
            # asyncio.Lock wakes its waiters first come, first served: arrival order holds.
            async with lock:
                await coroutine
        finally:
            lock, users = self._queues[key]
            if users == 1:
                del self._queues[key]
            else:
                self._queues[key] = (lock, users - 1)

    @property
    def users_in_progress(self) -> int:
        """Users (or chats) with an update running or waiting; for tests and diagnostics."""
        return len(self._queues)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for the running updates before it shuts down."""


class BoundedUpdateQueue(asyncio.Queue[object]):
    """The Application's update queue; `put` waits while `limit` updates are unfinished.

    An update is unfinished from `put` until PTB calls `task_done` for it, which it does once
    the update was handled (also when updates run concurrently).
    """

    def __init__(self, limit: int = BACKLOG) -> None:
        super().__init__()
        self.limit = limit
        self.unfinished = 0
        self._room = asyncio.Event()
        self._room.set()

    async def put(self, item: object) -> None:
        while self.unfinished >= self.limit:
            self._room.clear()
            await self._room.wait()
        await super().put(item)

    def put_nowait(self, item: object) -> None:
        super().put_nowait(item)
        self.unfinished += 1

    def task_done(self) -> None:
        super().task_done()
        self.unfinished -= 1
        if self.unfinished < self.limit:
            self._room.set()
