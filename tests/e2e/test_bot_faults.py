"""Faults injected by the emulator: 429s, 5xx, dropped connections, slow replies.

The bot must lose no reply (it retries: bot.tg.ratelimit), its polling must recover, and
nothing may crash. Every test here runs the production retry policy; only the first wait is
shortened (`retry_delay`) to keep the suite fast.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.tg.errors import APOLOGY
from tests.emulator import ApiCall, BotApiEmulator
from tests.support.processes import bot_env, bot_process, stop
from tests.support.world import ALL_ATTEMPTS, TutorFactory, World

pytestmark = pytest.mark.e2e

QUESTION = "what is model drift"
RETRY_DELAY = 0.2


@pytest.fixture
async def tutor(tutor_factory: TutorFactory) -> Any:
    async with tutor_factory(retry_delay=RETRY_DELAY) as app:
        yield app


def statuses(calls: list[ApiCall]) -> list[int | None]:
    return [call.status for call in calls]


def drift_replies(world: World, chat_id: int) -> list[Any]:
    return [m for m in world.emu.bot_messages(chat_id) if "drift" in m.plain_text.lower()]


async def test_429_on_send_is_waited_out_and_retried(world: World, tutor: Any) -> None:
    """A 429 with retry_after on sendMessage: the bot waits that long, then the reply arrives."""
    world.emu.fail_next("sendMessage", status=429, retry_after=1)
    reply = await world.ask(world.alice, world.alice_chat, QUESTION, timeout=10)
    assert "drift" in reply.plain_text.lower()
    attempts = world.emu.calls_to("sendMessage")
    assert statuses(attempts) == [429, 200]
    assert attempts[1].time - attempts[0].time >= 0.9


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_error_on_send_is_retried(world: World, tutor: Any, status: int) -> None:
    """A 5xx on sendMessage is retried after a short wait: one reply, no apology."""
    world.emu.fail_next("sendMessage", status=status, times=2)
    reply = await world.ask(world.alice, world.alice_chat, QUESTION)
    assert "drift" in reply.plain_text.lower()
    attempts = world.emu.calls_to("sendMessage")
    assert statuses(attempts) == [status, status, 200]
    # The second retry waits twice as long as the first.
    assert attempts[2].time - attempts[1].time >= 2 * RETRY_DELAY * 0.9
    await world.emu.wait_quiet()
    assert len(world.emu.bot_messages(world.alice_chat.id)) == 1


async def test_dropped_connection_on_send_is_retried(world: World, tutor: Any) -> None:
    """A connection dropped without a reply is retried; the learner gets exactly one answer."""
    world.emu.drop_next("sendMessage")
    reply = await world.ask(world.alice, world.alice_chat, QUESTION)
    assert "drift" in reply.plain_text.lower()
    assert statuses(world.emu.calls_to("sendMessage")) == [0, 200]
    await world.emu.wait_quiet()
    assert len(drift_replies(world, world.alice_chat.id)) == 1


async def test_failed_button_answer_and_edit_are_retried(world: World, tutor: Any) -> None:
    """A 5xx on answerCallbackQuery and on the edit behind a button still gets both through."""
    menu = await world.ask(world.alice, world.alice_chat, "/learn")
    world.emu.fail_next("answerCallbackQuery", status=500)
    world.emu.fail_next("editMessageText", status=502)
    label = world.emu.buttons(menu)[0][0]
    shown = menu.plain_text
    await world.press(world.alice, menu, label)  # one answer, checked by World.answer_of
    edits = await world.emu.wait_for(
        lambda: [c for c in world.emu.calls_to("editMessageText") if c.done and c.ok]
    )
    assert statuses(world.emu.calls_to("editMessageText"))[:2] == [502, 200]
    assert world.current(menu).plain_text != shown
    assert len(edits) == 1


async def test_slow_replies_delay_but_lose_nothing(world: World, tutor: Any) -> None:
    """Telegram answering slowly (1 s a send) delays replies; every learner still gets one."""
    world.emu.slow_next("sendMessage", 1.0, times=2)
    world.emu.send_text(world.alice, world.alice_chat, QUESTION)
    world.emu.send_text(world.bob, world.bob_chat, QUESTION)
    for chat in (world.alice_chat, world.bob_chat):
        await world.emu.wait_for(lambda chat=chat: drift_replies(world, chat.id), timeout=10)
    await world.emu.wait_quiet()
    assert [len(drift_replies(world, c.id)) for c in (world.alice_chat, world.bob_chat)] == [1, 1]
    assert statuses(world.emu.calls_to("sendMessage")) == [200, 200]


@pytest.mark.expects_bot_error("every attempt fails on purpose, so the update fails")
async def test_outage_longer_than_the_retries_gets_an_apology(world: World, tutor: Any) -> None:
    """When every retry fails too, the learner gets the apology once the server is back."""
    world.emu.fail_next("sendMessage", status=500, times=ALL_ATTEMPTS)
    reply = await world.ask(world.alice, world.alice_chat, QUESTION, timeout=10)
    assert reply.plain_text == APOLOGY
    assert statuses(world.emu.calls_to("sendMessage")) == [500, 500, 500, 500, 200]


async def _polling_survives(world: World, fault: str) -> None:
    """Inject `fault` on the next getUpdates, then check two questions still get answers."""
    emu = world.emu
    polls_before = len(emu.calls_to("getUpdates"))
    if fault == "429":
        emu.fail_next("getUpdates", status=429, retry_after=1)
    elif fault == "dropped":
        emu.drop_next("getUpdates")
    else:
        emu.fail_next("getUpdates", status=int(fault), description="Bad Gateway")
    # The long poll in flight returns this update; the next poll meets the fault.
    first = await world.ask(world.alice, world.alice_chat, QUESTION, timeout=10)
    await emu.wait_for(
        lambda: any(c.status != 200 and c.done for c in emu.calls_to("getUpdates")[polls_before:])
    )
    second = await world.ask(world.bob, world.bob_chat, QUESTION, timeout=15)
    assert "drift" in first.plain_text.lower() and "drift" in second.plain_text.lower()
    polls = emu.calls_to("getUpdates")[polls_before:]
    failed = next(i for i, c in enumerate(polls) if c.status != 200 and c.done)
    if fault == "429":
        assert polls[failed].status == 429
        assert polls[failed + 1].time - polls[failed].time >= 0.9  # retry_after respected


@pytest.mark.parametrize("fault", ["429", "502", "500", "dropped"])
async def test_polling_recovers_from_a_failed_get_updates(
    world: World, tutor: Any, fault: str
) -> None:
    """A 429, 5xx or dropped getUpdates pauses polling briefly; later messages are answered."""
    await _polling_survives(world, fault)


@pytest.mark.slow
async def test_faults_through_the_real_process(emu: BotApiEmulator, tmp_path: Any) -> None:
    """`tutor-bot run` rides out a 429, a 502 and a dropped connection on getUpdates and a
    500 on sendMessage: every question answered, one warning line each, no traceback."""
    async with bot_process(bot_env(emu, tmp_path, LOG_LEVEL="INFO"), tmp_path) as process:
        await emu.wait_until_polling(timeout=60)
        user = emu.user(7, "Dana")
        chat = emu.private_chat(user)
        answered = 0
        for fault in ("429", "502", "dropped"):
            if fault == "429":
                emu.fail_next("getUpdates", status=429, retry_after=1)
            elif fault == "502":
                emu.fail_next("getUpdates", status=502, description="Bad Gateway")
            else:
                emu.drop_next("getUpdates")
            emu.fail_next("sendMessage", status=500)
            emu.send_text(user, chat, QUESTION)
            answered += 1
            await emu.wait_for_messages(chat.id, answered, timeout=30)
        await emu.wait_for(
            lambda: sum(c.status != 200 for c in emu.calls_to("getUpdates") if c.done) >= 2,
            timeout=30,
        )
        emu.send_text(user, chat, QUESTION)
        messages = await emu.wait_for_messages(chat.id, answered + 1, timeout=30)
        code, output = await stop(process)
    assert code == 0, output
    assert all("drift" in m.plain_text.lower() for m in messages)
    assert len(messages) == answered + 1
    assert "Traceback" not in output
    assert "retry 1 of 3" in output


@pytest.mark.expects_bot_error("the press expires on purpose, so it stays unanswered")
async def test_press_too_old_to_answer_still_takes_effect(
    world: World, tutor: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A press Telegram delivers after its answer window (the bot was down) still opens the
    lesson; the refused answerCallbackQuery is a warning, not an error or an apology."""
    menu = await world.ask(world.alice, world.alice_chat, "/learn")
    shown = menu.plain_text
    world.emu.fail_next(
        "answerCallbackQuery",
        status=400,
        description="Bad Request: query is too old and response timeout expired or query ID is "
        "invalid",
    )
    world.emu.press(world.alice, menu, world.emu.buttons(menu)[0][0])
    await world.emu.wait_for(lambda: world.current(menu).plain_text != shown)
    await world.emu.wait_quiet()
    assert statuses(world.emu.calls_to("answerCallbackQuery")) == [400]
    assert len(world.emu.bot_messages(world.alice_chat.id)) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "too old to answer" in caplog.text


async def test_a_queued_group_reply_refused_with_429_is_waited_out(
    world: World, tutor: Any
) -> None:
    """A group reply waits in the group's outbox; a 429 on it is waited out by the rate limiter
    and the reply still arrives (no warning that it was not sent)."""
    world.emu.fail_next("sendMessage", status=429, retry_after=1)
    reply = await world.ask(world.bob, world.group, "/help", timeout=10)
    assert "/quiz" in reply.plain_text
    attempts = world.emu.calls_to("sendMessage")
    assert statuses(attempts) == [429, 200]
    assert attempts[1].time - attempts[0].time >= 0.9


async def test_a_queued_group_reply_to_a_deleted_message_is_sent_unquoted(
    world: World, tutor: Any
) -> None:
    """Bob deletes his question while its answer waits in the group's outbox: the answer still
    comes, without quoting what is gone."""
    world.emu.hold("sendMessage")
    asked = world.emu.send_text(world.bob, world.group, "/help")
    await world.emu.wait_for(world.emu.held_calls)
    world.emu.delete_user_message(world.group, asked.message_id)
    world.emu.release()
    [reply] = await world.emu.wait_for(lambda: world.emu.bot_messages(world.group.id))
    assert reply.reply_to_message_id is None
    assert statuses(world.emu.calls_to("sendMessage")) == [200]
