"""Keyboards built from content by pure functions (no I/O), so they are easy to test and reuse."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.core.content import Answerable, ContentPack, Topic
from bot.core.lessons import LESSONS, WalkthroughPage, compare_menu
from bot.tg.callbacks import (
    MENU_DATA,
    REMINDERS_OFF_DATA,
    answer_data,
    aspect_data,
    checkpoint_data,
    lesson_data,
    picture_data,
    quiz_answer_data,
    quiz_hint_data,
    quiz_next_data,
    step_data,
    topic_data,
)
from bot.tg.render import clip

BUTTON_TEXT_LIMIT = 64

MENU_ASK = "❓ Ask"
MENU_LEARN = "📚 Learn"
MENU_QUIZ = "🧠 Quiz"
MENU_DAILY = "📅 Daily"
MENU_STATS = "📊 Stats"
MENU_LABELS: tuple[str, ...] = (MENU_ASK, MENU_LEARN, MENU_QUIZ, MENU_DAILY, MENU_STATS)

PICTURES: dict[str, tuple[str, str]] = {
    # name -> (button label, photo caption)
    "pipelines": ("🖼 Pipelines diagram", "The DevOps and MLOps pipelines side by side."),
    "comparison": ("🖼 Comparison table", "DevOps vs MLOps, aspect by aspect."),
}


def label(text: str) -> str:
    """Button text that fits on a phone: at most 64 characters, on one line."""
    return clip(" ".join(text.split()), BUTTON_TEXT_LIMIT)


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label(text), callback_data=data)


def main_menu() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[MENU_ASK, MENU_LEARN], [MENU_QUIZ, MENU_DAILY, MENU_STATS]],
        resize_keyboard=True,
        input_field_placeholder="Ask about DevOps or MLOps…",
    )


def entries_keyboard(entries: Iterable[Answerable], limit: int = 3) -> InlineKeyboardMarkup | None:
    """One button per entry ("did you mean" or "related"), each answering that entry."""
    rows = [[_button(e.title, answer_data(e.id))] for e in list(entries)[:limit]]
    return InlineKeyboardMarkup(rows) if rows else None


def topics_keyboard(topics: Iterable[Topic], limit: int = 6) -> InlineKeyboardMarkup | None:
    rows = [[_button(t.title, topic_data(t.id))] for t in list(topics)[:limit]]
    return InlineKeyboardMarkup(rows) if rows else None


def lessons_menu() -> InlineKeyboardMarkup:
    rows = [[_button(lesson.title, lesson_data(lesson.id))] for lesson in LESSONS]
    rows.append([_button(text, picture_data(name)) for name, (text, _) in PICTURES.items()])
    return InlineKeyboardMarkup(rows)


def back_to_menu(picture: str | None = None) -> InlineKeyboardMarkup:
    rows = []
    if picture is not None and picture in PICTURES:
        rows.append([_button(PICTURES[picture][0], picture_data(picture))])
    rows.append([_button("☰ All lessons", MENU_DATA)])
    return InlineKeyboardMarkup(rows)


def walkthrough_keyboard(page: WalkthroughPage, *, answered: bool = False) -> InlineKeyboardMarkup:
    """Back/Next, then one button per checkpoint option until the checkpoint is answered."""
    nav: list[InlineKeyboardButton] = []
    if not page.is_first:
        nav.append(_button("« Back", step_data(page.index - 1)))
    if not page.is_last:
        nav.append(_button("Next »", step_data(page.index + 1)))
    rows: list[Sequence[InlineKeyboardButton]] = [nav]
    if page.checkpoint is not None and not answered:
        rows += [
            [_button(option_label(i, option.text), checkpoint_data(page.index, i))]
            for i, option in enumerate(page.checkpoint.options)
        ]
    rows.append([_button("☰ All lessons", MENU_DATA)])
    return InlineKeyboardMarkup(rows)


def walkthrough_start() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button("Start »", step_data(0))], [_button("☰ All lessons", MENU_DATA)]]
    )


def aspects_keyboard(pack: ContentPack, per_row: int = 2) -> InlineKeyboardMarkup:
    buttons = [_button(aspect, aspect_data(row_id)) for row_id, aspect in compare_menu(pack)]
    rows: list[Sequence[InlineKeyboardButton]] = [
        buttons[i : i + per_row] for i in range(0, len(buttons), per_row)
    ]
    rows.append([_button(PICTURES["comparison"][0], picture_data("comparison"))])
    rows.append([_button("☰ All lessons", MENU_DATA)])
    return InlineKeyboardMarkup(rows)


def aspect_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button("« All aspects", lesson_data("compare")), _button("☰ All lessons", MENU_DATA)]]
    )


# --- quiz and daily question ---------------------------------------------------------------------

OPTION_LETTERS = "ABCDEFGH"
HINT_LABEL = "💡 Hint"
NEXT_LABEL = "Next question »"
WHY_LABEL = "Why?"
QUIZ_NOW_LABEL = "🧠 Quiz me now"
REMINDERS_OFF_LABEL = "🔕 No more reminders"


def option_label(position: int, text: str) -> str:
    return label(f"{OPTION_LETTERS[position]} · {text}")


def quiz_keyboard(
    delivery_id: int, options: Sequence[str], *, hint: bool = True
) -> InlineKeyboardMarkup:
    """One button per option (its position in this delivery), then the hint while unused."""
    rows = [
        [
            InlineKeyboardButton(
                option_label(i, text), callback_data=quiz_answer_data(delivery_id, i)
            )
        ]
        for i, text in enumerate(options)
    ]
    if hint:
        rows.append([_button(HINT_LABEL, quiz_hint_data(delivery_id))])
    return InlineKeyboardMarkup(rows)


def after_answer_keyboard(level: str, why_id: str | None, owner: int) -> InlineKeyboardMarkup:
    """Next (for `owner` only) and, if there is an entry to read, Why?."""
    row = [_button(NEXT_LABEL, quiz_next_data(level, owner))]
    if why_id is not None:
        row.append(_button(WHY_LABEL, answer_data(why_id)))
    return InlineKeyboardMarkup([row])


def reminder_keyboard(level: str, owner: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(QUIZ_NOW_LABEL, quiz_next_data(level, owner))],
            [_button(REMINDERS_OFF_LABEL, REMINDERS_OFF_DATA)],
        ]
    )


def without_button(markup: InlineKeyboardMarkup | None, data: str) -> InlineKeyboardMarkup | None:
    """`markup` minus the buttons carrying `data` (None when nothing is left)."""
    if markup is None:
        return None
    rows = [[b for b in row if b.callback_data != data] for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None
