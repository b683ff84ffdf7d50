"""What adaptive practice and /progress cost per call, beside the fixed-level /quiz (same run).

Run from the repository root:  .venv/bin/python bench/progress.py [--answers 600] [--rounds 200]

A learner who has answered every item of the shipped pack (``--answers`` answers in all, spread
over the last weeks, a quarter of them wrong) asks for questions: ``/quiz easy`` (the fixed
level: spaced repetition over one level, the path every /quiz took before) is the baseline;
plain ``/quiz``, first with reviews due (they come first), then for a second learner with
nothing due, where it reads the answer history and cards and judges every topic's mastery.
Then ``/progress``: the mastery of every topic, and drawing its picture.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.content import load_content
from bot.services import Services

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# A /quiz reply should not wait noticeably on choosing its question; the picture is drawn off the
# event loop, so its budget is what a learner waits for the photo, not what others wait.
ADAPTIVE_TARGET_MS = 25
PROGRESS_TARGET_MS = 50
PICTURE_TARGET_MS = 600


async def _timed(rounds: int, call: Callable[[], Awaitable[object]]) -> list[float]:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        await call()
        times.append((time.perf_counter() - began) * 1000)
    return times


def _line(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"{name:<34} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms"


async def main(answers: int, rounds: int) -> None:
    pack = load_content(Path("content"))
    clock = FixedClock(START)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        services = await Services.open(Path(tmp) / "bench.db", pack, clock=clock, rng=rng)
        user = 42
        for i in range(answers):
            level = ("easy", "medium", "hard")[i % 3]
            delivery = await services.quiz.next_question(user, user, level)
            if delivery is None:
                continue
            question = delivery.question
            right = delivery.options.index(question.options[question.correct_index].text)
            wrong = (right + 1) % len(delivery.options)
            await services.quiz.answer(delivery.id, user, right if i % 4 else wrong)
            clock.advance(minutes=90)
        clock.advance(days=1)
        print(
            f"learner: {answers} answers over {answers * 90 // 60 // 24} days, "
            f"{len(pack.quiz)} items, {len(pack.topics)} topics"
        )
        fixed = await _timed(rounds, lambda: services.quiz.next_question(user, user, "easy"))
        # Reviews are due after the day's pause, so this is the due-first path.
        due_first = await _timed(rounds, lambda: services.quiz.next_question(user, user))
        # Nothing due (every item answered right just now): the mastery path, every call.
        fresh = user + 1
        for question in pack.quiz.values():
            delivery = await services.quiz.next_question(fresh, fresh, topic=question.topic)
            if delivery is not None:
                q = delivery.question
                await services.quiz.answer(
                    delivery.id, fresh, delivery.options.index(q.options[q.correct_index].text)
                )
        adaptive = await _timed(rounds, lambda: services.quiz.next_question(fresh, fresh))
        topic = await _timed(
            rounds, lambda: services.quiz.next_question(user, user, topic="drift")
        )
        progress = await _timed(rounds, lambda: services.progress.progress(user))
        snapshot = await services.progress.progress(user)
        picture = await _timed(max(rounds // 10, 5), lambda: services.progress.picture(snapshot))
        print(_line("baseline: /quiz easy (fixed level)", fixed))
        print(_line("/quiz (adaptive, reviews due)", due_first))
        print(_line("/quiz (adaptive, weakest topic)", adaptive))
        print(_line("/quiz drift (topic)", topic))
        print(_line("/progress: mastery of every topic", progress))
        print(_line("/progress: the picture", picture))
        print("levels: " + ", ".join(f"{n} {lv.label}" for lv, n in snapshot.counts.items()))
        await services.close()
    missed = [
        f"{name} median {statistics.median(times):.1f} ms > {limit} ms"
        for name, times, limit in (
            ("adaptive /quiz", adaptive, ADAPTIVE_TARGET_MS),
            ("/progress mastery", progress, PROGRESS_TARGET_MS),
            ("/progress picture", picture, PICTURE_TARGET_MS),
        )
        if statistics.median(times) > limit
    ]
    print("RESULT: ok" if not missed else "RESULT: missed: " + "; ".join(missed))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=200)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.answers, arguments.rounds))
