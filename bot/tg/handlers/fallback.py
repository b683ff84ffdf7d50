"""What no feature takes: button data nobody claims, and commands the bot does not know.

Every feature's button handler registers with its own pattern (bot.tg.callbacks), so the
fallback for buttons matches exactly the data that no pattern claims: where it is added does not
matter. Its press still gets an answer, so the client's spinner stops, and a short toast that
changes nothing. Unknown commands get a hint to /help; that handler goes last (`register_last`),
since a command handler matches only its own command.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.tg.addressing import command_target, is_private
from bot.tg.callbacks import EXPIRED_TEXT, claimed
from bot.tg.send import reply
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views.start import unknown_command_text

__all__ = ["UnclaimedQueryHandler", "on_unclaimed", "register", "register_last", "unknown_command"]


class UnclaimedQueryHandler(CallbackQueryHandler[TutorContext, None]):
    """A button press whose data no feature's pattern claims (or that has no data at all)."""

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update) or update.callback_query is None:
            return False
        return not claimed(update.callback_query.data)


async def on_unclaimed(update: Update, context: TutorContext) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(EXPIRED_TEXT)


async def unknown_command(update: Update, context: TutorContext) -> None:
    """A hint to /help, but only for commands surely meant for this bot."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    found = command_target(message.text)
    if found is None:
        return
    command, target = found
    mine = target is not None and target.lower() == context.bot.username.lower()
    if not (is_private(message.chat) or mine):
        return  # a bare /cmd in a group may belong to another bot
    await reply(message, unknown_command_text(command))


def register(app: AnyApp) -> None:
    app.add_handler(UnclaimedQueryHandler(on_unclaimed))


def register_last(app: AnyApp) -> None:
    """Handlers that must come after every feature's own commands."""
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command))
