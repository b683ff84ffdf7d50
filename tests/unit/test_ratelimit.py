"""TutorRateLimiter's retry policy, with a fake request callback (no network)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.tg.ratelimit import TutorRateLimiter

os.environ.setdefault("PTB_TIMEDELTA", "true")


class FlakyRequest:
    """Fails with the given errors in turn, then succeeds; counts its calls."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True}


def limiter(retries: int = 3) -> TutorRateLimiter:
    return TutorRateLimiter(
        overall_max_rate=0, group_max_rate=0, group_time_period=60, retries=retries, retry_delay=0
    )


async def send(rate_limiter: TutorRateLimiter, request: FlakyRequest) -> object:
    return await rate_limiter.process_request(request, (), {}, "sendMessage", {"chat_id": 1}, None)


@pytest.mark.parametrize(
    "error", [NetworkError("Bad Gateway"), TimedOut(), NetworkError("Internal Server Error (500)")]
)
async def test_transient_failures_are_retried(error: Exception) -> None:
    """5xx, timeouts and dropped connections are tried again until the request succeeds."""
    request = FlakyRequest(error, error, error)
    assert await send(limiter(), request) == {"ok": True}
    assert request.calls == 4


async def test_retries_are_bounded() -> None:
    """After the configured retries the last error is raised to the caller."""
    request = FlakyRequest(*(NetworkError("Bad Gateway") for _ in range(5)))
    with pytest.raises(NetworkError):
        await send(limiter(retries=2), request)
    assert request.calls == 3


@pytest.mark.parametrize("error", [BadRequest("chat not found"), Forbidden("blocked")])
async def test_refusals_are_not_retried(error: Exception) -> None:
    """A request Telegram refused would fail the same way again: one attempt only."""
    request = FlakyRequest(error)
    with pytest.raises(type(error)):
        await send(limiter(), request)
    assert request.calls == 1


async def test_429_is_waited_out_by_the_pacing_layer() -> None:
    """A RetryAfter is retried (after its wait) by AIORateLimiter, within the same bound."""
    request = FlakyRequest(RetryAfter(0))
    assert await send(limiter(), request) == {"ok": True}
    assert request.calls == 2
