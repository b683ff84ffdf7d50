"""/progress and topic practice over the emulator: mastery moves after answers, the picture and
its practise buttons, `/quiz <words>` through the matcher, and forged practise buttons."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image

from bot.core.clock import FixedClock
from bot.core.content import ContentPack
from bot.core.mastery import Level
from tests.support.quiz_flow import delivery_of, press_option
from tests.support.world import App, TutorFactory, World, services_of

pytestmark = pytest.mark.e2e

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXPIRED = "That button has expired — send /progress"


@pytest.fixture
async def app(tutor_factory: TutorFactory, clock: FixedClock) -> AsyncIterator[App]:
    async with tutor_factory(clock=clock) as running:
        yield running


async def _drift_level(app: App, user_id: int) -> Level:
    progress = await services_of(app).progress.progress(user_id)
    topic = progress.topic("drift")
    assert topic is not None
    return topic.level


async def test_mastery_of_a_topic_moves_after_answers(
    world: World, app: App, clock: FixedClock, pack: ContentPack
) -> None:
    """Not started before any answer; learning after one right answer (one lucky tap is not
    more); solid once most drift items are answered right; back to learning after misses."""
    assert await _drift_level(app, world.alice.id) is Level.NOT_STARTED
    drift_items = sum(1 for q in pack.quiz.values() if q.topic == "drift")
    levels = []
    for _ in range(drift_items):
        question = await world.ask(world.alice, world.alice_chat, "/quiz drift")
        assert (await delivery_of(app, question)).question.topic == "drift"
        await press_option(world, app, world.alice, question, right=True)
        clock.advance(minutes=5)
        levels.append(await _drift_level(app, world.alice.id))
    assert levels[0] is Level.LEARNING
    assert levels[-1] >= Level.SOLID
    for _ in range(3):
        question = await world.ask(world.alice, world.alice_chat, "/quiz drift")
        await press_option(world, app, world.alice, question, right=False)
        clock.advance(minutes=5)
    assert await _drift_level(app, world.alice.id) is Level.LEARNING
    # Bob answered nothing: his drift is untouched.
    assert await _drift_level(app, world.bob.id) is Level.NOT_STARTED


async def test_progress_sends_a_picture_whose_buttons_practise_the_weakest_topics(
    world: World, app: App, pack: ContentPack
) -> None:
    reply = await world.ask(world.alice, world.alice_chat, "/progress")
    assert reply.kind == "photo"
    assert reply.photo is not None and reply.photo.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(reply.photo)) as image:
        assert image.format == "PNG" and image.width == 1000
    progress = await services_of(app).progress.progress(world.alice.id)
    weakest = progress.weakest[:2]
    caption = reply.plain_text
    assert caption.startswith("📈 Nothing practised yet")
    assert all(t.title in caption for t in weakest)
    labels = [row[0] for row in world.emu.buttons(reply)]
    assert labels == [f"🎯 Practise: {t.title}" for t in weakest]

    for topic in weakest:
        before = len(world.emu.bot_messages(world.alice_chat.id))
        toast = await world.press(world.alice, reply, f"🎯 Practise: {topic.title}")
        assert "text" not in toast
        messages = await world.emu.wait_for_messages(world.alice_chat.id, before + 1)
        question = messages[before]
        assert question.plain_text.startswith("🧠 Quiz")
        assert topic.title in question.plain_text.splitlines()[1]
        assert (await delivery_of(app, question)).question.topic == topic.topic_id


async def test_after_answers_the_caption_names_the_weakest_started_topics(
    world: World, app: App
) -> None:
    question = await world.ask(world.alice, world.alice_chat, "/quiz drift")
    await press_option(world, app, world.alice, question, right=False)
    reply = await world.ask(world.alice, world.alice_chat, "📈 Progress")
    assert reply.kind == "photo"
    assert reply.plain_text.startswith("📈 Your weakest topics:")


async def test_quiz_with_words_practises_the_topic_the_matcher_finds(
    world: World, app: App
) -> None:
    """`/quiz drift` (a topic) and a learner's own words for drift both ask a drift item, and
    the question names its topic."""
    for words in ("drift", "Model and data drift", "why does my model get worse over time"):
        question = await world.ask(world.alice, world.alice_chat, f"/quiz {words}")
        delivery = await delivery_of(app, question)
        assert delivery.question.topic == "drift", words
        assert "Model and data drift" in question.plain_text
        await press_option(world, app, world.alice, question, right=True)


async def test_quiz_with_words_that_name_no_topic_gets_a_friendly_way_on(
    world: World, app: App
) -> None:
    reply = await world.ask(world.alice, world.alice_chat, "/quiz banana bread <b>")
    text = reply.plain_text
    assert "couldn't tell which topic" in text and "banana bread <b>" in text
    assert "/quiz easy" in text and "/progress" in text
    assert reply.reply_markup is None
    assert await services_of(app).quiz.last_level(world.alice.id) is None


async def test_a_forged_or_stale_practise_button_gets_the_expired_toast(
    world: World, app: App
) -> None:
    """A topic that does not exist (or left the pack), junk after the prefix, a second spelling:
    a toast, and no question is sent."""
    help_message = await world.ask(world.alice, world.alice_chat, "/help")
    before = len(world.emu.bot_messages(world.alice_chat.id))
    for data in ("pp:no-such-topic", "pp:", "pp:Drift", "pp:drift:1", "pp:" + "x" * 60):
        toast = await world.press_data(world.alice, help_message, data)
        assert toast.get("text", "").startswith(EXPIRED), data
    assert len(world.emu.bot_messages(world.alice_chat.id)) == before
    assert (await services_of(app).stats.stats(world.alice.id)).answered == 0


async def test_a_practise_button_in_a_group_asks_the_presser(world: World, app: App) -> None:
    """In a group, /progress is the asker's; whoever presses a practise button gets the quiz."""
    reply = await world.ask(world.bob, world.group, "/progress")
    assert reply.kind == "photo" and reply.reply_to_message_id is not None
    label = world.emu.buttons(reply)[0][0]
    before = len(world.emu.bot_messages(world.group.id))
    await world.press(world.carol, reply, label)
    messages = await world.emu.wait_for_messages(world.group.id, before + 1)
    delivery = await delivery_of(app, messages[before])
    assert delivery.user_id == world.carol.id
