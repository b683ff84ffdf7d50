"""/progress in words: the one-line summary under the mastery picture and its practise buttons,
and the replies of `/quiz <words>` when the words name no topic to practise."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.content import Topic
from bot.core.mastery import Level
from bot.services import Progress, TopicProgress
from bot.tg.callbacks import practice_data
from bot.tg.render import esc, fit
from bot.tg.views.common import button

__all__ = [
    "NO_TOPIC_QUESTION",
    "PRACTICE_EXPIRED",
    "PRACTISE_LABEL",
    "TOPIC_CHOICE",
    "WEAKEST_SHOWN",
    "no_topic_text",
    "practise_keyboard",
    "progress_caption",
    "topic_choice_keyboard",
    "unquizzed_text",
]

WEAKEST_SHOWN = 2
PRACTISE_LABEL = "🎯 Practise: {title}"
PRACTICE_EXPIRED = "That button has expired — send /progress or /quiz for a fresh question."
NO_TOPIC_QUESTION = "No new question of that topic right now — answer the one above first."
TOPIC_CHOICE = "Which topic do you want to practise?"


def _named(topic: TopicProgress) -> str:
    return f"<b>{esc(topic.title)}</b> ({topic.level.label})"


def progress_caption(progress: Progress) -> str:
    """One line: the two weakest topics (or where to start), pointing at the buttons."""
    weakest = progress.weakest[:WEAKEST_SHOWN]
    if not weakest:
        return "📈 There are no quiz questions to practise yet."
    names = " and ".join(_named(t) for t in weakest)
    if not progress.started:
        return f"📈 Nothing practised yet — start with {names}, or send /quiz."
    if all(t.level is Level.MASTERED for t in weakest):
        return f"📈 Every topic is mastered — keep them fresh with {names}."
    return f"📈 Your weakest topics: {names} — tap one to practise it."


def _practise_button(topic_id: str, title: str) -> list[InlineKeyboardButton]:
    return [button(PRACTISE_LABEL.format(title=title), practice_data(topic_id))]


def practise_keyboard(progress: Progress) -> InlineKeyboardMarkup | None:
    """One button per weakest topic, each starting a quiz item of that topic."""
    weakest = progress.weakest[:WEAKEST_SHOWN]
    if not weakest:
        return None
    return InlineKeyboardMarkup([_practise_button(t.topic_id, t.title) for t in weakest])


def topic_choice_keyboard(topics: Sequence[Topic]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([_practise_button(t.id, t.title) for t in topics])


def no_topic_text(words: str) -> str:
    return (
        f"I couldn't tell which topic “{fit(words, 80)}” is about. Try a topic such as "
        "/quiz drift or /quiz monitoring, a level (/quiz easy, /quiz medium, /quiz hard), "
        "or /progress to practise one of your weakest topics."
    )


def unquizzed_text(title: str) -> str:
    return (
        f"“{esc(title)}” has no quiz questions yet. Send /progress to pick another topic, "
        "or /quiz for a question I choose for you."
    )
