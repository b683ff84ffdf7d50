"""Scheduled work: daily jobs rebuilt at start-up, the streak reminder, and the heartbeat.

`start(app)` runs from `post_init`: it schedules one daily job per subscription stored in
SQLite, sends today's question at once where the bot was down at sending time, and starts the
repeating reminder and heartbeat jobs. The reminder is also where /reminders and its opt-out
button live. Every job is named, so tests can find one and run it on demand (`await job.run(app)`).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services import AtRisk
from bot.tg import daily, keyboards, scheduling
from bot.tg.addressing import is_private
from bot.tg.callbacks import QUIZ_LEVEL_ANY, REMINDERS_OFF_DATA
from bot.tg.guards import sender
from bot.tg.render import plural
from bot.tg.send import accessible, edit_markup, is_cannot_post, reply
from bot.tg.state import AnyApp, TutorContext, app_state

log = logging.getLogger(__name__)

REMINDER_JOB = "streak-reminders"
HEARTBEAT_JOB = "heartbeat"
REMINDER_EVERY = 15 * 60.0
HEARTBEAT_EVERY = 30.0

REMINDERS_USAGE = (
    "/reminders on or /reminders off — a nudge late in the evening when a streak is at risk."
)
REMINDERS_OFF_TEXT = "Streak reminders are off. Turn them back on with /reminders on."
REMINDERS_ON_TEXT = (
    "Streak reminders are on: if your streak is at risk, I'll nudge you once in the last two "
    "hours before your midnight. Turn them off with /reminders off."
)


async def start(app: AnyApp) -> None:
    """Rebuild the daily jobs from SQLite, catch up on missed sends, start the repeating jobs."""
    state = app_state(app)
    services = state.open_services()
    queue = scheduling.job_queue(app)
    # Claims left unconfirmed by a process that was killed mid-broadcast: those questions never
    # went out, so give the days back and let the catch-up below send them.
    released = await services.daily.release_unconfirmed()
    if released:
        log.info("%d daily question(s) claimed but never sent; sending them again", released)
    subscriptions = await services.daily.list_subscriptions()
    for subscription in subscriptions:
        daily.schedule(app, subscription)
    due = await services.daily.due_on_startup()
    for subscription in due:
        daily.schedule_catch_up(app, subscription)
    log.info("%d daily question job(s) scheduled, %d to catch up", len(subscriptions), len(due))
    queue.run_repeating(remind, interval=REMINDER_EVERY, first=60.0, name=REMINDER_JOB)
    heartbeat_file = state.settings.heartbeat_file
    if heartbeat_file is not None:
        await asyncio.to_thread(touch, heartbeat_file)
        queue.run_repeating(
            heartbeat, interval=HEARTBEAT_EVERY, first=HEARTBEAT_EVERY, name=HEARTBEAT_JOB
        )


# --- heartbeat -----------------------------------------------------------------------------------


def touch(path: Path) -> None:
    """Create the file or bump its modification time (what the HEALTHCHECK looks at)."""
    try:
        path.touch()
    except OSError as error:
        log.warning("heartbeat file %s: %s", path, error)


async def heartbeat(context: TutorContext) -> None:
    """Touch the file only while updates are being fetched (polling or webhook): a running
    event loop alone does not make a working bot."""
    path = context.state.settings.heartbeat_file
    updater = context.application.updater
    if path is None or updater is None or not updater.running:
        return
    await asyncio.to_thread(touch, path)


# --- streak reminder -----------------------------------------------------------------------------


def reminder_text(risk: AtRisk) -> str:
    days = plural(risk.streak.current, "day")
    text = (
        f"🔥 Your streak is {days} long and today's question is still waiting. "
        "One answer before midnight keeps it going."
    )
    if risk.streak.freezes:
        text += (
            f" (A freeze would cover today — you hold {risk.streak.freezes} — but why spend it?)"
        )
    return text


async def remind(context: TutorContext) -> None:
    """Nudge each learner whose streak ends at their midnight; at most once per local day."""
    services = context.services
    for risk in await services.users.users_at_risk():
        if not await services.users.claim_reminder(risk.user_id, risk.local_date):
            continue
        level = context.state.quiz_levels.get(risk.user_id) or QUIZ_LEVEL_ANY
        try:
            markup = keyboards.reminder_keyboard(level, risk.user_id)
            await context.bot.send_message(risk.user_id, reminder_text(risk), reply_markup=markup)
        except TelegramError as error:
            if not is_cannot_post(error):
                log.warning("reminder to %s failed: %s", risk.user_id, error)
                continue
            # Blocked or deleted: stop asking every evening.
            log.info("user %s cannot be reached; reminders off", risk.user_id)
            await services.users.set_reminders(risk.user_id, False)


async def reminders_command(update: Update, context: TutorContext) -> None:
    """/reminders on|off, or the current setting."""
    found = sender(update)
    if found is None:
        return
    message, user = found
    services = context.services
    args = [a.lower() for a in context.args or []]
    if args in (["on"], ["off"]):
        await services.users.register(user.id, private_chat=is_private(message.chat))
        await services.users.set_reminders(user.id, args == ["on"])
        await reply(message, REMINDERS_ON_TEXT if args == ["on"] else REMINDERS_OFF_TEXT)
        return
    if args:
        await reply(message, REMINDERS_USAGE)
        return
    settings = await services.users.settings(user.id)
    await reply(message, REMINDERS_ON_TEXT if settings.reminders else REMINDERS_OFF_TEXT)


async def on_reminders_off(update: Update, context: TutorContext) -> None:
    query = update.callback_query
    if query is None:
        return
    users = context.services.users
    if not (await users.settings(query.from_user.id)).reminders:
        await query.answer("Reminders are already off.")
        return
    await users.set_reminders(query.from_user.id, False)
    message = accessible(query.message)
    if message is not None:
        remaining = keyboards.without_button(message.reply_markup, REMINDERS_OFF_DATA)
        try:
            await edit_markup(context.bot, message.chat.id, message.message_id, remaining)
        except BadRequest as error:
            log.info("could not drop the reminder button: %s", error.message)
    await query.answer(REMINDERS_OFF_TEXT, show_alert=True)


def register(app: AnyApp) -> None:
    app.add_handler(
        CommandHandler("reminders", reminders_command, filters=filters.UpdateType.MESSAGE)
    )
    app.add_handler(CallbackQueryHandler(on_reminders_off, pattern=f"^{REMINDERS_OFF_DATA}$"))
