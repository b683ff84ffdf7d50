"""/forget and /export in words: the confirmation with its buttons, and what was deleted."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.storage.privacy import ForgetReport
from bot.tg.callbacks import forget_data

__all__ = [
    "CANCELLED",
    "CANCEL_LABEL",
    "CONFIRM_LABEL",
    "DELETED_TOAST",
    "EXPIRED",
    "EXPORT_CAPTION",
    "FORGET_PROMPT",
    "NOTHING_STORED",
    "NOT_YOURS",
    "PRIVATE_ONLY",
    "confirm_keyboard",
    "private_only",
    "summary",
]

CONFIRM_LABEL = "🗑 Delete everything"
CANCEL_LABEL = "Cancel"
FORGET_PROMPT = (
    "<b>Delete everything I store about you?</b>\n"
    "Your answers, streak, review schedule, hints, reminder and time zone settings, the daily "
    "question of this chat, your answers and points in group quizzes, and the questions of "
    "yours I could not answer (kept for the authors). "
    "This cannot be undone. (To keep a copy first, send /export.)"
)
PRIVATE_ONLY = (
    "For your privacy, send /{command} to me in a private chat: here everyone would see "
    "the answer."
)
NOT_YOURS = "This button belongs to someone else."
EXPIRED = "This confirmation has expired — send /forget again."
CANCELLED = "Nothing was deleted."
DELETED_TOAST = "Deleted."
NOTHING_STORED = "I don't store anything about you."
EXPORT_CAPTION = "Everything I store about you, as JSON."


def _count(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def confirm_keyboard(user_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    CONFIRM_LABEL, callback_data=forget_data(confirm=True, owner=user_id)
                ),
                InlineKeyboardButton(
                    CANCEL_LABEL, callback_data=forget_data(confirm=False, owner=user_id)
                ),
            ]
        ]
    )


def private_only(command: str) -> str:
    return PRIVATE_ONLY.format(command=command)


def summary(report: ForgetReport) -> str:
    """What /forget deleted, in words (plain text, no markup)."""
    # How the reply names each table's rows, singular and plural.
    named = (
        (report.answers, "answer", "answers"),
        (report.hints, "hint", "hints"),
        (report.cards, "review card", "review cards"),
        (report.deliveries, "question sent", "questions sent"),
        (report.streaks, "streak", "streaks"),
        (report.reminders_sent, "reminder", "reminders"),
        (
            report.daily_subscriptions,
            "daily question subscription",
            "daily question subscriptions",
        ),
        (report.daily_sent, "daily question record", "daily question records"),
        (report.group_answers, "group quiz answer", "group quiz answers"),
        (report.group_scores, "group score", "group scores"),
        (report.group_rounds, "group quiz round", "group quiz rounds"),
        (report.group_settings, "group setting", "group settings"),
        (report.question_gaps, "unanswered question", "unanswered questions"),
        (report.users, "profile", "profiles"),
    )
    parts = [_count(count, one, many) for count, one, many in named if count > 0]
    if not parts:
        return "There was nothing stored about you, so nothing was deleted."
    text = "Done. I deleted everything I stored about you: " + ", ".join(parts) + "."
    if report.group_sessions > 0:
        text += (
            f" {_count(report.group_sessions, 'group quiz', 'group quizzes')} you "
            "started stay with their groups, no longer linked to you."
        )
    return text
