"""What every screen shares: button labels that fit, the option letters, dropping a button.

The views (`bot.tg.views.<feature>`) are pure functions from service results to HTML and
keyboards: no I/O, so they are tested without Telegram.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.tg.render import clip

__all__ = [
    "BUTTON_TEXT_LIMIT",
    "OPTION_LETTERS",
    "button",
    "label",
    "option_label",
    "without_button",
]

BUTTON_TEXT_LIMIT = 64
OPTION_LETTERS = "ABCDEFGH"


def label(text: str) -> str:
    """Button text that fits on a phone: at most 64 characters, on one line."""
    return clip(" ".join(text.split()), BUTTON_TEXT_LIMIT)


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label(text), callback_data=data)


def option_label(position: int, text: str) -> str:
    """An answer option's button: its letter, then its text."""
    return label(f"{OPTION_LETTERS[position]} · {text}")


def without_button(markup: InlineKeyboardMarkup | None, data: str) -> InlineKeyboardMarkup | None:
    """`markup` minus the buttons carrying `data` (None when nothing is left)."""
    if markup is None:
        return None
    rows = [[b for b in row if b.callback_data != data] for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None
