"""Group quizzes end to end: sessions in two groups at once, taps, reveals, restarts, settings.

The services run on a fixed clock, so every right answer is instant (1000 points plus the streak
bonus) and a round's deadline passes only when a test moves the clock or runs the deadline job by
hand (``job.run(app)``), never by waiting.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

import pytest
from telegram import Chat, User

from bot.core.clock import FixedClock
from bot.core.group_round import EDIT_INTERVAL
from bot.tg.scheduling import group_count_job, group_deadline_job, group_next_job
from bot.tg.state import AnyApp, app_state
from tests.support.group_flow import (
    LETTERS,
    command,
    jobs_named,
    next_message,
    right_and_wrong,
    round_id,
    round_of,
    start_quiz,
)
from tests.support.world import TutorFactory, World, run_job

pytestmark = pytest.mark.e2e

SECOND_GROUP_ID = -1005678


@pytest.fixture
def start_tutor(tutor_factory: TutorFactory, clock: FixedClock) -> TutorFactory:
    """Start (or restart) the tutor on the fixed clock and the same database file."""
    return partial(tutor_factory, clock=clock, flood_limit=20)


@pytest.fixture
async def app(start_tutor: TutorFactory) -> AsyncIterator[AnyApp]:
    async with start_tutor() as running:
        yield running


@pytest.fixture
def dave(world: World) -> User:
    return world.emu.user(104, "Dave", "dave")


@pytest.fixture
def second_group(world: World) -> Chat:
    """A second group, where Bob is the admin and Alice is not."""
    return world.emu.group(SECOND_GROUP_ID, "Platform team", admins=[world.bob])


# --- helpers -------------------------------------------------------------------------------------


# --- tests ---------------------------------------------------------------------------------------


async def test_two_groups_play_their_own_sessions(
    world: World, app: AnyApp, dave: User, second_group: Chat
) -> None:
    """Two groups run sessions side by side: taps, a double tap, the deadline, the reveal, an
    early close when every participant answered, and the final leaderboard stay per group."""
    first = await start_quiz(world, world.alice, world.group, "2 10")
    second = await start_quiz(world, world.bob, second_group, "3 30 easy")
    assert round_id(first) != round_id(second)
    right, wrong = await right_and_wrong(app, first)
    right2, wrong2 = await right_and_wrong(app, second)

    toast = await world.press(world.alice, first, right)
    assert toast["text"].startswith("Locked in: ")
    assert "right" not in toast["text"].lower() and "wrong" not in toast["text"].lower()
    await world.press(world.bob, first, right)
    await world.press(world.carol, first, wrong)
    again = await world.press(world.bob, first, wrong)
    round1 = await round_of(app, first)
    chosen = round1.options[LETTERS.index(right[0])]
    assert again["text"] == f"You already answered: {chosen}. One answer per question."
    await world.press(dave, second, right2)
    await world.press(world.carol, second, wrong2)

    before = len(world.emu.bot_messages(world.group.id))
    await run_job(app, group_deadline_job(round1.id))
    reveal = await next_message(world, world.group, before)
    assert reveal.reply_to_message_id == first.message_id
    assert reveal.plain_text.startswith(f"Answer to question 1 of 2: {right} {chosen}")
    assert round1.question.explanation in reveal.plain_text
    picked = round1.options[LETTERS.index(wrong[0])]
    why = next(o.why for o in round1.question.options if o.text == picked)
    assert why is not None
    assert f"🤔 Most picked wrong answer: {picked} — {why}" in reveal.plain_text
    assert "✅ Right (2): Alice +1000, Bob <b> +1000" in reveal.plain_text
    assert "Bob &lt;b&gt;" in (reveal.text or "")
    assert "❌ Wrong (1): Carol" in reveal.plain_text
    assert "⚡ Fastest: Alice in 0.0 s" in reveal.plain_text
    closed = world.current(first)
    assert closed.reply_markup is None
    assert f"✅ {right} {chosen}" in closed.plain_text
    assert "Closed · 3 answered" in closed.plain_text
    # The other group's round is untouched and still takes answers.
    assert world.current(second).reply_markup is not None
    assert jobs_named(app, group_deadline_job((await round_of(app, second)).id)) == 1

    before = len(world.emu.bot_messages(world.group.id))
    await run_job(app, group_next_job(round1.session_id))
    question2 = await next_message(world, world.group, before)
    assert question2.plain_text.startswith("Question 2 of 2")
    right, wrong = await right_and_wrong(app, question2)
    await world.press(world.alice, question2, right)
    await world.press(world.carol, question2, right)
    assert len(world.emu.bot_messages(world.group.id)) == before + 1  # Bob has not answered
    await world.press(world.bob, question2, wrong)
    reveal2, final = (await world.emu.wait_for_messages(world.group.id, before + 3))[before + 1 :]
    assert reveal2.plain_text.startswith("Answer to question 2 of 2")
    assert "Alice +1100" in reveal2.plain_text  # a second right answer in a row: +100
    assert final.plain_text.splitlines()[0] == "🏁 Final standings"
    assert "🥇 Alice — 2100 points" in final.plain_text
    assert "🥈 Carol — 1000 points" in final.plain_text
    assert "🥈 Bob <b> — 1000 points" in final.plain_text
    assert world.current(question2).reply_markup is None
    assert jobs_named(app, group_deadline_job((await round_of(app, question2)).id)) == 0
    assert jobs_named(app, group_next_job(round1.session_id)) == 0
    # The second group never saw any of it.
    assert all("Alice" not in m.plain_text for m in world.emu.bot_messages(second_group.id))


async def test_first_round_waits_for_its_deadline(world: World, app: AnyApp) -> None:
    """Round one never closes early: nobody knows yet who plays, so the deadline decides."""
    question = await start_quiz(world, world.alice, world.group, "2")
    right, _ = await right_and_wrong(app, question)
    for user in (world.alice, world.bob, world.carol):
        await world.press(user, question, right)
    await world.emu.wait_quiet()
    assert world.current(question).reply_markup is not None
    assert len(world.emu.bot_messages(world.group.id)) == 2


async def test_live_count_is_throttled(
    world: World, app: AnyApp, clock: FixedClock, dave: User
) -> None:
    """The first tap updates the count at once; a burst after it becomes one trailing edit;
    once the services' clock has moved past the interval, a tap updates it at once again."""
    question = await start_quiz(world, world.alice, world.group)
    assert "0 answered" in question.plain_text
    edits_before = len(world.emu.calls_to("editMessageText"))
    right, _ = await right_and_wrong(app, question)
    await world.press(world.alice, question, right)
    await world.emu.wait_for(lambda: "1 answered" in world.current(question).plain_text)
    await world.press(world.bob, question, right)
    await world.press(world.carol, question, right)
    await world.emu.wait_quiet()
    assert "1 answered" in world.current(question).plain_text
    rid = round_id(question)
    await run_job(app, group_count_job(rid))
    # The job queues the edit in the group's outbox (bot.tg.outbox) and returns.
    await world.emu.wait_for(lambda: "3 answered" in world.current(question).plain_text)
    await world.emu.wait_quiet()
    shown = world.current(question)
    assert shown.reply_markup is not None
    assert len(world.emu.calls_to("editMessageText")) == edits_before + 2
    clock.advance(seconds=EDIT_INTERVAL)
    await world.press(dave, question, right)
    await world.emu.wait_quiet()
    assert "4 answered" in world.current(question).plain_text  # at once, not trailing


async def test_late_taps_after_the_deadline(world: World, app: AnyApp) -> None:
    """A tap that arrives after the round closed gets "time is up" and changes nothing."""
    question = await start_quiz(world, world.alice, world.group)
    round_ = await round_of(app, question)
    before = len(world.emu.bot_messages(world.group.id))
    await run_job(app, group_deadline_job(round_.id))
    reveal = await next_message(world, world.group, before)
    assert "Nobody answered this one." in reveal.plain_text
    toast = await world.press_data(world.bob, question, f"gt:{round_.id}:0")
    assert toast["text"] == "Time is up for this question."
    await world.emu.wait_quiet()
    assert world.current(question).reply_markup is None
    assert len(world.emu.bot_messages(world.group.id)) == before + 1


async def test_restart_mid_round_resumes_it(
    world: World, start_tutor: TutorFactory, clock: FixedClock
) -> None:
    """After a restart the open round keeps its answers and deadline, takes new taps, closes
    cleanly with everyone's answers, and a late tap is told time is up."""
    async with start_tutor() as first_app:
        question = await start_quiz(world, world.alice, world.group, "2")
        right, wrong = await right_and_wrong(first_app, question)
        round_ = await round_of(first_app, question)
        await world.press(world.alice, question, right)
    async with start_tutor() as app:
        assert jobs_named(app, group_deadline_job(round_.id)) == 1
        assert world.current(question).reply_markup is not None
        toast = await world.press(world.bob, question, wrong)
        assert toast["text"].startswith("Locked in: ")
        again = await world.press(world.alice, question, wrong)
        assert again["text"].startswith("You already answered: ")
        before = len(world.emu.bot_messages(world.group.id))
        await run_job(app, group_deadline_job(round_.id))
        reveal = await next_message(world, world.group, before)
        assert "✅ Right (1): Alice +1000" in reveal.plain_text
        assert "❌ Wrong (1): Bob <b>" in reveal.plain_text
        assert world.current(question).reply_markup is None
        # A client that still shows the old buttons sends their data.
        late = await world.press_data(world.carol, question, f"gt:{round_.id}:0")
        assert late["text"] == "Time is up for this question."
        # The session goes on in the restarted bot.
        await run_job(app, group_next_job(round_.session_id))
        question2 = await next_message(world, world.group, before + 1)
        assert question2.plain_text.startswith("Question 2 of 2")


async def test_restart_after_the_deadline_closes_at_once(
    world: World, start_tutor: TutorFactory, clock: FixedClock
) -> None:
    """A round whose deadline passed while the bot was down is revealed right after start-up,
    and the next question follows."""
    async with start_tutor():
        question = await start_quiz(world, world.alice, world.group, "2 10")
    clock.advance(seconds=60)
    async with start_tutor() as app:
        reveal = await next_message(world, world.group, 2)
        assert reveal.plain_text.startswith("Answer to question 1 of 2")
        assert world.current(question).reply_markup is None
        round_ = await round_of(app, question)
        await run_job(app, group_next_job(round_.session_id))
        question2 = await next_message(world, world.group, 3)
        assert question2.plain_text.startswith("Question 2 of 2")


async def test_restart_between_rounds_opens_the_next(
    world: World, start_tutor: TutorFactory
) -> None:
    """A session that was between a reveal and its next question continues after a restart."""
    async with start_tutor() as first_app:
        question = await start_quiz(world, world.alice, world.group, "2")
        await run_job(first_app, group_deadline_job((await round_of(first_app, question)).id))
        await world.emu.wait_for_messages(world.group.id, 3)
    async with start_tutor():
        question2 = await next_message(world, world.group, 3)
        assert question2.plain_text.startswith("Question 2 of 2")
        assert question2.reply_markup is not None


async def test_only_admins_start_until_settings_allow_everyone(world: World, app: AnyApp) -> None:
    """A member's start is refused; a member cannot flip the setting; an admin can, and then
    the member's start works."""
    [refusal] = await command(world, world.bob, world.group, "/groupquiz", 1)
    assert refusal.plain_text.startswith("Only group admins can start a group quiz here.")
    [denied] = await command(world, world.bob, world.group, "/settings", 1)
    assert denied.plain_text == "Only group admins can change the group quiz settings."
    [panel] = await command(world, world.alice, world.group, "/settings", 1)
    assert "group admins only" in panel.plain_text
    toast = await world.press(world.bob, panel, "Let everyone start")
    assert toast["text"] == "Only group admins can change who starts a quiz."
    assert "group admins only" in world.current(panel).plain_text
    toast = await world.press(world.alice, panel, "Let everyone start")
    assert toast["text"] == "Saved."
    await world.emu.wait_for(lambda: "everyone in the group" in world.current(panel).plain_text)
    assert world.emu.buttons(world.current(panel)) == [["Only admins may start"]]
    question = await start_quiz(world, world.bob, world.group)
    assert question.reply_markup is not None


async def test_forged_taps_are_refused_and_store_nothing(
    world: World, app: AnyApp, second_group: Chat
) -> None:
    """Junk data, an unknown round, another group's round and a missing position only get a
    toast; the rounds then close with nobody counted."""
    first = await start_quiz(world, world.alice, world.group)
    second = await start_quiz(world, world.bob, second_group)
    other = round_id(second)
    cases = {
        "gt:abc": "That button is out of date; answer on the latest question.",
        "gt:01:0": "That button is out of date; answer on the latest question.",
        f"gt:{round_id(first)}:7": "That button is out of date; answer on the latest question.",
        "gt:987654:0": "This quiz is no longer running.",
        f"gt:{other}:0": "This quiz is no longer running.",
    }
    for data, expected in cases.items():
        toast = await world.press_data(world.carol, first, data)
        assert toast["text"] == expected, data
    await world.emu.wait_quiet()
    assert "0 answered" in world.current(first).plain_text
    assert "0 answered" in world.current(second).plain_text
    before = len(world.emu.bot_messages(second_group.id))
    await run_job(app, group_deadline_job((await round_of(app, second)).id))
    reveal = await next_message(world, second_group, before)
    assert "Nobody answered this one." in reveal.plain_text


async def test_private_chat_gets_the_hint(world: World, app: AnyApp) -> None:
    """/groupquiz, /stopquiz and /top in a private chat explain that they belong in a group."""
    [hint] = await command(world, world.alice, world.alice_chat, "/groupquiz", 1)
    assert hint.plain_text.startswith("Group quizzes are played in group chats")
    [hint] = await command(world, world.alice, world.alice_chat, "/stopquiz", 1)
    assert hint.plain_text.startswith("Group quizzes are played in group chats")
    [hint] = await command(world, world.alice, world.alice_chat, "/top", 1)
    assert "send /top in a group" in hint.plain_text


async def test_absurd_arguments_are_clamped_with_a_note(world: World, app: AnyApp) -> None:
    """0 questions and 100000 seconds become 1 and 120, and the intro says so."""
    intro, question = await command(world, world.alice, world.group, "/groupquiz 0 100000", 2)
    assert "1 question, 120 s each" in intro.plain_text
    assert "Questions raised to 1, the minimum (you asked for 0)." in intro.plain_text
    assert "Seconds capped at 120, the maximum (you asked for 100000)." in intro.plain_text
    assert question.plain_text.startswith("Question 1 of 1")
    assert "120 s to answer" in question.plain_text


async def test_unreadable_arguments_show_the_usage(world: World, app: AnyApp) -> None:
    """Arguments that cannot be read are refused with the usage, and no session starts."""
    [refusal] = await command(world, world.alice, world.group, "/groupquiz <b>lots</b>", 1)
    assert "I can't read '<b>lots</b>'." in refusal.plain_text
    assert "Usage: /groupquiz" in refusal.plain_text
    question = await start_quiz(world, world.alice, world.group)
    assert question.reply_markup is not None


async def test_a_second_start_is_refused_with_the_status(world: World, app: AnyApp) -> None:
    """While a session runs, another /groupquiz gets the running one's status."""
    await start_quiz(world, world.alice, world.group, "3")
    [refusal] = await command(world, world.alice, world.group, "/groupquiz", 1)
    assert refusal.plain_text.startswith("A quiz is already running: round 1 of 3.")


async def test_stopquiz_by_starter_or_admin_only(
    world: World, app: AnyApp, second_group: Chat
) -> None:
    """A member who neither started nor administers the group cannot stop it; an admin can,
    which reveals the open round and posts the standings, and no job is left behind."""
    question = await start_quiz(world, world.alice, world.group, "3")
    right, _ = await right_and_wrong(app, question)
    await world.press(world.carol, question, right)
    [refusal] = await command(world, world.bob, world.group, "/stopquiz", 1)
    assert refusal.plain_text == (
        "Only the person who started this quiz or a group admin can stop it."
    )
    reveal, standings = await command(world, world.alice, world.group, "/stopquiz", 2)
    assert reveal.plain_text.startswith("Answer to question 1 of 3")
    assert "Carol +1000" in reveal.plain_text
    assert "Next question" not in reveal.plain_text
    assert standings.plain_text.startswith("⏹ Quiz stopped after question 1 of 3")
    assert "🥇 Carol — 1000 points" in standings.plain_text
    assert world.current(question).reply_markup is None
    round_ = await round_of(app, question)
    assert jobs_named(app, group_deadline_job(round_.id)) == 0
    assert jobs_named(app, group_next_job(round_.session_id)) == 0
    [none] = await command(world, world.alice, world.group, "/stopquiz", 1)
    assert none.plain_text == "No group quiz is running here."


async def test_starter_may_stop_without_being_admin(
    world: World, app: AnyApp, second_group: Chat
) -> None:
    """The member who started a session (allowed by the settings) may stop it."""
    await command(world, world.bob, second_group, "/settings", 1)
    panel = world.emu.bot_messages(second_group.id)[-1]
    await world.press(world.bob, panel, "Let everyone start")
    await start_quiz(world, world.carol, second_group)
    _, standings = await command(world, world.carol, second_group, "/stopquiz", 2)
    assert standings.plain_text.startswith("⏹ Quiz stopped")


async def test_top_shows_the_all_time_table(world: World, app: AnyApp) -> None:
    """/top is empty before any game and lists the players with their points after one."""
    [empty] = await command(world, world.alice, world.group, "/top", 1)
    assert empty.plain_text.startswith("No group quiz has been played here yet.")
    question = await start_quiz(world, world.alice, world.group, "1")
    right, wrong = await right_and_wrong(app, question)
    await world.press(world.bob, question, right)
    await world.press(world.carol, question, wrong)
    before = len(world.emu.bot_messages(world.group.id))
    await run_job(app, group_deadline_job((await round_of(app, question)).id))
    _, final = (await world.emu.wait_for_messages(world.group.id, before + 2))[before:]
    assert final.plain_text.startswith("🏁 Final standings")
    assert "🥇 Bob <b> — 1000 points" in final.plain_text
    assert "🥈 Carol — 0 points" in final.plain_text
    [table] = await command(world, world.carol, world.group, "/top", 1)
    assert table.plain_text.startswith("🏆 All-time table of this group")
    assert "🥇 Bob <b> — 1000 points" in table.plain_text
    assert "Bob &lt;b&gt;" in (table.text or "")
    assert "🥈 Carol — 0 points" in table.plain_text


async def test_final_leaderboard_shows_top_five_and_everyone_else(
    world: World, app: AnyApp, clock: FixedClock
) -> None:
    """With seven players the final table lists five places in full and everyone else's place
    on one line; slower right answers earn fewer points."""
    names = ["Ana", "Ben", "Cid", "Dee", "Eve", "Fay", "Gus"]
    players = [world.emu.user(200 + i, name) for i, name in enumerate(names)]
    question = await start_quiz(world, world.alice, world.group, "1 10")
    right, _ = await right_and_wrong(app, question)
    for player in players:
        await world.press(player, question, right)
        clock.advance(seconds=1)
    before = len(world.emu.bot_messages(world.group.id))
    await run_job(app, group_deadline_job((await round_of(app, question)).id))
    _, final = (await world.emu.wait_for_messages(world.group.id, before + 2))[before:]
    lines = final.plain_text.splitlines()
    assert lines[2:7] == [
        "🥇 Ana — 1000 points",
        "🥈 Ben — 950 points",
        "🥉 Cid — 900 points",
        "4. Dee — 850 points",
        "5. Eve — 800 points",
    ]
    assert lines[7] == "Everyone else: 6. Fay (750), 7. Gus (700)"


async def test_stop_between_rounds_posts_the_standings(world: World, app: AnyApp) -> None:
    """/stopquiz during the pause after a reveal ends the session: no next question comes."""
    question = await start_quiz(world, world.alice, world.group, "3")
    right, _ = await right_and_wrong(app, question)
    await world.press(world.bob, question, right)
    round_ = await round_of(app, question)
    await run_job(app, group_deadline_job(round_.id))
    assert jobs_named(app, group_next_job(round_.session_id)) == 1
    [standings] = await command(world, world.alice, world.group, "/stopquiz", 1)
    assert standings.plain_text.startswith("⏹ Quiz stopped after question 1 of 3")
    assert "🥇 Bob <b> — 1000 points" in standings.plain_text
    assert jobs_named(app, group_next_job(round_.session_id)) == 0


async def test_losing_the_right_to_post_stops_the_session(world: World, app: AnyApp) -> None:
    """When Telegram refuses to let the bot post in the group, its session ends instead of
    playing on to nobody, and a new one can start later."""
    question = await start_quiz(world, world.alice, world.group, "3")
    round_ = await round_of(app, question)
    world.emu.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was kicked from the supergroup chat"
    )
    await run_job(app, group_deadline_job(round_.id))
    assert jobs_named(app, group_next_job(round_.session_id)) == 0
    services = app_state(app).services
    assert services is not None
    assert await services.group.running(world.group.id) is None
    question2 = await start_quiz(world, world.alice, world.group)
    assert question2.reply_markup is not None


async def test_group_commands_are_published(world: World, app: AnyApp) -> None:
    """The command list shown in clients includes the group quiz commands."""
    commands = {c["command"] for c in world.emu.my_commands()}
    assert {"groupquiz", "stopquiz", "top"} <= commands


async def test_double_tap_on_a_setting_saves_once_without_errors(
    world: World, app: AnyApp
) -> None:
    """Two presses of the same settings toggle both say "Saved.", the panel is edited once, and
    the second press (whose edit would change nothing) is no error."""
    [panel] = await command(world, world.alice, world.group, "/settings", 1)
    data = world.emu.buttons(panel)[0][0]
    assert data == "Let everyone start"
    raw = panel.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    first = world.emu.press_data(world.alice, world.group, panel.message_id, raw)
    second = world.emu.press_data(world.alice, world.group, panel.message_id, raw)
    assert (await world.answer_of(first))["text"] == "Saved."
    assert (await world.answer_of(second))["text"] == "Saved."
    await world.emu.wait_quiet()
    shown = world.current(panel)
    assert "everyone in the group" in shown.plain_text
    assert len(shown.edits) == 1


async def test_setting_on_an_inaccessible_panel_is_expired(world: World, app: AnyApp) -> None:
    """A settings press whose message Telegram no longer shows the bot (a date-0 stub) is
    refused as expired and changes nothing."""
    [panel] = await command(world, world.alice, world.group, "/settings", 1)
    query_id = world.emu.press(world.alice, panel, "Let everyone start", inaccessible=True)
    toast = await world.answer_of(query_id)
    assert toast["text"] == "That button has expired."
    await world.emu.wait_quiet()
    services = app_state(app).services
    assert services is not None
    assert not (await services.group.settings(world.group.id)).anyone_can_start
    assert world.current(panel).edits == []


async def test_restricted_bot_stops_the_session(world: World, app: AnyApp) -> None:
    """A group that takes away the bot's right to post (400 "not enough rights") ends its
    session like a kick does, without an error in the log."""
    question = await start_quiz(world, world.alice, world.group, "3")
    round_ = await round_of(app, question)
    world.emu.restrict(world.group)
    await run_job(app, group_deadline_job(round_.id))
    await world.emu.wait_quiet()
    services = app_state(app).services
    assert services is not None
    assert await services.group.running(world.group.id) is None
    assert jobs_named(app, group_next_job(round_.session_id)) == 0
    world.emu.unrestrict(world.group)
    question2 = await start_quiz(world, world.alice, world.group)
    assert question2.reply_markup is not None
