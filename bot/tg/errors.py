"""One error handler: log the failure with its update id, and never show a traceback to a user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.tg.addressing import is_addressed
from bot.tg.state import AnyApp, TutorContext

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
APOLOGY_TOAST = "Sorry, something went wrong. Please try again."


async def on_error(update: object, context: TutorContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        # Blocked by the user or removed from the group: nobody to apologise to.
        log.warning("update %s: not allowed to reply (%s)", update_id, error.message)
        return
    if isinstance(error, NetworkError) and update is None:
        # The updater's own polling hiccups; PTB retries by itself.
        log.warning("polling: %s", error)
        return
    log.error("update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(APOLOGY_TOAST)
            return
        message = update.effective_message
        if message is not None and is_addressed(message, context.bot.username, context.bot.id):
            await message.reply_text(APOLOGY, do_quote=False)
    except TelegramError as apology_error:
        # The apology can fail for the same reason as the update (or the query was answered).
        log.warning("update %s: could not apologise (%s)", update_id, apology_error)


def register(app: AnyApp) -> None:
    app.add_error_handler(on_error)
