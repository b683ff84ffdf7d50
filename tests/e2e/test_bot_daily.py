"""/daily over the emulator: subscribing, the job run on demand, once a day across restarts, the
catch-up after downtime, group answers and admin checks; the streak reminder and the heartbeat.

Jobs are never waited for: each test finds the named job in the JobQueue and runs it now.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FixedClock
from bot.tg.scheduling import HEARTBEAT_JOB, REMINDER_JOB
from tests.support.quiz_flow import answer_quiz, correct_position, delivery_of, press_option
from tests.support.world import START, TutorFactory, World, daily_messages, run_job, services_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def boot(tutor_factory: TutorFactory, clock: FixedClock) -> TutorFactory:
    """Start (or restart) the tutor on the same database file and the fixed clock."""
    return partial(tutor_factory, clock=clock)


async def test_daily_is_sent_once_per_day_even_across_restarts(
    world: World, boot: Any, clock: FixedClock
) -> None:
    """Subscribing schedules a named job; running it sends one question, running it again or
    restarting the bot (same day) sends nothing more; the next day brings a new one."""
    chat = world.alice_chat
    async with boot() as app:
        reply = await world.ask(world.alice, chat, "/daily on 09:00")
        assert "every day at 09:00 (UTC time)" in reply.plain_text
        [job] = app.job_queue.get_jobs_by_name(f"daily:{chat.id}")
        assert job.chat_id == chat.id
        status = await world.ask(world.alice, chat, "/daily")
        assert "comes every day at 09:00" in status.plain_text
        clock.advance(hours=1)
        await job.run(app)
        await world.emu.wait_for(lambda: daily_messages(world, chat.id))
        sent = len(world.emu.bot_messages(chat.id))
        await job.run(app)
        await world.emu.wait_quiet()
        assert len(world.emu.bot_messages(chat.id)) == sent
    async with boot() as app:
        await world.emu.wait_quiet()
        await run_job(app, f"daily:{chat.id}")  # the job was rebuilt from SQLite
        await world.emu.wait_quiet()
        assert len(world.emu.bot_messages(chat.id)) == sent
        assert len(daily_messages(world, chat.id)) == 1
        clock.advance(days=1)
        await run_job(app, f"daily:{chat.id}")
        await world.emu.wait_for(lambda: len(daily_messages(world, chat.id)) == 2)


async def test_missed_send_time_is_caught_up_at_start_up(
    world: World, boot: Any, clock: FixedClock
) -> None:
    """If the bot was down at sending time, it sends today's question on start-up, once."""
    chat = world.alice_chat
    async with boot():
        await world.ask(world.alice, chat, "/daily on 09:00")
    clock.advance(hours=3)  # 11:00, nothing sent today
    async with boot():
        await world.emu.wait_for(lambda: daily_messages(world, chat.id))
    sent = len(world.emu.bot_messages(chat.id))
    async with boot():
        await world.emu.wait_quiet(quiet=0.3)
    assert len(world.emu.bot_messages(chat.id)) == sent
    assert len(daily_messages(world, chat.id)) == 1


async def test_daily_question_answered_by_a_private_learner_is_edited(
    world: World, boot: Any, clock: FixedClock
) -> None:
    """In a private chat the daily question turns into the verdict like a quiz does."""
    async with boot() as app:
        await world.ask(world.alice, world.alice_chat, "/daily on 08:00")
        await run_job(app, f"daily:{world.alice_chat.id}")
        [question] = await world.emu.wait_for(lambda: daily_messages(world, world.alice_chat.id))
        toast = await press_option(world, app, world.alice, question, right=True)
        assert "text" not in toast
        assert "✅ Right!" in world.current(question).plain_text
        assert "Today counts" in world.current(question).plain_text


async def test_group_daily_each_member_answers_once_in_private(
    world: World, boot: Any, clock: FixedClock
) -> None:
    """In a group an admin subscribes; each member gets a private verdict once and the shared
    message stays open for the others."""
    group = world.group
    async with boot() as app:
        reply = await world.ask(world.alice, group, "/daily on 07:30")
        assert "Daily question on" in reply.plain_text
        await run_job(app, f"daily:{group.id}")
        [question] = await world.emu.wait_for(lambda: daily_messages(world, group.id))
        bob = await press_option(world, app, world.bob, question, right=True)
        assert bob["show_alert"] is True and bob["text"].startswith("✅ Right!")
        assert "Streak: 1 day" in bob["text"]
        carol = await press_option(world, app, world.carol, question, right=False)
        assert carol["text"].startswith("❌ Not quite, it is ")
        delivery = await delivery_of(app, question)
        chosen = (correct_position(delivery) + 1) % len(delivery.options)
        why = next(o.why for o in delivery.question.options if o.text == delivery.options[chosen])
        assert why is not None and why[:40] in carol["text"]
        again = await press_option(world, app, world.bob, question, right=False)
        assert again["text"].startswith("You already answered")
        hint = await world.press(world.carol, question, "💡 Hint")
        assert hint["text"].startswith("You already answered")
        hint = await world.press(world.alice, question, "💡 Hint")
        assert hint["show_alert"] is True and hint["text"].startswith("💡")
        assert world.current(question).edits == []
        services = services_of(app)
        assert (await services.stats.stats(world.bob.id)).overall.correct == 1
        assert (await services.stats.stats(world.carol.id)).answered == 1


async def test_non_admin_cannot_change_the_group_daily(world: World, boot: Any) -> None:
    """A member who is not an admin is refused and nothing is scheduled; status is open to all."""
    group = world.group
    async with boot() as app:
        for text in ("/daily on 08:00", "/daily off"):
            reply = await world.ask(world.bob, group, text)
            assert "Only the group's admins" in reply.plain_text
        assert app.job_queue.get_jobs_by_name(f"daily:{group.id}") == ()
        assert await services_of(app).daily.status(group.id) is None
        status = await world.ask(world.bob, group, "/daily")
        assert "No daily question in this chat yet" in status.plain_text


async def test_configured_admin_ids_are_admins_everywhere(world: World, boot: Any) -> None:
    """A user listed in TUTOR_ADMIN_IDS may subscribe a group without being its admin."""
    async with boot(admin_ids=(world.bob.id,)) as app:
        reply = await world.ask(world.bob, world.group, "/daily on 10:15")
        assert "every day at 10:15" in reply.plain_text
        assert len(app.job_queue.get_jobs_by_name(f"daily:{world.group.id}")) == 1


async def test_impossible_time_and_zone_are_refused(world: World, boot: Any) -> None:
    """25:99 and an unknown zone get a clear message and change nothing."""
    async with boot() as app:
        reply = await world.ask(world.alice, world.alice_chat, "/daily on 25:99")
        assert "'25:99' is not a time of day" in reply.plain_text
        reply = await world.ask(world.alice, world.alice_chat, "/daily on 08:00 Moon/Base")
        assert "Unknown time zone 'Moon/Base'" in reply.plain_text
        assert app.job_queue.get_jobs_by_name(f"daily:{world.alice_chat.id}") == ()
        assert await services_of(app).daily.status(world.alice_chat.id) is None


async def test_daily_off_and_rescheduling_keep_one_job(world: World, boot: Any) -> None:
    """A new time replaces the chat's job (with its zone); /daily off removes it."""
    chat = world.alice_chat
    async with boot() as app:
        await world.ask(world.alice, chat, "/daily on 09:00")
        reply = await world.ask(world.alice, chat, "/daily on 18:45 Europe/Berlin")
        assert "18:45</b> (Europe/Berlin time)" in (reply.text or "")
        await world.emu.wait_quiet()
        [job] = app.job_queue.get_jobs_by_name(f"daily:{chat.id}")
        fire = job.next_t
        assert fire is not None and (fire.hour, fire.minute) == (18, 45)
        assert str(fire.tzinfo) == "Europe/Berlin"
        reply = await world.ask(world.alice, chat, "/daily off")
        assert "Daily question turned off" in reply.plain_text
        await world.emu.wait_quiet()
        assert app.job_queue.get_jobs_by_name(f"daily:{chat.id}") == ()


async def test_timezone_change_moves_a_private_daily(world: World, boot: Any) -> None:
    """Setting your time zone in private moves your daily question to the same hour there."""
    chat = world.alice_chat
    async with boot() as app:
        await world.ask(world.alice, chat, "/daily on 07:00")
        reply = await world.ask(world.alice, chat, "/timezone Asia/Tokyo")
        assert "now comes every day at 07:00 (Asia/Tokyo time)" in reply.plain_text
        await world.emu.wait_quiet()
        [job] = app.job_queue.get_jobs_by_name(f"daily:{chat.id}")
        assert str(job.next_t.tzinfo) == "Asia/Tokyo"


async def test_streak_reminder_is_sent_once_and_can_be_turned_off(
    world: World, boot: Any, clock: FixedClock
) -> None:
    """A learner with a streak and no answer today gets one nudge late in the evening; the
    button turns reminders off; a learner who opted out gets none."""
    async with boot() as app:
        await answer_quiz(world, app)  # Alice: a one-day streak
        bob_question = await world.ask(world.bob, world.bob_chat, "/quiz")
        await press_option(world, app, world.bob, bob_question, right=True)
        await world.ask(world.bob, world.bob_chat, "/reminders off")
        alice_before = len(world.emu.bot_messages(world.alice_chat.id))
        bob_before = len(world.emu.bot_messages(world.bob_chat.id))

        clock.set(datetime.combine(START.date() + timedelta(days=1), START.timetz()))
        await run_job(app, REMINDER_JOB)  # 08:00 the next day: not yet the evening
        await world.emu.wait_quiet()
        assert len(world.emu.bot_messages(world.alice_chat.id)) == alice_before

        clock.advance(hours=14, minutes=30)  # 22:30
        await run_job(app, REMINDER_JOB)
        messages = await world.emu.wait_for_messages(world.alice_chat.id, alice_before + 1)
        nudge = messages[alice_before]
        assert "Your streak is 1 day long" in nudge.plain_text
        await run_job(app, REMINDER_JOB)
        await world.emu.wait_quiet()
        assert len(world.emu.bot_messages(world.alice_chat.id)) == alice_before + 1
        assert len(world.emu.bot_messages(world.bob_chat.id)) == bob_before

        toast = await world.press(world.alice, nudge, "🔕 No more reminders")
        assert "reminders are off" in toast["text"].lower()
        assert not (await services_of(app).users.settings(world.alice.id)).reminders
        status = await world.ask(world.alice, world.alice_chat, "/reminders")
        assert "Streak reminders are off" in status.plain_text


async def test_heartbeat_job_touches_the_file(world: World, boot: Any, tmp_path: Path) -> None:
    """Start-up creates the heartbeat file and the repeating job keeps its time fresh."""
    beat = tmp_path / "heartbeat"
    async with boot(heartbeat_file=beat) as app:
        assert beat.exists()
        os.utime(beat, (1_000_000, 1_000_000))
        await run_job(app, HEARTBEAT_JOB)
        assert beat.stat().st_mtime > 1_000_000
    async with boot() as app:
        assert app.job_queue.get_jobs_by_name(HEARTBEAT_JOB) == ()


async def test_daily_in_a_group_that_restricts_the_bot_is_turned_off(
    world: World, boot: TutorFactory
) -> None:
    """When a group no longer lets the bot post (400 "not enough rights"), its daily question
    is turned off instead of failing every day with an error."""
    group = world.group
    async with boot() as app:
        await world.ask(world.alice, group, "/daily on 07:30")
        world.emu.restrict(group)
        await run_job(app, f"daily:{group.id}")
        await world.emu.wait_quiet()
        assert await services_of(app).daily.status(group.id) is None
        assert app.job_queue.get_jobs_by_name(f"daily:{group.id}") == ()


async def test_reminder_opt_out_on_an_inaccessible_nudge(
    world: World, boot: TutorFactory, clock: FixedClock
) -> None:
    """Turning reminders off from a nudge Telegram no longer shows the bot still works, and
    the bot does not try to edit a message it cannot see."""
    async with boot() as app:
        await answer_quiz(world, app)
        before = len(world.emu.bot_messages(world.alice_chat.id))
        clock.set(datetime.combine(START.date() + timedelta(days=1), START.timetz()))
        clock.advance(hours=14, minutes=30)  # 22:30 the next day
        await run_job(app, REMINDER_JOB)
        nudge = (await world.emu.wait_for_messages(world.alice_chat.id, before + 1))[before]
        edits = len(world.emu.calls_to("editMessageReplyMarkup"))
        query_id = world.emu.press(world.alice, nudge, "🔕 No more reminders", inaccessible=True)
        toast = await world.answer_of(query_id)
        assert "reminders are off" in toast["text"].lower()
        assert not (await services_of(app).users.settings(world.alice.id)).reminders
        await world.emu.wait_quiet()
        assert len(world.emu.calls_to("editMessageReplyMarkup")) == edits


@pytest.mark.parametrize("fault", ["500", "dropped", "429"])
async def test_daily_send_that_fails_on_the_network_is_tried_again(
    world: World, boot: TutorFactory, fault: str
) -> None:
    """A daily send hit by a 5xx, a dropped connection or a 429 it could not retry at once
    gives the day back and leaves a retry job; the retry sends today's question once, and no
    error is logged."""
    chat = world.alice_chat
    async with boot(send_retries=0) as app:
        await world.ask(world.alice, chat, "/daily on 09:00")
        if fault == "500":
            world.emu.fail_next("sendMessage", status=500)
        elif fault == "dropped":
            world.emu.drop_next("sendMessage")
        else:
            world.emu.fail_next("sendMessage", status=429, retry_after=7)
        await run_job(app, f"daily:{chat.id}")
        await world.emu.wait_quiet()
        assert daily_messages(world, chat.id) == []
        [retry] = app.job_queue.get_jobs_by_name(f"daily-retry:{chat.id}")
        await retry.run(app)
        await world.emu.wait_for(lambda: daily_messages(world, chat.id))
        await run_job(app, f"daily:{chat.id}")  # the regular job later that day: nothing more
        await world.emu.wait_quiet()
        assert len(daily_messages(world, chat.id)) == 1


@pytest.mark.expects_bot_error("the daily send fails with a request Telegram refuses")
async def test_failing_job_is_logged_as_that_job(
    world: World, boot: TutorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A job that fails for a reason no retry can fix is logged at ERROR with the job's name,
    not mistaken for a polling hiccup."""
    chat = world.alice_chat
    async with boot() as app:
        await world.ask(world.alice, chat, "/daily on 09:00")
        world.emu.fail_next(
            "sendMessage", status=400, description="Bad Request: message is too long"
        )
        await run_job(app, f"daily:{chat.id}")
        await world.emu.wait_for(lambda: [r for r in caplog.records if r.name == "bot.tg.errors"])
    [record] = [r for r in caplog.records if r.name == "bot.tg.errors"]
    assert record.levelname == "ERROR"
    assert record.getMessage() == f"job daily:{chat.id} failed"
    assert "polling" not in caplog.text


async def test_heartbeat_stops_when_updates_stop(
    world: World, boot: TutorFactory, tmp_path: Path
) -> None:
    """Once the bot no longer fetches updates, the heartbeat job leaves the file alone, so the
    container's healthcheck sees a bot that stopped listening."""
    beat = tmp_path / "heartbeat"
    async with boot(heartbeat_file=beat) as app:
        os.utime(beat, (1_000_000, 1_000_000))
        await app.updater.stop()
        await run_job(app, HEARTBEAT_JOB)
        assert beat.stat().st_mtime == 1_000_000


async def test_daily_at_a_repeated_hour_is_sent_once_on_dst_fall_back(
    world: World, boot: TutorFactory, clock: FixedClock
) -> None:
    """On the night clocks go back, 02:30 in Berlin happens twice; if the job fires at both,
    the day's claim lets only the first send through."""
    chat = world.alice_chat
    async with boot() as app:
        await world.ask(world.alice, chat, "/daily on 02:30 Europe/Berlin")
        clock.set(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST, the first time
        await run_job(app, f"daily:{chat.id}")
        await world.emu.wait_for(lambda: daily_messages(world, chat.id))
        clock.set(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET, the second time
        await run_job(app, f"daily:{chat.id}")
        await world.emu.wait_quiet()
        assert len(daily_messages(world, chat.id)) == 1
