"""Free-text answers: the matcher's verdict as HTML, with buttons for what to read next."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import InlineKeyboardMarkup

from bot.core.content import Answerable, Topic
from bot.core.matcher import MatchResult
from bot.tg.callbacks import answer_data, topic_data
from bot.tg.render import MESSAGE_LIMIT, fit, titled, units
from bot.tg.views.common import button

__all__ = [
    "ASK_PROMPT",
    "NOTHING_TO_SHOW",
    "RELATED_LINE",
    "entries_keyboard",
    "render_result",
    "topics_keyboard",
]

RELATED_LINE = "\n\n<i>Related:</i>"
NOTHING_TO_SHOW = "Nothing to show for that yet — try asking in your own words."
ASK_PROMPT = (
    "Type your question in your own words, for example:\n"
    "• <i>what is model drift?</i>\n"
    "• <i>devops vs mlops testing</i>\n"
    "• <i>why do ml models need retraining</i>"
)


def entries_keyboard(entries: Iterable[Answerable], limit: int = 3) -> InlineKeyboardMarkup | None:
    """One button per entry ("did you mean" or "related"), each answering that entry."""
    rows = [[button(e.title, answer_data(e.id))] for e in list(entries)[:limit]]
    return InlineKeyboardMarkup(rows) if rows else None


def topics_keyboard(topics: Iterable[Topic], limit: int = 6) -> InlineKeyboardMarkup | None:
    rows = [[button(t.title, topic_data(t.id))] for t in list(topics)[:limit]]
    return InlineKeyboardMarkup(rows) if rows else None


def render_result(result: MatchResult) -> tuple[str, InlineKeyboardMarkup | None]:
    """The HTML reply and buttons for one matcher verdict."""
    if result.status == "answer" and result.entry is not None:
        # The "Related:" line is part of the message, so the answer is fitted to what is left.
        suffix = RELATED_LINE if result.related else ""
        limit = MESSAGE_LIMIT - units(suffix)
        text = titled(result.entry.title, result.reply, limit=limit) + suffix
        return text, entries_keyboard(result.related, limit=3)
    if result.status == "suggest":
        return fit(result.reply, 1000), entries_keyboard(result.suggestions)
    return fit(result.reply, 1000), topics_keyboard(result.fallback_topics)
