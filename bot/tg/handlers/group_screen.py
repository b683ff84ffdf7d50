"""Group quiz rounds on screen: the question, the live count, the reveal, and the jobs between.

The rules and the state live in ``services.group`` (SQLite); this module only shows them and
keeps time (`bot.tg.views.group_rounds` draws it). Each round has one deadline job named
``scheduling.group_deadline_job``; re-scheduling under the same
name replaces it, so a restart or a double trigger never runs a round twice. Everything that
changes a group's screen (showing a question, closing it, opening the next) runs under that
group's lock. Every request into the group goes through its outbox (bot.tg.outbox): quiz posts
ahead of chatter; live count edits take turns with the members and check, when their turn
comes, that the round is still open, so one can never land after the close and bring the answer
buttons back (the closing edit is queued behind any count edit already waiting).

Closing a round (in the database) and showing it are two steps; the reveal and the final table
are recorded as shown only once Telegram accepted them. After a restart nothing in memory
survives: ``resume`` (called from ``post_init``) shows what a crash kept from each group (the
reveal of every closed round not recorded as shown, its buttons taken off, and the table of
every ended session), re-schedules the deadline of every open round (at once if it has passed)
and the next question of every session that was between rounds (after its last reveal).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from telegram.error import BadRequest, ChatMigrated, TelegramError

from bot.core.group_round import EDIT_INTERVAL, should_edit_count
from bot.services import Services
from bot.services.group import Reveal, Round, Stopped
from bot.tg import scheduling
from bot.tg.memory import GroupScreen
from bot.tg.outbox import outbox_of
from bot.tg.scheduling import group_count_job, group_deadline_job, group_next_job, group_show_job
from bot.tg.send import edit_text, is_cannot_post
from bot.tg.state import AnyApp, TutorContext, app_state
from bot.tg.views.group_rounds import (
    FINAL_TITLE,
    reveal_text,
    round_keyboard,
    round_text,
    standings_text,
    table_title,
)

__all__ = [
    "NEXT_ROUND_PAUSE",
    "Post",
    "abandon",
    "count_changed",
    "end_screen",
    "finish_round",
    "forget",
    "group_lock",
    "open_next",
    "resume",
    "show_round",
]

log = logging.getLogger(__name__)

# Time to read the reveal before the next question replaces it at the bottom of the chat.
NEXT_ROUND_PAUSE = 5.0
# The place of the live count edits in a group's round-robin of members (bot.tg.outbox).
_COUNT_TURN = "live count"
_T = TypeVar("_T")

# A message for the group: its HTML and the message it answers (None: none).
Post = tuple[str, int | None]


# --- per-group memory ----------------------------------------------------------------------------


def _live(app: AnyApp, chat_id: int) -> GroupScreen:
    return app_state(app).groups.of(chat_id)


def group_lock(app: AnyApp, chat_id: int) -> asyncio.Lock:
    """Held by whatever changes the group's quiz screen; not re-entrant."""
    return _live(app, chat_id).lock


def _services(app: AnyApp) -> Services:
    return app_state(app).open_services()


def _seconds(app: AnyApp) -> float:
    """Now on the services' clock, so tests that hold the clock still get exact throttling."""
    return _services(app).context.now().timestamp()


def _schedule(app: AnyApp, callback: Any, when: float, name: str, data: int, chat_id: int) -> None:
    """One job per name: scheduling again replaces the earlier one."""
    scheduling.run_once(app, callback, when, name=name, chat_id=chat_id, data=data)


# --- the round lifecycle -------------------------------------------------------------------------


async def show_round(app: AnyApp, round_: Round) -> None:
    """Send a round's question with its buttons and start its deadline (caller holds the lock)."""
    services = _services(app)
    live = _live(app, round_.chat_id)
    # The deadline first: if sending fails the round still closes and the session moves on.
    remaining = round_.remaining(services.context.now())
    _schedule(
        app, _deadline_job, remaining, group_deadline_job(round_.id), round_.id, round_.chat_id
    )
    try:
        message = await _quiz(
            app,
            round_.chat_id,
            lambda: app.bot.send_message(
                round_.chat_id, round_text(round_, 0), reply_markup=round_keyboard(round_)
            ),
        )
    except TelegramError as error:
        if not is_cannot_post(error):
            raise
        await abandon(app, round_.chat_id)
        return
    await services.group.attach_message(round_.id, message.message_id)
    live.round = replace(round_, message_id=message.message_id)
    live.shown = live.latest = 0
    live.last_edit = None


async def abandon(app: AnyApp, chat_id: int) -> None:
    """The bot may no longer post in the group: end its session instead of playing to nobody."""
    log.warning("group %s: not allowed to post; stopping its quiz", chat_id)
    # Nothing can be shown there: the service also counts its reveals and tables as shown, so a
    # restart does not try again (and again).
    stopped = await _services(app).group.abort(chat_id)
    if stopped is not None:
        names = [group_next_job(stopped.session.id)]
        if stopped.reveal is not None:
            names += [
                group_deadline_job(stopped.reveal.round_id),
                group_count_job(stopped.reveal.round_id),
            ]
        scheduling.cancel(app, *names)
    _live(app, chat_id).round = None


async def _quiz(app: AnyApp, chat_id: int, request: Callable[[], Awaitable[_T]]) -> _T:
    """Run a request of the group's quiz ahead of its chatter (bot.tg.outbox) and return its
    result; `request` must call the Bot API directly."""
    outbox = outbox_of(app.bot)
    return await (outbox.quiz(chat_id, request) if outbox is not None else request())


async def _edit_question(
    app: AnyApp, round_: Round, text: str, *, keep_buttons: bool, queued: bool = True
) -> None:
    """Edit the question message, through the group's quiz queue unless `queued` is False
    (the caller already runs in that queue)."""
    message_id = round_.message_id
    if message_id is None:
        return
    markup = round_keyboard(round_) if keep_buttons else None

    async def edit() -> None:
        await edit_text(app.bot, round_.chat_id, message_id, text, markup)

    try:
        await (_quiz(app, round_.chat_id, edit) if queued else edit())
    except (BadRequest, ChatMigrated) as error:
        # Deleted by an admin, or left behind in a group that became a supergroup: that
        # should not stop the game.
        log.info("round %s: could not edit its message (%s)", round_.id, error.message)


async def count_changed(app: AnyApp, chat_id: int, round_id: int, count: int) -> None:
    """A tap was accepted: show the new count now, or soon if the last edit was too recent."""
    live = _live(app, chat_id)
    live.latest = max(live.latest, count)
    now = _seconds(app)
    if should_edit_count(live.last_edit, now):
        await _edit_count(app, chat_id, round_id)
    elif not scheduling.scheduled(app, group_count_job(round_id)):
        # A trailing edit, so the last taps of a burst still show up.
        wait = EDIT_INTERVAL - (now - (live.last_edit or now))
        _schedule(app, _count_job, wait, group_count_job(round_id), round_id, chat_id)


async def _edit_count(app: AnyApp, chat_id: int, round_id: int) -> None:
    """Queue one count edit, which takes its turn among the members' chatter (a count edit
    every few seconds would otherwise use the group's whole allowance during a round)."""
    live = _live(app, chat_id)
    outbox = outbox_of(app.bot)
    if outbox is None:
        async with live.lock:
            await _show_count(app, chat_id, round_id)
        return
    if live.count_queued:
        return  # the queued edit shows the latest count when its turn comes
    live.count_queued = outbox.post(
        chat_id, _COUNT_TURN, lambda: _show_count(app, chat_id, round_id)
    )


async def _show_count(app: AnyApp, chat_id: int, round_id: int) -> None:
    # Runs in the group's queue, which also carries the closing edit: a round closed before
    # this turn came has `live.round` cleared already, and a closing edit queued after this one
    # lands after it, so the answer buttons never come back.
    live = _live(app, chat_id)
    live.count_queued = False
    round_ = live.round
    if round_ is None or round_.id != round_id or live.latest == live.shown:
        return  # closed meanwhile (its buttons are gone for good), or nothing new
    count = live.latest
    live.last_edit = _seconds(app)
    await _edit_question(app, round_, round_text(round_, count), keep_buttons=True, queued=False)
    live.shown = count


async def finish_round(app: AnyApp, chat_id: int, round_id: int) -> None:
    """Close a round (deadline, or everyone answered): reveal it, then the next or the end."""
    services = _services(app)
    live = _live(app, chat_id)
    async with live.lock:
        reveal = await services.group.close_round(round_id)
        scheduling.cancel(app, group_deadline_job(round_id), group_count_job(round_id))
        if reveal is None or not reveal.closed_now:
            return  # a second trigger (the deadline after an early close): already shown
        round_ = live.round if live.round and live.round.id == round_id else None
        live.round = None
        if not reveal.session_over:
            # Scheduled before anything is sent, so a failed send cannot stall the session.
            _schedule(
                app,
                _next_job,
                NEXT_ROUND_PAUSE,
                group_next_job(reveal.session_id),
                reveal.session_id,
                chat_id,
            )
        posts = [await _reveal_post(app, reveal, round_)]
        if reveal.session_over:
            posts.append((standings_text(reveal.standings, FINAL_TITLE), None))
        await _send(
            app, chat_id, posts, partial(_confirm, app, reveal, announced=reveal.session_over)
        )


async def _confirm(
    app: AnyApp, reveal: Reveal | None, *, announced: bool, session_id: int = 0
) -> None:
    """Record that the group was shown the reveal (and the session's final table)."""
    group = _services(app).group
    if reveal is not None:
        await group.confirm_revealed(reveal.round_id)
    if announced:
        await group.confirm_announced(reveal.session_id if reveal is not None else session_id)


async def _reveal_post(app: AnyApp, reveal: Reveal, round_: Round | None) -> Post:
    """Take the buttons off the question (marking the right option); the reveal to post."""
    if round_ is None:  # after a restart the round is only in the database
        round_ = await _services(app).group.get_round(reveal.round_id)
    if round_ is not None:
        closed = round_text(round_, len(reveal.results), correct=reveal.correct_position)
        await _edit_question(app, round_, closed, keep_buttons=False)
    return reveal_text(reveal), round_.message_id if round_ is not None else None


async def _send(
    app: AnyApp,
    chat_id: int,
    posts: list[Post],
    shown: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Post in order, then record them as shown (`shown`). A group that refuses the bot ends
    its session. A group that moved to a new id (ChatMigrated) gets the rest there, then the
    error is raised so the error handler moves the group's data and jobs
    (bot.tg.handlers.migration)."""
    target = chat_id
    moved: ChatMigrated | None = None
    for html, reply_to in posts:
        try:
            answer_to = reply_to if moved is None else None
            await _quiz(
                app,
                chat_id,
                partial(app.bot.send_message, target, html, reply_to_message_id=answer_to),
            )
        except ChatMigrated as error:
            if moved is not None:
                raise
            moved, target = error, error.new_chat_id
            await _quiz(app, chat_id, partial(app.bot.send_message, target, html))
        except TelegramError as error:
            if not is_cannot_post(error):
                raise
            await abandon(app, chat_id)
            return
    if shown is not None:
        await shown()
    if moved is not None:
        raise moved


async def end_screen(app: AnyApp, chat_id: int, stopped: Stopped) -> None:
    """After /stopquiz ended the session (caller holds the lock): cancel its jobs, reveal the
    interrupted round, post the standings."""
    live = _live(app, chat_id)
    scheduling.cancel(app, group_next_job(stopped.session.id))
    reveal = stopped.reveal
    posts: list[Post] = []
    shown: Reveal | None = None
    if reveal is not None:
        scheduling.cancel(
            app, group_deadline_job(reveal.round_id), group_count_job(reveal.round_id)
        )
        round_ = live.round if live.round and live.round.id == reveal.round_id else None
        live.round = None
        if reveal.closed_now:
            posts.append(await _reveal_post(app, reveal, round_))
            shown = reveal
    posts.append((standings_text(stopped.standings, table_title(stopped.session)), None))
    await _send(
        app,
        chat_id,
        posts,
        partial(_confirm, app, shown, announced=True, session_id=stopped.session.id),
    )


async def _show_unshown(app: AnyApp, chat_id: int) -> None:
    """Post what a crash kept from the group: reveals of closed rounds (taking their buttons
    off) and the tables of ended sessions, oldest first. The caller holds the group's lock."""
    group = _services(app).group
    for reveal in await group.unrevealed(chat_id):
        log.info("group %s: showing the reveal of round %s late", chat_id, reveal.round_id)
        posts = [await _reveal_post(app, reveal, None)]
        await _send(app, chat_id, posts, partial(group.confirm_revealed, reveal.round_id))
    for announcement in await group.unannounced(chat_id):
        table = standings_text(announcement.standings, table_title(announcement.session))
        shown = partial(group.confirm_announced, announcement.session.id)
        await _send(app, chat_id, [(table, None)], shown)


async def open_next(app: AnyApp, chat_id: int, session_id: int) -> None:
    """Show the session's next question; nothing if it is over or its question is already up."""
    live = _live(app, chat_id)
    async with live.lock:
        # Run by hand (a test, or resume) while a scheduled twin waits: one is enough.
        scheduling.cancel(app, group_next_job(session_id))
        # The previous round's reveal first, if a crash or a failed send kept it back.
        await _show_unshown(app, chat_id)
        round_ = await _services(app).group.open_round(session_id)
        if round_ is None:
            return  # stopped or finished meanwhile; whoever ended it showed the standings
        if round_.message_id is not None:
            # Already on screen (a repeated job): keep its deadline, send nothing twice.
            if live.round is None:
                live.round = round_
            return
        await show_round(app, round_)


# --- job callbacks -------------------------------------------------------------------------------


def _job_target(context: TutorContext) -> tuple[int, int] | None:
    job = context.job
    if job is None or job.chat_id is None or not isinstance(job.data, int):
        return None
    return job.chat_id, job.data


async def _deadline_job(context: TutorContext) -> None:
    target = _job_target(context)
    if target is not None:
        await finish_round(context.application, *target)


async def _next_job(context: TutorContext) -> None:
    target = _job_target(context)
    if target is not None:
        await open_next(context.application, *target)


async def _show_job(context: TutorContext) -> None:
    job = context.job
    if job is not None and job.chat_id is not None:
        async with group_lock(context.application, job.chat_id):
            await _show_unshown(context.application, job.chat_id)


async def _count_job(context: TutorContext) -> None:
    target = _job_target(context)
    if target is not None:
        await _edit_count(context.application, *target)


def forget(app: AnyApp, chat_id: int) -> None:
    """Drop what this process remembers of a chat's screen (it moved to a new id)."""
    live = _live(app, chat_id)
    if live.round is not None:
        scheduling.cancel(app, group_count_job(live.round.id))
    app_state(app).groups.drop(chat_id)


async def resume(app: AnyApp, chat_id: int | None = None) -> None:
    """After a restart: deadlines for open rounds (due ones close at once), next questions for
    sessions that were between rounds. Runs in post_init; the jobs start with the application.

    With `chat_id`, only that chat's (after it moved to a new id: the jobs are re-aimed there).
    """
    services = _services(app)
    now = services.context.now()
    # Reveals and tables a crash kept from the groups, shown as soon as the bot runs.
    unshown = {r.chat_id for r in await services.group.unrevealed(chat_id)}
    unshown |= {a.session.chat_id for a in await services.group.unannounced(chat_id)}
    for chat in unshown:
        _schedule(app, _show_job, 0, group_show_job(chat), chat, chat)
    for round_ in await services.group.open_rounds():
        if chat_id is not None and round_.chat_id != chat_id:
            continue
        if round_.message_id is None:
            # It crashed between opening the round and sending it: send it now.
            _schedule(
                app,
                _next_job,
                0,
                group_next_job(round_.session_id),
                round_.session_id,
                round_.chat_id,
            )
            continue
        _live(app, round_.chat_id).round = round_
        _schedule(
            app,
            _deadline_job,
            round_.remaining(now),
            group_deadline_job(round_.id),
            round_.id,
            round_.chat_id,
        )
    for session in await services.group.idle_sessions():
        if chat_id is None or session.chat_id == chat_id:
            _schedule(app, _next_job, 0, group_next_job(session.id), session.id, session.chat_id)
