"""Every request to Telegram passes here: paced to the flood limits, and retried when it fails
for a reason that passes.

`AIORateLimiter` paces sends (overall and per group) and waits out a 429's `retry_after`. This
adds retries of transient failures — a 5xx, a dropped connection, a timeout — with a doubling
wait, so a hiccup on Telegram's side costs a learner a second, not their reply. A request that
Telegram refused (400, 403) is not retried: it would fail the same way again.

A retry after a timeout or a dropped connection may repeat a message Telegram had in fact
received (the Bot API has no idempotency key); a duplicate is the lesser harm than a lost reply.
`getUpdates` never comes here (PTB's updater retries polling by itself).

Only requests that post or edit a message count against a group's allowance: Telegram's
per-group limit is about messages, and pacing a `getChatMember` (an admin check) to 20 a minute
would hold a handler for nothing. Which sends wait for a group's allowance, and in what order,
is decided by the limiter's `outbox` (bot.tg.outbox), so no handler waits for it. A text too
long for Telegram is shortened here (bot.tg.limits) rather than refused there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

from bot.config import Settings
from bot.tg.limits import fit_request
from bot.tg.outbox import Outbox, retarget

__all__ = ["Result", "TutorRateLimiter"]

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
# Endpoints that put or change a message in a chat: the ones Telegram's flood limits count.
_POSTING = ("send", "edit", "copy", "forward")


class TutorRateLimiter(AIORateLimiter):
    """AIORateLimiter plus bounded retries of transient network and server failures.

    `retries` bounds both kinds: 429s (waited out by AIORateLimiter) and transient failures.
    """

    def __init__(
        self,
        *,
        overall_max_rate: float,
        group_max_rate: float,
        group_time_period: float,
        retries: int,
        retry_delay: float,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_max_rate,
            overall_time_period=1,
            group_max_rate=group_max_rate,
            group_time_period=group_time_period,
            max_retries=retries,
        )
        self.retries = retries
        self.retry_delay = retry_delay
        self.outbox = Outbox()

    @classmethod
    def from_settings(cls, settings: Settings) -> TutorRateLimiter:
        """Paced as configured, or not at all (rates 0) when `settings.rate_limit` is off."""
        pace = settings.rate_limit
        return cls(
            overall_max_rate=settings.send_rate if pace else 0,
            group_max_rate=settings.group_rate if pace else 0,
            group_time_period=settings.group_rate_period,
            retries=settings.send_retries,
            retry_delay=settings.retry_delay,
        )

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        # `data` is the very dict the request is built from.
        retarget(data)
        fit_request(endpoint, data)
        if not endpoint.lower().startswith(_POSTING):
            # AIORateLimiter paces by the chat_id it finds in `data` (only read for pacing).
            data = {key: value for key, value in data.items() if key != "chat_id"}
        delay = self.retry_delay
        for attempt in range(1, self.retries + 2):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise  # PTB files 400s under NetworkError; a malformed request stays malformed
            except NetworkError as error:
                if attempt > self.retries:
                    raise
                log.warning(
                    "%s failed (%s); retry %d of %d in %.1f s",
                    endpoint,
                    error.message,
                    attempt,
                    self.retries,
                    delay,
                )
            # Each retry waits its turn in the pacing again, so retries never break the limits.
            await asyncio.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def shutdown(self) -> None:
        await self.outbox.close()
        await super().shutdown()
