"""/forget and /export: a learner's data, deleted after a confirmation or sent as a JSON file.

Both work in a private chat only: in a group the confirmation, the counts and above all the
file would be shown to everyone, so there they answer with a pointer to the private chat.

/forget asks first, with two buttons carrying `fg:<y|n>:<user id>`. A press counts only if it
comes from that user, on a prompt this bot process showed them (`AppState.forget_prompts`), less
than `PROMPT_TTL` seconds ago, and only once: a stranger, forged data, a double tap, or a prompt
from before a restart get a toast and delete nothing. Confirmed, every row about the user goes
in one transaction (`services.privacy.forget`), their private daily job is unscheduled, and the
in-memory state about them is dropped (`forget_memory`).

Public API: register(app); forget_memory(app, user_id); forget_data(user_id, confirm);
summary(counts) -> str.
"""

from __future__ import annotations

import logging
import re
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services.privacy import holds_data, to_json
from bot.tg import daily
from bot.tg.addressing import is_private
from bot.tg.guards import sender
from bot.tg.send import accessible, edit_text, reply
from bot.tg.state import AnyApp, TutorContext, app_state

log = logging.getLogger(__name__)

FORGET_PREFIX = "fg:"
_PRESS = re.compile(r"^fg:([yn]):([1-9][0-9]{0,18})$")
# A confirmation left unanswered this long must be asked again.
PROMPT_TTL = 600.0

CONFIRM_LABEL = "🗑 Delete everything"
CANCEL_LABEL = "Cancel"
FORGET_PROMPT = (
    "<b>Delete everything I store about you?</b>\n"
    "Your answers, streak, review schedule, hints, reminder and time zone settings, the daily "
    "question of this chat, and your answers and points in group quizzes. "
    "This cannot be undone. (To keep a copy first, send /export.)"
)
PRIVATE_ONLY = (
    "For your privacy, send /{command} to me in a private chat: here everyone would see "
    "the answer."
)
NOT_YOURS = "This button belongs to someone else."
EXPIRED = "This confirmation has expired — send /forget again."
CANCELLED = "Nothing was deleted."
NOTHING_STORED = "I don't store anything about you."
EXPORT_CAPTION = "Everything I store about you, as JSON."

# How the reply names each table's rows, singular and plural (tables absent here not shown).
_LABELS: dict[str, tuple[str, str]] = {
    "answers": ("answer", "answers"),
    "hints": ("hint", "hints"),
    "cards": ("review card", "review cards"),
    "deliveries": ("question sent", "questions sent"),
    "streaks": ("streak", "streaks"),
    "reminders_sent": ("reminder", "reminders"),
    "daily_subscriptions": ("daily question subscription", "daily question subscriptions"),
    "daily_sent": ("daily question record", "daily question records"),
    "group_answers": ("group quiz answer", "group quiz answers"),
    "group_scores": ("group score", "group scores"),
    "group_rounds": ("group quiz round", "group quiz rounds"),
    "group_settings": ("group setting", "group settings"),
    "users": ("profile", "profiles"),
}


def confirm_keyboard(user_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(CONFIRM_LABEL, callback_data=f"{FORGET_PREFIX}y:{user_id}"),
                InlineKeyboardButton(CANCEL_LABEL, callback_data=f"{FORGET_PREFIX}n:{user_id}"),
            ]
        ]
    )


def _count(count: int, label: tuple[str, str]) -> str:
    return f"{count} {label[0] if count == 1 else label[1]}"


def summary(counts: dict[str, int]) -> str:
    """What /forget deleted, in words, from `forget_user`'s counts (plain text, no markup)."""
    parts = [
        _count(counts[table], label)
        for table, label in _LABELS.items()
        if counts.get(table, 0) > 0
    ]
    if not parts:
        return "There was nothing stored about you, so nothing was deleted."
    text = "Done. I deleted everything I stored about you: " + ", ".join(parts) + "."
    if counts.get("group_sessions", 0) > 0:
        text += (
            f" {_count(counts['group_sessions'], ('group quiz', 'group quizzes'))} you "
            "started stay with their groups, no longer linked to you."
        )
    return text


def forget_memory(app: AnyApp, user_id: int) -> None:
    """Drop what the running bot holds in memory about `user_id` (their private chat has the
    same id). The flood counter stays: it is not data about them, and clearing it would let
    /forget reset the limit."""
    state = app_state(app)
    state.quiz_levels.discard(user_id)
    state.admin_cache.discard_where(lambda key: key[1] == user_id)
    state.used_next.discard_where(lambda key: key[0] == user_id)
    state.verdicts_shown.discard_where(lambda key: key[0] == user_id)
    state.forget_prompts.discard_where(lambda key: key[0] == user_id)
    app.drop_user_data(user_id)
    app.drop_chat_data(user_id)


async def _in_private(update: Update, command: str) -> tuple[Message, User] | None:
    """The message and its sender, if sent in a private chat; elsewhere a pointer to one."""
    found = sender(update)
    if found is None:
        return None
    message, _ = found
    if not is_private(message.chat):
        await reply(message, PRIVATE_ONLY.format(command=command))
        return None
    return found


async def forget_command(update: Update, context: TutorContext) -> None:
    found = await _in_private(update, "forget")
    if found is None:
        return
    message, user = found
    prompt = await reply(message, FORGET_PROMPT, confirm_keyboard(user.id))
    if prompt is None:
        return  # only in a group, which _in_private has already turned away
    context.state.forget_prompts.put(
        (prompt.chat.id, prompt.message_id), (user.id, time.monotonic())
    )


async def on_forget_button(update: Update, context: TutorContext) -> None:
    query = update.callback_query
    if query is None:
        return
    found = _PRESS.fullmatch(query.data or "")
    message = accessible(query.message)
    if found is None or message is None:
        await query.answer(EXPIRED)
        return
    confirm, owner = found.group(1) == "y", int(found.group(2))
    presser = query.from_user.id
    if owner != presser:
        await query.answer(NOT_YOURS)
        return
    key = (message.chat.id, message.message_id)
    prompts = context.state.forget_prompts
    asked = prompts.get(key)
    if asked is None or asked[0] != presser or time.monotonic() - asked[1] > PROMPT_TTL:
        await query.answer(EXPIRED)
        return
    # Used up before any await, so a double tap cannot delete (or answer) twice.
    prompts.discard(key)
    if not confirm:
        await query.answer(CANCELLED)
        await _show(context, message.chat.id, message.message_id, CANCELLED)
        return
    counts = await context.services.privacy.forget(presser)
    app = context.application
    daily.unschedule(app, presser)
    forget_memory(app, presser)
    log.info("user %s: stored data deleted on request", presser)
    await query.answer("Deleted.")
    await _show(context, message.chat.id, message.message_id, summary(counts))


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
        await reply(message, NOTHING_STORED)
        return
    await message.reply_document(
        InputFile(to_json(export), filename=f"tutor-data-{user.id}.json"),
        caption=EXPORT_CAPTION,
        do_quote=False,
    )


def register(app: AnyApp) -> None:
    """The commands and the confirmation buttons (before the catch-all button handler)."""
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("forget", forget_command, filters=new))
    app.add_handler(CommandHandler("export", export_command, filters=new))
    app.add_handler(CallbackQueryHandler(on_forget_button, pattern=f"^{FORGET_PREFIX}"))
