"""Daily service: subscriptions, start-up catch-up, the once-a-day claim, and late answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.daily import InvalidTimeError
from bot.storage import daily as daily_db
from tests.support.storage import count, make_pack, question, services_at

MORNING = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)  # 08:00 in Berlin (summer time)


async def test_subscribe_validates_and_stores(tmp_path: Path) -> None:
    """A valid time and zone are stored; status and the list show them."""
    async with services_at(tmp_path / "t.db") as (s, _c):
        sub = await s.daily.subscribe(-1, "7:05", "europe/berlin")
        assert (sub.time_text, sub.timezone) == ("07:05", "Europe/Berlin")
        assert (sub.send_time, sub.zone) == (time(7, 5), ZoneInfo("Europe/Berlin"))
        assert await s.daily.status(-1) == sub
        assert await s.daily.list_subscriptions() == [sub]


async def test_subscribe_rejects_25_99_with_a_clear_message(tmp_path: Path) -> None:
    """'25:99' raises InvalidTimeError saying what is allowed, and stores nothing."""
    async with services_at(tmp_path / "t.db") as (s, _c):
        with pytest.raises(InvalidTimeError, match="between 00:00 and 23:59"):
            await s.daily.subscribe(-1, "25:99")
        assert await s.daily.status(-1) is None


async def test_zone_defaults_to_existing_then_user_then_bot(tmp_path: Path) -> None:
    """Without a zone: keep the chat's zone, else the private user's, else the default."""
    async with services_at(tmp_path / "t.db", default_timezone="Asia/Tokyo") as (s, _c):
        assert (await s.daily.subscribe(-1, "08:00")).timezone == "Asia/Tokyo"
        await s.users.set_timezone(5, "America/New_York")
        assert (await s.daily.subscribe(5, "08:00", owner=5)).timezone == "America/New_York"
        await s.daily.subscribe(-1, "09:00", "Europe/Paris")
        changed = await s.daily.subscribe(-1, "10:00")
        assert (changed.time_text, changed.timezone) == ("10:00", "Europe/Paris")


async def test_a_stored_zone_that_no_longer_loads_falls_back_to_the_default(
    tmp_path: Path,
) -> None:
    """A subscription whose stored zone tzdata no longer knows runs on the bot's default zone
    instead of failing when the jobs are rebuilt at start-up."""
    async with services_at(tmp_path / "t.db", default_timezone="Asia/Tokyo") as (s, clock):
        async with s.db.write() as conn:
            await daily_db.upsert_subscription(conn, -1, "07:30", "Mars/Olympus", clock.now())
        [sub] = await s.daily.list_subscriptions()
        tokyo = ZoneInfo("Asia/Tokyo")
        assert (sub.zone, sub.timezone) == (tokyo, "Asia/Tokyo")
        assert (sub.send_time, sub.zone) == (time(7, 30), tokyo)
        assert await s.daily.status(-1) == sub
        assert [due.chat_id for due in await s.daily.due_on_startup()] == [-1]


async def test_unsubscribe_removes_only_that_chat(tmp_path: Path) -> None:
    """Unsubscribing returns True once, then False; other chats stay subscribed."""
    async with services_at(tmp_path / "t.db") as (s, _c):
        await s.daily.subscribe(-1, "08:00")
        await s.daily.subscribe(-2, "08:00")
        assert await s.daily.unsubscribe(-1)
        assert not await s.daily.unsubscribe(-1)
        assert [sub.chat_id for sub in await s.daily.list_subscriptions()] == [-2]
        assert await s.daily.claim_daily(-1) is None


async def test_due_on_startup_only_lists_passed_and_unsent(tmp_path: Path) -> None:
    """At 08:00 Berlin: 07:30 is due, 09:00 is not, and one already sent today is not."""
    async with services_at(tmp_path / "t.db", start=MORNING) as (s, clock):
        await s.daily.subscribe(-1, "07:30", "Europe/Berlin")
        await s.daily.subscribe(-2, "09:00", "Europe/Berlin")
        await s.daily.subscribe(-3, "07:00", "Europe/Berlin")
        assert await s.daily.claim_daily(-3) is not None
        assert [sub.chat_id for sub in await s.daily.due_on_startup()] == [-1]
        clock.advance(hours=2)  # 10:00 Berlin
        assert {sub.chat_id for sub in await s.daily.due_on_startup()} == {-1, -2}


async def test_due_on_startup_uses_the_local_day(tmp_path: Path) -> None:
    """Sent at 07:30 Tokyo yesterday; just after local midnight, nothing is due until 07:30."""
    tokyo_morning = datetime(2025, 6, 1, 22, 30, tzinfo=UTC)  # 07:30 on 2 June in Tokyo
    async with services_at(tmp_path / "t.db", start=tokyo_morning) as (s, clock):
        await s.daily.subscribe(-1, "07:30", "Asia/Tokyo")
        assert [sub.chat_id for sub in await s.daily.due_on_startup()] == [-1]
        delivery = await s.daily.claim_daily(-1)
        assert delivery is not None and delivery.local_date == date(2025, 6, 2)
        clock.advance(hours=17)  # 00:30 on 3 June in Tokyo
        assert await s.daily.due_on_startup() == []
        clock.advance(hours=7)  # 07:30 on 3 June
        assert [sub.chat_id for sub in await s.daily.due_on_startup()] == [-1]


async def test_daily_questions_do_not_repeat_until_the_bank_is_used_up(tmp_path: Path) -> None:
    """Five days with a five-question bank give five different questions."""
    pack = make_pack([question(f"q-{i}") for i in range(5)])
    async with services_at(tmp_path / "t.db", pack) as (s, clock):
        await s.daily.subscribe(-1, "08:00", "UTC")
        seen = []
        for _ in range(5):
            delivery = await s.daily.claim_daily(-1)
            assert delivery is not None
            seen.append(delivery.question_id)
            clock.advance(days=1)
        assert sorted(seen) == [f"q-{i}" for i in range(5)]
        sixth = await s.daily.claim_daily(-1)
        assert sixth is not None and sixth.question_id == seen[0]


async def test_yesterdays_daily_answered_today_counts_for_today(tmp_path: Path) -> None:
    """A daily question from yesterday is still accepted once, on the day it is answered."""
    async with services_at(tmp_path / "t.db", start=MORNING) as (s, clock):
        await s.daily.subscribe(7, "08:00", "UTC")
        delivery = await s.daily.claim_daily(7)
        assert delivery is not None
        clock.advance(days=1)
        result = await s.quiz.answer(delivery.id, 7, 0)
        assert result.accepted and result.outcome is not None
        assert result.outcome.streak.active_today
        tomorrow = (MORNING + timedelta(days=1)).date().isoformat()
        assert await count(s.db, "answers", "local_date = ?", tomorrow) == 1
