"""Group quizzes: /groupquiz, /stopquiz, /top, /settings, and the answer buttons.

Commands work in groups; in a private chat they explain where they belong. Who may start, stop
or change settings is the service's decision, given whether the sender is a group admin
(``bot.tg.admins.is_admin``: getChatMember, cached, or TUTOR_ADMIN_IDS). An answer button carries
``gt:<round id>:<position>``; the service checks the round belongs to the pressing chat, is still
open and has that position, so junk or replayed data only earns a toast. What the group sees of
each round, and the jobs that move rounds along, are in ``bot.tg.group_jobs``.

Public API: register(app) (before the catch-all button handler), resume(app) (from post_init).
"""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.core.group_round import PRIVATE_CHAT_HINT, TapStatus, toast_text
from bot.services.group import GroupSettings, Refused, Started
from bot.tg import group_jobs
from bot.tg.addressing import is_private
from bot.tg.admins import is_admin
from bot.tg.group_jobs import TAP_PREFIX, resume, standing_lines
from bot.tg.guards import sender
from bot.tg.render import esc, plural
from bot.tg.send import accessible, edit_text, is_cannot_post, reply
from bot.tg.state import AnyApp, TutorContext

__all__ = ["register", "resume"]

log = logging.getLogger(__name__)

SETTINGS_PREFIX = "gs:"
# Canonical numbers only ("007" or "+7" would be a second spelling of the same button).
_TAP = re.compile(r"^gt:([1-9][0-9]{0,17}):([0-9])$")
_SETTING = re.compile(r"^gs:([01])$")

TOP_PRIVATE_HINT = (
    "The all-time table belongs to a group: send /top in a group where a quiz was played."
)
SETTINGS_ADMINS_ONLY = "Only group admins can change the group quiz settings."
NO_GAMES_YET = "No group quiz has been played here yet. An admin can start one with /groupquiz."


def display_name(user: User) -> str:
    """What the group sees: the first name, else the @username (escaped when rendered)."""
    name = " ".join(user.first_name.split())
    if name:
        return name
    return f"@{user.username}" if user.username else ""


def _intro(started: Started) -> str:
    session = started.session
    level = session.difficulty or "mixed"
    lines = [
        f"🎯 <b>Group quiz:</b> {plural(session.questions, 'question')}, "
        f"{session.seconds} s each, {esc(level)} level.",
        "Tap an option to answer; you get one answer per question. Points for right answers, "
        "more for fast ones and for runs in a row.",
    ]
    lines += [f"<i>{esc(note)}</i>" for note in started.notes]
    return "\n".join(lines)


def settings_text(settings: GroupSettings) -> str:
    who = "everyone in the group" if settings.anyone_can_start else "group admins only"
    return f"<b>Group quiz settings</b>\nWho can start a quiz with /groupquiz: <b>{who}</b>."


def settings_keyboard(settings: GroupSettings) -> InlineKeyboardMarkup:
    if settings.anyone_can_start:
        button = InlineKeyboardButton("Only admins may start", callback_data=f"{SETTINGS_PREFIX}0")
    else:
        button = InlineKeyboardButton("Let everyone start", callback_data=f"{SETTINGS_PREFIX}1")
    return InlineKeyboardMarkup([[button]])


def top_text(board_lines: list[str], own: str | None) -> str:
    lines = ["🏆 <b>All-time table of this group</b>", "", *board_lines]
    if own:
        lines += ["", own]
    return "\n".join(lines)


# --- commands ------------------------------------------------------------------------------------


async def groupquiz(update: Update, context: TutorContext) -> None:
    found = sender(update)
    if found is None:
        return
    message, user = found
    if is_private(message.chat):
        await reply(message, esc(PRIVATE_CHAT_HINT))
        return
    chat = message.chat
    admin = await is_admin(context, chat, user, message)
    app = context.application
    # Under the group's lock, so the first question cannot race a /stopquiz or another start.
    async with group_jobs.group_lock(app, chat.id):
        result = await context.services.group.start_session(
            chat.id, user.id, admin, context.args or []
        )
        if isinstance(result, Refused):
            await reply(message, esc(result.text))
            return
        try:
            await reply(message, _intro(result), quiz=True)
        except TelegramError as error:
            if not is_cannot_post(error):
                raise
            await group_jobs.abandon(app, chat.id)
            return
        await group_jobs.show_round(app, result.round)


async def stopquiz(update: Update, context: TutorContext) -> None:
    found = sender(update)
    if found is None:
        return
    message, user = found
    if is_private(message.chat):
        await reply(message, esc(PRIVATE_CHAT_HINT))
        return
    admin = await is_admin(context, message.chat, user, message)
    app = context.application
    async with group_jobs.group_lock(app, message.chat.id):
        result = await context.services.group.stop_session(message.chat.id, user.id, admin)
        if isinstance(result, Refused):
            await reply(message, esc(result.text))
            return
        await group_jobs.end_screen(app, message.chat.id, result)


async def top(update: Update, context: TutorContext) -> None:
    found = sender(update)
    if found is None:
        return
    message, user = found
    if is_private(message.chat):
        await reply(message, TOP_PRIVATE_HINT)
        return
    board = await context.services.group.top(message.chat.id)
    if not board.standings:
        await reply(message, NO_GAMES_YET)
        return
    mine = board.place_of(user.id)
    own = None
    if mine is not None and mine not in board.top:
        own = f"Your place: {mine.place} of {len(board.standings)} ({mine.points} points)."
    await reply(message, top_text(standing_lines(board, everyone=False), own))


async def settings(update: Update, context: TutorContext) -> None:
    found = sender(update)
    if found is None:
        return
    message, user = found
    if not await is_admin(context, message.chat, user, message):
        await reply(message, SETTINGS_ADMINS_ONLY)
        return
    current = await context.services.group.settings(message.chat.id)
    await reply(message, settings_text(current), settings_keyboard(current))


# --- buttons -------------------------------------------------------------------------------------


async def on_tap(update: Update, context: TutorContext) -> None:
    """An answer button: record it once, toast privately, update the count or close early."""
    query = update.callback_query
    if query is None:
        return
    found = _TAP.fullmatch(query.data or "")
    message = query.message
    if found is None or message is None:
        await query.answer(toast_text(TapStatus.INVALID_POSITION))
        return
    round_id, position = int(found.group(1)), int(found.group(2))
    chat_id = message.chat.id
    result = await context.services.group.tap(
        round_id, query.from_user.id, display_name(query.from_user), position, chat_id=chat_id
    )
    # The toast first: the spinner stops at once, whatever the screen work below costs.
    try:
        await query.answer(result.toast)
    except BadRequest as error:
        # A query Telegram already expired; the answer is stored, so the round goes on.
        log.info("tap on round %s: toast not shown (%s)", round_id, error.message)
    if result.status is not TapStatus.ACCEPTED:
        return
    app = context.application
    if result.all_answered:
        await group_jobs.finish_round(app, chat_id, round_id)
    else:
        await group_jobs.count_changed(app, chat_id, round_id, result.answered_count)


async def on_setting(update: Update, context: TutorContext) -> None:
    """The settings toggle: admins only; the message then shows the new setting."""
    query = update.callback_query
    if query is None:
        return
    found = _SETTING.fullmatch(query.data or "")
    message = accessible(query.message)
    if found is None or message is None or is_private(message.chat):
        await query.answer("That button has expired.")
        return
    admin = await is_admin(context, message.chat, query.from_user, None)
    result = await context.services.group.set_anyone_can_start(
        message.chat.id, found.group(1) == "1", is_admin=admin
    )
    if isinstance(result, Refused):
        await query.answer(result.text)
        return
    await query.answer("Saved.")
    await edit_text(
        context.bot,
        message.chat.id,
        message.message_id,
        settings_text(result),
        settings_keyboard(result),
    )


def register(app: AnyApp) -> None:
    """Add the handlers; the button handlers must come before the catch-all one."""
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("groupquiz", groupquiz, filters=new))
    app.add_handler(CommandHandler("stopquiz", stopquiz, filters=new))
    app.add_handler(CommandHandler("top", top, filters=new))
    # Private /settings is left to whatever personal settings may come; this one is the group's.
    app.add_handler(CommandHandler("settings", settings, filters=new & filters.ChatType.GROUPS))
    app.add_handler(CallbackQueryHandler(on_tap, pattern=f"^{TAP_PREFIX}"))
    app.add_handler(CallbackQueryHandler(on_setting, pattern=f"^{SETTINGS_PREFIX}"))
