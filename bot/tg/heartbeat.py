"""The heartbeat file the container's HEALTHCHECK looks at, touched while updates flow."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.tg import scheduling
from bot.tg.state import AnyApp, TutorContext, app_state

__all__ = ["HEARTBEAT_EVERY", "heartbeat", "start", "touch"]

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 30.0


async def start(app: AnyApp) -> None:
    """Touch the file now and every `HEARTBEAT_EVERY` seconds, if one is configured."""
    path = app_state(app).settings.heartbeat_file
    if path is None:
        return
    await asyncio.to_thread(touch, path)
    scheduling.job_queue(app).run_repeating(
        heartbeat, interval=HEARTBEAT_EVERY, first=HEARTBEAT_EVERY, name=scheduling.HEARTBEAT_JOB
    )


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
