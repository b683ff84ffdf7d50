"""User service: time zone and reminder settings, who is at risk of losing a streak, and the
once-a-day reminder claim."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import UnknownTimezoneError
from bot.services import Services
from tests.support.storage import services_at

# 22:30 UTC on a Monday: inside the reminder window for users on the default zone (UTC).
EVENING_UTC = datetime(2025, 1, 13, 22, 30, tzinfo=UTC)


async def answer_once(services: Services, user: int, *, private: bool = True) -> None:
    delivery = await services.quiz.next_question(user, user if private else -1, private=private)
    assert delivery is not None
    result = await services.quiz.answer(delivery.id, user, 0, private=private)
    assert result.accepted


async def test_settings_default_to_the_bot_zone_and_reminders_on(tmp_path: Path) -> None:
    """A user who never chose anything gets the default zone and reminders."""
    async with services_at(tmp_path / "t.db", default_timezone="Europe/Berlin") as (s, _c):
        settings = await s.users.settings(1)
        assert (settings.timezone, settings.timezone_is_default, settings.reminders) == (
            "Europe/Berlin",
            True,
            True,
        )


async def test_set_timezone_accepts_any_case_and_stores_the_canonical_name(
    tmp_path: Path,
) -> None:
    """'america/los_angeles' is stored as America/Los_Angeles."""
    async with services_at(tmp_path / "t.db") as (s, _c):
        change = await s.users.set_timezone(1, " america/los_angeles ")
        assert change.timezone == "America/Los_Angeles"
        settings = await s.users.settings(1)
        assert (settings.timezone, settings.timezone_is_default) == ("America/Los_Angeles", False)


async def test_unknown_timezone_error_explains_and_suggests(tmp_path: Path) -> None:
    """A typo gets a message with an example and a close suggestion."""
    async with services_at(tmp_path / "t.db") as (s, _c):
        with pytest.raises(UnknownTimezoneError) as info:
            await s.users.set_timezone(1, "Europe/Berlinn")
        assert "Unknown time zone 'Europe/Berlinn'" in str(info.value)
        assert "Europe/Berlin" in info.value.suggestions
        for bad in ("", "../etc/passwd", "/etc/localtime", "Mars/Olympus"):
            with pytest.raises(UnknownTimezoneError):
                await s.users.set_timezone(1, bad)
        assert (await s.users.settings(1)).timezone == "UTC"


async def test_only_real_iana_zones_are_accepted(tmp_path: Path) -> None:
    """Files of the tz database that are not places (the server's own zone, tzcode's
    placeholder, the rules file, mirror trees) are refused like any unknown name."""
    async with services_at(tmp_path / "t.db") as (s, _c):
        for bad in ("localtime", "LOCALTIME", "Factory", "posixrules", "posix/Europe/Berlin"):
            with pytest.raises(UnknownTimezoneError):
                await s.users.set_timezone(1, bad)
        assert (await s.users.set_timezone(1, "Etc/UTC")).timezone == "Etc/UTC"
        assert (await s.users.set_timezone(1, "europe/berlin")).timezone == "Europe/Berlin"


async def test_answers_count_on_the_users_own_local_day(tmp_path: Path) -> None:
    """For a Tokyo user, answers at 14:50 and 15:10 UTC fall on two local days: streak 2."""
    start = datetime(2025, 5, 10, 14, 50, tzinfo=UTC)  # 23:50 in Tokyo
    async with services_at(tmp_path / "t.db", start=start) as (s, clock):
        await s.users.set_timezone(1, "Asia/Tokyo")
        await answer_once(s, 1)
        clock.advance(minutes=20)  # 00:10 the next day in Tokyo, same day in UTC
        await answer_once(s, 1)
        assert (await s.stats.streak(1)).current == 2


async def test_user_in_the_evening_window_with_a_streak_is_at_risk(tmp_path: Path) -> None:
    """Streak yesterday, nothing today, 22:30 local: at risk; other hours are not."""
    yesterday = EVENING_UTC - timedelta(days=1, hours=10)
    async with services_at(tmp_path / "t.db", start=yesterday) as (s, clock):
        await answer_once(s, 1)
        clock.set(EVENING_UTC)  # 22:30 UTC
        [risk] = await s.users.users_at_risk()
        assert (risk.user_id, risk.streak.current, risk.local_date, risk.timezone) == (
            1,
            1,
            date(2025, 1, 13),
            "UTC",
        )
        clock.set(EVENING_UTC - timedelta(hours=1))
        assert await s.users.users_at_risk() == []
        clock.set(EVENING_UTC + timedelta(hours=2))
        assert await s.users.users_at_risk() == []


async def test_the_window_follows_each_users_zone(tmp_path: Path) -> None:
    """At 22:30 UTC a UTC user is in the window; a Los Angeles user (14:30) is not, until later."""
    start = datetime(2025, 1, 12, 20, 0, tzinfo=UTC)
    async with services_at(tmp_path / "t.db", start=start) as (s, clock):
        await s.users.set_timezone(2, "America/Los_Angeles")
        await answer_once(s, 1)
        await answer_once(s, 2)  # 12:00 on the 12th in Los Angeles
        clock.set(EVENING_UTC)
        assert [r.user_id for r in await s.users.users_at_risk()] == [1]
        la_evening = datetime(2025, 1, 13, 22, 30, tzinfo=UTC) + timedelta(hours=8)
        clock.set(la_evening)
        assert [r.user_id for r in await s.users.users_at_risk()] == [2]


async def test_not_at_risk_when_answered_today_opted_out_or_not_private(tmp_path: Path) -> None:
    """Answered today, reminders off, or only seen in groups: none of them are reminded."""
    yesterday = EVENING_UTC - timedelta(days=1)
    async with services_at(tmp_path / "t.db", start=yesterday) as (s, clock):
        for user in (1, 2, 3, 4):
            await answer_once(s, user, private=user != 3)
        await s.users.set_reminders(2, enabled=False)
        clock.set(EVENING_UTC - timedelta(hours=1))
        await answer_once(s, 4)  # already active today
        clock.set(EVENING_UTC)
        assert [r.user_id for r in await s.users.users_at_risk()] == [1]


async def test_a_lost_streak_is_not_at_risk(tmp_path: Path) -> None:
    """A user whose streak already broke (two days missed, no freeze) gets no reminder."""
    start = EVENING_UTC - timedelta(days=3)
    async with services_at(tmp_path / "t.db", start=start) as (s, clock):
        await answer_once(s, 1)
        clock.set(EVENING_UTC)
        assert await s.users.users_at_risk() == []


async def test_reminder_is_claimed_once_per_day_and_then_drops_out(tmp_path: Path) -> None:
    """The first claim wins, a second claim the same day fails, and the user leaves the list."""
    yesterday = EVENING_UTC - timedelta(days=1)
    async with services_at(tmp_path / "t.db", start=yesterday) as (s, clock):
        await answer_once(s, 1)
        clock.set(EVENING_UTC)
        [risk] = await s.users.users_at_risk()
        assert await s.users.claim_reminder(1, risk.local_date)
        assert not await s.users.claim_reminder(1, risk.local_date)
        assert await s.users.users_at_risk() == []
        assert await s.users.claim_reminder(1, risk.local_date + timedelta(days=1))


async def test_a_zone_change_moves_the_private_daily_question_in_the_same_call(
    tmp_path: Path,
) -> None:
    """Given the person's own chat, its daily question follows the new zone at the same local
    time; a group's subscription, or none at all, is left alone."""
    async with services_at(tmp_path / "t.db") as (s, _c):
        await s.daily.subscribe(5, "08:30", "UTC", owner=5)
        await s.daily.subscribe(-7, "09:00", "UTC")
        change = await s.users.set_timezone(5, "europe/berlin", private_chat=5)
        assert change.timezone == "Europe/Berlin"
        assert change.daily is not None and change.daily == await s.daily.status(5)
        assert (change.daily.time_text, change.daily.timezone) == ("08:30", "Europe/Berlin")
        assert (await s.daily.status(-7)).timezone == "UTC"  # type: ignore[union-attr]
        same = await s.users.set_timezone(5, "Europe/Berlin", private_chat=5)
        assert same.daily is None  # already there: nothing to re-aim
        elsewhere = await s.users.set_timezone(5, "Asia/Tokyo")
        assert elsewhere.daily is None
        assert (await s.daily.status(5)).timezone == "Europe/Berlin"  # type: ignore[union-attr]
        nobody = await s.users.set_timezone(6, "Asia/Tokyo", private_chat=6)
        assert nobody.daily is None and await s.daily.status(6) is None


async def test_only_the_adapter_says_a_chat_is_private(tmp_path: Path) -> None:
    """A chat id equal to the user id no longer makes the services take it for a private chat:
    only ``private=True`` makes the user reachable for reminders."""
    yesterday = EVENING_UTC - timedelta(days=1)
    async with services_at(tmp_path / "t.db", start=yesterday) as (s, clock):
        delivery = await s.quiz.next_question(1, 1)
        assert delivery is not None
        assert (await s.quiz.answer(delivery.id, 1, 0)).accepted
        await answer_once(s, 2, private=True)
        clock.set(EVENING_UTC)
        assert [r.user_id for r in await s.users.users_at_risk()] == [2]
