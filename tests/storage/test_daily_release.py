"""Giving back a daily claim whose question never reached the chat, on a real file."""

from __future__ import annotations

from pathlib import Path

from tests.support.storage import count, services_at

CHAT = 42


async def test_released_day_can_be_claimed_again(tmp_path: Path) -> None:
    """After release_daily the day is claimable again with a new delivery id (the released one
    stays, since a send that timed out may have arrived); releasing twice changes nothing."""
    async with services_at(tmp_path / "tutor.sqlite3") as (services, _clock):
        await services.daily.subscribe(CHAT, "08:00")
        first = await services.daily.claim_daily(CHAT)
        assert first is not None
        assert await services.daily.claim_daily(CHAT) is None
        assert await services.daily.release_daily(first)
        assert not await services.daily.release_daily(first)
        again = await services.daily.claim_daily(CHAT)
        assert again is not None and again.local_date == first.local_date
        assert again.id != first.id
        assert await count(services.db, "deliveries", "id = ?", first.id) == 1
        assert not await services.daily.release_daily(first)
        assert await services.daily.claim_daily(CHAT) is None


async def test_unconfirmed_claims_are_given_back_and_confirmed_ones_kept(tmp_path: Path) -> None:
    """At start-up, a claim never confirmed sent (its process died before sending) is given
    back so the day can be claimed again; a confirmed claim stays and blocks a second send."""
    async with services_at(tmp_path / "tutor.sqlite3") as (services, _clock):
        await services.daily.subscribe(CHAT, "08:00")
        await services.daily.subscribe(CHAT + 1, "08:00")
        sent = await services.daily.claim_daily(CHAT)
        stuck = await services.daily.claim_daily(CHAT + 1)
        assert sent is not None and stuck is not None
        assert await services.daily.confirm_daily(sent)
        assert not await services.daily.confirm_daily(sent)  # once
        assert await services.daily.release_unconfirmed() == 1
        assert await services.daily.claim_daily(CHAT) is None
        again = await services.daily.claim_daily(CHAT + 1)
        assert again is not None and again.id != stuck.id
        assert not await services.daily.confirm_daily(stuck)  # no longer the day's claim
        assert await services.daily.release_unconfirmed() == 1
        assert await services.daily.release_unconfirmed() == 0


async def test_due_after_a_crash_includes_the_unsent_claims(tmp_path: Path) -> None:
    """A chat whose claim was given back is due again at start-up; a confirmed one is not."""
    async with services_at(tmp_path / "tutor.sqlite3") as (services, _clock):
        await services.daily.subscribe(CHAT, "00:00")
        await services.daily.subscribe(CHAT + 1, "00:00")
        sent = await services.daily.claim_daily(CHAT)
        assert sent is not None and await services.daily.confirm_daily(sent)
        assert await services.daily.claim_daily(CHAT + 1) is not None
        assert [s.chat_id for s in await services.daily.due_on_startup()] == []
        await services.daily.release_unconfirmed()
        assert [s.chat_id for s in await services.daily.due_on_startup()] == [CHAT + 1]
