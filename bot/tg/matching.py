"""The matcher off the event loop: new questions are matched on a worker thread of their own.

Matching a question the bot has not seen yet costs ~8 ms of CPU, most of it the sentence
encoder, which releases the GIL while it runs (onnxruntime, numpy). On the event loop that
stalls every other user's replies for as long; on its own thread the loop goes on sending
replies and reading the database meanwhile (bench.e2e: tutor/echo 0.45 -> 0.61 on a busy
two-core machine). One thread, not a pool: the matcher is written for one caller at a time (its
typo cache, the encoder's switch to numpy after an onnxruntime failure), and a second thread
would only compete for the same cores.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from bot.core.matcher import Matcher, MatchResult

__all__ = ["THREAD_NAME", "MatcherThread"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

THREAD_NAME = "tutor-matcher"


class MatcherThread:
    """`matcher.match` run on one worker thread, started at the first question."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._pool: ThreadPoolExecutor | None = None

    async def match(self, text: str) -> MatchResult:
        return await self.call(self.matcher.match, text)

    async def call(self, work: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """`work` (anything that uses the matcher, such as picking a topic for /quiz) on the
        same thread, so that the matcher still has one caller at a time."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: work(*args, **kwargs))

    def close(self) -> None:
        """Let the thread end once its question (if any) is done; a later `match` starts a
        new one, so an application can be started again with the same state."""
        if self._pool is not None:
            # Nothing is in flight by now (the application awaited its handlers); cancelling
            # anything queued keeps a restarted application from overlapping an old thread.
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
