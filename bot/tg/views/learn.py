"""The lessons: the menu, each lesson's pages with their buttons, and the pictures' captions."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core import lessons
from bot.core.content import ContentPack
from bot.core.lessons import LESSONS, WalkthroughPage, compare_menu
from bot.tg.callbacks import (
    MENU_DATA,
    aspect_data,
    checkpoint_data,
    lesson_data,
    picture_data,
    step_data,
)
from bot.tg.render import CAPTION_LIMIT, fit, page
from bot.tg.views.common import button, option_label

__all__ = [
    "ALL_LESSONS",
    "LESSON_IDS",
    "MENU_TEXT",
    "PICTURES",
    "Page",
    "aspect_keyboard",
    "aspect_page",
    "aspects_keyboard",
    "back_to_menu",
    "checkpoint_page",
    "lesson_page",
    "lessons_menu",
    "menu_page",
    "picture_caption",
    "step_page",
    "walkthrough_keyboard",
    "walkthrough_start",
]

MENU_TEXT = (
    "<b>Lessons</b>\n\nPick one. Each page has buttons to move on; the pictures show the "
    "pipelines and the comparison at a glance."
)
LESSON_IDS = frozenset(lessons.lesson_ids())
PICTURES: dict[str, tuple[str, str]] = {
    # name -> (button label, photo caption)
    "pipelines": ("🖼 Pipelines diagram", "The DevOps and MLOps pipelines side by side."),
    "comparison": ("🖼 Comparison table", "DevOps vs MLOps, aspect by aspect."),
}
ALL_LESSONS = "☰ All lessons"

# A page: its HTML and its buttons.
Page = tuple[str, InlineKeyboardMarkup]


def lessons_menu() -> InlineKeyboardMarkup:
    rows = [[button(lesson.title, lesson_data(lesson.id))] for lesson in LESSONS]
    rows.append([button(text, picture_data(name)) for name, (text, _) in PICTURES.items()])
    return InlineKeyboardMarkup(rows)


def back_to_menu(picture: str | None = None) -> InlineKeyboardMarkup:
    rows = []
    if picture is not None and picture in PICTURES:
        rows.append([button(PICTURES[picture][0], picture_data(picture))])
    rows.append([button(ALL_LESSONS, MENU_DATA)])
    return InlineKeyboardMarkup(rows)


def walkthrough_keyboard(page: WalkthroughPage, *, answered: bool = False) -> InlineKeyboardMarkup:
    """Back/Next, then one button per checkpoint option until the checkpoint is answered."""
    nav: list[InlineKeyboardButton] = []
    if not page.is_first:
        nav.append(button("« Back", step_data(page.index - 1)))
    if not page.is_last:
        nav.append(button("Next »", step_data(page.index + 1)))
    rows: list[Sequence[InlineKeyboardButton]] = [nav]
    if page.checkpoint is not None and not answered:
        rows += [
            [button(option_label(i, option.text), checkpoint_data(page.index, i))]
            for i, option in enumerate(page.checkpoint.options)
        ]
    rows.append([button(ALL_LESSONS, MENU_DATA)])
    return InlineKeyboardMarkup(rows)


def walkthrough_start() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button("Start »", step_data(0))], [button(ALL_LESSONS, MENU_DATA)]]
    )


def aspects_keyboard(pack: ContentPack, per_row: int = 2) -> InlineKeyboardMarkup:
    buttons = [button(aspect, aspect_data(row_id)) for row_id, aspect in compare_menu(pack)]
    rows: list[Sequence[InlineKeyboardButton]] = [
        buttons[i : i + per_row] for i in range(0, len(buttons), per_row)
    ]
    rows.append([button(PICTURES["comparison"][0], picture_data("comparison"))])
    rows.append([button(ALL_LESSONS, MENU_DATA)])
    return InlineKeyboardMarkup(rows)


def aspect_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button("« All aspects", lesson_data("compare")), button(ALL_LESSONS, MENU_DATA)]]
    )


def menu_page() -> Page:
    return MENU_TEXT, lessons_menu()


def lesson_page(pack: ContentPack, lesson_id: str) -> Page:
    """The first page of a lesson."""
    text = page(lessons.lesson_text(pack, lesson_id))
    if lesson_id == "walkthrough":
        return text, walkthrough_start()
    if lesson_id == "compare":
        return text, aspects_keyboard(pack)
    return text, back_to_menu(lessons.lesson_info(lesson_id).picture)


def step_page(pack: ContentPack, index: int) -> Page:
    """One page of the walk-through, with its checkpoint's options while unanswered."""
    step = lessons.walkthrough_page(pack, index)
    return page(step.text), walkthrough_keyboard(step)


def checkpoint_page(pack: ContentPack, index: int, option: int) -> Page:
    """The walk-through page after a checkpoint option was picked: the verdict instead."""
    step = lessons.walkthrough_page(pack, index)
    verdict = lessons.checkpoint_verdict(pack, index, option)
    return page(verdict), walkthrough_keyboard(step, answered=True)


def aspect_page(pack: ContentPack, row_id: str) -> Page:
    return page(lessons.aspect_text(pack, row_id)), aspect_keyboard()


def picture_caption(name: str) -> str:
    return fit(PICTURES[name][1], CAPTION_LIMIT)
