"""Inline results: each offered entry as an article whose message is the entry's answer."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode

from bot.core.content import Answerable
from bot.tg.render import titled

__all__ = ["ASK_TOO", "DESCRIPTION_CHARS", "TITLE_CHARS", "article", "articles"]

# What a phone shows of a result's two lines before cutting them off.
TITLE_CHARS = 64
DESCRIPTION_CHARS = 100
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Under a posted answer: anyone in that chat taps it and finds "@bot " typed in their own input
# field, ready for their question (no callback: the bot need not be a member of the chat).
ASK_TOO = "🔎 Ask the tutor too"
_ASK_TOO_MARKUP = InlineKeyboardMarkup(
    [[InlineKeyboardButton(ASK_TOO, switch_inline_query_current_chat="")]]
)


def _short(text: str, limit: int) -> str:
    """Plain text (results' titles and descriptions are not parsed) on one line, cut short."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def article(entry: Answerable) -> InlineQueryResultArticle:
    """The entry as a result: its title and the start of its answer in the list; picked, it
    posts the titled answer (escaped HTML, fitted to Telegram's message limit) with a button
    that lets anyone in the chat ask their own question the same way."""
    return InlineQueryResultArticle(
        # Content ids are at most 48 ASCII characters and unique: a valid result id as they are.
        id=entry.id,
        title=_short(entry.title, TITLE_CHARS),
        description=_short(entry.answer, DESCRIPTION_CHARS),
        input_message_content=InputTextMessageContent(
            titled(entry.title, entry.answer),
            parse_mode=ParseMode.HTML,
            link_preview_options=_NO_PREVIEW,
        ),
        reply_markup=_ASK_TOO_MARKUP,
    )


def articles(entries: Iterable[Answerable]) -> tuple[InlineQueryResultArticle, ...]:
    return tuple(article(entry) for entry in entries)
