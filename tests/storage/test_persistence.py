"""Everything survives closing and reopening the file; bad input leaves stored data exactly as
it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.clock import UnknownTimezoneError
from bot.core.daily import InvalidTimeError
from bot.services import AnswerStatus, UnknownDifficultyError
from tests.support.storage import make_pack, question, services_at, snapshot


async def test_reopening_keeps_users_answers_cards_streaks_and_subscriptions(
    tmp_path: Path,
) -> None:
    """Stats, settings, subscriptions and open deliveries are the same after a restart."""
    path = tmp_path / "t.db"
    async with services_at(path) as (services, clock):
        await services.users.set_timezone(1, "Asia/Tokyo")
        await services.users.set_reminders(1, enabled=False)
        for _ in range(3):
            delivery = await services.quiz.next_question(1, 1)
            assert delivery is not None
            await services.quiz.answer(delivery.id, 1, 0)
            clock.advance(days=1)
        pending = await services.quiz.next_question(1, 1)
        assert pending is not None
        await services.daily.subscribe(-5, "07:15", "Europe/Berlin")
        before_stats = await services.stats.stats(1)
        before_rows = await snapshot(services.db)
        now = clock.now()

    async with services_at(path, start=now) as (services, _clock):
        assert await snapshot(services.db) == before_rows
        assert await services.stats.stats(1) == before_stats
        settings = await services.users.settings(1)
        assert (settings.timezone, settings.reminders) == ("Asia/Tokyo", False)
        assert [s.chat_id for s in await services.daily.list_subscriptions()] == [-5]
        # A question sent before the restart can still be answered, once.
        result = await services.quiz.answer(pending.id, 1, 0)
        assert result.accepted
        assert (await services.quiz.answer(pending.id, 1, 0)).status is (
            AnswerStatus.ALREADY_ANSWERED
        )


async def test_bad_input_changes_nothing(tmp_path: Path) -> None:
    """Unknown zone, 25:99, unknown delivery, a second answer, a stranger, a bad position,
    an unknown difficulty: each is refused and every table stays exactly the same."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        await services.daily.subscribe(-9, "08:00", "UTC")
        await services.users.set_timezone(1, "Europe/Berlin")
        delivery = await services.quiz.next_question(1, 1)
        assert delivery is not None
        first = await services.quiz.answer(delivery.id, 1, 2)
        assert first.accepted and first.outcome is not None
        other = await services.quiz.next_question(1, 1)
        assert other is not None
        before = await snapshot(services.db)

        with pytest.raises(UnknownTimezoneError, match="Mars/Olympus"):
            await services.users.set_timezone(1, "Mars/Olympus")
        with pytest.raises(InvalidTimeError, match="25:99"):
            await services.daily.subscribe(-9, "25:99", "UTC")
        with pytest.raises(UnknownTimezoneError):
            await services.daily.subscribe(-9, "09:00", "Nowhere/City")
        with pytest.raises(UnknownDifficultyError):
            await services.quiz.next_question(1, 1, "impossible")
        assert (await services.quiz.answer(99_999, 1, 0)).status is AnswerStatus.UNKNOWN
        assert (await services.quiz.use_hint(99_999, 1)).status is AnswerStatus.UNKNOWN
        again = await services.quiz.answer(delivery.id, 1, 0)
        assert again.status is AnswerStatus.ALREADY_ANSWERED
        assert again.outcome is not None
        assert again.outcome.chosen_position == 2
        assert again.outcome.correct == first.outcome.correct
        assert (await services.quiz.answer(other.id, 2, 0)).status is AnswerStatus.NOT_YOURS
        assert (await services.quiz.use_hint(other.id, 2)).status is AnswerStatus.NOT_YOURS
        for bad in (-1, 4, 1000):
            result = await services.quiz.answer(other.id, 1, bad)
            assert result.status is AnswerStatus.INVALID_POSITION
        after_hint = await services.quiz.use_hint(delivery.id, 1)
        assert after_hint.status is AnswerStatus.ALREADY_ANSWERED
        assert after_hint.hint == delivery.question.hint

        assert await snapshot(services.db) == before


async def test_delivery_of_a_question_removed_from_the_content_is_unknown(
    tmp_path: Path,
) -> None:
    """After a content update drops a question, its old buttons are refused, not crashed on."""
    path = tmp_path / "t.db"
    async with services_at(path, make_pack([question("q-old"), question("q-new")])) as (
        services,
        _clock,
    ):
        delivery = await services.quiz.next_question(1, 1)
        assert delivery is not None
        gone = delivery.question_id
    keep = "q-new" if gone == "q-old" else "q-old"
    async with services_at(path, make_pack([question(keep)])) as (services, _clock):
        before = await snapshot(services.db)
        assert (await services.quiz.answer(delivery.id, 1, 0)).status is AnswerStatus.UNKNOWN
        assert await services.quiz.get_delivery(delivery.id) is None
        assert await snapshot(services.db) == before
