"""A basic group upgraded to a supergroup gets a new chat id: its daily question, settings,
all-time table and a running group quiz follow it, whether the bot reads Telegram's service
messages or only learns of the move from a send refused with ChatMigrated."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Chat

from bot.core.clock import FixedClock
from bot.tg.scheduling import group_deadline_job
from tests.support.group_flow import (
    command,
    jobs_named,
    next_message,
    right_and_wrong,
    round_of,
    start_quiz,
)
from tests.support.world import App, TutorFactory, World, daily_messages, run_job, services_of

pytestmark = pytest.mark.e2e

OLD_ID = -4001
NEW_ID = -1009001


@pytest.fixture
def old_group(world: World) -> Chat:
    """A basic group where Alice is the admin (basic groups are the ones that get upgraded)."""
    return world.emu.group(OLD_ID, "Reading circle", admins=[world.alice], supergroup=False)


@pytest.fixture
async def app(tutor_factory: TutorFactory, clock: FixedClock) -> AsyncIterator[App]:
    async with tutor_factory(clock=clock) as running:
        yield running


def daily_jobs(app: App, chat_id: int) -> int:
    return len(app.job_queue.get_jobs_by_name(f"daily:{chat_id}"))


async def test_upgrade_moves_settings_scores_daily_and_the_running_quiz(
    world: World, app: App, old_group: Chat
) -> None:
    """After the upgrade's service messages, the daily job, the settings, the all-time table
    and a running quiz live under the new id, and the quiz plays on in the new chat."""
    emu = world.emu
    services = services_of(app)
    await world.ask(world.alice, old_group, "/daily on 09:00")  # not due yet at 08:00
    [panel] = await command(world, world.alice, old_group, "/settings", 1)
    assert (await world.press(world.alice, panel, "Let everyone start"))["text"] == "Saved."
    played = await start_quiz(world, world.alice, old_group, "1")
    right, _ = await right_and_wrong(app, played)
    await world.press(world.bob, played, right)
    await run_job(app, group_deadline_job((await round_of(app, played)).id))
    question = await start_quiz(world, world.alice, old_group, "3")
    right, _ = await right_and_wrong(app, question)
    await world.press(world.carol, question, right)
    round_ = await round_of(app, question)

    new = emu.migrate(old_group, NEW_ID, by=world.alice)
    await emu.wait_for(lambda: daily_jobs(app, NEW_ID) == 1)
    await emu.wait_quiet()

    assert daily_jobs(app, OLD_ID) == 0
    assert await services.daily.status(OLD_ID) is None
    assert (await services.group.settings(NEW_ID)).anyone_can_start
    assert await services.group.running(OLD_ID) is None
    assert await services.group.running(NEW_ID) is not None
    [deadline] = app.job_queue.get_jobs_by_name(group_deadline_job(round_.id))
    assert deadline.chat_id == NEW_ID

    await run_job(app, group_deadline_job(round_.id))
    reveal = await next_message(world, new, 0)
    assert reveal.plain_text.startswith("Answer to question 1 of 3")
    assert "Carol +1000" in reveal.plain_text
    await run_job(app, f"daily:{NEW_ID}")
    await emu.wait_for(lambda: daily_messages(world, NEW_ID))
    [table] = await command(world, world.bob, new, "/top", 1)
    assert "Bob <b> — 1000 points" in table.plain_text
    assert "Carol" in table.plain_text


async def test_missed_upgrade_is_followed_from_the_daily_send(
    world: World, app: App, old_group: Chat
) -> None:
    """A bot that missed the service messages learns of the upgrade when the daily send is
    refused with ChatMigrated: the subscription moves and today's question goes out in the
    new chat, without an error in the log."""
    await world.ask(world.alice, old_group, "/daily on 07:30")
    world.emu.migrate(old_group, NEW_ID, service_messages=False)
    await run_job(app, f"daily:{OLD_ID}")
    [question] = await world.emu.wait_for(lambda: daily_messages(world, NEW_ID))
    assert question.reply_markup is not None
    assert daily_jobs(app, NEW_ID) == 1 and daily_jobs(app, OLD_ID) == 0
    assert await services_of(app).daily.status(NEW_ID) is not None


async def test_missed_upgrade_is_followed_from_the_group_quiz(
    world: World, app: App, old_group: Chat
) -> None:
    """A running quiz whose reveal is refused with ChatMigrated posts the reveal in the new
    chat, moves the session, and its next question comes there."""
    question = await start_quiz(world, world.alice, old_group, "2")
    round_ = await round_of(app, question)
    new = world.emu.migrate(old_group, NEW_ID, service_messages=False)
    await run_job(app, group_deadline_job(round_.id))
    reveal = await next_message(world, new, 0)
    assert reveal.plain_text.startswith("Answer to question 1 of 2")
    # Moving the session re-aims its next question at the new chat, which shows it at once.
    question2 = await next_message(world, new, 1)
    assert question2.plain_text.startswith("Question 2 of 2")
    assert await services_of(app).group.running(NEW_ID) is not None
    assert await services_of(app).group.running(OLD_ID) is None
    assert jobs_named(app, group_deadline_job((await round_of(app, question2)).id)) == 1


async def test_missed_upgrade_is_followed_from_a_queued_group_reply(
    world: World, app: App, old_group: Chat
) -> None:
    """A bot that missed the service messages answers a question asked just before the upgrade:
    the reply, refused with ChatMigrated in the group's outbox, is sent in the new chat, and the
    chat's daily subscription moves there, without an error in the log."""
    await world.ask(world.alice, old_group, "/daily on 09:00")
    world.emu.migrate(old_group, NEW_ID, service_messages=False)
    world.emu.send_text(world.bob, old_group, "/help")
    [reply] = await world.emu.wait_for(lambda: world.emu.bot_messages(NEW_ID))
    assert "/quiz" in reply.plain_text
    await world.emu.wait_for(lambda: daily_jobs(app, NEW_ID) == 1)
    assert daily_jobs(app, OLD_ID) == 0
    assert await services_of(app).daily.status(NEW_ID) is not None
    assert await services_of(app).daily.status(OLD_ID) is None
