"""Steps of a group quiz: send a command, start a session, find a round and its right option."""

from __future__ import annotations

from telegram import Chat, User

from bot.services.group import Round
from bot.tg.state import AnyApp, app_state
from tests.emulator import BotMessage
from tests.support.world import World

LETTERS = "ABCD"


async def command(
    world: World, user: User, chat: Chat, text: str, replies: int
) -> list[BotMessage]:
    """Send a command and return the bot's next `replies` messages in that chat."""
    before = len(world.emu.bot_messages(chat.id))
    world.emu.send_text(user, chat, text)
    messages = await world.emu.wait_for_messages(chat.id, before + replies)
    return messages[before : before + replies]


async def start_quiz(world: World, user: User, chat: Chat, args: str = "") -> BotMessage:
    """Start a session; return the first question (after the intro)."""
    intro, question = await command(world, user, chat, f"/groupquiz {args}".strip(), 2)
    assert intro.plain_text.startswith("🎯 Group quiz:")
    assert question.plain_text.startswith("Question 1 of")
    return question


def round_id(question: BotMessage) -> int:
    """The round behind a question message, read from its answer buttons (even once removed)."""
    markup = question.reply_markup or next(m for m in question.markup_history if m)
    return int(markup["inline_keyboard"][0][0]["callback_data"].split(":")[1])


async def round_of(app: AnyApp, question: BotMessage) -> Round:
    services = app_state(app).services
    assert services is not None
    found = await services.group.get_round(round_id(question))
    assert found is not None
    return found


async def right_and_wrong(app: AnyApp, question: BotMessage) -> tuple[str, str]:
    """Button prefixes ("B)") of the right option and of one wrong option."""
    round_ = await round_of(app, question)
    right = round_.options.index(round_.question.options[round_.question.correct_index].text)
    wrong = (right + 1) % len(round_.options)
    return f"{LETTERS[right]})", f"{LETTERS[wrong]})"


def jobs_named(app: AnyApp, name: str) -> int:
    assert app.job_queue is not None
    return len(app.job_queue.get_jobs_by_name(name))


async def next_message(world: World, chat: Chat, before: int) -> BotMessage:
    return (await world.emu.wait_for_messages(chat.id, before + 1))[before]
