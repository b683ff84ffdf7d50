"""User settings and streak reminders.

``set_timezone`` validates the name (UnknownTimezoneError changes nothing) and, given the
person's own chat with the bot, moves that chat's daily question to the new zone in the same
transaction. ``users_at_risk`` lists whom to remind; ``claim_reminder`` is True once per user
and local day.

"At risk": reachable in private, reminders on, a live streak (freezes counted), nothing answered
yet today in their own time zone, and within the last two hours before their local midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core import daily as daily_rules
from bot.core import streaks
from bot.core.clock import zone
from bot.services.context import ServiceContext
from bot.services.daily import Subscription
from bot.storage import daily as daily_db
from bot.storage import users as user_db

__all__ = ["AtRisk", "TimezoneChange", "UserService", "UserSettings"]


@dataclass(frozen=True, slots=True)
class UserSettings:
    user_id: int
    timezone: str
    timezone_is_default: bool
    reminders: bool


@dataclass(frozen=True, slots=True)
class AtRisk:
    user_id: int
    streak: streaks.StreakView
    local_date: date
    timezone: str


@dataclass(frozen=True, slots=True)
class TimezoneChange:
    timezone: str  # the canonical name stored
    daily: Subscription | None  # the private daily question, if it moved to the new zone


class UserService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    async def register(self, user_id: int, *, private_chat: bool) -> None:
        """Make sure the user exists; ``private_chat`` marks that we may message them directly."""
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            await user_db.ensure_user(conn, user_id, moment, private_chat=private_chat)

    async def settings(self, user_id: int) -> UserSettings:
        async with self._ctx.db.read() as conn:
            row = await user_db.get_user(conn, user_id)
        stored = row.timezone if row else None
        zone_used = self._ctx.zone_for(stored)
        return UserSettings(
            user_id=user_id,
            timezone=zone_used.key,
            timezone_is_default=stored is None or zone_used.key != stored,
            reminders=row.reminders if row else True,
        )

    async def set_timezone(
        self, user_id: int, name: str, *, private_chat: int | None = None
    ) -> TimezoneChange:
        """Validate and store the user's zone; an unknown name raises and changes nothing.

        `private_chat` is the user's own chat with the bot (None when the change comes from
        elsewhere): its daily question follows its owner's zone, in the same transaction."""
        canonical = zone(name).key
        moment = self._ctx.now()
        moved: Subscription | None = None
        async with self._ctx.db.write() as conn:
            await user_db.set_timezone(conn, user_id, canonical, moment)
            row = None
            if private_chat is not None:
                row = await daily_db.get_subscription(conn, private_chat)
            if row is not None and self._ctx.zone_for(row.timezone).key != canonical:
                send_time = daily_rules.parse_send_time(row.send_time)
                await daily_db.upsert_subscription(
                    conn, row.chat_id, daily_rules.format_send_time(send_time), canonical, moment
                )
                moved = Subscription(row.chat_id, send_time, canonical, zone(canonical))
        return TimezoneChange(canonical, moved)

    async def set_reminders(self, user_id: int, *, enabled: bool) -> None:
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            await user_db.set_reminders(conn, user_id, enabled=enabled, now=moment)

    async def users_at_risk(self) -> list[AtRisk]:
        moment = self._ctx.now()
        found: list[AtRisk] = []
        async with self._ctx.db.read() as conn:
            # Work per distinct zone: one zone check answers "is it late evening?" for everyone in
            # it, so the scan touches only users whose evening it is.
            for name in await user_db.user_timezones(conn):
                tz = self._ctx.zone_for(name)
                local = moment.astimezone(tz)
                if not streaks.in_reminder_window(local):
                    continue
                today = local.date()
                for user_id, state in await user_db.reminder_candidates(conn, name, today):
                    shown = streaks.view(state, today)
                    if shown.current > 0:
                        found.append(AtRisk(user_id, shown, today, tz.key))
        return sorted(found, key=lambda risk: risk.user_id)

    async def claim_reminder(self, user_id: int, local_day: date) -> bool:
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            return await user_db.claim_reminder(conn, user_id, local_day, moment)
