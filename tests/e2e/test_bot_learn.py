"""/learn: the lessons menu, pages that edit one message in place, and the cached pictures."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core import lessons
from bot.core.content import ContentPack
from tests.support.world import World

pytestmark = pytest.mark.e2e

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def open_menu(world: World) -> Any:
    return await world.ask(world.alice, world.alice_chat, "/learn")


async def test_menu_lists_every_lesson_and_the_pictures(world: World, tutor: Any) -> None:
    """The lessons menu has one button per lesson plus the two pictures."""
    menu = await open_menu(world)
    labels = [label for row in world.emu.buttons(menu) for label in row]
    for lesson in lessons.LESSONS:
        assert lesson.title in labels
    assert "🖼 Pipelines diagram" in labels
    assert "🖼 Comparison table" in labels


@pytest.mark.parametrize("lesson", lessons.LESSONS, ids=lambda lesson: lesson.id)
async def test_each_lesson_edits_the_menu_message(
    world: World, tutor: Any, pack: ContentPack, lesson: lessons.LessonInfo
) -> None:
    """Opening a lesson replaces the menu text in the same message and a button leads back."""
    menu = await open_menu(world)
    await world.press(world.alice, menu, lesson.title)
    page = world.current(menu)
    first_line = lessons.lesson_text(pack, lesson.id).split("\n", 1)[0]
    assert page.plain_text.startswith(first_line)
    assert len(page.edits) == 1
    assert len(world.emu.bot_messages(world.alice_chat.id)) == 1
    await world.press(world.alice, page, "☰ All lessons")
    assert world.current(menu).plain_text.startswith("Lessons")


async def test_walkthrough_pages_forward_and_back(
    world: World, tutor: Any, pack: ContentPack
) -> None:
    """Next and Back move through all six steps in one message; the ends have no dead buttons."""
    menu = await open_menu(world)
    await world.press(world.alice, menu, "Step by step")
    await world.press(world.alice, world.current(menu), "Start »")
    total = lessons.walkthrough_total(pack)
    for index in range(total):
        page = world.current(menu)
        assert page.plain_text.startswith(f"Step {index + 1} of {total}")
        labels = world.emu.buttons(page)[0]
        assert ("« Back" in labels) == (index > 0)
        assert ("Next »" in labels) == (index < total - 1)
        if index < total - 1:
            await world.press(world.alice, page, "Next »")
    assert "Summary:" in world.current(menu).plain_text
    await world.press(world.alice, world.current(menu), "« Back")
    assert world.current(menu).plain_text.startswith(f"Step {total - 1} of {total}")
    assert len(world.emu.bot_messages(world.alice_chat.id)) == 1


async def test_checkpoint_question_is_answered_in_place(
    world: World, tutor: Any, pack: ContentPack
) -> None:
    """Step 2 asks its checkpoint with buttons; a wrong pick edits the page with its `why`."""
    checkpoint = pack.lessons.walkthrough[1].checkpoint
    assert checkpoint is not None
    wrong = next(i for i, o in enumerate(checkpoint.options) if not o.correct)
    menu = await open_menu(world)
    await world.press(world.alice, menu, "Step by step")
    await world.press(world.alice, world.current(menu), "Start »")
    await world.press(world.alice, world.current(menu), "Next »")
    page = world.current(menu)
    labels = [label for row in world.emu.buttons(page) for label in row]
    option = next(label for label in labels if checkpoint.options[wrong].text in label)
    await world.press(world.alice, page, option)
    answered = world.current(menu)
    assert answered.plain_text.startswith("Step 2 of")
    assert checkpoint.options[wrong].why in answered.plain_text
    assert checkpoint.explanation in answered.plain_text
    after = [label for row in world.emu.buttons(answered) for label in row]
    assert "Next »" in after and not any(o.text in " ".join(after) for o in checkpoint.options)
    assert len(world.emu.bot_messages(world.alice_chat.id)) == 1


async def test_double_tap_is_harmless(world: World, tutor: Any) -> None:
    """Pressing the same Next twice ("message is not modified") still answers and stays put."""
    menu = await open_menu(world)
    await world.press(world.alice, menu, "Step by step")
    await world.press(world.alice, world.current(menu), "Start »")
    page = world.current(menu)
    data = page.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    first = await world.press_data(world.alice, page, data)
    second = await world.press_data(world.alice, page, data)
    assert "text" not in first and "text" not in second
    edits = world.emu.calls_to("editMessageText")
    assert edits[-1].error is not None and "not modified" in edits[-1].error
    assert world.current(menu).plain_text.startswith("Step 2 of")
    assert len(world.emu.bot_messages(world.alice_chat.id)) == 1


async def test_compare_by_aspect(world: World, tutor: Any, pack: ContentPack) -> None:
    """The aspect menu opens one comparison row, and "All aspects" returns to the menu."""
    menu = await open_menu(world)
    await world.press(world.alice, menu, "Compare by aspect")
    aspects = world.current(menu)
    row = next(iter(pack.comparison.values()))
    await world.press(world.alice, aspects, row.aspect)
    page = world.current(menu)
    assert page.plain_text.startswith(row.aspect)
    assert f"DevOps: {row.devops}" in page.plain_text
    assert f"MLOps: {row.mlops}" in page.plain_text
    await world.press(world.alice, page, "« All aspects")
    assert world.current(menu).plain_text == aspects.plain_text


async def test_picture_is_uploaded_once_then_reused(world: World, tutor: Any) -> None:
    """The first picture is uploaded as PNG bytes; the second send reuses Telegram's file_id."""
    menu = await open_menu(world)
    await world.press(world.alice, menu, "🖼 Pipelines diagram")
    first = (await world.emu.wait_for_messages(world.alice_chat.id, 2))[1]
    assert first.kind == "photo"
    assert first.photo is not None and first.photo.startswith(PNG_MAGIC)
    assert first.width >= 1000
    assert first.caption
    await world.press(world.alice, menu, "🖼 Pipelines diagram")
    second = (await world.emu.wait_for_messages(world.alice_chat.id, 3))[2]
    uploads = world.emu.calls_to("sendPhoto")
    assert uploads[0].files and not uploads[1].files
    assert uploads[1].params["photo"] == first.file_id
    assert second.photo == first.photo


async def test_comparison_picture_in_a_group(world: World, tutor: Any) -> None:
    """The comparison table picture is sent to the chat where the button was pressed."""
    menu = await world.ask(world.bob, world.group, "/learn")
    await world.press(world.carol, menu, "🖼 Comparison table")
    photo = (await world.emu.wait_for_messages(world.group.id, 2))[1]
    assert photo.kind == "photo" and photo.photo is not None
    assert photo.photo.startswith(PNG_MAGIC)


async def test_stale_file_id_is_uploaded_again(world: World, tutor: Any) -> None:
    """If Telegram refuses the cached file_id, the picture is uploaded afresh and re-cached."""
    menu = await open_menu(world)
    await world.press(world.alice, menu, "🖼 Comparison table")
    await world.emu.wait_for_messages(world.alice_chat.id, 2)
    world.emu.fail_next(
        "sendPhoto", status=400, description="Bad Request: wrong file identifier/HTTP URL"
    )
    await world.press(world.alice, menu, "🖼 Comparison table")
    photos = await world.emu.wait_for_messages(world.alice_chat.id, 3)
    assert photos[2].kind == "photo"
    calls = world.emu.calls_to("sendPhoto")
    assert [bool(c.files) for c in calls] == [True, False, True]
