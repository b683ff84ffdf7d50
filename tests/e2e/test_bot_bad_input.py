"""Bad input through Telegram: every message gets a valid reply or a deliberate silence."""

from __future__ import annotations

from typing import Any

import pytest

from bot.tg.guards import TEXT_ONLY_HINT
from tests.support.world import World

pytestmark = pytest.mark.e2e

NASTY = {
    "whitespace": "   \t  ",
    "emoji-only": "😀🔥🚀",
    "zero-width": "\u200b\u200c\u200d\ufeff",
    "huge": "drift " * 20_000,
    "huge-one-word": "a" * 100_000,
    "html": "<b>what is <i>drift</b> & <script>alert(1)</script> &amp; &lt;",
    "markdown": "**what** is _drift_ `code` [link](http://x) ```block",
    "control": "what\x00 is\x07 drift\x1b[31m",
    "zero-width-inside": "what is dr\u200bift",
    "rtl": "\u202ewhat is drift\u202c ما هو الانجراف",
    "cyrillic": "что такое дрейф модели",
    "cjk": "什么是模型漂移",
    "combining": "Z̷̛̤a̸̢l̵g̶o̴ drift",
    "surrogate-heavy": "𝕨𝕙𝕒𝕥 𝕚𝕤 𝕕𝕣𝕚𝕗𝕥",
    "lone-punctuation": "?!?!...",
}


@pytest.mark.parametrize("text", NASTY.values(), ids=NASTY.keys())
async def test_nasty_text_gets_one_valid_reply(world: World, tutor: Any, text: str) -> None:
    """Odd, huge or markup-laden text gets exactly one reply that Telegram accepts."""
    reply = await world.ask(world.alice, world.alice_chat, text)
    await world.emu.wait_quiet()
    assert len(world.emu.bot_messages(world.alice_chat.id)) == 1
    assert reply.parse_mode == "HTML"
    assert 0 < len(reply.plain_text) < 4096
    assert all(call.ok for call in world.emu.calls_to("sendMessage"))


async def test_edited_question_is_answered_again(world: World, tutor: Any) -> None:
    """Editing a question (to fix a typo) gets a fresh answer quoting the edited message."""
    sent = world.emu.send_text(world.alice, world.alice_chat, "what is modle drfit xyzzy")
    await world.emu.wait_for_messages(world.alice_chat.id, 1)
    world.emu.edit_text(world.alice, world.alice_chat, sent.message_id, "what is model drift")
    messages = await world.emu.wait_for_messages(world.alice_chat.id, 2)
    assert "drift" in messages[1].plain_text.lower()
    assert messages[1].reply_to_message_id == sent.message_id
    assert messages[0].reply_to_message_id is None


async def test_edited_command_is_ignored(world: World, tutor: Any) -> None:
    """Editing a command does not run it a second time."""
    sent = world.emu.send_text(world.alice, world.alice_chat, "/help")
    await world.emu.wait_for_messages(world.alice_chat.id, 1)
    world.emu.edit_text(world.alice, world.alice_chat, sent.message_id, "/start")
    await world.emu.wait_quiet()
    assert len(world.emu.bot_messages(world.alice_chat.id)) == 1


async def test_edit_in_a_group_needs_an_address(world: World, tutor: Any) -> None:
    """An edited group message is answered only if it now addresses the bot."""
    sent = world.emu.send_text(world.alice, world.group, "what is drift")
    world.emu.edit_text(world.alice, world.group, sent.message_id, "what is model drift?")
    await world.emu.wait_quiet()
    assert world.emu.bot_messages(world.group.id) == []
    world.emu.edit_text(
        world.alice, world.group, sent.message_id, "@TutorTestBot what is model drift?"
    )
    [reply] = await world.emu.wait_for_messages(world.group.id, 1)
    assert "drift" in reply.plain_text.lower()


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_messages_without_text_get_a_hint(world: World, tutor: Any, kind: str) -> None:
    """Stickers, photos and voice notes in private get a hint that only text is read."""
    sender = getattr(world.emu, f"send_{kind}")
    sender(world.alice, world.alice_chat)
    [reply] = await world.emu.wait_for_messages(world.alice_chat.id, 1)
    assert reply.plain_text == TEXT_ONLY_HINT


async def test_forwarded_question_is_answered(world: World, tutor: Any) -> None:
    """A question forwarded from someone else is answered like a typed one."""
    reply = await world.ask(
        world.alice, world.alice_chat, "what is model drift", forward_from=world.bob
    )
    assert "drift" in reply.plain_text.lower()


async def test_unknown_command_hints_at_help(world: World, tutor: Any) -> None:
    """An unknown command in private gets a pointer to /help, with the name escaped."""
    reply = await world.ask(world.alice, world.alice_chat, "/frobnicate now")
    assert "/frobnicate" in reply.plain_text
    assert "/help" in reply.plain_text


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/learn <b>junk</b> & more", "Lessons"),
        ("/help " + "x" * 5000, "What I do"),
        ("/start@TutorTestBot 😀 payload", "Hi Alice"),
    ],
)
async def test_commands_ignore_junk_arguments(
    world: World, tutor: Any, command: str, expected: str
) -> None:
    """Commands with junk arguments behave as if the arguments were not there."""
    reply = await world.ask(world.alice, world.alice_chat, command)
    assert reply.plain_text.startswith(expected)


async def test_channel_posts_are_ignored(world: World, tutor: Any) -> None:
    """Posts in a channel get no reply and cause no error."""
    channel = world.emu.channel(-100777, "Announcements")
    world.emu.channel_post(channel, "/start")
    world.emu.channel_post(channel, "@TutorTestBot what is drift")
    await world.emu.wait_quiet()
    assert world.emu.bot_messages(channel.id) == []
    assert world.emu.internal_errors == []


FULL_ARGUMENTS = {
    "timezone": "/timezone " + "x" * 4080,
    "daily time": "/daily on 1:" + "0" * 4080,
    "daily zone": "/daily on 08:00 " + "Z<&" * 1360,
}


@pytest.mark.parametrize("text", FULL_ARGUMENTS.values(), ids=FULL_ARGUMENTS.keys())
async def test_an_argument_as_long_as_a_message_gets_a_real_reply(
    world: World, tutor: Any, text: str
) -> None:
    """The reply quotes the argument shortened, so it fits: never the generic apology."""
    reply = await world.ask(world.alice, world.alice_chat, text)
    assert "went wrong" not in reply.plain_text
    assert len(reply.plain_text) < 1000
    assert world.emu.calls_to("sendMessage")[-1].status == 200


async def test_a_text_too_long_for_telegram_is_shortened_not_refused(
    world: World, tutor: Any
) -> None:
    """The last guard: whatever a builder produced, Telegram gets at most 4,096 characters."""
    await tutor.bot.send_message(world.alice_chat.id, "<b>" + "drift & " * 1000 + "</b>")
    [sent] = world.emu.bot_messages(world.alice_chat.id)
    assert len(sent.plain_text) == 4096
    assert sent.plain_text.endswith("…")
