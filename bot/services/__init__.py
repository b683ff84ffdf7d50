"""Use cases over core rules and storage; the Telegram adapter and the console call these.

Open everything with ``Services.open`` and call the services (``users``, ``quiz``,
``daily``, ``stats``, ``group``, ``privacy``, ``progress``, ``asked``, ``ask``, ``gaps``); what
time it is comes from the injected clock alone (``bot.core.clock``; tests pass a ``FixedClock``
and move it). The services speak the domain only: no job names, and no adapter's conventions
about chat ids (an adapter says whether a chat is a person's own chat with the bot, or a group).

    services = await Services.open("tutor.db", pack, default_timezone="Europe/Berlin")
    delivery = await services.quiz.next_question(user_id, chat_id, "easy")
    result = await services.quiz.answer(delivery.id, user_id, position)
    await services.close()

Answers that arrive together are graded in one transaction (group commit, up to
``answer_batch`` at a time); ``close()`` waits for any still in flight.

Modules: ``context`` (what the services share: database, content, default zone, clock,
randomness), ``users`` (settings, reminders), ``quiz`` (deliveries, hints, answers),
``daily`` (subscriptions, once-a-day claim), ``stats`` (numbers and the heat map),
``progress`` (topic mastery by area, the /progress picture),
``group`` (group quiz sessions, rounds, taps, reveals, the all-time table, the group's
weakest and strongest topics), ``privacy`` (delete or export everything stored about one
person), ``asked`` (anonymous counts of the entries that answered questions), ``ask`` (what
a free-text question leaves behind: the gap queue, the topic to practise), ``gaps`` (the gap
queue summed up for authors);
``move_chat`` follows a group that Telegram upgraded to a supergroup (a new chat id).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from bot.core.clock import Clock
from bot.core.content import ContentPack
from bot.services.ask import AskService, FollowUp
from bot.services.asked import AskedService
from bot.services.context import ServiceContext
from bot.services.daily import DailyService, Subscription
from bot.services.gaps import GapReport, GapService
from bot.services.group import GroupService
from bot.services.privacy import PrivacyService
from bot.services.progress import AreaProgress, Progress, ProgressService, TopicProgress
from bot.services.quiz import (
    AnswerResult,
    AnswerStatus,
    Delivery,
    HintResult,
    Outcome,
    QuizService,
    UnknownDifficultyError,
)
from bot.services.stats import Stats, StatsService, Tally
from bot.services.users import AtRisk, UserService, UserSettings
from bot.storage import chats as chats_db
from bot.storage.db import Database

__all__ = [
    "AnswerResult",
    "AnswerStatus",
    "AreaProgress",
    "AskService",
    "AskedService",
    "AtRisk",
    "DailyService",
    "Delivery",
    "FollowUp",
    "GapReport",
    "GapService",
    "GroupService",
    "HintResult",
    "Outcome",
    "PrivacyService",
    "Progress",
    "ProgressService",
    "QuizService",
    "ServiceContext",
    "Services",
    "Stats",
    "StatsService",
    "Subscription",
    "Tally",
    "TopicProgress",
    "UnknownDifficultyError",
    "UserService",
    "UserSettings",
]


@dataclass
class Services:
    context: ServiceContext
    users: UserService
    quiz: QuizService
    daily: DailyService
    stats: StatsService
    group: GroupService
    privacy: PrivacyService
    asked: AskedService
    progress: ProgressService
    ask: AskService
    gaps: GapService

    @classmethod
    def create(
        cls,
        db: Database,
        pack: ContentPack,
        *,
        default_timezone: str = "UTC",
        clock: Clock | None = None,
        rng: random.Random | None = None,
        answer_batch: int = 256,
    ) -> Services:
        """Services over an already open database (the caller keeps ownership of ``db``).

        ``answer_batch`` caps how many concurrent answers share one transaction (1 = one
        transaction per answer, as a baseline)."""
        context = ServiceContext.create(
            db, pack, default_timezone=default_timezone, clock=clock, rng=rng
        )
        return cls(
            context=context,
            users=UserService(context),
            quiz=QuizService(context, answer_batch=answer_batch),
            daily=DailyService(context),
            stats=StatsService(context),
            group=GroupService(context),
            privacy=PrivacyService(context),
            asked=AskedService(context),
            progress=ProgressService(context),
            ask=AskService(context),
            gaps=GapService(context.db, context.clock),
        )

    @classmethod
    async def open(
        cls,
        db_path: str | Path,
        pack: ContentPack,
        *,
        default_timezone: str = "UTC",
        clock: Clock | None = None,
        rng: random.Random | None = None,
        answer_batch: int = 256,
    ) -> Services:
        """Open (and migrate) the database at ``db_path``; ``close()`` closes it again."""
        db = await Database.open(db_path)
        try:
            return cls.create(
                db,
                pack,
                default_timezone=default_timezone,
                clock=clock,
                rng=rng,
                answer_batch=answer_batch,
            )
        except BaseException:
            await db.close()
            raise

    @property
    def db(self) -> Database:
        return self.context.db

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> bool:
        """The chat got a new id (a group upgraded to a supergroup): its daily subscription,
        quiz deliveries, group settings, sessions and scores follow. False if nothing was
        stored under the old id (or it was moved already)."""
        moment = self.context.now()
        async with self.db.write() as conn:
            return await chats_db.move_chat(conn, old_chat_id, new_chat_id, moment) > 0

    async def close(self) -> None:
        try:
            try:
                await self.quiz.aclose()
            finally:
                # Counts gathered in memory are written even if answers in flight could not be.
                await self.asked.flush()
        finally:
            # Even if waiting for answers in flight fails, the database must not stay open.
            await self.context.db.close()

    async def __aenter__(self) -> Services:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
