"""A group's record per topic through the services: its daily question aims at the topics it
answers worst (a private daily keeps taking questions in turn), and the group's weakest and
strongest topics (for /top) come from its rounds and daily answers in that chat only."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

from bot.core.content import ContentPack, Topic
from bot.services import Delivery, Services
from bot.services.group import Started, TopicStanding
from bot.storage import group_record as record_db
from tests.support.storage import make_pack, question, services_at

GROUP = -1001
OTHER_GROUP = -1002
MEMBERS = (11, 12, 13)
LEARNER = 21
TOPICS = ("drift", "testing", "ci", "cd", "registry")


def pack() -> ContentPack:
    """Five topics of three questions each."""
    questions = [
        question(f"{topic}-{i}", "easy", topic, related=None) for topic in TOPICS for i in range(3)
    ]
    return dataclasses.replace(
        make_pack(questions),
        topics={
            t: Topic(id=t, title=t.upper(), summary=f"About {t}.", area="Foundations")
            for t in TOPICS
        },
    )


def position(delivery: Delivery, *, right: bool) -> int:
    good = delivery.options.index(f"{delivery.question.id} right")
    return good if right else (good + 1) % len(delivery.options)


async def daily_day(services: Services, chat_id: int, weak: str) -> str:
    """Claim today's group question; every member answers, wrong on the `weak` topic only."""
    delivery = await services.daily.claim_daily(chat_id, group=True)
    assert delivery is not None
    topic = delivery.question.topic
    for member in MEMBERS:
        await services.quiz.answer(delivery.id, member, position(delivery, right=topic != weak))
    return topic


async def test_a_group_that_misses_one_topic_gets_it_most_days(tmp_path: Path) -> None:
    """Sixty simulated days, seeded: the topic the group keeps missing comes far more often than
    any topic it answers right, and coverage still brings every topic round."""
    async with services_at(tmp_path / "t.db", pack(), seed=4) as (services, clock):
        await services.daily.subscribe(GROUP, "08:00")
        await services.daily.subscribe(LEARNER, "08:00", owner=LEARNER)
        counts: Counter[str] = Counter()
        private: list[str] = []
        for _ in range(60):
            clock.advance(days=1)
            counts[await daily_day(services, GROUP, weak="ci")] += 1
            # A person's own chat is not aimed: missing a topic there changes nothing, and
            # every question comes once before any repeats.
            delivery = await services.daily.claim_daily(LEARNER)
            assert delivery is not None
            private.append(delivery.question.id)
            await services.quiz.answer(delivery.id, LEARNER, position(delivery, right=False))
        strong_most = max(counts[t] for t in TOPICS if t != "ci")
        assert counts["ci"] > 2 * strong_most, counts
        assert set(counts) == set(TOPICS), counts
        assert len(set(private[:15])) == 15


async def test_a_new_group_meets_every_topic_before_a_repeat(tmp_path: Path) -> None:
    """No history: least recently asked topic first, so five days bring five topics."""
    async with services_at(tmp_path / "t.db", pack(), seed=2) as (services, clock):
        await services.daily.subscribe(GROUP, "08:00")
        seen = []
        for _ in TOPICS:
            clock.advance(days=1)
            delivery = await services.daily.claim_daily(GROUP, group=True)
            assert delivery is not None
            seen.append(delivery.question.topic)
        assert sorted(seen) == sorted(TOPICS)


async def test_the_record_counts_rounds_and_daily_answers_of_that_chat_only(
    tmp_path: Path,
) -> None:
    async with services_at(tmp_path / "t.db", pack(), seed=4) as (services, clock):
        await services.daily.subscribe(GROUP, "08:00")
        await services.daily.subscribe(OTHER_GROUP, "08:00")
        clock.advance(days=1)
        ours = await services.daily.claim_daily(GROUP, group=True)
        theirs = await services.daily.claim_daily(OTHER_GROUP, group=True)
        assert ours is not None and theirs is not None
        await services.quiz.answer(ours.id, 11, position(ours, right=True))
        await services.quiz.answer(ours.id, 12, position(ours, right=False))
        await services.quiz.answer(theirs.id, 13, position(theirs, right=False))
        # A private quiz answer is no part of any group's record.
        private = await services.quiz.next_question(11, 11, "easy", private=True)
        assert private is not None
        await services.quiz.answer(private.id, 11, position(private, right=False), private=True)
        started = await services.group.start_session(GROUP, 11, "1", is_admin=True, private=False)
        assert isinstance(started, Started)
        round_ = started.round
        right_at = round_.options.index(f"{round_.question.id} right")
        await services.group.tap(round_.id, 13, "Cy", right_at)
        await services.group.close_round(round_.id)
        async with services.db.read() as conn:
            tallies = await record_db.question_tallies(conn, GROUP)
        expected: Counter[str] = Counter()
        expected[ours.question.id] += 2
        expected[round_.question.id] += 1
        assert {q: n for q, (n, _) in tallies.items()} == dict(expected)
        assert sum(right for _, right in tallies.values()) == 2


async def test_topic_standing_needs_evidence_and_forgets_a_forgotten_member(
    tmp_path: Path,
) -> None:
    """After a week of dailies the group's weak and strong topics are named; a member's
    /forget takes their answers out of the record, and thin evidence names nothing."""
    async with services_at(tmp_path / "t.db", pack(), seed=4) as (services, clock):
        assert await services.group.topic_standing(GROUP) == TopicStanding((), ())
        await services.daily.subscribe(GROUP, "08:00")
        for _ in range(25):
            clock.advance(days=1)
            await daily_day(services, GROUP, weak="ci")
        standing = await services.group.topic_standing(GROUP)
        assert [s.topic_id for s in standing.weakest] == ["ci"]
        assert [s.title for s in standing.weakest] == ["CI"]
        assert standing.weakest[0].correct == 0 and standing.weakest[0].answered >= 5
        assert len(standing.strongest) == 2
        assert all(s.correct == s.answered for s in standing.strongest)
        for member in MEMBERS:
            await services.privacy.forget(member)
        cleared = await services.group.topic_standing(GROUP)
        assert cleared.weakest == () and cleared.strongest == ()
        clock.advance(days=1)
        assert await services.daily.claim_daily(GROUP, group=True) is not None


async def test_an_unanswered_week_still_rotates(tmp_path: Path) -> None:
    """Questions nobody answers leave no record: the group keeps getting new topics."""
    async with services_at(tmp_path / "t.db", pack(), seed=9) as (services, clock):
        await services.daily.subscribe(GROUP, "08:00")
        topics = []
        for _ in range(10):
            clock.advance(days=1)
            delivery = await services.daily.claim_daily(GROUP, group=True)
            assert delivery is not None
            topics.append(delivery.question.topic)
        assert Counter(topics).most_common(1)[0][1] == 2
