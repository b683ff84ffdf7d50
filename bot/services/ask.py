"""What a free-text question leaves behind once the matcher has given its verdict.

``follow_up`` stores a question that ended in "did you mean" or the fallback in the gap queue
(its id goes into the "did you mean" buttons), and for an answer says which topic the learner
may be tested on next ("Test me on this": a topic with a quiz item they have not just seen).
Greetings, thanks, requests for help and empty messages are not gaps in the content, so they
are not stored. ``picked`` records which suggestion the asker opened, on their own row only.

The adapter says what kind of chat the question came from; in a group it passes only
questions addressed to the bot (other people's chatter never reaches the services).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core import gaps as rules
from bot.services.context import ServiceContext
from bot.storage import gaps as gaps_db
from bot.storage import quiz as quiz_db
from bot.storage.db import DatabaseError
from bot.storage.gaps import ChatKind

if TYPE_CHECKING:  # the matcher (and numpy behind it) is not needed to store a question
    from bot.core.matcher import MatchResult

__all__ = ["AskService", "ChatKind", "FollowUp"]

log = logging.getLogger(__name__)

# recent_question_ids holds at most the last question sent and the last one answered, so a
# topic with more quiz items than that always has one the learner has not just seen.
_RECENT_AT_MOST = 2


@dataclass(frozen=True, slots=True)
class FollowUp:
    gap_id: int | None = None  # the stored gap ("did you mean" or fallback)
    practise_topic: str | None = None  # the answered entry's topic, if it has a fresh item


class AskService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    async def follow_up(self, user_id: int, result: MatchResult, *, chat: ChatKind) -> FollowUp:
        """Store `result` if the content could not answer it; for an answer, the topic to
        practise. `chat` is the kind of chat `user_id` asked in."""
        if result.status == "answer" and result.entry is not None:
            return FollowUp(practise_topic=await self._practise_topic(user_id, result.entry.topic))
        if result.smalltalk is not None:
            return FollowUp()
        question = rules.stored_question(result.query)
        normalised = rules.normalised(question)
        if not rules.worth_reading(normalised):
            return FollowUp()  # symbols, a stray key or a bare number: nothing for an author
        outcome: rules.GapOutcome = "suggest" if result.status == "suggest" else "fallback"
        try:
            gap_id = await self._store(user_id, chat, question, normalised, outcome, result)
        except DatabaseError as error:
            # The learner's reply needs none of this: a locked or full database costs the
            # authors one question, never the learner their answer.
            log.warning("unanswered question not kept for the authors: %s", error)
            return FollowUp()
        return FollowUp(gap_id=gap_id)

    async def _store(
        self,
        user_id: int,
        chat: ChatKind,
        question: str,
        normalised: str,
        outcome: rules.GapOutcome,
        result: MatchResult,
    ) -> int | None:
        """The stored gap's id; None once the asker has ``MAX_GAPS_PER_DAY`` in the last day."""
        now = self._ctx.now()
        async with self._ctx.db.write() as conn:
            stored_today = await gaps_db.user_gaps_since(
                conn, user_id, since=now - timedelta(days=1)
            )
            if stored_today >= rules.MAX_GAPS_PER_DAY:
                return None
            return await gaps_db.insert_gap(
                conn,
                user_id=user_id,
                chat_kind=chat,
                question=question,
                normalised=normalised,
                outcome=outcome,
                suggestions=tuple(e.id for e in result.suggestions),
                now=now,
            )

    async def picked(self, gap_id: int, user_id: int, entry_id: str) -> bool:
        """Record that `user_id` opened suggestion `entry_id` of their gap `gap_id`. False (and
        nothing written) for someone else's gap, a gap gone, or an entry never offered."""
        async with self._ctx.db.write() as conn:
            row = await gaps_db.get_gap(conn, gap_id)
            if row is None or row.user_id != user_id or entry_id not in row.suggestions:
                return False
            return await gaps_db.set_picked(conn, gap_id, user_id, entry_id)

    async def _practise_topic(self, user_id: int, topic: str) -> str | None:
        items = {q.id for q in self._ctx.pack.quiz.values() if q.topic == topic}
        if not items:
            return None
        if len(items) > _RECENT_AT_MOST:
            return topic
        async with self._ctx.db.read() as conn:
            recent = await quiz_db.recent_question_ids(conn, user_id)
        return topic if items - recent else None
