"""Group quiz rounds on screen: the question, the live count, the reveal, and the jobs between.

The rules and the state live in ``services.group`` (SQLite); this module only shows them and
keeps time. Each round has one deadline job named ``Round.job_name``; re-scheduling under the same
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

Public API:
    TAP_PREFIX, NEXT_ROUND_PAUSE;  tap_data(round_id, position) -> str
    round_text(round, answered, *, correct=None) -> str     round_keyboard(round)
    reveal_text(reveal) -> str;  standings_text(board, title) -> str;  standing_lines(board)
    group_lock(app, chat_id);  show_round(app, round)
    finish_round(app, chat_id, round_id);  open_next(app, chat_id, session_id)
    count_changed(app, chat_id, round_id, count);  end_screen(app, chat_id, stopped)
    abandon(app, chat_id);  scheduling.cancel(app, *names);  resume(app, chat_id=None)
    forget(app, chat_id)                                   the chat moved to a new id
    deadline_job_name / next_job_name / count_job_name / show_job_name
"""

from __future__ import annotations

import asyncio
import logging
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, TelegramError

from bot.core.group_round import EDIT_INTERVAL, TOP, Leaderboard, should_edit_count
from bot.services import Services
from bot.services.group import Reveal, Round, Session, Stopped
from bot.tg import scheduling
from bot.tg.keyboards import label
from bot.tg.outbox import outbox_of
from bot.tg.render import MESSAGE_LIMIT, esc, fit, plural, units
from bot.tg.send import edit_text, is_cannot_post
from bot.tg.state import AnyApp, TutorContext, app_state

log = logging.getLogger(__name__)

TAP_PREFIX = "gt:"
# Time to read the reveal before the next question replaces it at the bottom of the chat.
NEXT_ROUND_PAUSE = 5.0
LETTERS = string.ascii_uppercase
# Long name lists are cut here: a reveal must stay one readable message in a big group.
MAX_NAMES = 30
_LIVE_KEY = "group_quiz"
FINAL_TITLE = "🏁 Final standings"
# The place of the live count edits in a group's round-robin of members (bot.tg.outbox).
_COUNT_TURN = "live count"
T = TypeVar("T")

# A message for the group: its HTML and the message it answers (None: none).
Post = tuple[str, int | None]


def tap_data(round_id: int, position: int) -> str:
    """Callback data of an answer button; the server checks round, chat and position."""
    return f"{TAP_PREFIX}{round_id}:{position}"


def deadline_job_name(round_id: int) -> str:
    """The same name as ``Round.job_name``, for when only the id is at hand."""
    return f"group-round:{round_id}"


def next_job_name(session_id: int) -> str:
    return f"group-next:{session_id}"


def count_job_name(round_id: int) -> str:
    return f"group-count:{round_id}"


def show_job_name(chat_id: int) -> str:
    return f"group-show:{chat_id}"


# --- what the group sees (pure) ------------------------------------------------------------------


def round_text(round_: Round, answered: int, *, correct: int | None = None) -> str:
    """The question message; with ``correct`` (a display position) it is the closed version."""
    lines = [
        f"<b>Question {round_.number} of {round_.total}</b>",
        "",
        fit(round_.question.question, 1000),
        "",
    ]
    for position, option in enumerate(round_.options):
        mark = "✅ " if correct == position else ""
        lines.append(f"{mark}{LETTERS[position]}) {fit(option, 300)}")
    lines.append("")
    if correct is None:
        lines.append(f"⏱ {round_.seconds} s to answer · {answered} answered")
    else:
        lines.append(f"⏹ Closed · {answered} answered")
    return "\n".join(lines)


def round_keyboard(round_: Round) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label(f"{LETTERS[position]}) {option}"),
                    callback_data=tap_data(round_.id, position),
                )
            ]
            for position, option in enumerate(round_.options)
        ]
    )


def _names(names: list[str]) -> str:
    shown = ", ".join(esc(name) for name in names[:MAX_NAMES])
    more = len(names) - MAX_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def _cut(text: str) -> str:
    """Drop whole trailing lines until the HTML fits (cutting inside a tag would break it)."""
    lines = text.split("\n")
    while units("\n".join(lines)) > MESSAGE_LIMIT and len(lines) > 1:
        lines.pop()
    return "\n".join(lines)


def standing_lines(board: Leaderboard, *, everyone: bool = True) -> list[str]:
    """The top five, then (optionally) everyone else's place on one line."""
    lines = [
        f"{'🥇🥈🥉'[s.place - 1] if s.place <= 3 else f'{s.place}.'} {esc(s.name)} — "
        f"{plural(s.points, 'point')}"
        for s in board.top
    ]
    rest = board.standings[TOP:]
    if everyone and rest:
        places = [f"{s.place}. {esc(s.name)} ({s.points})" for s in rest[:MAX_NAMES]]
        more = len(rest) - MAX_NAMES
        lines.append(
            "Everyone else: " + ", ".join(places) + (f" and {more} more" if more > 0 else "")
        )
    return lines


def standings_text(board: Leaderboard, title: str) -> str:
    """A leaderboard message under a bold title (plain text, escaped here)."""
    lines = [f"<b>{esc(title)}</b>", ""]
    if board.standings:
        lines += standing_lines(board)
    else:
        lines.append("Nobody answered, so there is no table this time.")
    return _cut("\n".join(lines))


def reveal_text(reveal: Reveal) -> str:
    """The answer, the explanation, who was right and the fastest; standings so far if not over."""
    position = reveal.correct_position
    answer = (
        f"{LETTERS[position]}) {fit(reveal.correct_text, 300)}"
        if position is not None
        else fit(reveal.correct_text, 300)
    )
    lines = [f"<b>Answer to question {reveal.number} of {reveal.total}:</b> {answer}"]
    if reveal.trap is not None:
        trap, why = reveal.trap
        lines.append(f"🤔 <b>Most picked wrong answer:</b> {fit(trap, 300)} — {fit(why, 400)}")
    if reveal.explanation:
        lines.append(f"<i>{fit(reveal.explanation, 1000)}</i>")
    lines.append("")
    right = reveal.right
    wrong = [r for r in reveal.results if not r.correct]
    if not reveal.results:
        lines.append("Nobody answered this one.")
    else:
        if right:
            scored = [f"{r.name} +{r.points}" for r in right]
            lines.append(f"✅ Right ({len(right)}): {_names(scored)}")
        else:
            lines.append("✅ Nobody got it right.")
        if wrong:
            lines.append(f"❌ Wrong ({len(wrong)}): {_names([r.name for r in wrong])}")
        if reveal.fastest is not None:
            fastest = reveal.fastest
            lines.append(f"⚡ Fastest: {esc(fastest.name)} in {fastest.seconds:.1f} s")
    if not reveal.session_over and reveal.standings.standings:
        lines += ["", "<b>Standings so far</b>", *standing_lines(reveal.standings, everyone=False)]
    if not reveal.session_over:
        lines += ["", "Next question in a few seconds…"]
    return _cut("\n".join(lines))


# --- per-group memory ----------------------------------------------------------------------------


@dataclass
class _Live:
    """What one group's screen shows now; rebuilt from the database after a restart."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    round: Round | None = None  # the open round on screen (message_id set), None between rounds
    shown: int = 0  # the count the question message shows
    latest: int = 0  # the newest count a tap reported
    last_edit: float | None = None  # the services' clock (epoch seconds) at the last count edit
    count_queued: bool = False  # a count edit waits in the group's queue


def _live(app: AnyApp, chat_id: int) -> _Live:
    # chat_data is PTB's per-chat dict (a defaultdict behind a read-only view).
    data: dict[Any, Any] = app.chat_data[chat_id]
    live = data.get(_LIVE_KEY)
    if not isinstance(live, _Live):
        live = data[_LIVE_KEY] = _Live()
    return live


def group_lock(app: AnyApp, chat_id: int) -> asyncio.Lock:
    """Held by whatever changes the group's quiz screen; not re-entrant."""
    return _live(app, chat_id).lock


def _services(app: AnyApp) -> Services:
    return app_state(app).open_services()


def _seconds(app: AnyApp) -> float:
    """Now on the services' clock, so tests that hold the clock still get exact throttling."""
    return _services(app).context.now(None).timestamp()


def _schedule(app: AnyApp, callback: Any, when: float, name: str, data: int, chat_id: int) -> None:
    """One job per name: scheduling again replaces the earlier one."""
    scheduling.run_once(app, callback, when, name=name, chat_id=chat_id, data=data)


# --- the round lifecycle -------------------------------------------------------------------------


async def show_round(app: AnyApp, round_: Round) -> None:
    """Send a round's question with its buttons and start its deadline (caller holds the lock)."""
    services = _services(app)
    live = _live(app, round_.chat_id)
    # The deadline first: if sending fails the round still closes and the session moves on.
    remaining = round_.remaining(services.context.now(None))
    _schedule(app, _deadline_job, remaining, round_.job_name, round_.id, round_.chat_id)
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
    services = _services(app)
    stopped = await services.group.stop_session(chat_id, 0, True)
    # Nothing can be shown there: a restart must not try again (and again).
    await services.group.give_up_showing(chat_id)
    if isinstance(stopped, Stopped):
        names = [next_job_name(stopped.session.id)]
        if stopped.reveal is not None:
            names += [
                deadline_job_name(stopped.reveal.round_id),
                count_job_name(stopped.reveal.round_id),
            ]
        scheduling.cancel(app, *names)
    _live(app, chat_id).round = None


async def _quiz(app: AnyApp, chat_id: int, request: Callable[[], Awaitable[T]]) -> T:
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
    elif not scheduling.scheduled(app, count_job_name(round_id)):
        # A trailing edit, so the last taps of a burst still show up.
        wait = EDIT_INTERVAL - (now - (live.last_edit or now))
        _schedule(app, _count_job, wait, count_job_name(round_id), round_id, chat_id)


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
        scheduling.cancel(app, deadline_job_name(round_id), count_job_name(round_id))
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
                next_job_name(reveal.session_id),
                reveal.session_id,
                chat_id,
            )
        posts = [await _reveal_post(app, reveal, round_)]
        if reveal.session_over:
            posts.append((standings_text(reveal.standings, FINAL_TITLE), None))
        await _send(app, chat_id, posts, partial(_confirm, app, reveal, reveal.session_over))


async def _confirm(
    app: AnyApp, reveal: Reveal | None, announced: bool, session_id: int = 0
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
    error is raised so the error handler moves the group's data and jobs (bot.tg.migration)."""
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
    scheduling.cancel(app, next_job_name(stopped.session.id))
    reveal = stopped.reveal
    posts: list[Post] = []
    shown: Reveal | None = None
    if reveal is not None:
        scheduling.cancel(app, deadline_job_name(reveal.round_id), count_job_name(reveal.round_id))
        round_ = live.round if live.round and live.round.id == reveal.round_id else None
        live.round = None
        if reveal.closed_now:
            posts.append(await _reveal_post(app, reveal, round_))
            shown = reveal
    posts.append((standings_text(stopped.standings, _table_title(stopped.session)), None))
    await _send(app, chat_id, posts, partial(_confirm, app, shown, True, stopped.session.id))


def _table_title(session: Session) -> str:
    if session.state == "finished":
        return FINAL_TITLE
    played = session.round_number
    return f"⏹ Quiz stopped after question {played} of {session.questions}"


async def _show_unshown(app: AnyApp, chat_id: int) -> None:
    """Post what a crash kept from the group: reveals of closed rounds (taking their buttons
    off) and the tables of ended sessions, oldest first. The caller holds the group's lock."""
    group = _services(app).group
    for reveal in await group.unrevealed(chat_id):
        log.info("group %s: showing the reveal of round %s late", chat_id, reveal.round_id)
        posts = [await _reveal_post(app, reveal, None)]
        await _send(app, chat_id, posts, partial(group.confirm_revealed, reveal.round_id))
    for announcement in await group.unannounced(chat_id):
        table = standings_text(announcement.standings, _table_title(announcement.session))
        shown = partial(group.confirm_announced, announcement.session.id)
        await _send(app, chat_id, [(table, None)], shown)


async def open_next(app: AnyApp, chat_id: int, session_id: int) -> None:
    """Show the session's next question; nothing if it is over or its question is already up."""
    live = _live(app, chat_id)
    async with live.lock:
        # Run by hand (a test, or resume) while a scheduled twin waits: one is enough.
        scheduling.cancel(app, next_job_name(session_id))
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
        scheduling.cancel(app, count_job_name(live.round.id))
    app.drop_chat_data(chat_id)


async def resume(app: AnyApp, chat_id: int | None = None) -> None:
    """After a restart: deadlines for open rounds (due ones close at once), next questions for
    sessions that were between rounds. Runs in post_init; the jobs start with the application.

    With `chat_id`, only that chat's (after it moved to a new id: the jobs are re-aimed there).
    """
    services = _services(app)
    now = services.context.now(None)
    # Reveals and tables a crash kept from the groups, shown as soon as the bot runs.
    unshown = {r.chat_id for r in await services.group.unrevealed(chat_id)}
    unshown |= {a.session.chat_id for a in await services.group.unannounced(chat_id)}
    for chat in unshown:
        _schedule(app, _show_job, 0, show_job_name(chat), chat, chat)
    for round_ in await services.group.open_rounds(now):
        if chat_id is not None and round_.chat_id != chat_id:
            continue
        if round_.message_id is None:
            # It crashed between opening the round and sending it: send it now.
            _schedule(
                app,
                _next_job,
                0,
                next_job_name(round_.session_id),
                round_.session_id,
                round_.chat_id,
            )
            continue
        _live(app, round_.chat_id).round = round_
        _schedule(
            app, _deadline_job, round_.remaining(now), round_.job_name, round_.id, round_.chat_id
        )
    for session in await services.group.idle_sessions():
        if chat_id is None or session.chat_id == chat_id:
            _schedule(app, _next_job, 0, next_job_name(session.id), session.id, session.chat_id)
