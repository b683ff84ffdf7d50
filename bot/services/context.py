"""What every service shares: storage, content, the default zone, the clock and randomness.

The injected clock is the services' only source of time: no method takes a `now`, so tests move
the clock (``bot.core.clock.FixedClock``) instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import aiosqlite

from bot.core.clock import Clock, SystemClock, UnknownTimezoneError, require_aware, zone
from bot.core.content import ContentPack
from bot.storage import users as user_db
from bot.storage.db import Database

__all__ = ["ServiceContext"]


@dataclass
class ServiceContext:
    """What the services share: storage, content, the default zone, the clock, randomness."""

    db: Database
    pack: ContentPack
    default_timezone: ZoneInfo
    clock: Clock
    rng: random.Random

    @classmethod
    def create(
        cls,
        db: Database,
        pack: ContentPack,
        *,
        default_timezone: str = "UTC",
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> ServiceContext:
        return cls(
            db=db,
            pack=pack,
            default_timezone=zone(default_timezone),
            clock=clock or SystemClock(),
            # Shuffling options is not security-sensitive; a seedable generator keeps tests exact.
            rng=rng or random.Random(),
        )

    def now(self) -> datetime:
        """The clock's instant (tz-aware)."""
        return require_aware(self.clock.now())

    def zone_for(self, name: str | None) -> ZoneInfo:
        """A stored zone name, or the default when unset or no longer known to tzdata."""
        if name is None:
            return self.default_timezone
        try:
            return zone(name)
        except UnknownTimezoneError:
            return self.default_timezone

    async def user_zone(self, conn: aiosqlite.Connection, user_id: int) -> ZoneInfo:
        row = await user_db.get_user(conn, user_id)
        return self.zone_for(row.timezone if row else None)
