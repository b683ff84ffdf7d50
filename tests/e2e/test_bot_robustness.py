"""Robustness: forged buttons, flood control, failures inside handlers, Telegram errors."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.core.matcher import Matcher, MatchResult
from bot.tg.callbacks import EXPIRED_TEXT
from bot.tg.errors import APOLOGY, APOLOGY_TOAST
from bot.tg.guards import SLOW_DOWN_TEXT
from tests.support.world import TutorFactory, World

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "data",
    [
        "a:no-such-entry",
        "t:nope",
        "w:99",
        "w:-1",
        "l:quiz",
        "c:nope",
        "p:selfie",
        "junk",
        "x:forged",
    ],
)
async def test_forged_or_stale_buttons_change_nothing(world: World, tutor: Any, data: str) -> None:
    """Unknown callback data gets the "expired" toast and leaves every message as it was."""
    menu = await world.ask(world.alice, world.alice_chat, "/learn")
    answer = await world.press_data(world.alice, menu, data)
    assert answer.get("text") == EXPIRED_TEXT
    await world.emu.wait_quiet()
    assert world.current(menu).edits == []
    assert len(world.emu.bot_messages()) == 1


async def test_every_press_is_answered_exactly_once(world: World, tutor: Any) -> None:
    """Valid, repeated and forged presses all get exactly one answerCallbackQuery each."""
    menu = await world.ask(world.alice, world.alice_chat, "/learn")
    ids = [
        world.emu.press(world.alice, menu, "Cheat sheet"),
        world.emu.press_data(world.alice, world.alice_chat, menu.message_id, "l:cheatsheet"),
        world.emu.press_data(world.alice, world.alice_chat, menu.message_id, "💥"),
    ]
    for query_id in ids:
        await world.answer_of(query_id)
    await world.emu.wait_quiet()
    assert len(world.emu.callback_answers()) == 3


async def test_flood_gets_one_notice_and_drops_the_rest(world: World, tutor: Any) -> None:
    """Beyond 20 messages in 10 seconds a user gets one slow-down notice; the rest is dropped."""
    for i in range(30):
        world.emu.send_text(world.alice, world.alice_chat, f"what is drift {i}")
    reply = await world.ask(world.bob, world.bob_chat, "what is drift")
    assert "drift" in reply.plain_text.lower()
    await world.emu.wait_quiet()
    texts = [m.plain_text for m in world.emu.bot_messages(world.alice_chat.id)]
    assert len(texts) == 21
    assert texts.count(SLOW_DOWN_TEXT) == 1
    assert texts[20] == SLOW_DOWN_TEXT


async def test_flood_counts_button_presses_too(world: World, tutor_factory: TutorFactory) -> None:
    """Button mashing is limited as well, and even dropped presses are answered."""
    async with tutor_factory(flood_limit=3):
        menu = await world.ask(world.alice, world.alice_chat, "/learn")
        ids = [world.emu.press(world.alice, menu, "Cheat sheet") for _ in range(6)]
        answers = [await world.answer_of(query_id) for query_id in ids]
        toasts = [a.get("text") for a in answers]
        assert toasts[:2] == [None, None]  # /learn used the first of the three
        assert toasts[2] is not None and "few seconds" in toasts[2]
        assert toasts[3:] == [None, None, None]


async def test_group_chatter_does_not_count_towards_the_flood(
    world: World, tutor_factory: TutorFactory
) -> None:
    """Messages in a group that do not address the bot never trigger the slow-down notice."""
    async with tutor_factory(flood_limit=2):
        for _ in range(5):
            world.emu.send_text(world.alice, world.group, "just chatting")
        reply = await world.ask(world.alice, world.group, "@TutorTestBot what is drift")
        assert reply.plain_text != SLOW_DOWN_TEXT


class BrokenMatcher(Matcher):
    """A matcher that fails on one phrase, to exercise the error handler."""

    def match(self, text: str) -> MatchResult:
        if "explode" in text:
            raise RuntimeError("boom: internal detail that users must never see")
        return super().match(text)

    def answer_entry(self, entry_id: str) -> MatchResult | None:
        raise RuntimeError("boom in a button")


@pytest.mark.expects_bot_error("a handler crashes on purpose")
async def test_handler_failure_gets_an_apology_and_a_log_line(
    world: World, tutor_factory: TutorFactory, pack: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A crash in a handler is logged with the update id; the user sees only a short apology."""
    caplog.set_level(logging.ERROR, logger="bot.tg.errors")
    async with tutor_factory(matcher_override=BrokenMatcher(pack)):
        reply = await world.ask(world.alice, world.alice_chat, "please explode")
        assert reply.plain_text == APOLOGY
        assert "boom" not in reply.plain_text and "Traceback" not in reply.plain_text
        [record] = [r for r in caplog.records if r.name == "bot.tg.errors"]
        [update_id] = [
            update["update_id"]
            for call in world.emu.calls_to("getUpdates")
            for update in call.result or []
            if update.get("message", {}).get("text") == "please explode"
        ]
        assert f"update {update_id} failed" in record.getMessage()
        assert record.exc_info is not None
        # The bot keeps working afterwards.
        later = await world.ask(world.alice, world.alice_chat, "what is model drift")
        assert "drift" in later.plain_text.lower()


@pytest.mark.expects_bot_error("a button handler crashes on purpose")
async def test_button_failure_gets_an_apology_toast(
    world: World, tutor_factory: TutorFactory, pack: Any
) -> None:
    """A crash while handling a press still answers the query, with an apology toast."""
    async with tutor_factory(matcher_override=BrokenMatcher(pack)):
        reply = await world.ask(world.alice, world.alice_chat, "what is model drift")
        label = world.emu.buttons(reply)[0][0]
        answer = await world.press(world.alice, reply, label)
        assert answer.get("text") == APOLOGY_TOAST


async def test_blocked_user_is_logged_not_fatal(world: World, tutor: Any) -> None:
    """A user who blocked the bot causes a 403 that is logged; others are still served."""
    world.emu.block(world.alice)
    world.emu.send_text(world.alice, world.alice_chat, "what is model drift")
    await world.emu.wait_for_call("sendMessage", lambda c: c.status == 403)
    reply = await world.ask(world.bob, world.bob_chat, "what is model drift")
    assert "drift" in reply.plain_text.lower()
