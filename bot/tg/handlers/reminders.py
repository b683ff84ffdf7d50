"""The evening streak reminder (a repeating job) and its "no more reminders" button.

/reminders itself is a setting (bot.tg.handlers.settings).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, TelegramError

from bot.tg import scheduling
from bot.tg.callbacks import (
    QUIZ_LEVEL_ANY,
    REMINDERS_OFF_DATA,
    REMINDERS_OFF_PATTERN,
    ButtonHandler,
)
from bot.tg.send import accessible, edit_markup, is_cannot_post
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views.common import without_button
from bot.tg.views.reminders import ALREADY_OFF, reminder_keyboard, reminder_text
from bot.tg.views.settings import REMINDERS_OFF_TEXT

__all__ = ["REMINDER_EVERY", "on_reminders_off", "register", "remind", "start"]

log = logging.getLogger(__name__)

REMINDER_EVERY = 15 * 60.0


def start(app: AnyApp) -> None:
    """Start the repeating reminder job (from post_init)."""
    scheduling.job_queue(app).run_repeating(
        remind, interval=REMINDER_EVERY, first=60.0, name=scheduling.REMINDER_JOB
    )


async def remind(context: TutorContext) -> None:
    """Nudge each learner whose streak ends at their midnight; at most once per local day."""
    services = context.services
    for risk in await services.users.users_at_risk():
        if not await services.users.claim_reminder(risk.user_id, risk.local_date):
            continue
        level = await services.quiz.last_level(risk.user_id) or QUIZ_LEVEL_ANY
        try:
            markup = reminder_keyboard(level, risk.user_id)
            await context.bot.send_message(risk.user_id, reminder_text(risk), reply_markup=markup)
        except TelegramError as error:
            if not is_cannot_post(error):
                log.warning("reminder to %s failed: %s", risk.user_id, error)
                continue
            # Blocked or deleted: stop asking every evening.
            log.info("user %s cannot be reached; reminders off", risk.user_id)
            await services.users.set_reminders(risk.user_id, enabled=False)


async def on_reminders_off(update: Update, context: TutorContext) -> None:
    query = update.callback_query
    if query is None:
        return
    users = context.services.users
    if not (await users.settings(query.from_user.id)).reminders:
        await query.answer(ALREADY_OFF)
        return
    await users.set_reminders(query.from_user.id, enabled=False)
    message = accessible(query.message)
    if message is not None:
        remaining = without_button(message.reply_markup, REMINDERS_OFF_DATA)
        try:
            await edit_markup(context.bot, message.chat.id, message.message_id, remaining)
        except BadRequest as error:
            log.info("could not drop the reminder button: %s", error.message)
    await query.answer(REMINDERS_OFF_TEXT, show_alert=True)


def register(app: AnyApp) -> None:
    app.add_handler(ButtonHandler(on_reminders_off, pattern=REMINDERS_OFF_PATTERN))
