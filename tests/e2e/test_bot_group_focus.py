"""A group's daily question aims at what the group gets wrong, and /top names the group's
weakest and strongest topics, through the real Application, the emulator and a fixed clock
moved day by day (the services' generator seeded, so the run is the same every time)."""

from __future__ import annotations

import random
from collections import Counter
from functools import partial
from typing import Any

import pytest

from bot.core.clock import FixedClock
from bot.core.content import ContentPack
from bot.core.group_focus import TopicRecord, standing
from bot.tg.scheduling import group_deadline_job, group_next_job
from tests.support.group_flow import (
    command,
    next_message,
    right_and_wrong,
    round_of,
    start_quiz,
)
from tests.support.quiz_flow import delivery_of, press_option
from tests.support.world import TutorFactory, World, daily_messages, run_job, services_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def boot(tutor_factory: TutorFactory, clock: FixedClock) -> TutorFactory:
    return partial(tutor_factory, clock=clock)


async def daily_round(world: World, app: Any, members: list[Any], weak: str | None) -> str:
    """Run today's job; every member answers, wrong on the `weak` topic only (the first day's
    topic when `weak` is None). Returns the question's topic."""
    group = world.group
    before = len(daily_messages(world, group.id))
    await run_job(app, f"daily:{group.id}")
    await world.emu.wait_for(lambda: len(daily_messages(world, group.id)) > before)
    question = daily_messages(world, group.id)[before]
    topic = (await delivery_of(app, question)).question.topic
    for member in members:
        await press_option(world, app, member, question, right=topic != (weak or topic))
    return topic


async def test_the_group_daily_aims_at_the_topic_the_group_misses_and_top_names_it(
    world: World, boot: Any, clock: FixedClock, pack: ContentPack
) -> None:
    """The members miss every question of one topic and get the rest right. Over 24 days that
    topic comes far more often than any other, and /top names it as needing practice next to
    the topics they always get right, with the counts."""
    members = [world.bob, world.carol, *(world.emu.user(200 + i, f"M{i}") for i in range(3))]
    async with boot() as app:
        services_of(app).context.rng = random.Random(11)
        await world.ask(world.alice, world.group, "/daily on 07:30")
        early = await world.ask(world.alice, world.group, "/top")
        assert "Needs practice" not in early.plain_text
        clock.advance(days=1)
        weak = await daily_round(world, app, members, None)
        counts = Counter([weak])
        for _ in range(23):
            clock.advance(days=1)
            counts[await daily_round(world, app, members, weak)] += 1
        others = max(n for topic, n in counts.items() if topic != weak)
        assert counts[weak] > 3 * others, counts
        assert len(counts) >= 5, counts  # coverage still brings other topics round

        top = await world.ask(world.bob, world.group, "/top")
    text = top.plain_text
    assert text.startswith("No group quiz has been played here yet.")
    answered = counts[weak] * len(members)
    assert f"Needs practice: {pack.topics[weak].title} (0 of {answered} right)" in text
    assert "Strongest topics: " in text and "(5 of 5 right)" in text
    assert "daily question (/daily) aims at these" in text


async def test_top_adds_the_topics_of_group_quiz_rounds_under_the_table(
    world: World, boot: Any, pack: ContentPack
) -> None:
    """A four-round group quiz, five members: all right in rounds 1-2, all wrong in rounds
    3-4. /top shows the table and, under it, those topics as strongest and needing practice."""
    members = [world.bob, world.carol, *(world.emu.user(300 + i, f"P{i}") for i in range(3))]
    outcomes: dict[str, list[bool]] = {}
    async with boot() as app:
        services_of(app).context.rng = random.Random(5)
        question = await start_quiz(world, world.alice, world.group, "4 10")
        for number in range(1, 5):
            round_ = await round_of(app, question)
            right, wrong = await right_and_wrong(app, question)
            good = number <= 2
            for member in members:
                await world.press(member, question, right if good else wrong)
            outcomes.setdefault(round_.question.topic, []).extend([good] * len(members))
            before = len(world.emu.bot_messages(world.group.id))
            if number == 1:  # nobody had played yet, so the first round waits for its deadline
                await run_job(app, group_deadline_job(round_.id))
            replies = 1 if number < 4 else 2  # the reveal (and after the last, the final table)
            await world.emu.wait_for_messages(world.group.id, before + replies)
            if number < 4:
                before = len(world.emu.bot_messages(world.group.id))
                await run_job(app, group_next_job(round_.session_id))
                question = await next_message(world, world.group, before)
        [table] = await command(world, world.carol, world.group, "/top", 1)
    text = table.plain_text
    assert text.startswith("🏆 All-time table of this group")
    expected = standing(TopicRecord(t, len(o), sum(o)) for t, o in outcomes.items())
    assert expected.weakest and expected.strongest  # the seed's rounds span several topics
    for record in expected.weakest:
        title = pack.topics[record.topic].title
        assert f"{title} ({record.correct} of {record.answered} right)" in text
    assert text.index("Strongest topics:") < text.index("Needs practice:")
    assert text.index("🥇") < text.index("Strongest topics:")
