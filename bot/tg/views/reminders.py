"""The evening streak reminder: its text and its two buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.services import AtRisk
from bot.tg.callbacks import REMINDERS_OFF_DATA, quiz_next_data
from bot.tg.render import plural
from bot.tg.views.common import button

__all__ = [
    "ALREADY_OFF",
    "QUIZ_NOW_LABEL",
    "REMINDERS_OFF_LABEL",
    "reminder_keyboard",
    "reminder_text",
]

QUIZ_NOW_LABEL = "🧠 Quiz me now"
REMINDERS_OFF_LABEL = "🔕 No more reminders"
ALREADY_OFF = "Reminders are already off."


def reminder_text(risk: AtRisk) -> str:
    days = plural(risk.streak.current, "day")
    text = (
        f"🔥 Your streak is {days} long and today's question is still waiting. "
        "One answer before midnight keeps it going."
    )
    if risk.streak.freezes:
        text += (
            f" (A freeze would cover today — you hold {risk.streak.freezes} — but why spend it?)"
        )
    return text


def reminder_keyboard(level: str, owner: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(QUIZ_NOW_LABEL, quiz_next_data(level, owner))],
            [button(REMINDERS_OFF_LABEL, REMINDERS_OFF_DATA)],
        ]
    )
