"""The JobQueue in one place: reaching it, cancelling jobs by name, one-off jobs by name.

Every job is named after what it is for (a chat's daily question, a round's deadline...), so
scheduling under a name first cancels any job already under it: re-scheduling replaces, a
restart or a repeated trigger never doubles a job, and tests find a job by name and run it.

A job's name is also its APScheduler id, so finding or cancelling one is a dictionary lookup:
PTB's `get_jobs_by_name` walks every job, which made scheduling all daily subscriptions at
start-up quadratic (1,000 chats: 0.99 s before, 0.10 s by id).

Every job name is spelt here, once: the services know nothing of jobs.
"""

from __future__ import annotations

import contextlib
from datetime import time
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from telegram.ext import JobQueue

from bot.tg.state import AnyApp, TutorContext

__all__ = [
    "GAP_PRUNE_JOB",
    "HEARTBEAT_JOB",
    "REMINDER_JOB",
    "JobCallback",
    "cancel",
    "daily_catch_up_job",
    "daily_job",
    "daily_retry_job",
    "group_count_job",
    "group_deadline_job",
    "group_next_job",
    "group_show_job",
    "job_queue",
    "run_daily",
    "run_once",
    "run_repeating",
    "scheduled",
]

JobCallback = Any  # PTB's JobCallback[TutorContext]; not worth spelling out

# --- job names -----------------------------------------------------------------------------------
# One job per name: a chat's daily question, a round's deadline... scheduling again replaces it.

REMINDER_JOB = "streak-reminders"
HEARTBEAT_JOB = "heartbeat"
GAP_PRUNE_JOB = "gap-queue-prune"


def daily_job(chat_id: int) -> str:
    """The chat's daily question, every day at its send time."""
    return f"daily:{chat_id}"


def daily_catch_up_job(chat_id: int) -> str:
    """Today's daily question, sent late (the bot was down when it was due)."""
    return f"daily-catch-up:{chat_id}"


def daily_retry_job(chat_id: int) -> str:
    """Today's daily question again, after a send that may succeed later."""
    return f"daily-retry:{chat_id}"


def group_deadline_job(round_id: int) -> str:
    """A group quiz round's deadline."""
    return f"group-round:{round_id}"


def group_next_job(session_id: int) -> str:
    """A group quiz session's next question, after the pause that shows the reveal."""
    return f"group-next:{session_id}"


def group_count_job(round_id: int) -> str:
    """A round's trailing "answered" count edit, so the last taps of a burst show."""
    return f"group-count:{round_id}"


def group_show_job(chat_id: int) -> str:
    """The reveals and tables a crash kept from a group."""
    return f"group-show:{chat_id}"


def job_queue(app: AnyApp) -> JobQueue[TutorContext]:
    queue = app.job_queue
    if queue is None:  # the job-queue extra is a dependency, so this means a broken install
        raise RuntimeError("python-telegram-bot was installed without its job queue")
    return queue


def _named(name: str, **job_kwargs: Any) -> dict[str, Any]:
    return {"id": name, "replace_existing": True, **job_kwargs}


def cancel(app: AnyApp, *names: str) -> None:
    """Remove the jobs scheduled under any of `names` (none is fine)."""
    scheduler = job_queue(app).scheduler
    for name in names:
        # A one-off job that is running right now is already out of the store.
        with contextlib.suppress(JobLookupError):
            scheduler.remove_job(name)


def scheduled(app: AnyApp, name: str) -> bool:
    """Whether a job called `name` is waiting to run."""
    return job_queue(app).scheduler.get_job(name) is not None


def run_daily(
    app: AnyApp,
    callback: JobCallback,
    at: time,
    *,
    name: str,
    chat_id: int,
    grace_seconds: float,
) -> None:
    """Run `callback` every day at `at` (its tzinfo is the zone), as the only job `name`."""
    job_queue(app).run_daily(
        callback,
        time=at,
        name=name,
        chat_id=chat_id,
        job_kwargs=_named(name, misfire_grace_time=grace_seconds),
    )


def run_repeating(
    app: AnyApp, callback: JobCallback, every: float, *, name: str, first: float | None = None
) -> None:
    """Run `callback` every `every` seconds (first after `first`, default `every`), as the only
    job called `name`."""
    job_queue(app).run_repeating(
        callback,
        interval=every,
        first=every if first is None else first,
        name=name,
        job_kwargs=_named(name),
    )


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
    job_queue(app).run_once(
        callback,
        when=max(when, 0.0),
        name=name,
        chat_id=chat_id,
        data=data,
        job_kwargs=_named(name, misfire_grace_time=None) if late_ok else _named(name),
    )
