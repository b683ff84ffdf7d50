"""Group quiz use cases: sessions of timed rounds that a whole group answers, with Kahoot points.

The adapter drives the clock: it sends each round's question, schedules a job for the round's
deadline, and calls ``close_round`` when the job fires or when a tap
reports ``all_answered``; after showing the ``Reveal`` it calls ``open_round`` for the next
question until that returns None (then the last ``Reveal.standings`` are the final ones).
Everything lives in SQLite, so after a restart ``open_rounds()`` gives the rounds to resume (their
deadline may already have passed: close them at once) and ``idle_sessions()`` the sessions that
were between a reveal and their next question.

Rules (see ``bot.core.group_round`` for arguments, scoring and early close):
- Only group admins start a session unless the group's ``anyone_can_start`` setting is on
  (admins change it). One running session per group; a second start is refused with the
  first one's status. The starter or an admin may stop it.
- Each member answers a round once; later taps report the first choice and change nothing. A
  member who joins mid-session may answer. Taps never say right or wrong; the reveal does.
- Every group answer also counts for the member's personal streak and spaced-repetition card,
  through the same rule and writer as a private quiz answer (``bot.core.progress.apply_answer``,
  ``bot.storage.quiz.save_answers``).
- ``close_round`` is idempotent: the first call scores the round into the all-time table, later
  calls return an equal ``Reveal`` (``closed_now`` False) and change nothing.

When the group refuses the bot (it was removed, or may not post), ``abort`` ends its session
without a presser and counts everything as shown, since nothing can be shown there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import aiosqlite

from bot.core import group_focus as focus
from bot.core import group_round as rules
from bot.core import quiz as quiz_rules
from bot.core.clock import local_date
from bot.core.content import Difficulty, QuizQuestion
from bot.core.group_round import Leaderboard, TapStatus
from bot.core.progress import apply_answer
from bot.services.context import ServiceContext
from bot.storage import group as group_db
from bot.storage import group_record as record_db
from bot.storage import quiz as quiz_db
from bot.storage.group import GroupAnswerRow, RoundRow, SessionRow

__all__ = [
    "NAME_LIMIT",
    "Announcement",
    "GroupService",
    "GroupSettings",
    "PlayerResult",
    "RefusalReason",
    "Refused",
    "Reveal",
    "Round",
    "Session",
    "Started",
    "Stopped",
    "TapResult",
    "TopicScore",
    "TopicStanding",
]

# Telegram caps a first name at 64 characters; longer "names" are someone's joke.
NAME_LIMIT = 64


class RefusalReason(StrEnum):
    PRIVATE_CHAT = "private_chat"
    ALREADY_RUNNING = "already_running"
    NOT_ALLOWED = "not_allowed"
    BAD_ARGS = "bad_args"
    NO_QUESTIONS = "no_questions"
    NO_SESSION = "no_session"


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    chat_id: int
    starter_id: int
    questions: int  # rounds planned
    seconds: int  # per round
    difficulty: str | None  # None: every level
    state: str  # running | finished | stopped
    round_number: int  # the latest round opened; 0 before the first

    @property
    def status(self) -> str:
        """ "round 2 of 5", for the message refusing a second start."""
        return rules.status_text(max(self.round_number, 1), self.questions)


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    session_id: int
    chat_id: int
    number: int
    total: int
    seconds: int
    question: QuizQuestion
    options: tuple[str, ...]  # display order; a button's position is its index here
    opened_at: datetime
    deadline: datetime
    message_id: int | None

    def remaining(self, now: datetime) -> float:
        """Seconds until the deadline; 0 when it has passed (close the round at once)."""
        return max((self.deadline - now).total_seconds(), 0.0)


@dataclass(frozen=True, slots=True)
class Started:
    session: Session
    round: Round
    notes: tuple[str, ...]  # clamped arguments, fewer questions than asked, in plain words


@dataclass(frozen=True, slots=True)
class Refused:
    reason: RefusalReason
    text: str  # fit to show the group as it is
    session: Session | None = None  # the running session, when there is one


@dataclass(frozen=True, slots=True)
class TapResult:
    status: TapStatus
    answered_count: int = 0  # answers in the round so far, for the live count
    option_text: str | None = None  # accepted: the choice; already_answered: the first choice
    all_answered: bool = False  # every participant has answered: the round may close now

    @property
    def toast(self) -> str:
        return rules.toast_text(self.status, self.option_text)


@dataclass(frozen=True, slots=True)
class PlayerResult:
    user_id: int
    name: str
    option_text: str
    correct: bool
    elapsed_ms: int
    points: int  # this round: speed + streak bonus, 0 if wrong
    streak: int  # right answers in a row after this round

    @property
    def seconds(self) -> float:
        return self.elapsed_ms / 1000


@dataclass(frozen=True, slots=True)
class Reveal:
    round_id: int
    session_id: int
    chat_id: int
    number: int
    total: int
    question_id: str
    correct_text: str
    correct_position: int | None  # None if the question has left the content pack
    explanation: str
    # The wrong option most players picked and why it is wrong; None if nobody erred.
    trap: tuple[str, str] | None
    results: tuple[PlayerResult, ...]  # most points first; nobody who stayed silent
    fastest: PlayerResult | None  # the quickest right answer
    standings: Leaderboard  # the session's standings after this round
    session_over: bool  # no further round: the standings are final
    # Not part of equality: a second close returns an equal Reveal with this False, so the
    # adapter can skip posting it again.
    closed_now: bool = field(default=True, compare=False)

    @property
    def right(self) -> tuple[PlayerResult, ...]:
        return tuple(r for r in self.results if r.correct)

    @property
    def points(self) -> dict[int, int]:
        return {r.user_id: r.points for r in self.results}


@dataclass(frozen=True, slots=True)
class Stopped:
    session: Session
    reveal: Reveal | None  # the round that was open when stopped, closed and scored
    standings: Leaderboard


@dataclass(frozen=True, slots=True)
class Announcement:
    """An ended session whose final standings the group has not been shown."""

    session: Session
    standings: Leaderboard


@dataclass(frozen=True, slots=True)
class GroupSettings:
    chat_id: int
    anyone_can_start: bool


@dataclass(frozen=True, slots=True)
class TopicScore:
    topic_id: str
    title: str
    answered: int
    correct: int


@dataclass(frozen=True, slots=True)
class TopicStanding:
    """What /top says about topics: either side may be empty (not enough evidence)."""

    weakest: tuple[TopicScore, ...]
    strongest: tuple[TopicScore, ...]


def _session(row: SessionRow) -> Session:
    return Session(
        id=row.id,
        chat_id=row.chat_id,
        starter_id=row.starter_id,
        questions=row.questions,
        seconds=row.seconds,
        difficulty=row.difficulty,
        state=row.state,
        round_number=row.rounds_opened,
    )


def _clean_name(name: str, user_id: int) -> str:
    cleaned = " ".join(name.split())[:NAME_LIMIT]
    return cleaned or f"Player {user_id}"


def _elapsed_ms(row: RoundRow, now: datetime) -> int:
    elapsed = (now - row.opened_at) // timedelta(milliseconds=1)
    return min(max(elapsed, 0), row.seconds * 1000)


class GroupService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    # --- helpers over one connection ----------------------------------------------------------

    def _question(self, row: RoundRow) -> QuizQuestion | None:
        return quiz_rules.stored_question(self._ctx.pack, row.question_id, row.option_order)

    def _round(self, row: RoundRow, question: QuizQuestion) -> Round:
        return Round(
            id=row.id,
            session_id=row.session_id,
            chat_id=row.chat_id,
            number=row.number,
            total=row.total,
            seconds=row.seconds,
            question=question,
            options=quiz_rules.displayed_options(
                question, quiz_rules.decode_order(row.option_order)
            ),
            opened_at=row.opened_at,
            deadline=row.deadline,
            message_id=row.message_id,
        )

    def _pool(self, difficulty: Difficulty | None) -> list[str]:
        return [q.id for q in self._ctx.pack.quiz_by_difficulty(difficulty)]

    async def _choose(self, conn: aiosqlite.Connection, session: SessionRow) -> str | None:
        """A question new to this session: never asked in the chat first, else the one asked
        longest ago, so a group playing often meets the whole bank before repeats."""
        used = await group_db.session_question_ids(conn, session.id)
        pool = [q for q in self._pool(session.difficulty) if q not in used]
        if not pool:
            return None
        history = await group_db.chat_question_history(conn, session.chat_id)
        fresh = [q for q in pool if q not in history]
        if fresh:
            return self._ctx.rng.choice(fresh)
        return min(pool, key=lambda q: (history[q], q))

    async def _open(
        self, conn: aiosqlite.Connection, session: SessionRow, now: datetime
    ) -> Round | None:
        if session.state != "running":
            return None
        latest = await group_db.latest_round(conn, session.id)
        if latest is not None and not latest.closed:
            question = self._question(latest)
            if question is not None:
                return self._round(latest, question)
            # Its question left the content pack (a restart with new content): score what was
            # answered and move on rather than leave the session stuck.
            await self._close(conn, latest, now)
            return await self._open(conn, await self._reload(conn, session), now)
        number = (latest.number if latest else 0) + 1
        question_id = await self._choose(conn, session) if number <= session.questions else None
        if question_id is None:
            await group_db.end_session(conn, session.id, "finished", now)
            return None
        question = self._ctx.pack.quiz[question_id]
        order = quiz_rules.shuffled_order(len(question.options), self._ctx.rng)
        round_id = await group_db.insert_round(
            conn,
            session_id=session.id,
            number=number,
            question_id=question_id,
            option_order=quiz_rules.encode_order(order),
            opened_at=now,
            deadline=now + timedelta(seconds=session.seconds),
        )
        row = await group_db.get_round(conn, round_id)
        assert row is not None
        return self._round(row, question)

    async def _reload(self, conn: aiosqlite.Connection, session: SessionRow) -> SessionRow:
        fresh = await group_db.get_session(conn, session.id)
        assert fresh is not None
        return fresh

    async def _standings(
        self, conn: aiosqlite.Connection, session_id: int, up_to: int
    ) -> Leaderboard:
        return rules.rank(await group_db.session_totals(conn, session_id, up_to))

    async def _close(self, conn: aiosqlite.Connection, row: RoundRow, now: datetime) -> Reveal:
        closed_now = await group_db.close_round(conn, row.id, now)
        answers = await group_db.round_answers(conn, row.id)
        if closed_now:
            await group_db.add_scores(conn, row.chat_id, answers, now)
            if row.number >= row.total:
                await group_db.end_session(conn, row.session_id, "finished", now)
        session = await group_db.get_session(conn, row.session_id)
        assert session is not None
        session_over = row.number >= row.total or (
            session.state != "running" and session.rounds_opened == row.number
        )
        question = self._ctx.pack.quiz.get(row.question_id)
        results = sorted(
            (self._result(answer, question) for answer in answers),
            key=lambda r: (-r.points, r.elapsed_ms, r.user_id),
        )
        order = quiz_rules.decode_order(row.option_order)
        fits = question is not None and quiz_rules.order_fits(question, order)
        return Reveal(
            round_id=row.id,
            session_id=row.session_id,
            chat_id=row.chat_id,
            number=row.number,
            total=row.total,
            question_id=row.question_id,
            correct_text=question.options[question.correct_index].text if question else "",
            correct_position=(
                quiz_rules.correct_position(question, order) if question and fits else None
            ),
            explanation=question.explanation if question else "",
            trap=self._trap(question, answers),
            results=tuple(results),
            fastest=rules.fastest(results),
            standings=await self._standings(conn, row.session_id, row.number),
            session_over=session_over,
            closed_now=closed_now,
        )

    @staticmethod
    def _trap(
        question: QuizQuestion | None, answers: list[GroupAnswerRow]
    ) -> tuple[str, str] | None:
        if question is None:
            return None
        index = quiz_rules.most_chosen_wrong(question, (a.option_index for a in answers))
        why = quiz_rules.wrong_choice_why(question, index) if index is not None else None
        return (question.options[index].text, why) if index is not None and why else None

    @staticmethod
    def _result(answer: GroupAnswerRow, question: QuizQuestion | None) -> PlayerResult:
        return PlayerResult(
            user_id=answer.user_id,
            name=answer.display_name,
            option_text=quiz_rules.option_text(question, answer.option_index) if question else "",
            correct=answer.correct,
            elapsed_ms=answer.elapsed_ms,
            points=answer.points,
            streak=answer.streak,
        )

    # --- sessions -----------------------------------------------------------------------------

    async def start_session(
        self,
        chat_id: int,
        starter_id: int,
        args: str | Sequence[str],
        *,
        is_admin: bool,
        private: bool,
    ) -> Started | Refused:
        """Start a session and open its first round, or say why not (nothing is written).
        `private`: the chat is a person's own with the bot, where a group quiz makes no sense."""
        moment = self._ctx.now()
        if private:
            return Refused(RefusalReason.PRIVATE_CHAT, rules.PRIVATE_CHAT_HINT)
        async with self._ctx.db.write() as conn:
            running = await group_db.running_session(conn, chat_id)
            if running is not None:
                session = _session(running)
                return Refused(
                    RefusalReason.ALREADY_RUNNING,
                    f"A quiz is already running: {session.status}. "
                    "The person who started it or an admin can end it with /stopquiz.",
                    session,
                )
            if not is_admin and not await group_db.get_settings(conn, chat_id):
                return Refused(
                    RefusalReason.NOT_ALLOWED,
                    "Only group admins can start a group quiz here. An admin can let everyone "
                    "start one in the group settings.",
                )
            try:
                parsed = rules.parse_args(args)
            except rules.GroupArgsError as exc:
                return Refused(RefusalReason.BAD_ARGS, str(exc))
            notes = list(parsed.notes)
            available = len(self._pool(parsed.difficulty))
            if available == 0:
                level = f"{parsed.difficulty} " if parsed.difficulty else ""
                return Refused(
                    RefusalReason.NO_QUESTIONS, f"There are no {level}questions to play yet."
                )
            questions = parsed.questions
            if available < questions:
                questions = available
                level = f"{parsed.difficulty} " if parsed.difficulty else ""
                notes.append(
                    f"There are only {available} {level}questions, so this quiz has "
                    f"{available} round{'s' if available != 1 else ''}."
                )
            session_id = await group_db.insert_session(
                conn,
                chat_id=chat_id,
                starter_id=starter_id,
                questions=questions,
                seconds=parsed.seconds,
                difficulty=parsed.difficulty,
                now=moment,
            )
            if session_id is None:  # pragma: no cover - the write lock makes the check above win
                return Refused(RefusalReason.ALREADY_RUNNING, "A quiz is already running.")
            row = await group_db.get_session(conn, session_id)
            assert row is not None
            first = await self._open(conn, row, moment)
            assert first is not None  # the pool is not empty and the session is running
            row = await self._reload(conn, row)
        return Started(_session(row), first, tuple(notes))

    async def stop_session(
        self, chat_id: int, user_id: int, *, is_admin: bool
    ) -> Stopped | Refused:
        """End the running session (starter or admin): the open round is closed and scored."""
        async with self._ctx.db.write() as conn:
            running = await group_db.running_session(conn, chat_id)
            if running is None:
                return Refused(RefusalReason.NO_SESSION, "No group quiz is running here.")
            if user_id != running.starter_id and not is_admin:
                return Refused(
                    RefusalReason.NOT_ALLOWED,
                    "Only the person who started this quiz or a group admin can stop it.",
                    _session(running),
                )
            return await self._stop(conn, running)

    async def abort(self, chat_id: int) -> Stopped | None:
        """The group refuses the bot: end its running session (None if there is none), and
        count every reveal and table of the chat as shown, so nobody tries to show them again."""
        async with self._ctx.db.write() as conn:
            running = await group_db.running_session(conn, chat_id)
            stopped = await self._stop(conn, running) if running is not None else None
            await group_db.mark_chat_shown(conn, chat_id, self._ctx.now())
        return stopped

    async def _stop(self, conn: aiosqlite.Connection, running: SessionRow) -> Stopped:
        moment = self._ctx.now()
        # End the session first, so closing its open round reports the session as over.
        await group_db.end_session(conn, running.id, "stopped", moment)
        latest = await group_db.latest_round(conn, running.id)
        reveal = (
            await self._close(conn, latest, moment)
            if latest is not None and not latest.closed
            else None
        )
        standings = await self._standings(conn, running.id, running.rounds_opened)
        row = await self._reload(conn, running)
        return Stopped(_session(row), reveal, standings)

    async def open_round(self, session_id: int) -> Round | None:
        """The next round of a running session (or the one still open, if any); None when the
        session is over (all rounds played, stopped, or the question bank ran dry)."""
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            session = await group_db.get_session(conn, session_id)
            if session is None:
                return None
            return await self._open(conn, session, moment)

    async def running(self, chat_id: int) -> Session | None:
        async with self._ctx.db.read() as conn:
            row = await group_db.running_session(conn, chat_id)
        return _session(row) if row else None

    async def standings(self, session_id: int) -> Leaderboard:
        """The session's standings over every round opened so far."""
        async with self._ctx.db.read() as conn:
            session = await group_db.get_session(conn, session_id)
            if session is None:
                return Leaderboard()
            return await self._standings(conn, session_id, session.rounds_opened)

    # --- rounds -------------------------------------------------------------------------------

    async def tap(
        self,
        round_id: int,
        user_id: int,
        display_name: str,
        position: int,
        *,
        chat_id: int | None = None,
    ) -> TapResult:
        """Record a member's answer once; ``chat_id`` (the tapped message's chat) guards against
        callback data replayed from another chat."""
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            row = await group_db.get_round(conn, round_id)
            if row is None or (chat_id is not None and row.chat_id != chat_id):
                return TapResult(TapStatus.UNKNOWN_ROUND)
            question = self._question(row)
            if question is None:
                return TapResult(TapStatus.UNKNOWN_ROUND)
            count = await group_db.count_answers(conn, round_id)
            if row.closed or moment >= row.deadline:
                return TapResult(TapStatus.ROUND_OVER, count)
            earlier = await group_db.get_answer(conn, round_id, user_id)
            if earlier is not None:
                return TapResult(
                    TapStatus.ALREADY_ANSWERED,
                    count,
                    quiz_rules.option_text(question, earlier.option_index),
                )
            order = quiz_rules.decode_order(row.option_order)
            if not quiz_rules.valid_position(order, position):
                return TapResult(TapStatus.INVALID_POSITION, count)

            graded = quiz_rules.grade(question, order, position)
            elapsed_ms = _elapsed_ms(row, moment)
            streak_before = await group_db.previous_streak(
                conn, row.session_id, row.number, user_id
            )
            scored = rules.score(
                correct=graded.correct,
                elapsed=elapsed_ms / 1000,
                limit=row.seconds,
                streak_before=streak_before,
            )
            learner = await group_db.learner_state(conn, user_id, question.id)
            today = local_date(moment, self._ctx.zone_for(learner.timezone))
            # No hints in a group round: the same rule as a private answer, rated Good or Again.
            progress = apply_answer(
                learner.card_json,
                learner.streak,
                correct=graded.correct,
                hinted=False,
                now=moment,
                today=today,
            )
            # The private quiz's writer, so a group answer lands in cards and streaks the same
            # way; the member row comes first for the answer's foreign key.
            await quiz_db.save_answers(
                conn,
                new_users=[(user_id, False, moment)],
                answers=[],
                cards=[
                    quiz_db.CardUpdate(
                        user_id,
                        question.id,
                        progress.reviewed.card_json,
                        progress.reviewed.due,
                        reviews=1,
                        lapses=int(not graded.correct),
                    )
                ],
                streaks=[(user_id, progress.after)] if progress.after != progress.before else [],
            )
            inserted = await group_db.insert_answer(
                conn,
                GroupAnswerRow(
                    round_id=round_id,
                    user_id=user_id,
                    display_name=_clean_name(display_name, user_id),
                    position=position,
                    option_index=graded.chosen_index,
                    correct=graded.correct,
                    elapsed_ms=elapsed_ms,
                    points=scored.points,
                    streak=scored.streak,
                    difficulty=question.difficulty,
                    answered_at=moment,
                    local_date=today,
                ),
            )
            if not inserted:  # pragma: no cover - the write lock and the check above prevent it
                raise RuntimeError(f"tap on round {round_id} by {user_id} raced past the lock")
            answered = await group_db.answered_users(conn, round_id)
            known = await group_db.participants(conn, row.session_id, row.number)
        return TapResult(
            TapStatus.ACCEPTED,
            len(answered),
            graded.chosen_text,
            rules.all_answered(known, answered),
        )

    async def close_round(self, round_id: int) -> Reveal | None:
        """Close and score the round (once); None for an unknown round id."""
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            row = await group_db.get_round(conn, round_id)
            if row is None:
                return None
            return await self._close(conn, row, moment)

    # --- what the group has not been shown (closing and showing are two steps) ----------------

    async def unrevealed(self, chat_id: int | None = None) -> list[Reveal]:
        """Closed rounds whose reveal was never confirmed shown, oldest first (``closed_now``
        is False: nothing is scored again); only `chat_id`'s when given."""
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            rows = await group_db.unrevealed_rounds(conn)
            return [
                await self._close(conn, row, moment)
                for row in rows
                if chat_id is None or row.chat_id == chat_id
            ]

    async def confirm_revealed(self, round_id: int) -> bool:
        async with self._ctx.db.write() as conn:
            return await group_db.mark_revealed(conn, round_id, self._ctx.now())

    async def unannounced(self, chat_id: int | None = None) -> list[Announcement]:
        """Ended sessions whose final standings were never confirmed shown."""
        async with self._ctx.db.read() as conn:
            found = []
            for row in await group_db.unannounced_sessions(conn):
                if chat_id is None or row.chat_id == chat_id:
                    standings = await self._standings(conn, row.id, row.rounds_opened)
                    found.append(Announcement(_session(row), standings))
        return found

    async def confirm_announced(self, session_id: int) -> bool:
        async with self._ctx.db.write() as conn:
            return await group_db.mark_announced(conn, session_id, self._ctx.now())

    async def get_round(self, round_id: int) -> Round | None:
        async with self._ctx.db.read() as conn:
            row = await group_db.get_round(conn, round_id)
        question = self._question(row) if row else None
        return self._round(row, question) if row and question else None

    async def attach_message(self, round_id: int, message_id: int) -> bool:
        """Remember the group message showing the round, so a restarted bot can edit it."""
        async with self._ctx.db.write() as conn:
            return await group_db.set_round_message(conn, round_id, message_id)

    async def open_rounds(self) -> list[Round]:
        """Rounds still taking answers, soonest deadline first, to resume their timers after a
        restart. A round whose question has left the content pack is closed here instead."""
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            found: list[Round] = []
            for row in await group_db.open_rounds(conn):
                question = self._question(row)
                if question is None:
                    await self._close(conn, row, moment)
                else:
                    found.append(self._round(row, question))
        return found

    async def idle_sessions(self) -> list[Session]:
        """Running sessions with no open round: call ``open_round`` for each after a restart."""
        async with self._ctx.db.read() as conn:
            rows = await group_db.idle_sessions(conn)
        return [_session(row) for row in rows]

    # --- the group's table and settings -------------------------------------------------------

    async def top(self, chat_id: int) -> Leaderboard:
        """The group's all-time table over every closed round (``.top`` is the first five)."""
        async with self._ctx.db.read() as conn:
            rows = await group_db.top_scores(conn, chat_id)
        return rules.rank(
            rules.Total(r.user_id, r.display_name, r.points, r.correct) for r in rows
        )

    async def topic_standing(self, chat_id: int) -> TopicStanding:
        """The group's weakest and strongest topics over its rounds and daily answers; either
        side is empty without enough evidence (``bot.core.group_focus.standing``)."""
        async with self._ctx.db.read() as conn:
            by_question = await record_db.question_tallies(conn, chat_id)
        pack = self._ctx.pack
        records = focus.tally_topics(by_question, {q.id: q.topic for q in pack.quiz.values()})
        result = focus.standing(records.values())

        def named(side: tuple[focus.TopicRecord, ...]) -> tuple[TopicScore, ...]:
            return tuple(
                TopicScore(r.topic, pack.topics[r.topic].title, r.answered, r.correct)
                for r in side
                if r.topic in pack.topics
            )

        return TopicStanding(named(result.weakest), named(result.strongest))

    async def settings(self, chat_id: int) -> GroupSettings:
        async with self._ctx.db.read() as conn:
            return GroupSettings(chat_id, await group_db.get_settings(conn, chat_id))

    async def set_anyone_can_start(
        self, chat_id: int, *, enabled: bool, is_admin: bool
    ) -> GroupSettings | Refused:
        if not is_admin:
            return Refused(
                RefusalReason.NOT_ALLOWED, "Only group admins can change who starts a quiz."
            )
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            await group_db.set_settings(conn, chat_id, anyone_can_start=enabled, now=moment)
        return GroupSettings(chat_id, enabled)
