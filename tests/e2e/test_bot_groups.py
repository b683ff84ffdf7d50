"""Groups: the bot answers commands, mentions and replies to itself, and ignores the rest."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.matcher import Matcher
from tests.support.world import World

pytestmark = pytest.mark.e2e


async def assert_silent(world: World) -> None:
    await world.emu.wait_quiet()
    assert world.emu.bot_messages(world.group.id) == []


async def test_chatter_is_ignored(world: World, tutor: Any) -> None:
    """Messages between members that do not address the bot get no reply."""
    world.emu.send_text(world.alice, world.group, "what is model drift")
    world.emu.send_text(world.bob, world.group, "lunch anyone? cc @someone_else")
    world.emu.send_sticker(world.carol, world.group)
    await assert_silent(world)


async def test_commands_for_this_bot_only(world: World, tutor: Any) -> None:
    """/help and /help@ThisBot are answered; /help@OtherBot is left to the other bot."""
    world.emu.send_text(world.alice, world.group, "/help@OtherBot")
    await assert_silent(world)
    reply = await world.ask(world.alice, world.group, "/help@TutorTestBot")
    assert "/learn" in reply.plain_text
    reply = await world.ask(world.bob, world.group, "/help")
    assert "/learn" in reply.plain_text


async def test_start_in_a_group_has_no_reply_keyboard(world: World, tutor: Any) -> None:
    """/start in a group explains how to address the bot and offers the lessons inline."""
    reply = await world.ask(world.alice, world.group, "/start@TutorTestBot")
    assert "@TutorTestBot" in reply.plain_text
    assert reply.reply_markup is not None and "inline_keyboard" in reply.reply_markup


async def test_mention_is_stripped_and_answered(
    world: World, tutor: Any, matcher: Matcher
) -> None:
    """A message mentioning the bot is answered as if the mention were not there, as a reply."""
    sent = world.emu.send_text(world.alice, world.group, "@TutorTestBot what is model drift")
    [reply] = await world.emu.wait_for_messages(world.group.id, 1)
    expected = matcher.match("what is model drift").entry
    assert expected is not None
    assert reply.plain_text.startswith(expected.title)
    assert reply.reply_to_message_id == sent.message_id


async def test_reply_to_the_bot_is_answered(world: World, tutor: Any) -> None:
    """Replying to one of the bot's messages asks it a question without a mention."""
    first = await world.ask(world.alice, world.group, "/help")
    sent = world.emu.send_text(
        world.bob, world.group, "what is model drift", reply_to_message_id=first.message_id
    )
    messages = await world.emu.wait_for_messages(world.group.id, 2)
    assert messages[1].reply_to_message_id == sent.message_id
    assert "drift" in messages[1].plain_text.lower()


async def test_reply_to_a_member_is_ignored(world: World, tutor: Any) -> None:
    """Replying to another member's message is their conversation."""
    other = world.emu.send_text(world.alice, world.group, "anyone know about drift?")
    world.emu.send_text(world.bob, world.group, "no idea", reply_to_message_id=other.message_id)
    await assert_silent(world)


async def test_unknown_commands_in_groups(world: World, tutor: Any) -> None:
    """A bare unknown command may be another bot's; one aimed at this bot gets a hint."""
    world.emu.send_text(world.alice, world.group, "/weather")
    await assert_silent(world)
    reply = await world.ask(world.alice, world.group, "/weather@TutorTestBot")
    assert "/help" in reply.plain_text


async def test_non_text_only_when_addressed(world: World, tutor: Any) -> None:
    """A sticker in a group is ignored unless it addresses the bot, which gets a hint."""
    first = await world.ask(world.alice, world.group, "/help")
    world.emu.send_sticker(world.bob, world.group)
    await world.emu.wait_quiet()
    assert len(world.emu.bot_messages(world.group.id)) == 1
    world.emu.send_photo(world.bob, world.group, caption="@TutorTestBot look at this")
    messages = await world.emu.wait_for_messages(world.group.id, 2)
    assert "only read text" in messages[1].plain_text
    assert first.message_id != messages[1].message_id


async def test_several_users_in_parallel(world: World, tutor: Any, matcher: Matcher) -> None:
    """Questions from several users in a group and in private chats each get their own answer."""
    questions = {
        world.alice: "@TutorTestBot what is model drift",
        world.bob: "@TutorTestBot how is testing different in mlops",
        world.carol: "@TutorTestBot what is continuous training",
    }
    sent = {user.id: world.emu.send_text(user, world.group, q) for user, q in questions.items()}
    world.emu.send_text(world.alice, world.alice_chat, "what is data versioning")
    world.emu.send_text(world.bob, world.bob_chat, "hi")
    group = await world.emu.wait_for_messages(world.group.id, 3)
    await world.emu.wait_for_messages(world.alice_chat.id, 1)
    await world.emu.wait_for_messages(world.bob_chat.id, 1)
    for user, question in questions.items():
        reply = next(m for m in group if m.reply_to_message_id == sent[user.id].message_id)
        result = matcher.match(question.removeprefix("@TutorTestBot "))
        assert result.entry is not None
        assert reply.plain_text.startswith(result.entry.title)
    await world.emu.wait_quiet()
    assert len(world.emu.bot_messages(world.group.id)) == 3
    assert len(world.emu.bot_messages(world.alice_chat.id)) == 1
    assert len(world.emu.bot_messages(world.bob_chat.id)) == 1
    assert world.emu.bot_messages(world.carol_chat.id) == []


async def test_button_presses_from_other_members(world: World, tutor: Any) -> None:
    """Content buttons in a group work for any member who presses them."""
    menu = await world.ask(world.alice, world.group, "/learn@TutorTestBot")
    await world.press(world.bob, menu, "Cheat sheet")
    # The toast comes first; the page edit waits its turn in the group's outbox.
    await world.emu.wait_for(lambda: world.current(menu).plain_text.startswith("Cheat sheet"))
