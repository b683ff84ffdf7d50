"""Daily-question rules: the send time format, when today's time has passed, and the choice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.daily import (
    InvalidTimeError,
    choose_daily,
    format_send_time,
    parse_send_time,
    passed_today,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08:30", time(8, 30)), ("8:05", time(8, 5)), ("00:00", time(0)), (" 23:59 ", time(23, 59))],
)
def test_valid_times_parse(text: str, expected: time) -> None:
    """24-hour HH:MM from 00:00 to 23:59 is accepted (one-digit hours too)."""
    assert parse_send_time(text) == expected


@pytest.mark.parametrize("text", ["25:99", "24:00", "12:60", "noon", "", "8:5", "-1:00", "1230"])
def test_invalid_times_raise_a_clear_error(text: str) -> None:
    """Anything that is not a real clock time raises InvalidTimeError naming the format."""
    with pytest.raises(InvalidTimeError, match="HH:MM between 00:00 and 23:59"):
        parse_send_time(text)


def test_send_time_formats_with_leading_zeros() -> None:
    """A stored time is always HH:MM."""
    assert format_send_time(time(7, 5)) == "07:05"


def test_passed_today_uses_the_subscription_zone() -> None:
    """09:00 Berlin has passed at 08:30 UTC in summer (10:30 local) but not at 06:30 UTC."""
    assert passed_today(time(9, 0), BERLIN, datetime(2025, 7, 1, 8, 30, tzinfo=UTC))
    assert not passed_today(time(9, 0), BERLIN, datetime(2025, 7, 1, 6, 30, tzinfo=UTC))


def test_a_send_time_inside_the_spring_gap_still_fires() -> None:
    """02:30 does not exist in Berlin on 30 March 2025; by 03:00 local it counts as passed."""
    at_three = datetime(2025, 3, 30, 3, 0, tzinfo=BERLIN)
    assert passed_today(time(2, 30), BERLIN, at_three)


def test_never_sent_questions_come_first() -> None:
    """A question never sent in this chat is chosen over ones already sent."""
    sent = {"a": date(2025, 1, 1), "b": date(2025, 1, 2)}
    assert choose_daily(["a", "b", "c"], sent, -100, date(2025, 1, 3)) == "c"


def test_when_all_were_sent_the_longest_ago_comes_back() -> None:
    """With every question used, the one sent longest ago is chosen."""
    sent = {"a": date(2025, 1, 5), "b": date(2025, 1, 2), "c": date(2025, 1, 4)}
    assert choose_daily(["a", "b", "c"], sent, -100, date(2025, 1, 6)) == "b"


def test_choice_is_repeatable_but_varies_by_chat_and_day() -> None:
    """The same chat and day always get the same question; others spread over the bank."""
    ids = [f"q{i}" for i in range(20)]
    day = date(2025, 1, 1)
    assert choose_daily(ids, {}, 1, day) == choose_daily(ids, {}, 1, day)
    assert len({choose_daily(ids, {}, chat, day) for chat in range(30)}) > 5
    assert len({choose_daily(ids, {}, 1, date(2025, 1, d)) for d in range(1, 30)}) > 5


def test_empty_bank_has_no_daily_question() -> None:
    """No questions means no daily question."""
    assert choose_daily([], {}, 1, date(2025, 1, 1)) is None
