"""Quiz use cases: send a question (a *delivery*), take a hint, grade an answer exactly once.

A delivery is a stored row with an opaque integer id (put it in callback data), the question id
and the option order shuffled for that delivery. Quiz deliveries belong to one user; daily ones
(see ``bot.services.daily``) to everyone in their chat, each of whom may answer once.

``next_question`` stores a delivery (None when no question fits: an empty difficulty, or the
only one was just asked) and remembers the level asked for (``last_level``). ``answer`` grades a
0-based position into ``Delivery.options``, exactly once per delivery and user: repeats,
strangers, bad positions and unknown ids change nothing and say why. ``aclose`` waits for
answers in flight (``Services.close`` calls it).

How an answer moves the card and the streak is ``bot.core.progress.apply_answer``, shared with
group rounds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

import aiosqlite

from bot.core import quiz as rules
from bot.core import spaced_repetition, streaks
from bot.core.clock import local_date
from bot.core.content import DIFFICULTIES, ContentPack, QuizQuestion
from bot.core.echo import echo
from bot.core.progress import apply_answer
from bot.errors import TutorError
from bot.services.context import ServiceContext
from bot.storage import quiz as quiz_db
from bot.storage import users as user_db
from bot.storage.quiz import AnswerRow, DeliveryRow

__all__ = [
    "UNANSWERED_KEEP",
    "UNANSWERED_MAX_AGE",
    "AnswerResult",
    "AnswerStatus",
    "Delivery",
    "HintResult",
    "Outcome",
    "QuizService",
    "UnknownDifficultyError",
    "make_delivery",
    "new_delivery",
]

# A learner's unanswered /quiz questions kept: those from the last day, and the newest few
# whatever their age (an answer button older than that meets "expired").
UNANSWERED_MAX_AGE = timedelta(days=1)
UNANSWERED_KEEP = 50


class UnknownDifficultyError(TutorError):
    def __init__(self, difficulty: str) -> None:
        self.difficulty = difficulty
        super().__init__(
            f"Unknown difficulty '{echo(difficulty)}'. Choose one of: {', '.join(DIFFICULTIES)}."
        )


class AnswerStatus(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_ANSWERED = "already_answered"  # outcome holds the original answer
    UNKNOWN = "unknown"  # no such delivery, or its question has left the content pack
    NOT_YOURS = "not_yours"  # a quiz sent to someone else
    INVALID_POSITION = "invalid_position"


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    kind: Literal["quiz", "daily"]
    chat_id: int
    user_id: int | None  # None: anyone in the chat may answer (daily question)
    question: QuizQuestion
    options: tuple[str, ...]  # in display order; a button's position is its index here
    local_date: date | None  # daily: the chat's local day it was sent for

    @property
    def question_id(self) -> str:
        return self.question.id


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery_id: int
    question_id: str
    correct: bool
    hinted: bool
    chosen_position: int
    correct_position: int
    chosen_text: str
    correct_text: str
    explanation: str
    # Why the chosen option is wrong, shown before the explanation; None for a right answer.
    wrong_why: str | None
    why_id: str | None  # entry for the "Why?" button
    streak: streaks.StreakView
    counted_today: bool  # this answer made today count towards the streak
    freezes_used: int  # freezes spent on missed days by this answer
    freeze_earned: bool
    streak_broken: bool  # a streak was lost to missed days before this answer


@dataclass(frozen=True, slots=True)
class AnswerResult:
    status: AnswerStatus
    outcome: Outcome | None = None

    @property
    def accepted(self) -> bool:
        return self.status is AnswerStatus.ACCEPTED


@dataclass(frozen=True, slots=True)
class HintResult:
    # ACCEPTED, ALREADY_ANSWERED (hint given, nothing recorded), UNKNOWN or NOT_YOURS
    status: AnswerStatus
    hint: str | None = None


def make_delivery(row: DeliveryRow, question: QuizQuestion) -> Delivery:
    order = rules.decode_order(row.option_order)
    return Delivery(
        id=row.id,
        kind=row.kind,
        chat_id=row.chat_id,
        user_id=row.user_id,
        question=question,
        options=rules.displayed_options(question, order),
        local_date=row.local_date,
    )


def _current_question(pack: ContentPack, row: DeliveryRow | None) -> QuizQuestion | None:
    return rules.stored_question(pack, row.question_id, row.option_order) if row else None


async def new_delivery(
    conn: aiosqlite.Connection,
    context: ServiceContext,
    *,
    kind: quiz_db.Kind,
    chat_id: int,
    user_id: int | None,
    question: QuizQuestion,
    local_day: date | None,
    now: datetime,
) -> Delivery:
    """Store a delivery of ``question`` with a freshly shuffled option order (quiz and daily)."""
    order = rules.shuffled_order(len(question.options), context.rng)
    delivery_id = await quiz_db.insert_delivery(
        conn,
        kind=kind,
        chat_id=chat_id,
        user_id=user_id,
        question_id=question.id,
        option_order=rules.encode_order(order),
        local_day=local_day,
        now=now,
    )
    return Delivery(
        id=delivery_id,
        kind=kind,
        chat_id=chat_id,
        user_id=user_id,
        question=question,
        options=rules.displayed_options(question, order),
        local_date=local_day,
    )


class QuizService:
    def __init__(self, context: ServiceContext, *, answer_batch: int = 256) -> None:
        self._ctx = context
        self._batcher = _AnswerBatcher(self._grade_batch, answer_batch)

    async def next_question(
        self,
        user_id: int,
        chat_id: int,
        difficulty: str | None = None,
        *,
        private: bool = False,
        topic: str | None = None,
    ) -> Delivery | None:
        """A new question of `difficulty` (None: any) for `user_id` in `chat_id`; `private`
        says the chat is the user's own with the bot (so they may be messaged directly);
        `topic` (None: any) keeps to that topic's items (due ones first, never the one just
        asked), and None comes back when it has no such item."""
        moment = self._ctx.now()
        if difficulty is not None and difficulty not in DIFFICULTIES:
            raise UnknownDifficultyError(difficulty)
        pack = self._ctx.pack
        # The check above narrows ``difficulty`` to one of DIFFICULTIES (or None).
        level = difficulty
        candidates = [q.id for q in pack.quiz_by_difficulty(level) if topic in (None, q.topic)]
        async with self._ctx.db.write() as conn:
            # Choosing inside the write transaction keeps two quick /quiz taps from both picking
            # the question that was last asked.
            dues = await quiz_db.card_dues(conn, user_id)
            if level is None and not dues:
                # A learner who has never answered starts on an easy question, not a hard one.
                easy = pack.quiz_by_difficulty("easy")
                candidates = [q.id for q in easy if topic in (None, q.topic)] or candidates
            avoid = await quiz_db.recent_question_ids(conn, user_id)
            question_id = spaced_repetition.pick_next(
                candidates, dues, avoid, moment, self._ctx.rng
            )
            await user_db.ensure_user(conn, user_id, moment, private_chat=private)
            if topic is None:  # a topic's item says nothing about the level they practise at
                await user_db.set_quiz_level(conn, user_id, level)
            if question_id is None:
                return None
            # Questions asked and never answered would otherwise pile up for good (a burst of
            # /quiz makes one row each); the newest few, this one included, stay answerable.
            await quiz_db.prune_unanswered(
                conn, user_id, before=moment - UNANSWERED_MAX_AGE, keep=UNANSWERED_KEEP - 1
            )
            return await new_delivery(
                conn,
                self._ctx,
                kind="quiz",
                chat_id=chat_id,
                user_id=user_id,
                question=pack.quiz[question_id],
                local_day=None,
                now=moment,
            )

    async def last_level(self, user_id: int) -> str | None:
        """The level of the user's last ``next_question``; None for any (or never asked)."""
        async with self._ctx.db.read() as conn:
            row = await user_db.get_user(conn, user_id)
        return row.quiz_level if row is not None else None

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        async with self._ctx.db.read() as conn:
            row = await quiz_db.get_delivery(conn, delivery_id)
        question = _current_question(self._ctx.pack, row)
        if row is None or question is None:
            return None
        return make_delivery(row, question)

    async def use_hint(self, delivery_id: int, user_id: int) -> HintResult:
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            row = await quiz_db.get_delivery(conn, delivery_id)
            question = _current_question(self._ctx.pack, row)
            if row is None or question is None:
                return HintResult(AnswerStatus.UNKNOWN)
            if row.user_id is not None and row.user_id != user_id:
                return HintResult(AnswerStatus.NOT_YOURS)
            if await quiz_db.get_answer(conn, delivery_id, user_id) is not None:
                return HintResult(AnswerStatus.ALREADY_ANSWERED, question.hint)
            await quiz_db.add_hint(conn, delivery_id, user_id, moment)
        return HintResult(AnswerStatus.ACCEPTED, question.hint)

    async def answer(
        self,
        delivery_id: int,
        user_id: int,
        position: int,
        *,
        hinted: bool = False,
        private: bool = False,
    ) -> AnswerResult:
        """Grade one answer (`private`: given in the user's own chat with the bot). Answers
        arriving together are graded in one transaction (see ``_AnswerBatcher``); the result is
        the same as if each had its own."""
        request = _AnswerRequest(delivery_id, user_id, position, hinted, private, self._ctx.now())
        return await self._batcher.submit(request)

    async def aclose(self) -> None:
        """Wait for answers already submitted; call before closing the database."""
        await self._batcher.drain()

    async def _grade_batch(self, batch: Sequence[_AnswerRequest]) -> list[AnswerResult]:
        async with self._ctx.db.write() as conn:
            contexts = await quiz_db.answer_contexts(
                conn, [(r.delivery_id, r.user_id) for r in batch]
            )
            grading = _BatchGrading(self._ctx)
            results = [grading.grade(r, c) for r, c in zip(batch, contexts, strict=True)]
            await grading.save(conn)
        return results


@dataclass(frozen=True, slots=True)
class _AnswerRequest:
    delivery_id: int
    user_id: int
    position: int
    hinted: bool
    private: bool
    now: datetime


@dataclass
class _Learner:
    """One user's state while a batch is graded; several answers may touch it."""

    zone: ZoneInfo
    streak: streaks.StreakState
    changed: bool = False


@dataclass
class _CardState:
    card_json: str | None
    due: datetime | None = None
    reviews: int = 0
    lapses: int = 0


class _BatchGrading:
    """Grades a batch in request order against state read once, then writes it all at once.

    Answers in one batch can share a user (streak), a card (same question twice) or even a
    delivery (a double tap); keeping that state here in memory makes the sequential result
    exact without a round trip to SQLite per answer.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context
        self._learners: dict[int, _Learner] = {}
        self._cards: dict[tuple[int, str], _CardState] = {}
        self._answered: dict[tuple[int, int], AnswerRow] = {}
        self._new_answers: list[AnswerRow] = []
        self._users: dict[int, tuple[int, bool, datetime]] = {}

    def grade(self, req: _AnswerRequest, ctx: quiz_db.AnswerContext) -> AnswerResult:
        row = ctx.delivery
        question = _current_question(self._ctx.pack, row)
        if row is None or question is None:
            return AnswerResult(AnswerStatus.UNKNOWN)
        if row.user_id is not None and row.user_id != req.user_id:
            return AnswerResult(AnswerStatus.NOT_YOURS)
        learner = self._learner(req.user_id, ctx)
        earlier = self._answered.get((row.id, req.user_id)) or ctx.earlier
        if earlier is not None:
            return AnswerResult(
                AnswerStatus.ALREADY_ANSWERED,
                self._replay(row, question, earlier, learner, req.now),
            )
        order = rules.decode_order(row.option_order)
        if not rules.valid_position(order, req.position):
            return AnswerResult(AnswerStatus.INVALID_POSITION)
        return AnswerResult(AnswerStatus.ACCEPTED, self._record(req, ctx, row, question, order))

    def _learner(self, user_id: int, ctx: quiz_db.AnswerContext) -> _Learner:
        if user_id not in self._learners:
            self._learners[user_id] = _Learner(self._ctx.zone_for(ctx.timezone), ctx.streak)
        return self._learners[user_id]

    def _record(
        self,
        req: _AnswerRequest,
        ctx: quiz_db.AnswerContext,
        row: DeliveryRow,
        question: QuizQuestion,
        order: tuple[int, ...],
    ) -> Outcome:
        graded = rules.grade(question, order, req.position)
        hinted = req.hinted or ctx.hint_taken
        private = req.private
        known = self._users.get(req.user_id)
        self._users[req.user_id] = (req.user_id, private or bool(known and known[1]), req.now)
        learner = self._learners[req.user_id]
        today = local_date(req.now, learner.zone)
        answer = AnswerRow(
            delivery_id=row.id,
            user_id=req.user_id,
            question_id=question.id,
            difficulty=question.difficulty,
            position=req.position,
            option_index=graded.chosen_index,
            correct=graded.correct,
            hinted=hinted,
            answered_at=req.now,
            local_date=today,
        )
        self._answered[(row.id, req.user_id)] = answer
        self._new_answers.append(answer)

        card = self._cards.setdefault((req.user_id, question.id), _CardState(ctx.card))
        progress = apply_answer(
            card.card_json,
            learner.streak,
            correct=graded.correct,
            hinted=hinted,
            now=req.now,
            today=today,
        )
        card.card_json, card.due = progress.reviewed.card_json, progress.reviewed.due
        card.reviews += 1
        card.lapses += not graded.correct

        before, settled, after = progress.before, progress.settled, progress.after
        if after != before:
            learner.streak, learner.changed = after, True
        return Outcome(
            delivery_id=row.id,
            question_id=question.id,
            correct=graded.correct,
            hinted=hinted,
            chosen_position=req.position,
            correct_position=graded.correct_position,
            chosen_text=graded.chosen_text,
            correct_text=graded.correct_text,
            explanation=question.explanation,
            wrong_why=graded.chosen_why,
            why_id=rules.why_entry(question, self._ctx.pack),
            streak=streaks.view(after, today),
            counted_today=before.last_day != after.last_day,
            freezes_used=before.freezes - settled.freezes,
            freeze_earned=after.freezes > settled.freezes,
            streak_broken=before.current > 0 and settled.current == 0,
        )

    def _replay(
        self,
        row: DeliveryRow,
        question: QuizQuestion,
        earlier: AnswerRow,
        learner: _Learner,
        now: datetime,
    ) -> Outcome:
        """The outcome of an answer already recorded, with the streak as it stands now."""
        order = rules.decode_order(row.option_order)
        return Outcome(
            delivery_id=row.id,
            question_id=question.id,
            correct=earlier.correct,
            hinted=earlier.hinted,
            chosen_position=earlier.position,
            correct_position=rules.correct_position(question, order),
            chosen_text=rules.option_text(question, earlier.option_index),
            correct_text=question.options[question.correct_index].text,
            explanation=question.explanation,
            wrong_why=None
            if earlier.correct
            else rules.wrong_choice_why(question, earlier.option_index),
            why_id=rules.why_entry(question, self._ctx.pack),
            streak=streaks.view(learner.streak, local_date(now, learner.zone)),
            counted_today=False,
            freezes_used=0,
            freeze_earned=False,
            streak_broken=False,
        )

    async def save(self, conn: aiosqlite.Connection) -> None:
        if not self._new_answers:
            return  # every request was refused: write nothing at all
        await quiz_db.save_answers(
            conn,
            new_users=list(self._users.values()),
            answers=self._new_answers,
            cards=[
                quiz_db.CardUpdate(user, qid, c.card_json, c.due, c.reviews, c.lapses)
                for (user, qid), c in self._cards.items()
                if c.card_json is not None and c.due is not None and c.reviews
            ],
            streaks=[(user, lr.streak) for user, lr in self._learners.items() if lr.changed],
        )


class _AnswerBatcher:
    """Group commit for answers: whatever arrives while a batch is being written forms the
    next batch, so a burst costs a few transactions instead of one per answer.

    A drain task exists only while answers are waiting; callers await their own future, so a
    cancelled caller never strands the others. An error fails only the batch it happened in.
    """

    def __init__(
        self,
        run: Callable[[Sequence[_AnswerRequest]], Awaitable[list[AnswerResult]]],
        max_batch: int,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run = run
        self._max_batch = max_batch
        self._pending: list[tuple[_AnswerRequest, asyncio.Future[AnswerResult]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, request: _AnswerRequest) -> AnswerResult:
        future: asyncio.Future[AnswerResult] = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain_pending(), name="answer-batches")
        return await future

    async def drain(self) -> None:
        while self._drainer is not None and not self._drainer.done():
            await asyncio.shield(self._drainer)

    async def _drain_pending(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                results = await self._run([request for request, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except BaseException:
                # Cancelled (the loop is shutting down): nobody will drain the rest, so every
                # waiting caller is cancelled too rather than left hanging.
                for _, future in [*batch, *self._pending]:
                    future.cancel()
                self._pending.clear()
                raise
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # the caller may have been cancelled meanwhile
                    future.set_result(result)
