"""Run a real ``telegram.ext.Application`` inside a test, the way ``run_polling`` would.

``run_polling`` owns the event loop and blocks, so tests cannot use it. This harness performs
the same steps in the same order on the test's loop (initialize, ``post_init``, start polling,
start; then stop polling, stop, ``post_stop``, shutdown, ``post_shutdown``) and guarantees the
teardown half even when the test body fails, so no task or HTTP session outlives the test.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

__all__ = ["running_application"]


@asynccontextmanager
async def running_application(
    app: Application[Any, Any, Any, Any, Any, Any],
    *,
    poll_interval: float = 0.0,
    poll_timeout: float = 10.0,
    run_post_init: bool = True,
    polling: bool = True,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Start ``app`` polling the emulator; stop and shut it down on exit.

    ``poll_timeout`` is the long-poll ``timeout`` sent with getUpdates (the emulator answers
    as soon as an update arrives, so it only bounds idle round trips). ``polling=False`` starts
    the application without its updater, for webhook tests that feed ``app.update_queue``.
    ``run_post_init=False`` skips ``post_init``/``post_stop``/``post_shutdown`` for tests that
    want a bare application.
    """
    await app.initialize()
    try:
        if run_post_init and app.post_init is not None:
            await app.post_init(app)
        # Same order as run_polling: the updater first, then the application.
        if polling and app.updater is not None:
            await app.updater.start_polling(
                poll_interval=poll_interval,
                timeout=dtm.timedelta(seconds=poll_timeout),
            )
        try:
            await app.start()
            yield app
        finally:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
                if run_post_init and app.post_stop is not None:
                    await app.post_stop(app)
    finally:
        await app.shutdown()
        if run_post_init and app.post_shutdown is not None:
            await app.post_shutdown(app)
