"""The JobQueue in one place: reaching it, cancelling jobs by name, one-off jobs by name.

Every job is named after what it is for (a chat's daily question, a round's deadline...), so
scheduling under a name first cancels any job already under it: re-scheduling replaces, a
restart or a repeated trigger never doubles a job, and tests find a job by name and run it.

Public API: job_queue(app); cancel(app, *names); run_once(app, callback, when, name=...,
chat_id=None, data=None, late_ok=False).
"""

from __future__ import annotations

import contextlib
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from telegram.ext import JobQueue

from bot.tg.state import AnyApp, TutorContext

JobCallback = Any  # PTB's JobCallback[TutorContext]; not worth spelling out


def job_queue(app: AnyApp) -> JobQueue[TutorContext]:
    queue = app.job_queue
    if queue is None:  # the job-queue extra is a dependency, so this means a broken install
        raise RuntimeError("python-telegram-bot was installed without its job queue")
    return queue  # type: ignore[no-any-return]


def cancel(app: AnyApp, *names: str) -> None:
    """Remove every job scheduled under any of `names` (none is fine)."""
    queue = job_queue(app)
    for name in names:
        for job in queue.get_jobs_by_name(name):
            # A job that is running right now is already out of the store.
            with contextlib.suppress(JobLookupError):
                job.schedule_removal()


def run_once(
    app: AnyApp,
    callback: JobCallback,
    when: float,
    *,
    name: str,
    chat_id: int | None = None,
    data: object = None,
    late_ok: bool = False,
) -> None:
    """Run `callback` once, `when` seconds from now, as the only job called `name`.

    `late_ok` runs it however late the event loop gets to it (a catch-up, a retry: work that
    must happen, not at a moment that may pass); otherwise APScheduler's grace time applies.
    """
    cancel(app, name)
    job_queue(app).run_once(
        callback,
        when=max(when, 0.0),
        name=name,
        chat_id=chat_id,
        data=data,
        job_kwargs={"misfire_grace_time": None} if late_ok else None,
    )
