"""/forget and /export: a learner's data, deleted after a confirmation or sent as a JSON file.

Both work in a private chat only: in a group the confirmation, the counts and above all the
file would be shown to everyone, so there they answer with a pointer to the private chat.

/forget asks first, with two buttons (`bot.tg.callbacks.forget_data`). A press counts only if it
comes from that user, on a prompt this bot process showed them (`AppState.forget`), less than
`PROMPT_TTL` seconds ago, and only once: a stranger, forged data, a double tap, or a prompt from
before a restart get a toast and delete nothing. Confirmed, every row about the user goes in one
transaction (`services.privacy.forget`), their private daily job is unscheduled, and what every
feature holds in memory about them is dropped (`AppState.forget_user`).
"""

from __future__ import annotations

import logging
import time

from telegram import InputFile, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import CommandHandler, filters

from bot.services.privacy import holds_data, to_json
from bot.tg.addressing import is_private
from bot.tg.callbacks import FORGET_PATTERN, ButtonHandler, parse_forget
from bot.tg.guards import sender
from bot.tg.handlers import daily
from bot.tg.send import accessible, edit_text, reply
from bot.tg.state import AnyApp, TutorContext, app_state
from bot.tg.views import privacy as view

__all__ = [
    "PROMPT_TTL",
    "export_command",
    "forget_command",
    "forget_memory",
    "on_forget_button",
    "register",
]

log = logging.getLogger(__name__)

# A confirmation left unanswered this long must be asked again.
PROMPT_TTL = 600.0


def forget_memory(app: AnyApp, user_id: int) -> None:
    """Drop what the running bot holds in memory about `user_id`."""
    app_state(app).forget_user(user_id)
    # PTB's own per-user and per-chat dicts (a person's private chat has their id); unused by
    # the tutor, dropped in case a future feature stores something there.
    app.drop_user_data(user_id)
    app.drop_chat_data(user_id)


async def _in_private(update: Update, command: str) -> tuple[Message, User] | None:
    """The message and its sender, if sent in a private chat; elsewhere a pointer to one."""
    found = sender(update)
    if found is None:
        return None
    message, _ = found
    if not is_private(message.chat):
        await reply(message, view.private_only(command))
        return None
    return found


async def forget_command(update: Update, context: TutorContext) -> None:
    found = await _in_private(update, "forget")
    if found is None:
        return
    message, user = found
    prompt = await reply(message, view.FORGET_PROMPT, view.confirm_keyboard(user.id))
    if prompt is None:
        return  # only in a group, which _in_private has already turned away
    context.state.forget.prompts.put(
        (prompt.chat.id, prompt.message_id), (user.id, time.monotonic())
    )


async def on_forget_button(update: Update, context: TutorContext) -> None:
    query = update.callback_query
    if query is None:
        return
    press = parse_forget(query.data)
    message = accessible(query.message)
    if press is None or message is None:
        await query.answer(view.EXPIRED)
        return
    presser = query.from_user.id
    if press.owner != presser:
        await query.answer(view.NOT_YOURS)
        return
    key = (message.chat.id, message.message_id)
    prompts = context.state.forget.prompts
    asked = prompts.get(key)
    if asked is None or asked[0] != presser or time.monotonic() - asked[1] > PROMPT_TTL:
        await query.answer(view.EXPIRED)
        return
    # Used up before any await, so a double tap cannot delete (or answer) twice.
    prompts.discard(key)
    if not press.confirm:
        await query.answer(view.CANCELLED)
        await _show(context, message.chat.id, message.message_id, view.CANCELLED)
        return
    report = await context.services.privacy.forget(presser)
    app = context.application
    daily.unschedule(app, message.chat.id)
    forget_memory(app, presser)
    log.info("user %s: stored data deleted on request", presser)
    await query.answer(view.DELETED_TOAST)
    await _show(context, message.chat.id, message.message_id, view.summary(report))


async def _show(context: TutorContext, chat_id: int, message_id: int, text: str) -> None:
    """Replace the prompt (and its buttons) with the outcome; if it cannot be edited any more,
    say it in a new message."""
    try:
        await edit_text(context.bot, chat_id, message_id, text)
    except BadRequest as error:
        log.info("could not edit the /forget prompt: %s", error.message)
        await context.bot.send_message(chat_id, text)


async def export_command(update: Update, context: TutorContext) -> None:
    found = await _in_private(update, "export")
    if found is None:
        return
    message, user = found
    export = await context.services.privacy.export(user.id)
    if not holds_data(export):
        await reply(message, view.NOTHING_STORED)
        return
    await message.reply_document(
        InputFile(to_json(export), filename=f"tutor-data-{user.id}.json"),
        caption=view.EXPORT_CAPTION,
        do_quote=False,
    )


def register(app: AnyApp) -> None:
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("forget", forget_command, filters=new))
    app.add_handler(CommandHandler("export", export_command, filters=new))
    app.add_handler(ButtonHandler(on_forget_button, pattern=FORGET_PATTERN))
