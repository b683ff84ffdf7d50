"""Guards that run before the features (flood control, a hint for messages without text), and
`sender`, the check every command handler starts with."""

from __future__ import annotations

import logging

from telegram import Message, Update, User
from telegram.ext import ApplicationHandlerStop, MessageHandler, TypeHandler, filters

from bot.tg.addressing import is_addressed, sender_id
from bot.tg.flood import Verdict
from bot.tg.send import reply
from bot.tg.state import AnyApp, TutorContext

__all__ = [
    "SLOW_DOWN_TEXT",
    "SLOW_DOWN_TOAST",
    "TEXT_ONLY_HINT",
    "flood_guard",
    "not_text",
    "register",
    "sender",
]

log = logging.getLogger(__name__)

SLOW_DOWN_TEXT = (
    "You're sending messages faster than I can read them, so I'll skip some. "
    "Give me a few seconds, then carry on."
)
SLOW_DOWN_TOAST = "Too many taps — give me a few seconds."
TEXT_ONLY_HINT = (
    "I can only read text. Type your question in words, or send /learn for the lessons."
)


def sender(update: Update) -> tuple[Message, User] | None:
    """The message and who sent it, or None for an update without both (a channel post...)."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return None
    return message, user


async def flood_guard(update: Update, context: TutorContext) -> None:
    """Count each sender's messages and button presses; past the limit, warn once and drop.

    Every sender counts, bots included: a message sent "as a channel" comes from Telegram's
    stand-in bot user and is counted against the channel it speaks for (`sender_id`)."""
    user = update.effective_user
    if user is None:
        return
    query = update.callback_query
    message = update.message or update.edited_message
    if query is None and message is None:
        return
    if message is not None and not is_addressed(message, context.bot.username, context.bot.id):
        return  # group chatter not meant for the bot costs the user nothing
    who = sender_id(message) if message is not None else user.id
    verdict = context.state.flood.check(who)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        log.info("flood control: sender %s is over the limit", who)
    if query is not None:
        # The spinner must stop either way; only the first refusal says why.
        await query.answer(SLOW_DOWN_TOAST if verdict is Verdict.WARN else None)
    elif verdict is Verdict.WARN and message is not None:
        await reply(message, SLOW_DOWN_TEXT)
    raise ApplicationHandlerStop


async def not_text(update: Update, context: TutorContext) -> None:
    """Stickers, photos, voice notes...: say what the bot can read instead of staying silent."""
    message = update.message
    if message is None or not is_addressed(message, context.bot.username, context.bot.id):
        return
    await reply(message, TEXT_ONLY_HINT)


def register(app: AnyApp) -> None:
    # Group -1 runs before every feature handler; ApplicationHandlerStop ends the update there.
    app.add_handler(TypeHandler(Update, flood_guard), group=-1)
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & ~filters.TEXT
            & ~filters.StatusUpdate.ALL
            & ~filters.ChatType.CHANNEL,
            not_text,
        )
    )
