"""Sends into groups, queued per group, so that waiting for a group's allowance holds no handler.

Telegram lets a bot post about 20 messages a minute into one group. A handler that awaited its
group reply sat in one of the few update slots for as long as that group's turn took; with every
slot waiting on one busy group, updates from every other chat waited too (a private reply took
78 s), and SIGTERM waited for all of it. Here a handler hands its group reply over and finishes.
Each group's queue is served by its own task, one request at a time, each paced (and retried) by
the rate limiter as before:

- quiz traffic (round posts, closing edits, reveals, standings) goes first, and its callers
  await it (they need the message id, or must post in order);
- chatter is queued per member, and the member served least recently goes next, so a member
  who just joined the queue goes before one whose burst is being worked through: another
  member's answer waits for at most the send in flight (one turn of the group's allowance,
  3 s at 20 a minute) plus one turn per member who has waited longer;
- a member's unsent chatter is capped (`MAX_PENDING`); past it, new chatter from them is
  dropped (the flood guard has already told them to slow down).

A queued chatter send that Telegram refuses is recovered where it can be:

- `ChatMigrated` (the group became a supergroup with a new id): sent once more to the new id,
  and every later send queued for the old id goes there directly; `on_moved` (set by
  bot.tg.handlers.migration) moves the chat's stored data and jobs, in its own task, since it
  takes the group's lock, which a quiz send waiting in this queue may hold;
- `RetryAfter` never gets here: the rate limiter waits it out and tries again;
- a replied-to message that was deleted is no refusal at all: every send allows sending without
  the reply (bot.tg.app's Defaults), so Telegram posts the answer unquoted;
- anything else is one WARNING line naming the chat and Telegram's reason (never the text).

Private chats are not queued: their only limit is the overall rate, which no chat holds for
long. On shutdown (`close`), unsent chatter is dropped and quiz sends still waiting fail with
`OutboxClosed`: what they would have shown is in the database and is shown after the restart.

Requests run by the queue must call the Bot API directly, never through the outbox again
(a group's task waiting on its own queue would wait forever).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram import Bot
from telegram.error import ChatMigrated, TelegramError

__all__ = [
    "MAX_PENDING",
    "Follow",
    "Outbox",
    "OutboxClosed",
    "Request",
    "is_queued",
    "outbox_of",
    "retarget",
]

log = logging.getLogger(__name__)

_T = TypeVar("_T")
Request = Callable[[], Awaitable[Any]]

# Unsent chatter kept per member of a group: at 20 messages a minute, a few are already seconds
# of the group's allowance.
MAX_PENDING = 5

Follow = Callable[[int, int], Awaitable[None]]
# The chat a request run by a group's queue goes to instead of the one it names (the group
# became a supergroup); applied by the rate limiter through `retarget`.
_moved_to: ContextVar[int | None] = ContextVar("outbox_moved_to", default=None)


def retarget(data: dict[str, Any]) -> None:
    """Point a request's parameters at the new id of a group that moved (see `Outbox`), when
    it is being sent for a group's queue that learnt of the move."""
    new_chat_id = _moved_to.get()
    if new_chat_id is not None and "chat_id" in data:
        data["chat_id"] = new_chat_id


def _reason(error: TelegramError) -> str:
    """Telegram's reason for a refusal, cut before anything quoted (an entity or tag name from
    the text), so the log line carries no user text."""
    return re.split(r"[\"<]", error.message, maxsplit=1)[0].strip()[:120]


class OutboxClosed(TelegramError):
    """The bot is stopping: this send was not made (and will not be)."""

    def __init__(self) -> None:
        super().__init__("not sent: the bot is stopping")


def is_queued(chat_id: int) -> bool:
    """Whether sends to `chat_id` go through a group queue (groups, supergroups and channels
    have negative ids; a private chat has its user's positive id)."""
    return chat_id < 0


@dataclass
class _Group:
    quiz: deque[tuple[Request, asyncio.Future[Any]]] = field(default_factory=deque)
    # member -> their unsent chatter, in the order members started waiting.
    chatter: OrderedDict[Hashable, deque[Request]] = field(default_factory=OrderedDict)
    # member -> when they were last served (a counter); kept while the group has a queue.
    served: dict[Hashable, int] = field(default_factory=dict)
    turns: int = 0
    task: asyncio.Task[None] | None = None

    def pending(self) -> int:
        return len(self.quiz) + sum(len(queue) for queue in self.chatter.values())


class Outbox:
    """Per-group queues of sends, each served in order by one task (see the module docstring)."""

    def __init__(self, max_pending: int = MAX_PENDING) -> None:
        self.max_pending = max_pending
        self._groups: dict[int, _Group] = {}
        self._closed = False
        self.dropped = 0  # chatter dropped over the cap or at shutdown, for tests and logs
        # Groups that became supergroups: old id -> new id, learnt from a refused send.
        self.moved: dict[int, int] = {}
        # Moves the chat's stored data and jobs to its new id (bot.tg.handlers.migration sets it).
        self.on_moved: Follow | None = None
        self._following: set[asyncio.Task[None]] = set()

    def post(self, chat_id: int, member: Hashable, request: Request) -> bool:
        """Queue chatter for a group; False if it was dropped (the member's queue is full, or
        the bot is stopping). Callers send to private chats themselves (see `is_queued`)."""
        if self._closed:
            self.dropped += 1
            return False
        group = self._groups.setdefault(chat_id, _Group())
        queue = group.chatter.get(member)
        if queue is None:
            queue = group.chatter[member] = deque()
        if len(queue) >= self.max_pending:
            self.dropped += 1
            log.info("chat %s: a member's reply dropped (%d already waiting)", chat_id, len(queue))
            return False
        queue.append(request)
        self._wake(chat_id, group)
        return True

    async def quiz(self, chat_id: int, request: Callable[[], Awaitable[_T]]) -> _T:
        """Make a quiz request ahead of the group's chatter and return its result."""
        if not is_queued(chat_id):
            return await request()
        if self._closed:
            raise OutboxClosed
        group = self._groups.setdefault(chat_id, _Group())
        future: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        group.quiz.append((request, future))
        self._wake(chat_id, group)
        return await future

    def pending(self, chat_id: int) -> int:
        """Requests waiting (not the one in flight) for `chat_id`."""
        group = self._groups.get(chat_id)
        return group.pending() if group is not None else 0

    def idle(self) -> bool:
        """Whether no group has a send waiting or in flight (a group's queue is removed when
        its task has served everything)."""
        return not self._groups

    def _wake(self, chat_id: int, group: _Group) -> None:
        if group.task is None or group.task.done():
            group.task = asyncio.create_task(self._serve(chat_id, group), name=f"outbox:{chat_id}")

    @staticmethod
    def _next(group: _Group) -> tuple[Request, asyncio.Future[Any] | None] | None:
        if group.quiz:
            return group.quiz.popleft()
        if not group.chatter:
            return None
        # Never served comes first (-1), then the longest ago; min() keeps the first of a tie,
        # i.e. who started waiting first.
        member = min(group.chatter, key=lambda m: group.served.get(m, -1))
        queue = group.chatter[member]
        request = queue.popleft()
        if not queue:
            del group.chatter[member]
        group.turns += 1
        group.served[member] = group.turns
        return request, None

    async def _serve(self, chat_id: int, group: _Group) -> None:
        while (item := self._next(group)) is not None:
            request, future = item
            if future is not None and future.done():
                continue  # its caller gave up (cancelled)
            try:
                if future is None:
                    await self._send_chatter(chat_id, request)
                    continue
                result = await request()
            except asyncio.CancelledError:
                if future is not None and not future.done():
                    future.set_exception(OutboxClosed())
                raise
            except Exception as error:
                if future is not None:
                    if not future.done():
                        future.set_exception(error)
                elif isinstance(error, TelegramError):
                    # Nobody awaits chatter: a refusal ends here, like a failed reply would.
                    log.warning(
                        "chat %s: a queued reply was not sent (%s: %s)",
                        chat_id,
                        type(error).__name__,
                        _reason(error),
                    )
                else:
                    log.error("chat %s: a queued reply failed", chat_id, exc_info=error)
            else:
                if future is not None and not future.done():
                    future.set_result(result)
        if self._groups.get(chat_id) is group:
            del self._groups[chat_id]

    async def _send_chatter(self, chat_id: int, request: Request) -> None:
        """Send chatter, to the group's new id if it moved; a send refused because it just moved
        is made once more there."""
        new_chat_id = self.moved.get(chat_id)
        try:
            await _run_for(new_chat_id, request)
            return
        except ChatMigrated as error:
            if new_chat_id is not None:
                raise  # moved again, or a stale answer: no second resend
            new_chat_id = int(error.new_chat_id)
        self._learn_move(chat_id, new_chat_id)
        await _run_for(new_chat_id, request)

    def _learn_move(self, old_chat_id: int, new_chat_id: int) -> None:
        if self.moved.get(old_chat_id) == new_chat_id:
            return
        self.moved[old_chat_id] = new_chat_id
        log.info("chat %s moved to %s; its queued replies follow", old_chat_id, new_chat_id)
        if self.on_moved is None:
            return
        task = asyncio.create_task(self._follow(self.on_moved, old_chat_id, new_chat_id))
        self._following.add(task)
        task.add_done_callback(self._following.discard)

    @staticmethod
    async def _follow(on_moved: Follow, old_chat_id: int, new_chat_id: int) -> None:
        try:
            await on_moved(old_chat_id, new_chat_id)
        except Exception:
            log.exception("chat %s: moving its data to %s failed", old_chat_id, new_chat_id)

    async def close(self) -> None:
        """Drop unsent chatter, fail waiting quiz sends, stop the groups' tasks. Idempotent."""
        self._closed = True
        groups, self._groups = list(self._groups.values()), {}
        tasks = list(self._following)
        for task in tasks:
            task.cancel()  # the database is about to close; the move is redone after a restart
        for group in groups:
            self.dropped += sum(len(queue) for queue in group.chatter.values())
            group.chatter.clear()
            while group.quiz:
                _, future = group.quiz.popleft()
                if not future.done():
                    future.set_exception(OutboxClosed())
            if group.task is not None and not group.task.done():
                group.task.cancel()
                tasks.append(group.task)
        await asyncio.gather(*tasks, return_exceptions=True)


async def _run_for(new_chat_id: int | None, request: Request) -> None:
    token = _moved_to.set(new_chat_id)
    try:
        await request()
    finally:
        _moved_to.reset(token)


def outbox_of(bot: Bot) -> Outbox | None:
    """The outbox of the bot's rate limiter (bot.tg.ratelimit), if it has one."""
    limiter = getattr(bot, "rate_limiter", None)
    outbox = getattr(limiter, "outbox", None)
    return outbox if isinstance(outbox, Outbox) else None
