"""One busy group must not stall the bot, and one member must not stall a group.

The emulator enforces Telegram's limits (30 messages a second overall, 20 a minute per group)
and the bot paces itself to them. Group replies wait their turn in the group's outbox
(bot.tg.outbox), not in a handler slot, so other chats are answered at once; inside the group,
members take turns; a SIGTERM never waits for the queue.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from telegram import User

from tests.emulator import BotApiEmulator, BotMessage
from tests.support.processes import bot_env, bot_process
from tests.support.quiz_flow import press_option
from tests.support.world import GROUP_ID, TutorFactory, World

pytestmark = pytest.mark.e2e

# Telegram's limits, enforced by the emulator and paced to by the bot.
LIMITS: dict[str, Any] = {
    "rate_limit": True,
    "send_rate": 30,
    "group_rate": 20,
    "group_rate_period": 60,
}
# Telegram's stand-in sender for messages posted "as a channel".
NEXT = "Next question »"
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}


def crowd(world: World, count: int) -> list[User]:
    return [world.emu.user(600 + i, f"Member{i}") for i in range(count)]


async def use_up_the_groups_allowance(world: World, members: list[User]) -> None:
    """Each member sends five /help at once: twenty replies go out, the rest wait their turn."""
    for _ in range(5):
        for member in members:
            world.emu.send_text(member, world.group, "/help")
    await world.emu.wait_for_messages(GROUP_ID, 20, timeout=30)
    await asyncio.sleep(1)


async def reply_delay(world: World, user: User, chat_id: int, text: str, timeout: float) -> float:  # noqa: ASYNC109
    """Seconds from sending `text` to the bot's reply to it (in a group, the message quoting
    it; in a private chat, the next message)."""
    chat = world.emu._chat(chat_id)
    before = len(world.emu.bot_messages(chat_id))
    started = time.monotonic()
    sent = world.emu.send_text(user, chat, text)

    def answered() -> bool:
        mine = world.emu.bot_messages(chat_id)[before:]
        if chat_id > 0:
            return bool(mine)
        return any(m.reply_to_message_id == sent.message_id for m in mine)

    await world.emu.wait_for(answered, timeout)
    return time.monotonic() - started


async def test_a_busy_group_does_not_delay_a_private_reply(
    world: World, tutor_factory: TutorFactory
) -> None:
    """Sixty /help from twelve members at once (the group's allowance is gone after twenty,
    forty replies wait): a private learner's question is still answered within 3 s."""
    world.emu.limit_rate(30, 20, 60)
    async with tutor_factory(**LIMITS):
        await use_up_the_groups_allowance(world, crowd(world, 12))
        delay = await reply_delay(world, world.alice, world.alice_chat.id, "what is mlops", 10)
        assert delay < 3, f"the private reply took {delay:.1f} s"
        assert world.emu.flood_refusals == []


async def test_next_presses_in_a_busy_group_do_not_delay_a_private_reply(
    world: World, tutor_factory: TutorFactory
) -> None:
    """Twelve members each press Next under two answered quizzes in a group (48 group sends:
    the questions and the edits dropping the buttons, over twice the group's allowance of 20):
    every press is answered at once, a private learner's question within 3 s, and each press
    still brings exactly one new question."""
    members = crowd(world, 12)
    answered: list[tuple[User, BotMessage]] = []
    async with tutor_factory() as app:  # unpaced: only the setup
        for member in members:
            for _ in range(2):
                question = await world.ask(member, world.group, "/quiz")
                await press_option(world, app, member, question, right=True)
                await world.emu.wait_for(lambda q=question: world.current(q).edits)
                answered.append((member, world.current(question)))
    world.emu.limit_rate(30, 20, 60)
    async with tutor_factory(**LIMITS):
        before = len(world.emu.bot_messages(GROUP_ID))
        member, shown = answered[0]
        used = shown.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
        started = time.monotonic()
        queries = [world.emu.press(member, shown, NEXT) for member, shown in answered]
        delay = await reply_delay(world, world.alice, world.alice_chat.id, "what is mlops", 10)
        assert delay < 3, f"the private reply took {delay:.1f} s"
        await world.emu.wait_for(
            lambda: all(world.emu.callback_answers(q) for q in queries), timeout=30
        )
        presses_answered = time.monotonic() - started
        assert presses_answered < 3, f"the Next presses took {presses_answered:.1f} s"
        # The group's first twenty sends go out at once; the rest wait their turn.
        await world.emu.wait_for_messages(GROUP_ID, before + 10, timeout=30)
        assert world.emu.flood_refusals == []
        again = await world.press_data(member, shown, used)
        assert "already below" in again["text"]
        sent = [m for m in world.emu.bot_messages(GROUP_ID)[before:] if m.reply_markup]
        assert len({m.message_id for m in sent}) == len(sent)


@pytest.mark.slow
async def test_a_chatty_member_does_not_hold_up_another_members_answer(
    world: World, tutor_factory: TutorFactory
) -> None:
    """Twelve members have forty replies waiting and Bob keeps sending /help twice a second
    (inside the flood limit of 20 in 10 s); Carol's question, six seconds in, is answered after
    at most the send in flight and her own turn, not after everyone's backlog."""
    world.emu.limit_rate(30, 20, 60)
    async with tutor_factory(**LIMITS, flood_limit=20, flood_window=10):
        await use_up_the_groups_allowance(world, crowd(world, 12))
        for _ in range(12):
            world.emu.send_text(world.bob, world.group, "/help")
            await asyncio.sleep(0.5)
        carol = asyncio.ensure_future(
            reply_delay(world, world.carol, GROUP_ID, "/help", timeout=60)
        )
        for _ in range(6):
            world.emu.send_text(world.bob, world.group, "/help")
            await asyncio.sleep(0.5)
        delay = await carol
        # 20 a minute is one group message every 3 s: the one in flight, then hers.
        assert delay < 7.5, f"Carol waited {delay:.1f} s"
        assert world.emu.flood_refusals == []


async def test_messages_sent_as_a_channel_count_against_the_flood_limit(
    world: World, tutor: Any
) -> None:
    """Telegram's stand-in sender for a channel is a bot user; its /help spam is still limited
    (20 in 10 s, then one warning)."""
    channel = {"id": -100777, "type": "channel", "title": "Spam channel"}
    group = world.group.to_dict()
    for number in range(30):
        if number % 5 == 0:
            # In small batches, so the group's outbox (five unsent per sender) never drops any.
            await world.emu.wait_quiet()
        world.emu.queue_update(
            {
                "message": {
                    "message_id": 10_000 + number,
                    "date": int(time.time()),
                    "chat": group,
                    "from": CHANNEL_BOT,
                    "sender_chat": channel,
                    "text": "/help",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                }
            }
        )
    await world.emu.wait_quiet(quiet=0.5, timeout=20)
    replies = world.emu.bot_messages(GROUP_ID)
    assert len(replies) == 21  # 20 replies and the one warning
    assert "faster than I can read" in replies[-1].plain_text


@pytest.mark.slow
async def test_sigterm_stops_within_10_s_with_a_busy_group_queued(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """Five members flood a group with /help (the production flood limit lets 20 each through
    every 10 s; the group takes 20 a minute): SIGTERM still ends the process within 10 s."""
    emu.limit_rate(30, 20, 60)
    members = [emu.user(500 + i, f"Member{i}") for i in range(5)]
    group = emu.group(GROUP_ID, "Busy group", admins=[members[0]])
    env = bot_env(emu, tmp_path, LOG_LEVEL="INFO")
    async with bot_process(env, tmp_path) as process:
        await emu.wait_until_polling(timeout=60)
        for _ in range(20):
            for member in members:
                emu.send_text(member, group, "/help")
        await emu.wait_for_messages(GROUP_ID, 20, timeout=30)
        await asyncio.sleep(1)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = await process.wait(timeout=30)
        took = time.monotonic() - started
    assert code == 0, process.output
    assert took < 10, f"SIGTERM took {took:.1f} s"
    assert "Traceback" not in process.output
