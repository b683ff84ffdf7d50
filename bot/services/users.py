"""User settings and streak reminders.

Public API (``services.users`` on a ``bot.services.Services``):
    register(user_id, *, private_chat, now=None)
    settings(user_id) -> UserSettings
    set_timezone(user_id, name, now=None) -> str           canonical name; UnknownTimezoneError
    set_reminders(user_id, enabled, now=None)
    users_at_risk(now=None) -> list[AtRisk]                 remind these (see below)
    claim_reminder(user_id, local_day, now=None) -> bool    True once per user and local day

"At risk": reachable in private, reminders on, a live streak (freezes counted), nothing answered
yet today in their own time zone, and within the last two hours before their local midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core import streaks
from bot.core.clock import zone
from bot.services.context import ServiceContext
from bot.storage import users as user_db


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


class UserService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    async def register(
        self, user_id: int, *, private_chat: bool, now: datetime | None = None
    ) -> None:
        """Make sure the user exists; ``private_chat`` marks that we may message them directly."""
        moment = self._ctx.now(now)
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

    async def set_timezone(self, user_id: int, name: str, now: datetime | None = None) -> str:
        """Validate and store the user's zone; an unknown name raises and changes nothing."""
        canonical = zone(name).key
        moment = self._ctx.now(now)
        async with self._ctx.db.write() as conn:
            await user_db.set_timezone(conn, user_id, canonical, moment)
        return canonical

    async def set_reminders(
        self, user_id: int, enabled: bool, now: datetime | None = None
    ) -> None:
        moment = self._ctx.now(now)
        async with self._ctx.db.write() as conn:
            await user_db.set_reminders(conn, user_id, enabled=enabled, now=moment)

    async def users_at_risk(self, now: datetime | None = None) -> list[AtRisk]:
        moment = self._ctx.now(now)
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

    async def claim_reminder(
        self, user_id: int, local_day: date, now: datetime | None = None
    ) -> bool:
        moment = self._ctx.now(now)
        async with self._ctx.db.write() as conn:
            return await user_db.claim_reminder(conn, user_id, local_day, moment)
