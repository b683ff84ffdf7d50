"""Settings: /timezone and /reminders (each learner's), /settings and its toggle (a group's)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.errors import TutorError
from bot.services.group import Refused
from bot.tg.addressing import is_private
from bot.tg.admins import is_admin
from bot.tg.callbacks import SETTING_PATTERN, ButtonHandler, parse_setting
from bot.tg.guards import sender
from bot.tg.handlers.daily import schedule
from bot.tg.render import esc
from bot.tg.send import accessible, edit_text, reply
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views import settings as view

__all__ = [
    "group_settings_command",
    "on_setting",
    "register",
    "reminders_command",
    "timezone_command",
]


async def timezone_command(update: Update, context: TutorContext) -> None:
    """/timezone shows the learner's zone; /timezone Europe/Berlin sets it (validated)."""
    found = sender(update)
    if found is None:
        return
    message, user = found
    services = context.services
    args = context.args or []
    if not args:
        await reply(message, view.timezone_text(await services.users.settings(user.id)))
        return
    if len(args) > 1:
        await reply(message, view.TIMEZONE_USAGE)
        return
    # A private chat's daily question follows its owner's zone (in the same transaction).
    private_chat = message.chat.id if is_private(message.chat) else None
    try:
        change = await services.users.set_timezone(user.id, args[0], private_chat=private_chat)
    except TutorError as error:
        await reply(message, esc(str(error)))
        return
    if change.daily is not None:
        schedule(context.application, change.daily)
    await reply(message, view.timezone_set_text(change.timezone, change.daily))


async def reminders_command(update: Update, context: TutorContext) -> None:
    """/reminders on|off, or the current setting."""
    found = sender(update)
    if found is None:
        return
    message, user = found
    services = context.services
    args = [a.lower() for a in context.args or []]
    if args in (["on"], ["off"]):
        enabled = args == ["on"]
        await services.users.register(user.id, private_chat=is_private(message.chat))
        await services.users.set_reminders(user.id, enabled=enabled)
        await reply(message, view.reminders_text(enabled=enabled))
        return
    if args:
        await reply(message, view.REMINDERS_USAGE)
        return
    settings = await services.users.settings(user.id)
    await reply(message, view.reminders_text(enabled=settings.reminders))


async def group_settings_command(update: Update, context: TutorContext) -> None:
    """/settings in a group: who may start a quiz, with a button to change it (admins)."""
    found = sender(update)
    if found is None:
        return
    message, user = found
    if not await is_admin(context, message.chat, user, message):
        await reply(message, view.SETTINGS_ADMINS_ONLY)
        return
    current = await context.services.group.settings(message.chat.id)
    await reply(message, view.group_settings_text(current), view.group_settings_keyboard(current))


async def on_setting(update: Update, context: TutorContext) -> None:
    """The settings toggle: admins only; the message then shows the new setting."""
    query = update.callback_query
    if query is None:
        return
    enabled = parse_setting(query.data)
    message = accessible(query.message)
    if enabled is None or message is None or is_private(message.chat):
        await query.answer(view.SETTING_EXPIRED)
        return
    admin = await is_admin(context, message.chat, query.from_user, None)
    result = await context.services.group.set_anyone_can_start(
        message.chat.id, enabled=enabled, is_admin=admin
    )
    if isinstance(result, Refused):
        await query.answer(result.text)
        return
    await query.answer(view.SETTING_SAVED)
    await edit_text(
        context.bot,
        message.chat.id,
        message.message_id,
        view.group_settings_text(result),
        view.group_settings_keyboard(result),
    )


def register(app: AnyApp) -> None:
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("timezone", timezone_command, filters=new))
    app.add_handler(CommandHandler("reminders", reminders_command, filters=new))
    # Private /settings is left to whatever personal settings may come; this one is the group's.
    app.add_handler(
        CommandHandler("settings", group_settings_command, filters=new & filters.ChatType.GROUPS)
    )
    app.add_handler(ButtonHandler(on_setting, pattern=SETTING_PATTERN))
