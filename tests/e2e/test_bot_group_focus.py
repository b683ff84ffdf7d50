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
