"""One error handler: log the failure with its update id (or its job's name), follow a chat
that moved to a new id, and never show a traceback to a user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, NetworkError, TelegramError

from bot.tg.addressing import is_addressed
from bot.tg.handlers import migration
from bot.tg.outbox import OutboxClosed
from bot.tg.send import is_cannot_post, reply
from bot.tg.state import AnyApp, TutorContext

__all__ = ["APOLOGY", "APOLOGY_TOAST", "on_error", "register"]

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
APOLOGY_TOAST = "Sorry, something went wrong. Please try again."


async def on_error(update: object, context: TutorContext) -> None:
    error = context.error
    job = context.job
    if isinstance(error, ChatMigrated):
        await _follow(update, context, error)
        return
    if isinstance(error, OutboxClosed):
        # Stopping: a group quiz post was not made; the restart shows it from the database.
        log.info("not sent, the bot is stopping: %s", job.name if job is not None else "update")
        return
    if job is not None:
        log.error("job %s failed", job.name, exc_info=error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, BadRequest) and _stale_query(error):
        # A press Telegram held while the bot was down or busy: whatever the handler did
        # (stored an answer, edited the message) stands; only the spinner could not be stopped.
        log.warning("update %s: the button press is too old to answer", update_id)
        return
    if isinstance(error, TelegramError) and is_cannot_post(error):
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
            await reply(message, APOLOGY, quote=False)
    except TelegramError as apology_error:
        # The apology can fail for the same reason as the update (or the query was answered).
        log.warning("update %s: could not apologise (%s)", update_id, apology_error)


def _stale_query(error: BadRequest) -> bool:
    """Telegram's answer to answerCallbackQuery after its ~15 s window (or a second time)."""
    text = error.message.lower()
    return "query is too old" in text or "query id is invalid" in text


async def _follow(update: object, context: TutorContext, error: ChatMigrated) -> None:
    """A send hit a group that became a supergroup: move its data and jobs to the new id."""
    job = context.job
    chat = update.effective_chat if isinstance(update, Update) else None
    old = job.chat_id if job is not None else (chat.id if chat is not None else None)
    if old is None:
        log.warning("a chat moved to %s, but which one is unknown", error.new_chat_id)
        return
    await migration.follow(context.application, old, error.new_chat_id)


def register(app: AnyApp) -> None:
    app.add_error_handler(on_error)
