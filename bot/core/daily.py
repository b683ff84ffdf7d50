"""Daily-question rules: the send time a chat asks for, when it is due, and which question."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.clock import require_aware
from bot.core.echo import echo
from bot.errors import TutorError

__all__ = [
    "InvalidTimeError",
    "choose_daily",
    "format_send_time",
    "parse_send_time",
    "passed_today",
]

_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


class InvalidTimeError(TutorError):
    """A send time that is not a real clock time such as 08:30."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(
            f"'{echo(text)}' is not a time of day. Use 24-hour HH:MM between 00:00 and 23:59, "
            "for example 08:30."
        )


def parse_send_time(text: str) -> time:
    """Read "HH:MM" (00:00-23:59, one or two digit hour); InvalidTimeError otherwise."""
    match = _TIME.match(text)
    if match is None:
        raise InvalidTimeError(text.strip())
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise InvalidTimeError(text.strip())
    return time(hour, minute)


def format_send_time(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def passed_today(send_time: time, tz: ZoneInfo, now: datetime) -> bool:
    """Whether today's send time has come in ``tz`` (wall clock, so DST gaps still fire)."""
    local = require_aware(now).astimezone(tz)
    return local.time() >= send_time


def _stable_rank(chat_id: int, day: date, question_id: str) -> str:
    # hash() of a str changes per process; a digest keeps the choice the same across restarts,
    # so two racing jobs for one chat and day would at least agree on the question.
    return hashlib.sha256(f"{chat_id}|{day.isoformat()}|{question_id}".encode()).hexdigest()


def choose_daily(
    question_ids: Sequence[str],
    last_sent: Mapping[str, date],
    chat_id: int,
    day: date,
) -> str | None:
    """Pick the day's question for a chat: never-sent first, else the longest ago sent.

    ``last_sent`` maps question id -> the last local day it was the daily question in this chat.
    Ties are broken by a digest of (chat, day, question): varied across chats and days, yet
    repeatable.
    """
    if not question_ids:
        return None
    return min(
        question_ids,
        key=lambda q: (
            q in last_sent,
            last_sent.get(q, date.min),
            _stable_rank(chat_id, day, q),
        ),
    )
