"""`tutor-bot run`: start the bot with long polling (default) or a webhook, and stop it cleanly.

Exit codes:
  0  stopped on SIGTERM/SIGINT (a clean shutdown)
  1  the content pack is broken (each problem printed as `file:line: problem`), or the bot could
     not start (Telegram unreachable)
  2  a setting is missing or invalid (one line on stderr), or Telegram refused the token
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import signal
import sys
import warnings
from collections.abc import Awaitable, Callable
from functools import partial
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.core.content import load_content
from bot.errors import ConfigError, ContentError
from bot.model import build_matcher
from bot.tg.app import build_application
from bot.tg.logs import setup_logging
from bot.tg.outbox import outbox_of
from bot.tg.state import AnyApp, AppState
from bot.tg.webhook import WebhookServer

__all__ = [
    "BOOTSTRAP_RETRIES",
    "EXIT_CONFIG",
    "EXIT_FAILED",
    "EXIT_OK",
    "SEND_MESSAGE_NUDGE",
    "configure_ptb",
    "run",
    "serve",
]

log = logging.getLogger(__name__)

BOOTSTRAP_RETRIES = 3

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2

# Telegram accepts 1-256 characters from this set as a webhook secret token.
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _check_webhook(webhook_url: str, secret: str | None) -> tuple[str, str]:
    """The URL path to serve and the secret to require; raise ConfigError on bad options."""
    parts = urlsplit(webhook_url)
    if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost"):
        raise ConfigError("--webhook-url must be an https:// URL (Telegram only calls https)")
    if not parts.netloc:
        raise ConfigError("--webhook-url must be a full URL such as https://example.org/tutor")
    if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret):
        raise ConfigError("--secret must be 1-256 characters of A-Z, a-z, 0-9, _ or -")
    # Without a secret anyone who finds the URL could post fake updates: make one up.
    return parts.path.lstrip("/"), secret or secrets.token_urlsafe(32)


# PTB nudges callers of do_api_request towards the typed method; bot.tg.send.send_prepared
# makes the raw call on purpose (the hot path skips parsing the returned Message).
SEND_MESSAGE_NUDGE = r"Please use 'Bot\.sendMessage' instead of"


def configure_ptb() -> None:
    """Process-wide python-telegram-bot settings, applied when the bot starts (not on import).

    PTB_TIMEDELTA opts in to PTB 23's timedelta durations now: without it PTB 22 warns from
    inside RetryAfter on every 429, and the adapter never reads those durations as ints.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    warnings.filterwarnings("ignore", message=SEND_MESSAGE_NUDGE, category=PTBUserWarning)


def run(*, webhook_url: str | None, listen: str, port: int, secret: str | None) -> int:
    """Run until a stop signal; return the process exit code (see the module docstring)."""
    configure_ptb()
    try:
        settings = Settings.from_env(os.environ)
        webhook = _check_webhook(webhook_url, secret) if webhook_url else None
        if not 0 < port < 65536:
            raise ConfigError(f"--port must be between 1 and 65535, got {port}")
    except ConfigError as error:
        sys.stderr.write(error.report() + "\n")
        return EXIT_CONFIG
    redactor = setup_logging(
        settings.log_level,
        secrets=[settings.token.get(), *([webhook[1]] if webhook else [])],
        user_text=settings.log_user_text,
    )
    try:
        pack = load_content(settings.content_dir)
    except ContentError as error:
        sys.stderr.write(error.report() + "\n")
        return EXIT_FAILED
    app = build_application(settings, state=AppState.create(settings, pack, build_matcher(pack)))
    updater = app.updater
    if updater is None:  # ApplicationBuilder always builds one unless told not to
        raise RuntimeError("the application has no updater")
    stop_updates: Callable[[], Awaitable[object]] | None = None
    if webhook is None or webhook_url is None:
        log.info("starting with long polling")
        start_updates: Callable[[], Awaitable[object]] = partial(
            updater.start_polling,
            poll_interval=settings.poll_interval,
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=BOOTSTRAP_RETRIES,
            error_callback=_polling_error,
        )
    else:
        url_path, token = webhook
        log.info("starting with a webhook on %s:%s/%s", listen, port, url_path)
        server = WebhookServer(app, listen=listen, port=port, url_path=url_path, secret=token)
        start_updates = partial(_start_webhook, app, server, webhook_url, token)
        stop_updates = server.stop
    try:
        asyncio.run(serve(app, start_updates, stop_updates))
    except InvalidToken:
        log.error("Telegram refused the bot token (check TELEGRAM_BOT_TOKEN)")
        return EXIT_CONFIG
    except (TelegramError, OSError) as error:
        log.error("could not start: %s", redactor.redact(str(error)))
        return EXIT_FAILED
    log.info("stopped")
    return EXIT_OK


def _polling_error(error: TelegramError) -> None:
    # PTB retries by itself; one line per hiccup is enough (and never a traceback).
    log.warning("polling failed, retrying: %s", error)


async def _start_webhook(app: AnyApp, server: WebhookServer, url: str, secret: str) -> None:
    """Serve the webhook, then tell Telegram where it is (retrying a network hiccup)."""
    await server.start()
    for attempt in range(BOOTSTRAP_RETRIES + 1):
        try:
            await app.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
            return
        except (InvalidToken, Forbidden, BadRequest):
            raise  # refused: asking again gets the same answer
        except TelegramError as error:
            if attempt == BOOTSTRAP_RETRIES:
                raise
            log.warning("setting the webhook failed (%s); retrying", error)
            await asyncio.sleep(1)


async def serve(
    app: AnyApp,
    start_updates: Callable[[], Awaitable[object]],
    stop_updates: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Start `app`, run until SIGINT/SIGTERM, then stop it in order.

    PTB's run_polling/run_webhook do the same, but a signal that lands while they are still
    starting stops the event loop under them and ends in a traceback with exit code 1. Here the
    signal only sets an event: a start-up in progress is cancelled, and shutdown always runs.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    startup = asyncio.create_task(_start(app, start_updates))
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({startup, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if startup.done():
            startup.result()  # re-raise a failed start-up
            log.info("running; send SIGTERM or press Ctrl+C to stop")
            await stopped
        log.info("stop signal received, shutting down")
    finally:
        for task in (startup, stopped):
            task.cancel()
        await asyncio.gather(startup, stopped, return_exceptions=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if stop_updates is not None:
            await stop_updates()
        await _stop(app)


async def _start(app: AnyApp, start_updates: Callable[[], Awaitable[object]]) -> None:
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    # Same order as PTB: fetching updates first, then the handlers that consume them.
    await start_updates()
    await app.start()


async def _stop(app: AnyApp) -> None:
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    # Before the application waits for its handlers and jobs: group sends still queued would
    # hold the stop for minutes (20 a minute per group). Chatter is dropped; quiz posts are
    # recovered from the database at the next start.
    outbox = outbox_of(app.bot)
    if outbox is not None:
        await outbox.close()
    if app.running:
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
