"""Free text is matched on one worker thread, off the event loop (bot.tg.matching)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from bot.tg.matching import THREAD_NAME, MatcherThread


class RecordingMatcher:
    """Notes which thread matched and how many matches ran at once."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.threads: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def match(self, text: str) -> Any:
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        self.threads.append(threading.current_thread().name)
        time.sleep(self.seconds)
        with self._lock:
            self.running -= 1
        if text == "explode":
            raise RuntimeError("boom")
        return f"verdict on {text}"


async def test_matching_runs_off_the_event_loop() -> None:
    matcher = RecordingMatcher()
    matching = MatcherThread(matcher)  # type: ignore[arg-type]
    assert await matching.match("what is drift") == "verdict on what is drift"
    [name] = matcher.threads
    assert name.startswith(THREAD_NAME)
    assert name != threading.current_thread().name
    matching.close()


async def test_the_loop_is_free_while_a_question_is_matched() -> None:
    matching = MatcherThread(RecordingMatcher(seconds=0.2))  # type: ignore[arg-type]
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    await matching.match("slow question")
    ticker.cancel()
    # Had the match run on the loop, the ticker could not have run during those 0.2 s.
    assert ticks >= 5
    matching.close()


async def test_one_question_at_a_time() -> None:
    matcher = RecordingMatcher(seconds=0.02)
    matching = MatcherThread(matcher)  # type: ignore[arg-type]
    verdicts = await asyncio.gather(*(matching.match(f"q{i}") for i in range(6)))
    assert verdicts == [f"verdict on q{i}" for i in range(6)]
    assert matcher.most_at_once == 1
    assert len(set(matcher.threads)) == 1
    matching.close()


async def test_a_failing_match_raises_in_the_handler_and_later_ones_still_run() -> None:
    matching = MatcherThread(RecordingMatcher())  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="boom"):
        await matching.match("explode")
    assert await matching.match("fine") == "verdict on fine"
    matching.close()


async def test_matching_starts_again_after_close() -> None:
    matcher = RecordingMatcher()
    matching = MatcherThread(matcher)  # type: ignore[arg-type]
    await matching.match("before")
    matching.close()
    matching.close()  # twice is harmless
    assert await matching.match("after") == "verdict on after"
    matching.close()


async def test_other_matcher_work_shares_the_one_thread() -> None:
    """/quiz <words> picks its topic with the matcher too: on the same thread, never alongside
    a question being matched."""
    matcher = RecordingMatcher(seconds=0.02)
    matching = MatcherThread(matcher)  # type: ignore[arg-type]

    def pick(words: str, *, level: str) -> str:
        return f"{matcher.match(words)} at {level} on {threading.current_thread().name}"

    picked, verdict = await asyncio.gather(
        matching.call(pick, "drift", level="easy"), matching.match("what is ct")
    )
    assert picked.startswith("verdict on drift at easy on " + THREAD_NAME)
    assert verdict == "verdict on what is ct"
    assert matcher.most_at_once == 1
    assert len(set(matcher.threads)) == 1
    matching.close()
