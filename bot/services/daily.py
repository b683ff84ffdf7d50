"""Daily question: subscriptions per chat, and sending at most one question per chat per day.

The job that sends the daily question must call ``claim_daily`` first and send only the delivery
it returns: the claim is an INSERT on (chat, local day), so a restart, a duplicate job or a second
process can never send twice. If sending then fails for a reason that may pass (network, the chat
moved), the sender gives the day back with ``release_daily`` so a retry can claim it again.
In a group the question aims at the topics the group answered worst (its group quiz rounds and
daily answers), with some randomness so weak topics take turns and some weight on the topic asked
least recently so the whole syllabus comes round (``bot.core.group_focus``); the adapter says
which chats are groups. Answers to a daily question go through ``services.quiz.answer`` like any
other delivery; anyone in the chat may answer once, and an answer counts for the day it is
given, even a day late.

``subscribe`` takes "HH:MM" (00:00-23:59, else InvalidTimeError) and an IANA zone name (else
UnknownTimezoneError); without one it keeps the chat's current zone, else its owner's (a
person's own chat with the bot, named by the adapter), else the default. Invalid input changes
nothing. At start-up, ``release_unconfirmed`` gives back the claims of a process that died
before its questions went out, then ``due_on_startup`` lists the chats to send today's question
to at once.

A claim is confirmed right after Telegram accepts the message. Only a process killed between
Telegram's answer and that write (a millisecond) can make a chat get the day's question twice;
everything that was still waiting for its turn under the rate limit is sent exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo

import aiosqlite

from bot.core import daily as rules
from bot.core import group_focus as focus
from bot.core.clock import local_date, zone
from bot.services.context import ServiceContext
from bot.services.quiz import Delivery, new_delivery
from bot.storage import daily as daily_db
from bot.storage import group_record as record_db
from bot.storage import users as user_db
from bot.storage.daily import SubscriptionRow

__all__ = ["DailyService", "Subscription"]


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    send_time: time  # wall-clock time in ``zone``, naive
    timezone: str  # the zone's name: the stored one, or the default if it no longer loads
    zone: ZoneInfo  # resolved by the service, so a zone gone from tzdata cannot crash start-up

    @property
    def time_text(self) -> str:
        return rules.format_send_time(self.send_time)


class DailyService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    def _subscription(self, chat_id: int, send_time: time, timezone: str) -> Subscription:
        tz = self._ctx.zone_for(timezone)
        return Subscription(chat_id=chat_id, send_time=send_time, timezone=tz.key, zone=tz)

    def _from_row(self, row: SubscriptionRow) -> Subscription:
        return self._subscription(row.chat_id, rules.parse_send_time(row.send_time), row.timezone)

    async def subscribe(
        self,
        chat_id: int,
        time_text: str,
        timezone: str | None = None,
        *,
        owner: int | None = None,
    ) -> Subscription:
        """Subscribe the chat (or change its time or zone); `owner` is the person whose own
        chat with the bot this is (None for a group), whose zone it follows by default."""
        send_time = rules.parse_send_time(time_text)
        explicit = zone(timezone).key if timezone is not None else None
        moment = self._ctx.now()
        async with self._ctx.db.write() as conn:
            if explicit is not None:
                chosen = explicit
            else:
                existing = await daily_db.get_subscription(conn, chat_id)
                user = await user_db.get_user(conn, owner) if owner is not None else None
                if existing is not None:
                    chosen = existing.timezone
                elif user is not None and user.timezone is not None:
                    chosen = self._ctx.zone_for(user.timezone).key
                else:
                    chosen = self._ctx.default_timezone.key
            await daily_db.upsert_subscription(
                conn, chat_id, rules.format_send_time(send_time), chosen, moment
            )
        return self._subscription(chat_id, send_time, chosen)

    async def unsubscribe(self, chat_id: int) -> bool:
        async with self._ctx.db.write() as conn:
            return await daily_db.delete_subscription(conn, chat_id)

    async def status(self, chat_id: int) -> Subscription | None:
        async with self._ctx.db.read() as conn:
            row = await daily_db.get_subscription(conn, chat_id)
        return self._from_row(row) if row else None

    async def list_subscriptions(self) -> list[Subscription]:
        async with self._ctx.db.read() as conn:
            rows = await daily_db.list_subscriptions(conn)
        return [self._from_row(row) for row in rows]

    async def due_on_startup(self) -> list[Subscription]:
        """Chats whose send time already passed today (their local day) with nothing sent."""
        moment = self._ctx.now()
        async with self._ctx.db.read() as conn:
            rows = await daily_db.list_subscriptions(conn)
            last_days = await daily_db.last_daily_days(conn)
        due: list[Subscription] = []
        for row in rows:
            sub = self._from_row(row)
            if rules.passed_today(sub.send_time, sub.zone, moment) and last_days.get(
                sub.chat_id
            ) != local_date(moment, sub.zone):
                due.append(sub)
        return due

    async def claim_daily(self, chat_id: int, *, group: bool = False) -> Delivery | None:
        """Claim today's daily question for the chat and create its delivery, or None.

        A `group` chat's question aims at the topics the group answered worst
        (``bot.core.group_focus``); a person's own chat takes the questions in turn."""
        moment = self._ctx.now()
        pack = self._ctx.pack
        async with self._ctx.db.write() as conn:
            row = await daily_db.get_subscription(conn, chat_id)
            if row is None:
                return None
            day: date = local_date(moment, self._ctx.zone_for(row.timezone))
            history = await daily_db.daily_history(conn, chat_id)
            pool = list(pack.quiz)
            if group:
                pool = await self._group_pool(conn, chat_id, history, day)
            question_id = rules.choose_daily(pool, history, chat_id, day)
            if question_id is None:
                return None
            if not await daily_db.claim_daily(conn, chat_id, day, question_id, moment):
                return None
            delivery = await new_delivery(
                conn,
                self._ctx,
                kind="daily",
                chat_id=chat_id,
                user_id=None,
                question=pack.quiz[question_id],
                local_day=day,
                now=moment,
            )
            await daily_db.set_daily_delivery(conn, chat_id, day, delivery.id)
        return delivery

    async def _group_pool(
        self, conn: aiosqlite.Connection, chat_id: int, history: dict[str, date], day: date
    ) -> list[str]:
        """The questions of the topic the group's question comes from today."""
        topic_of = {q.id: q.topic for q in self._ctx.pack.quiz.values()}
        records = focus.tally_topics(await record_db.question_tallies(conn, chat_id), topic_of)
        topics = list(dict.fromkeys(topic_of.values()))
        topic = focus.choose_topic(
            topics, records, focus.last_asked_topics(history, topic_of), day, self._ctx.rng
        )
        return [q for q, t in topic_of.items() if t == topic]

    async def confirm_daily(self, delivery: Delivery) -> bool:
        """Record that Telegram accepted the daily `delivery`; False if it is not the claim."""
        if delivery.kind != "daily" or delivery.local_date is None:
            return False
        async with self._ctx.db.write() as conn:
            return await daily_db.confirm_daily(
                conn, delivery.chat_id, delivery.local_date, delivery.id, self._ctx.now()
            )

    async def release_unconfirmed(self) -> int:
        """Give back every claim never confirmed sent; how many there were.

        Call it only at start-up, before any daily job runs: a claim of this process's own
        jobs is unconfirmed while its question waits to be sent.
        """
        async with self._ctx.db.write() as conn:
            return len(await daily_db.release_unconfirmed(conn))

    async def release_daily(self, delivery: Delivery) -> bool:
        """Undo the claim behind a daily `delivery` that was never sent; False if it is not
        (or no longer) that day's claim."""
        if delivery.kind != "daily" or delivery.local_date is None:
            return False
        async with self._ctx.db.write() as conn:
            return await daily_db.release_daily(
                conn, delivery.chat_id, delivery.local_date, delivery.id
            )
