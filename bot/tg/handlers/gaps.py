"""/gaps for the bot's admins (TUTOR_ADMIN_IDS), and the daily pruning of the gap queue.

The report lists what learners asked that the content could not answer; it is for the authors,
so it is shown only in a private chat, and only to an id listed in TUTOR_ADMIN_IDS. Questions are
kept ``KEEP_DAYS`` days: pruned once at start-up and then once a day.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.tg import scheduling
from bot.tg.addressing import is_private
from bot.tg.guards import sender
from bot.tg.send import reply
from bot.tg.state import AnyApp, TutorContext, app_state
from bot.tg.views.gaps import IN_PRIVATE, NOT_ADMIN, gaps_html

__all__ = ["PRUNE_EVERY", "gaps_command", "prune", "register", "start"]

log = logging.getLogger(__name__)

PRUNE_EVERY = 24 * 60 * 60.0


async def gaps_command(update: Update, context: TutorContext) -> None:
    found = sender(update)
    if found is None:
        return
    message, user = found
    if not is_private(message.chat):
        await reply(message, IN_PRIVATE)
        return
    if user.id not in context.state.settings.admin_ids:
        await reply(message, NOT_ADMIN)
        return
    report = await context.services.gaps.summary()
    await reply(message, gaps_html(report, context.state.pack))


async def prune(context: TutorContext) -> None:
    """The repeating job: questions older than the keeping period go."""
    deleted = await context.services.gaps.prune()
    if deleted:
        log.info("gap queue: %d questions older than the keeping period deleted", deleted)


async def start(app: AnyApp) -> None:
    """Prune now (the bot may have been down for days), then daily (from post_init)."""
    services = app_state(app).open_services()
    deleted = await services.gaps.prune()
    if deleted:
        log.info("gap queue: %d old questions deleted at start-up", deleted)
    scheduling.run_repeating(app, prune, PRUNE_EVERY, name=scheduling.GAP_PRUNE_JOB)


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("gaps", gaps_command, filters=filters.UpdateType.MESSAGE))
