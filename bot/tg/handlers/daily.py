"""/daily, the daily-question job, and rebuilding those jobs at start-up.

Subscriptions live in SQLite (`services.daily`); the JobQueue holds one job per chat, named by
`scheduling.daily_job` so that scheduling again replaces it. Jobs are rebuilt from the database
at start-up (`restore`). The job claims the day *before* sending and sends only what the
claim returns, so a restart, a duplicate job or a second process never sends twice; it confirms the
claim once Telegram accepted the message, and a restart gives back (and sends) the claims of a
process killed before it could send them.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError
from telegram.ext import CommandHandler, filters

from bot.core.clock import UnknownTimezoneError
from bot.core.daily import InvalidTimeError
from bot.services import Delivery, Subscription
from bot.tg import scheduling
from bot.tg.addressing import is_group_chat_id, is_private
from bot.tg.admins import is_admin
from bot.tg.guards import sender
from bot.tg.handlers import quiz
from bot.tg.render import esc
from bot.tg.send import is_cannot_post, reply
from bot.tg.state import AnyApp, TutorContext, app_state
from bot.tg.views import daily as view

log = logging.getLogger(__name__)

__all__ = [
    "DAILY_GRACE_SECONDS",
    "DAILY_RETRY_SECONDS",
    "DEFAULT_TIME",
    "daily_command",
    "follow",
    "register",
    "restore",
    "schedule",
    "schedule_catch_up",
    "send_daily",
    "unschedule",
]

DEFAULT_TIME = "09:00"
# A late job still sends (the claim keeps it to once a day); APScheduler's default is 1 second.
DAILY_GRACE_SECONDS = 6 * 3600
# A daily question that hit a network error (or Telegram's 429/5xx) is tried again this much
# later, unless Telegram named its own wait.
DAILY_RETRY_SECONDS = 120.0


# --- jobs ----------------------------------------------------------------------------------------


async def restore(app: AnyApp) -> None:
    """At start-up: give back claims a killed process never sent, schedule one job per stored
    subscription, and send today's question at once where the bot was down at sending time."""
    services = app_state(app).open_services()
    # Claims left unconfirmed by a process that was killed mid-broadcast: those questions never
    # went out, so give the days back and let the catch-up below send them.
    released = await services.daily.release_unconfirmed()
    if released:
        log.info("%d daily question(s) claimed but never sent; sending them again", released)
    subscriptions = await services.daily.list_subscriptions()
    for subscription in subscriptions:
        schedule(app, subscription)
    due = await services.daily.due_on_startup()
    for subscription in due:
        schedule_catch_up(app, subscription)
    log.info("%d daily question job(s) scheduled, %d to catch up", len(subscriptions), len(due))


def unschedule(app: AnyApp, chat_id: int) -> None:
    """Remove the chat's daily job and any catch-up or retry still waiting."""
    scheduling.cancel(
        app,
        scheduling.daily_job(chat_id),
        scheduling.daily_catch_up_job(chat_id),
        scheduling.daily_retry_job(chat_id),
    )


def schedule(app: AnyApp, subscription: Subscription) -> None:
    """(Re)schedule the chat's daily job at its local send time; one job per chat."""
    scheduling.run_daily(
        app,
        send_daily,
        # The wall-clock time with its zone attached, as JobQueue.run_daily expects.
        subscription.send_time.replace(tzinfo=subscription.zone),
        name=scheduling.daily_job(subscription.chat_id),
        chat_id=subscription.chat_id,
        grace_seconds=DAILY_GRACE_SECONDS,
    )


def schedule_catch_up(app: AnyApp, subscription: Subscription) -> None:
    """Send today's question soon: the bot was down when it was due (the claim still guards)."""
    chat_id = subscription.chat_id
    scheduling.run_once(
        app,
        send_daily,
        0,
        name=scheduling.daily_catch_up_job(chat_id),
        chat_id=chat_id,
        late_ok=True,
    )


def _retry_seconds(error: TelegramError) -> float | None:
    """How long to wait before trying again, or None if trying again will not help."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return max(seconds, DAILY_RETRY_SECONDS)
    # A BadRequest is a NetworkError in PTB, but a malformed request fails the same way again.
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return DAILY_RETRY_SECONDS  # a timeout, a dropped connection, a 5xx
    return None


async def follow(app: AnyApp, old_chat_id: int, new_chat_id: int) -> None:
    """The chat moved to a new id (its subscription already did): re-aim its daily job, and
    send today's question there if it is due and was never sent."""
    unschedule(app, old_chat_id)
    services = app_state(app).open_services()
    subscription = await services.daily.status(new_chat_id)
    if subscription is None:
        return
    schedule(app, subscription)
    if any(due.chat_id == new_chat_id for due in await services.daily.due_on_startup()):
        schedule_catch_up(app, subscription)


async def send_daily(context: TutorContext) -> None:
    """The job: claim today's question for the chat, then send it (only if the claim won)."""
    job = context.job
    chat_id = job.chat_id if job is not None else None
    if chat_id is None:
        return
    services = context.services
    # Thousands of chats can be due at once: only a few claim at a time, so each claim is
    # confirmed soon after it is made (not after every other chat's claim) and a crash leaves
    # only those few to send again.
    async with context.state.daily.slots:
        delivery = await services.daily.claim_daily(chat_id, group=is_group_chat_id(chat_id))
        if delivery is None:
            return  # not subscribed any more, or already sent today
        try:
            await quiz.post_question(context, chat_id, delivery)
        except TelegramError as error:
            await _not_sent(context, chat_id, delivery, error)
            return
        await services.daily.confirm_daily(delivery)


async def _not_sent(
    context: TutorContext, chat_id: int, delivery: Delivery, error: TelegramError
) -> None:
    """Decide what a failed daily send means: stop, follow the chat, or give the day back and
    try again later."""
    services = context.services
    app = context.application
    if is_cannot_post(error):
        # Removed from the group, restricted or blocked: nobody will read it, so stop.
        log.warning("daily question for chat %s not delivered (%s); unsubscribing", chat_id, error)
        await services.daily.unsubscribe(chat_id)
        unschedule(app, chat_id)
        return
    if isinstance(error, ChatMigrated):
        # The group became a supergroup: give the day back; the error handler moves the
        # subscription (bot.tg.handlers.migration) and today's question goes out there.
        await services.daily.release_daily(delivery)
        raise error
    wait = _retry_seconds(error)
    if wait is None:
        raise error
    # The day was claimed but the question may never have arrived: give the day back
    # (a restart catches up on it too) and try again.
    await services.daily.release_daily(delivery)
    scheduling.run_once(
        app,
        send_daily,
        wait,
        name=scheduling.daily_retry_job(chat_id),
        chat_id=chat_id,
        late_ok=True,
    )
    log.warning(
        "daily question for chat %s not sent (%s); trying again in %.0f s",
        chat_id,
        error,
        wait,
    )


# --- command -----------------------------------------------------------------------------------


def _parse_on(args: list[str]) -> tuple[str, str | None] | None:
    """`[HH:MM] [Zone]` in either order -> (time text, zone or None); None if ambiguous."""
    times = [a for a in args if ":" in a or a.isdigit()]
    zones = [a for a in args if a not in times]
    if len(times) > 1 or len(zones) > 1:
        return None
    return (times[0] if times else DEFAULT_TIME), (zones[0] if zones else None)


async def daily_command(update: Update, context: TutorContext) -> None:
    """/daily on [HH:MM] [Zone] | off | (status); changes need an admin in groups."""
    found = sender(update)
    if found is None:
        return
    message, user = found
    chat = message.chat
    args = context.args or []
    action = args[0].lower() if args else ""
    services = context.services
    if action == "":
        await reply(message, view.status_text(await services.daily.status(chat.id)))
        return
    if action not in ("on", "off"):
        await reply(message, view.USAGE)
        return
    if not await is_admin(context, chat, user, message):
        await reply(message, view.ADMINS_ONLY)
        return
    app = context.application
    if action == "off":
        removed = await services.daily.unsubscribe(chat.id)
        unschedule(app, chat.id)
        await reply(message, view.unsubscribed_text(removed=removed))
        return
    parsed = _parse_on(args[1:])
    if parsed is None:
        await reply(message, view.USAGE)
        return
    try:
        subscription = await services.daily.subscribe(
            chat.id, parsed[0], parsed[1], owner=user.id if is_private(chat) else None
        )
    except (InvalidTimeError, UnknownTimezoneError) as error:
        await reply(message, esc(str(error)))
        return
    schedule(app, subscription)
    await reply(message, view.subscribed_text(subscription))


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("daily", daily_command, filters=filters.UpdateType.MESSAGE))
