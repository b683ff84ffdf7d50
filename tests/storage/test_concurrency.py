"""Concurrency on a real file: one answer per delivery, nothing lost, two processes' worth of
connections, and the daily claim."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.content import ContentPack
from bot.services import AnswerResult, AnswerStatus, Services
from bot.storage import daily as daily_db
from bot.storage import quiz as quiz_db
from bot.storage.db import Database
from tests.support.storage import START, count, make_pack, question, services_at, snapshot


def big_pack(n: int = 60) -> ContentPack:
    return make_pack([question(f"q-{i:03d}", "easy") for i in range(n)])


async def test_fifty_concurrent_answers_to_one_delivery_record_exactly_one(
    tmp_path: Path,
) -> None:
    """50 simultaneous presses on one question: one is accepted, 49 are told it was answered."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        delivery = await services.quiz.next_question(7, 7)
        assert delivery is not None
        results = await asyncio.gather(
            *(services.quiz.answer(delivery.id, 7, i % 4) for i in range(50))
        )
        statuses = [r.status for r in results]
        assert statuses.count(AnswerStatus.ACCEPTED) == 1
        assert statuses.count(AnswerStatus.ALREADY_ANSWERED) == 49
        accepted = next(r for r in results if r.accepted)
        assert accepted.outcome is not None
        # Every repeat reports the original choice, not its own.
        for result in results:
            assert result.outcome is not None
            assert result.outcome.chosen_position == accepted.outcome.chosen_position
        assert await count(services.db, "answers") == 1
        assert await count(services.db, "cards", "reviews = 1") == 1
        assert (await services.stats.stats(7)).answered == 1


async def test_concurrent_answers_by_one_user_across_deliveries_are_all_recorded(
    tmp_path: Path,
) -> None:
    """One user answering 40 open questions at once: all 40 answers and cards are kept."""
    async with services_at(tmp_path / "t.db", big_pack()) as (services, _clock):
        deliveries = [await services.quiz.next_question(5, 5) for _ in range(40)]
        assert all(d is not None for d in deliveries)
        results = await asyncio.gather(
            *(services.quiz.answer(d.id, 5, 0) for d in deliveries if d is not None)
        )
        assert all(r.accepted for r in results)
        assert await count(services.db, "answers", "user_id = 5") == 40
        stats = await services.stats.stats(5)
        assert stats.answered == 40
        assert stats.streak.current == 1


async def test_many_users_answering_at_once_lose_nothing(tmp_path: Path) -> None:
    """200 users, 3 answers each, all concurrent: 600 answers and per-user totals match."""
    async with services_at(tmp_path / "t.db", big_pack()) as (services, _clock):
        deliveries = await asyncio.gather(
            *(services.quiz.next_question(u, u) for u in range(1, 201) for _ in range(3))
        )
        results = await asyncio.gather(
            *(services.quiz.answer(d.id, d.user_id or 0, 1) for d in deliveries if d)
        )
        assert all(r.accepted for r in results)
        assert await count(services.db, "answers") == 600
        assert await count(services.db, "streaks", "current = 1") == 200
        assert await services.db.integrity_check() == "ok"


async def test_two_database_handles_on_one_file_serialise_writes(tmp_path: Path) -> None:
    """Two independent handles (as two processes would have) both write without losing rows."""
    path = tmp_path / "t.db"
    pack = big_pack()
    async with services_at(path, pack) as (first, clock):
        second = Services.create(await Database.open(path), pack, clock=clock)
        try:
            a = [await first.quiz.next_question(1, 1) for _ in range(20)]
            b = [await second.quiz.next_question(2, 2) for _ in range(20)]
            results = await asyncio.gather(
                *(first.quiz.answer(d.id, 1, 0) for d in a if d),
                *(second.quiz.answer(d.id, 2, 0) for d in b if d),
                # The same deliveries pressed again through the other handle must be refused.
                *(second.quiz.answer(d.id, 1, 0) for d in a if d),
            )
        finally:
            await second.close()
        accepted = [r for r in results if r.accepted]
        assert len(accepted) == 40
        assert await count(first.db, "answers") == 40


async def test_daily_claim_succeeds_once_per_chat_and_day(tmp_path: Path) -> None:
    """Twenty simultaneous daily jobs for one chat produce one delivery; the next day, one more."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        await services.daily.subscribe(-100, "08:00", "UTC")
        sent = await asyncio.gather(*(services.daily.claim_daily(-100) for _ in range(20)))
        assert len([d for d in sent if d is not None]) == 1
        assert await count(services.db, "daily_sent") == 1
        assert await count(services.db, "deliveries", "kind = 'daily'") == 1
        clock.advance(days=1)
        assert await services.daily.claim_daily(-100) is not None
        assert await count(services.db, "daily_sent") == 2


async def test_storage_claim_daily_is_an_atomic_insert(tmp_path: Path) -> None:
    """The storage claim returns True for the first (chat, day) and False afterwards."""
    async with await Database.open(tmp_path / "t.db") as db:
        day = date(2025, 3, 3)
        async with db.write() as conn:
            assert await daily_db.claim_daily(conn, -1, day, "q-a", START)
            assert not await daily_db.claim_daily(conn, -1, day, "q-b", START)
            assert await daily_db.claim_daily(conn, -2, day, "q-b", START)
        async with db.read() as conn:
            assert await daily_db.daily_claimed(conn, -1, day) == "q-a"


async def test_one_batch_with_two_days_of_answers_by_one_user_builds_the_streak(
    tmp_path: Path,
) -> None:
    """Answers graded together still apply in order: two local days make a streak of 2."""
    async with services_at(tmp_path / "t.db", big_pack()) as (services, clock):
        first = await services.quiz.next_question(3, 3)
        second = await services.quiz.next_question(3, 3)
        assert first is not None and second is not None

        async def answer_at(delivery_id: int, moment: datetime) -> AnswerResult:
            # Each answer reads the clock as it is submitted, before the batch is graded.
            clock.set(moment)
            return await services.quiz.answer(delivery_id, 3, 0)

        results = await asyncio.gather(
            answer_at(first.id, START), answer_at(second.id, START + timedelta(days=1))
        )
        assert [r.outcome.streak.current for r in results if r.outcome] == [1, 2]
        assert (await services.stats.streak(3)).current == 2


async def test_the_same_question_twice_in_one_batch_reviews_the_card_twice(
    tmp_path: Path,
) -> None:
    """Two deliveries of one question answered together: one card, two reviews, one lapse."""
    async with services_at(tmp_path / "t.db", make_pack([question("q-1"), question("q-2")])) as (
        services,
        _clock,
    ):
        await services.daily.subscribe(4, "08:00", "UTC")
        daily = await services.daily.claim_daily(4)
        assert daily is not None
        async with services.db.write() as conn:  # a quiz delivery of the same question
            delivery_id = await quiz_db.insert_delivery(
                conn,
                kind="quiz",
                chat_id=4,
                user_id=4,
                question_id=daily.question_id,
                option_order="0,1,2,3",
                local_day=None,
                now=START,
            )
        results = await asyncio.gather(
            services.quiz.answer(daily.id, 4, daily.options.index(f"{daily.question_id} right")),
            services.quiz.answer(delivery_id, 4, 1),  # option 1 is wrong
        )
        assert [r.status for r in results] == [AnswerStatus.ACCEPTED, AnswerStatus.ACCEPTED]
        assert await count(services.db, "cards", "reviews = 2 AND lapses = 1") == 1
        assert await count(services.db, "cards") == 1


async def test_a_failed_batch_reports_the_error_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If writing a batch fails, every caller in it gets the error and the batch rolls back."""
    async with services_at(tmp_path / "t.db", big_pack()) as (services, _clock):
        deliveries = [await services.quiz.next_question(u, u) for u in (1, 2, 3)]
        before = await snapshot(services.db)
        real = quiz_db.save_answers

        async def broken(*args: object, **kwargs: object) -> None:
            await real(*args, **kwargs)  # type: ignore[arg-type]
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(quiz_db, "save_answers", broken)
        results = await asyncio.gather(
            *(services.quiz.answer(d.id, d.user_id or 0, 0) for d in deliveries if d),
            return_exceptions=True,
        )
        assert all(isinstance(r, sqlite3.OperationalError) for r in results)
        assert await snapshot(services.db) == before
        monkeypatch.undo()
        retry = await services.quiz.answer(deliveries[0].id if deliveries[0] else 0, 1, 0)
        assert retry.accepted


async def test_a_cancelled_caller_does_not_strand_the_others(tmp_path: Path) -> None:
    """Cancelling one waiting answer leaves the rest of its batch to complete normally."""
    async with services_at(tmp_path / "t.db", big_pack()) as (services, _clock):
        deliveries = [await services.quiz.next_question(u, u) for u in range(1, 11)]
        tasks = [
            asyncio.create_task(services.quiz.answer(d.id, d.user_id or 0, 0))
            for d in deliveries
            if d
        ]
        await asyncio.sleep(0)
        tasks[0].cancel()
        done = await asyncio.gather(*tasks[1:])
        assert all(r.accepted for r in done)
        with pytest.raises(asyncio.CancelledError):
            await tasks[0]


async def test_closing_waits_for_answers_in_flight(tmp_path: Path) -> None:
    """Answers submitted just before close() are recorded, not dropped."""
    path = tmp_path / "t.db"
    async with services_at(path, big_pack()) as (services, _clock):
        deliveries = [await services.quiz.next_question(u, u) for u in range(1, 21)]
        tasks = [
            asyncio.create_task(services.quiz.answer(d.id, d.user_id or 0, 0))
            for d in deliveries
            if d
        ]
        await asyncio.sleep(0)
    assert all(t.result().accepted for t in tasks)
    async with services_at(path, big_pack()) as (services, _clock):
        assert await count(services.db, "answers") == 20
