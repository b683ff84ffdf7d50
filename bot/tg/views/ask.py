"""Free-text answers: the matcher's verdict as HTML, with buttons for what to read next."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import InlineKeyboardMarkup

from bot.core.content import Answerable, Topic
from bot.core.matcher import MatchResult
from bot.tg.callbacks import answer_data, pick_data, practice_data, topic_data
from bot.tg.render import MESSAGE_LIMIT, fit, titled, units
from bot.tg.views.common import button

__all__ = [
    "ASK_PROMPT",
    "NOTHING_TO_SHOW",
    "PRACTISE_LABEL",
    "PRACTISE_NOTHING",
    "RELATED_LINE",
    "entries_keyboard",
    "render_result",
    "topics_keyboard",
]

RELATED_LINE = "\n\n<i>Related:</i>"
NOTHING_TO_SHOW = "Nothing to show for that yet — try asking in your own words."
PRACTISE_LABEL = "🧠 Test me on this"
PRACTISE_NOTHING = "You have just seen this topic's questions — try /quiz for another one."
ASK_PROMPT = (
    "Type your question in your own words, for example:\n"
    "• <i>what is model drift?</i>\n"
    "• <i>devops vs mlops testing</i>\n"
    "• <i>why do ml models need retraining</i>"
)


def entries_keyboard(
    entries: Iterable[Answerable],
    limit: int = 3,
    *,
    gap_id: int | None = None,
    practise_topic: str | None = None,
) -> InlineKeyboardMarkup | None:
    """One button per entry ("did you mean" or "related"), each answering that entry; with
    `gap_id` (a stored "did you mean") the press also records which one was picked, and
    `practise_topic` adds "Test me on this" for that topic."""
    rows = [
        [button(e.title, answer_data(e.id) if gap_id is None else pick_data(gap_id, e.id))]
        for e in list(entries)[:limit]
    ]
    if practise_topic is not None:
        rows.append([button(PRACTISE_LABEL, practice_data(practise_topic))])
    return InlineKeyboardMarkup(rows) if rows else None


def topics_keyboard(topics: Iterable[Topic], limit: int = 6) -> InlineKeyboardMarkup | None:
    rows = [[button(t.title, topic_data(t.id))] for t in list(topics)[:limit]]
    return InlineKeyboardMarkup(rows) if rows else None


def render_result(
    result: MatchResult, *, gap_id: int | None = None, practise_topic: str | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The HTML reply and buttons for one matcher verdict; `gap_id` is the stored question of a
    "did you mean", `practise_topic` the topic an answer offers "Test me on this" for."""
    if result.status == "answer" and result.entry is not None:
        # The "Related:" line is part of the message, so the answer is fitted to what is left.
        suffix = RELATED_LINE if result.related else ""
        limit = MESSAGE_LIMIT - units(suffix)
        text = titled(result.entry.title, result.reply, limit=limit) + suffix
        return text, entries_keyboard(result.related, limit=3, practise_topic=practise_topic)
    if result.status == "suggest":
        return fit(result.reply, 1000), entries_keyboard(result.suggestions, gap_id=gap_id)
    return fit(result.reply, 1000), topics_keyboard(result.fallback_topics)
