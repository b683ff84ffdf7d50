"""Build the real python-telegram-bot Application: one place that wires every handler module."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults

from bot.config import Settings
from bot.core.content import load_content
from bot.model import build_matcher
from bot.services import Services
from bot.tg import errors, guards, heartbeat
from bot.tg.handlers import (
    ask,
    daily,
    fallback,
    gaps,
    group_rounds,
    group_screen,
    inline,
    learn,
    migration,
    practice,
    privacy,
    progress,
    quiz,
    reminders,
    start,
    stats,
)
from bot.tg.handlers import settings as settings_feature
from bot.tg.ratelimit import TutorRateLimiter
from bot.tg.state import CONTEXT_TYPES, AnyApp, AppState, app_state
from bot.tg.updates import BoundedUpdateQueue, PerUserUpdateProcessor
from bot.tg.views.start import BOT_COMMANDS

__all__ = [
    "CONNECTION_POOL_SIZE",
    "POOL_TIMEOUT_SECONDS",
    "build_application",
    "post_init",
    "post_shutdown",
]

log = logging.getLogger(__name__)

CONNECTION_POOL_SIZE = 16
POOL_TIMEOUT_SECONDS = 10.0


async def post_init(app: AnyApp) -> None:
    """Runs once the bot is known (after getMe): open the database, publish the command list."""
    state = app_state(app)
    if state.services is None:
        state.services = await _open_services(state)
    await app.bot.set_my_commands(list(BOT_COMMANDS))
    # Daily jobs are rebuilt from SQLite (the JobQueue keeps nothing across restarts).
    await daily.restore(app)
    reminders.start(app)
    await gaps.start(app)
    await heartbeat.start(app)
    # Group quiz rounds and sessions that were running pick up where they were.
    await group_screen.resume(app)
    log.info("bot @%s is ready", app.bot.username)


async def _open_services(state: AppState) -> Services:
    opening = asyncio.ensure_future(
        Services.open(
            state.settings.db_path,
            state.pack,
            default_timezone=state.settings.timezone,
            clock=state.clock,
        )
    )
    try:
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        # A stop signal during start-up: an abandoned open would leave aiosqlite's thread
        # calling back into a closed loop (a traceback at exit), so finish it and close again.
        with contextlib.suppress(Exception):
            await (await opening).close()
        raise


async def post_shutdown(app: AnyApp) -> None:
    """Close the database once no handler or job can use it any more."""
    state = app_state(app)
    state.matching.close()
    if state.services is not None:
        await state.services.close()
        state.services = None


def build_application(settings: Settings, *, state: AppState | None = None) -> AnyApp:
    """The tutor as a ready-to-start Application.

    `state` defaults to one built from `settings` (loading the content pack, which raises
    ContentError when it is broken). Every request goes through `TutorRateLimiter`: paced as the
    settings say, and retried on transient failures.
    """
    if state is None:
        pack = load_content(settings.content_dir)
        state = AppState.create(settings, pack, build_matcher(pack))
    builder = (
        ApplicationBuilder()
        .token(settings.token.get())
        .base_url(settings.api_base_url)
        .base_file_url(settings.base_file_url)
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                allow_sending_without_reply=True,
                # Jobs scheduled without a zone (daily questions, later) use the configured one.
                tzinfo=settings.tz,
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .rate_limiter(TutorRateLimiter.from_settings(settings))
        # Different users at once, each user's updates in order (bot.tg.updates).
        .concurrent_updates(PerUserUpdateProcessor())
        # The poller waits while the bot is behind, so a crash loses few confirmed updates.
        .update_queue(BoundedUpdateQueue())
        # httpcore checks every pooled connection on each request, so a pool far larger than
        # what is ever in flight costs CPU on every reply; 16 covers the concurrent updates
        # plus a daily broadcast. A request waits for a free connection rather than failing.
        .connection_pool_size(CONNECTION_POOL_SIZE)
        .pool_timeout(POOL_TIMEOUT_SECONDS)
    )
    app = builder.build()
    app.bot_data.state = state
    # No two handlers of group 0 take the same update (each button handler has its own pattern
    # from bot.tg.callbacks, the fallback takes the data none claims), so their order is free;
    # only the unknown-command hint must come after every command.
    guards.register(app)
    migration.register(app)
    start.register(app)
    ask.register(app)
    inline.register(app)
    learn.register(app)
    quiz.register(app)
    daily.register(app)
    group_rounds.register(app)
    reminders.register(app)
    settings_feature.register(app)
    privacy.register(app)
    stats.register(app)
    progress.register(app)
    practice.register(app)
    gaps.register(app)
    fallback.register(app)
    errors.register(app)
    fallback.register_last(app)
    return app
