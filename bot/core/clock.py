"""Time as an injected dependency, and time zone names checked once at the edge."""

from __future__ import annotations

import difflib
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.echo import echo
from bot.errors import TutorError

__all__ = [
    "Clock",
    "FixedClock",
    "SystemClock",
    "UnknownTimezoneError",
    "is_real_zone",
    "local_date",
    "require_aware",
    "zone",
]


class UnknownTimezoneError(TutorError):
    """The user typed a time zone name that the tz database does not know."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f" Did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"Unknown time zone '{echo(name)}'. Use a name such as Europe/Berlin or "
            f"America/New_York.{hint}"
        )


class Clock(Protocol):
    """Where the current instant comes from: ``now()`` is always tz-aware, in UTC."""

    def now(self) -> datetime:
        """The current instant, tz-aware."""
        ...


class SystemClock:
    """The wall clock, in UTC so nothing downstream ever sees a naive datetime."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, now: datetime) -> None:
        self._now = require_aware(now)

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = require_aware(now)

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


def require_aware(moment: datetime) -> datetime:
    """Return ``moment`` if it carries a time zone; a naive value is a programming error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} where a tz-aware one is required")
    return moment


def local_date(now: datetime, tz: ZoneInfo) -> date:
    """The calendar day in ``tz`` at the instant ``now``."""
    return require_aware(now).astimezone(tz).date()


# Files in a tz database that are not places: the server's own zone (which would silently follow
# whatever machine the bot runs on), tzcode's placeholder zone, and a compiler rules file.
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
# Mirror trees some systems ship (posix/Europe/Berlin is Europe/Berlin under another name).
_NOT_ZONE_DIRS = ("posix/", "right/", "SystemV/")


def is_real_zone(name: str) -> bool:
    """Whether `name` (as the tz database spells it) is an IANA zone a person could live in."""
    return name not in _NOT_ZONES and not name.startswith(_NOT_ZONE_DIRS)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    # Scanning the tz database costs a few milliseconds, so it is done once per process.
    return {name.casefold(): name for name in available_timezones() if is_real_zone(name)}


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for a user-supplied IANA name; case and surrounding spaces are forgiven."""
    cleaned = name.strip()
    canonical = _zone_names().get(cleaned.casefold())
    if canonical is None:
        # A zone name is at most ~30 characters: a longer input matches nothing anyway.
        close = (
            difflib.get_close_matches(cleaned, list(_zone_names().values()), n=2, cutoff=0.75)
            if len(cleaned) <= 64
            else []
        )
        raise UnknownTimezoneError(cleaned, close)
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # listed but unreadable: treat as unknown
        raise UnknownTimezoneError(cleaned, []) from exc
