"""Giving back a daily claim whose question never reached the chat, on a real file."""

from __future__ import annotations

from pathlib import Path

from tests.storage.packs import count, services_at

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
