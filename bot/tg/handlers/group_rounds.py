"""Group quizzes: /groupquiz, /stopquiz, /top, and the answer buttons.

Commands work in groups; in a private chat they explain where they belong. Who may start or stop
is the service's decision, given whether the sender is a group admin (``bot.tg.admins.is_admin``:
getChatMember, cached, or TUTOR_ADMIN_IDS). An answer button carries a round and a position
(``bot.tg.callbacks.tap_data``); the service checks the round belongs to the pressing chat, is
still open and has that position, so junk or replayed data only earns a toast. What the group
sees of each round, and the jobs that move rounds along, are in ``bot.tg.handlers.group_screen``;
who may start (/settings) is a setting (``bot.tg.handlers.settings``).
"""

from __future__ import annotations

import logging

from telegram import Message, Update, User
from telegram.error import BadRequest, TelegramError
from telegram.ext import CommandHandler, filters

from bot.core.group_round import PRIVATE_CHAT_HINT, TapStatus, toast_text
from bot.services.group import Refused
from bot.tg.addressing import is_private
from bot.tg.admins import is_admin
from bot.tg.callbacks import TAP_PATTERN, ButtonHandler, parse_tap
from bot.tg.guards import sender
from bot.tg.handlers import group_screen
from bot.tg.render import esc
from bot.tg.send import is_cannot_post, reply
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views import group_rounds as view

__all__ = ["display_name", "groupquiz", "on_tap", "register", "stopquiz", "top"]

log = logging.getLogger(__name__)


def display_name(user: User) -> str:
    """What the group sees: the first name, else the @username (escaped when rendered)."""
    name = " ".join(user.first_name.split())
    if name:
        return name
    return f"@{user.username}" if user.username else ""


async def _group_sender(update: Update, private_hint: str) -> tuple[Message, User] | None:
    """The message and its sender when a group command came from a group; in a private chat
    the command answers where it belongs instead, and None is returned."""
    found = sender(update)
    if found is None:
        return None
    message, _ = found
    if is_private(message.chat):
        await reply(message, private_hint)
        return None
    return found


async def groupquiz(update: Update, context: TutorContext) -> None:
    found = await _group_sender(update, esc(PRIVATE_CHAT_HINT))
    if found is None:
        return
    message, user = found
    chat = message.chat
    admin = await is_admin(context, chat, user, message)
    app = context.application
    # Under the group's lock, so the first question cannot race a /stopquiz or another start.
    async with group_screen.group_lock(app, chat.id):
        result = await context.services.group.start_session(
            chat.id, user.id, context.args or [], is_admin=admin, private=is_private(chat)
        )
        if isinstance(result, Refused):
            await reply(message, esc(result.text))
            return
        try:
            await reply(message, view.intro_text(result), quiz=True)
        except TelegramError as error:
            if not is_cannot_post(error):
                raise
            await group_screen.abandon(app, chat.id)
            return
        await group_screen.show_round(app, result.round)


async def stopquiz(update: Update, context: TutorContext) -> None:
    found = await _group_sender(update, esc(PRIVATE_CHAT_HINT))
    if found is None:
        return
    message, user = found
    admin = await is_admin(context, message.chat, user, message)
    app = context.application
    async with group_screen.group_lock(app, message.chat.id):
        result = await context.services.group.stop_session(
            message.chat.id, user.id, is_admin=admin
        )
        if isinstance(result, Refused):
            await reply(message, esc(result.text))
            return
        await group_screen.end_screen(app, message.chat.id, result)


async def top(update: Update, context: TutorContext) -> None:
    found = await _group_sender(update, view.TOP_PRIVATE_HINT)
    if found is None:
        return
    message, user = found
    group = context.services.group
    board = await group.top(message.chat.id)
    topics = view.topic_lines(await group.topic_standing(message.chat.id))
    if not board.standings:
        await reply(message, view.no_games_text(topics))
        return
    mine = board.place_of(user.id)
    own = None
    if mine is not None and mine not in board.top:
        own = view.own_place_text(mine.place, len(board.standings), mine.points)
    await reply(message, view.top_text(view.standing_lines(board, everyone=False), own, topics))


async def on_tap(update: Update, context: TutorContext) -> None:
    """An answer button: record it once, toast privately, update the count or close early."""
    query = update.callback_query
    if query is None:
        return
    press = parse_tap(query.data)
    message = query.message
    if press is None or message is None:
        await query.answer(toast_text(TapStatus.INVALID_POSITION))
        return
    chat_id = message.chat.id
    result = await context.services.group.tap(
        press.round_id,
        query.from_user.id,
        display_name(query.from_user),
        press.position,
        chat_id=chat_id,
    )
    # The toast first: the spinner stops at once, whatever the screen work below costs.
    try:
        await query.answer(result.toast)
    except BadRequest as error:
        # A query Telegram already expired; the answer is stored, so the round goes on.
        log.info("tap on round %s: toast not shown (%s)", press.round_id, error.message)
    if result.status is not TapStatus.ACCEPTED:
        return
    app = context.application
    if result.all_answered:
        await group_screen.finish_round(app, chat_id, press.round_id)
    else:
        await group_screen.count_changed(app, chat_id, press.round_id, result.answered_count)


def register(app: AnyApp) -> None:
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("groupquiz", groupquiz, filters=new))
    app.add_handler(CommandHandler("stopquiz", stopquiz, filters=new))
    app.add_handler(CommandHandler("top", top, filters=new))
    app.add_handler(ButtonHandler(on_tap, pattern=TAP_PATTERN))
