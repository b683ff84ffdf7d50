"""Quiz use cases: send a question (a *delivery*), take a hint, grade an answer exactly once.

A delivery is a stored row with an opaque integer id (put it in callback data), the question id
and the option order shuffled for that delivery. Quiz deliveries belong to one user; daily ones
(see ``bot.services.daily``) to everyone in their chat, each of whom may answer once.

Public API (``services.quiz``):
    next_question(user_id, chat_id, difficulty=None, now=None) -> Delivery | None
        None when no question fits (empty difficulty, or the only one was just asked).
    answer(delivery_id, user_id, position, hinted=False, now=None) -> AnswerResult
        position is the 0-based index into ``Delivery.options``. Exactly one answer per delivery
        per user: repeats, strangers, bad positions and unknown ids change nothing and say why.
    use_hint(delivery_id, user_id, now=None) -> HintResult
    get_delivery(delivery_id) -> Delivery | None     (to redraw a message)
    UnknownDifficultyError for a difficulty outside ``DIFFICULTIES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

import aiosqlite

from bot.core import quiz as rules
from bot.core import scheduling, streaks
from bot.core.clock import local_date
from bot.core.content import DIFFICULTIES, QuizQuestion
from bot.errors import TutorError
from bot.services.users import ServiceContext
from bot.storage import quiz as quiz_db
from bot.storage import users as user_db
from bot.storage.quiz import AnswerRow, DeliveryRow


class UnknownDifficultyError(TutorError):
    def __init__(self, difficulty: str) -> None:
        self.difficulty = difficulty
        super().__init__(
            f"Unknown difficulty '{difficulty}'. Choose one of: {', '.join(DIFFICULTIES)}."
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
    mistake: str
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


def _current_question(context: ServiceContext, row: DeliveryRow | None) -> QuizQuestion | None:
    """The delivered question, if the content pack still has it with the same option count."""
    if row is None:
        return None
    question = context.pack.quiz.get(row.question_id)
    if question is None or not rules.order_fits(question, rules.decode_order(row.option_order)):
        return None
    return question


class QuizService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    async def next_question(
        self,
        user_id: int,
        chat_id: int,
        difficulty: str | None = None,
        now: datetime | None = None,
    ) -> Delivery | None:
        moment = self._ctx.now(now)
        if difficulty is not None and difficulty not in DIFFICULTIES:
            raise UnknownDifficultyError(difficulty)
        pack = self._ctx.pack
        candidates = [
            q.id for q in pack.quiz.values() if difficulty is None or q.difficulty == difficulty
        ]
        async with self._ctx.db.write() as conn:
            # Choosing inside the write transaction keeps two quick /quiz taps from both picking
            # the question that was last asked.
            dues = await quiz_db.card_dues(conn, user_id)
            avoid = await quiz_db.recent_question_ids(conn, user_id)
            question_id = scheduling.pick_next(candidates, dues, avoid, moment, self._ctx.rng)
            # Telegram gives a private chat the id of the user in it.
            await user_db.ensure_user(conn, user_id, moment, private_chat=chat_id == user_id)
            if question_id is None:
                return None
            question = pack.quiz[question_id]
            order = rules.shuffled_order(len(question.options), self._ctx.rng)
            delivery_id = await quiz_db.insert_delivery(
                conn,
                kind="quiz",
                chat_id=chat_id,
                user_id=user_id,
                question_id=question_id,
                option_order=rules.encode_order(order),
                local_day=None,
                now=moment,
            )
        return Delivery(
            id=delivery_id,
            kind="quiz",
            chat_id=chat_id,
            user_id=user_id,
            question=question,
            options=rules.displayed_options(question, order),
            local_date=None,
        )

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        async with self._ctx.db.read() as conn:
            row = await quiz_db.get_delivery(conn, delivery_id)
        question = _current_question(self._ctx, row)
        if row is None or question is None:
            return None
        return make_delivery(row, question)

    async def use_hint(
        self, delivery_id: int, user_id: int, now: datetime | None = None
    ) -> HintResult:
        moment = self._ctx.now(now)
        async with self._ctx.db.write() as conn:
            row = await quiz_db.get_delivery(conn, delivery_id)
            question = _current_question(self._ctx, row)
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
        hinted: bool = False,
        now: datetime | None = None,
    ) -> AnswerResult:
        moment = self._ctx.now(now)
        async with self._ctx.db.write() as conn:
            row = await quiz_db.get_delivery(conn, delivery_id)
            question = _current_question(self._ctx, row)
            if row is None or question is None:
                return AnswerResult(AnswerStatus.UNKNOWN)
            if row.user_id is not None and row.user_id != user_id:
                return AnswerResult(AnswerStatus.NOT_YOURS)
            earlier = await quiz_db.get_answer(conn, delivery_id, user_id)
            if earlier is not None:
                return AnswerResult(
                    AnswerStatus.ALREADY_ANSWERED,
                    await self._replay(conn, row, question, earlier, moment),
                )
            order = rules.decode_order(row.option_order)
            if not rules.valid_position(order, position):
                return AnswerResult(AnswerStatus.INVALID_POSITION)
            return AnswerResult(
                AnswerStatus.ACCEPTED,
                await self._record(conn, row, question, order, user_id, position, hinted, moment),
            )

    async def _record(
        self,
        conn: aiosqlite.Connection,
        row: DeliveryRow,
        question: QuizQuestion,
        order: tuple[int, ...],
        user_id: int,
        position: int,
        hinted: bool,
        now: datetime,
    ) -> Outcome:
        graded = rules.grade(question, order, position)
        hinted = hinted or await quiz_db.has_hint(conn, row.id, user_id)
        await user_db.ensure_user(conn, user_id, now, private_chat=row.chat_id == user_id)
        tz = await self._ctx.user_zone(conn, user_id)
        today = local_date(now, tz)
        inserted = await quiz_db.insert_answer(
            conn,
            AnswerRow(
                delivery_id=row.id,
                user_id=user_id,
                question_id=question.id,
                difficulty=question.difficulty,
                position=position,
                option_index=graded.chosen_index,
                correct=graded.correct,
                hinted=hinted,
                answered_at=now,
                local_date=today,
            ),
        )
        if not inserted:  # pragma: no cover - the write lock and the check above prevent it
            raise RuntimeError(f"answer to delivery {row.id} by {user_id} raced past the lock")

        reviewed = scheduling.review(
            await quiz_db.get_card(conn, user_id, question.id), graded.correct, hinted, now
        )
        await quiz_db.save_card(
            conn, user_id, question.id, reviewed.card_json, reviewed.due, lapse=not graded.correct
        )

        before = await user_db.get_streak(conn, user_id)
        settled = streaks.settle(before, today)
        after = streaks.record_activity(before, today)
        if after != before:
            await user_db.save_streak(conn, user_id, after)
        return Outcome(
            delivery_id=row.id,
            question_id=question.id,
            correct=graded.correct,
            hinted=hinted,
            chosen_position=position,
            correct_position=graded.correct_position,
            chosen_text=graded.chosen_text,
            correct_text=graded.correct_text,
            explanation=question.explanation,
            mistake=rules.common_mistake(question),
            why_id=rules.why_entry(question, self._ctx.pack),
            streak=streaks.view(after, today),
            counted_today=before.last_day != after.last_day,
            freezes_used=before.freezes - settled.freezes,
            freeze_earned=after.freezes > settled.freezes,
            streak_broken=before.current > 0 and settled.current == 0,
        )

    async def _replay(
        self,
        conn: aiosqlite.Connection,
        row: DeliveryRow,
        question: QuizQuestion,
        earlier: AnswerRow,
        now: datetime,
    ) -> Outcome:
        """The outcome of an answer already recorded, with the streak as it stands now."""
        order = rules.decode_order(row.option_order)
        tz = await self._ctx.user_zone(conn, earlier.user_id)
        state = await user_db.get_streak(conn, earlier.user_id)
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
            mistake=rules.common_mistake(question),
            why_id=rules.why_entry(question, self._ctx.pack),
            streak=streaks.view(state, local_date(now, tz)),
            counted_today=False,
            freezes_used=0,
            freeze_earned=False,
            streak_broken=False,
        )
