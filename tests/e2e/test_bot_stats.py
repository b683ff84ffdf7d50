"""/stats over the emulator: one photo (the 12-week heat map) with the numbers as its caption."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image

from bot.core.clock import FixedClock
from bot.core.content import ContentPack
from tests.support.quiz_flow import answer_quiz
from tests.support.world import App, TutorFactory, World

pytestmark = pytest.mark.e2e

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def app(tutor_factory: TutorFactory, clock: FixedClock) -> AsyncIterator[App]:
    async with tutor_factory(clock=clock) as running:
        yield running


async def test_stats_before_any_answer(world: World, app: Any) -> None:
    """A newcomer's /stats is a heat-map photo whose caption shows zeros and points to /quiz."""
    reply = await world.ask(world.alice, world.alice_chat, "/stats")
    assert reply.kind == "photo"
    assert reply.photo is not None and reply.photo.startswith(PNG_MAGIC)
    caption = reply.plain_text
    assert "Alice's progress" in caption
    assert "Streak: 0 days (best 0 days)" in caption
    assert "Questions answered: 0 · accuracy –" in caption
    assert "send /quiz for your first question" in caption
    assert "Due for review: 0" in caption


async def test_stats_after_answers(world: World, app: Any, pack: ContentPack) -> None:
    """After a right and a wrong answer the caption shows the streak, 50% accuracy, the per-level
    split and the questions not yet seen; the picture is a real PNG image."""
    await answer_quiz(world, app, right=True, level="easy")
    await answer_quiz(world, app, right=False, level="hard")
    reply = await world.ask(world.alice, world.alice_chat, "/stats")
    caption = reply.plain_text
    assert "Streak: 1 day (best 1 day) · ✓ answered today" in caption
    assert "Questions answered: 2 · accuracy 50%" in caption
    assert "easy 1/1 (100%) · medium 0/0 (–) · hard 0/1 (0%)" in caption
    assert f"never seen: {len(pack.quiz) - 2}" in caption
    assert "last 12 weeks" in caption
    assert reply.photo is not None
    with Image.open(io.BytesIO(reply.photo)) as image:
        assert image.format == "PNG" and image.width > image.height


async def test_stats_in_a_group_quote_the_asker(world: World, app: Any) -> None:
    """In a group, /stats shows the asker's own numbers as a reply to their message."""
    reply = await world.ask(world.bob, world.group, "/stats")
    assert reply.kind == "photo"
    assert "Bob <b>'s progress" in reply.plain_text  # the name is escaped, not markup
    assert reply.reply_to_message_id is not None


async def test_a_very_long_name_is_shortened_once(world: World, app: App) -> None:
    """A name far over Telegram's 64 characters is cut to 63 and an ellipsis in the caption's
    heading; the caption stays a valid photo caption."""
    giant = world.emu.user(150, "Maximilian" * 30)
    chat = world.emu.private_chat(giant)
    reply = await world.ask(giant, chat, "/stats")
    heading = reply.plain_text.splitlines()[0]
    assert heading == f"📊 {('Maximilian' * 7)[:63]}…'s progress"
