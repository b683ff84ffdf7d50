"""Plain text from the core turned into Telegram HTML that is always valid and always fits.

The core produces plain text; only this module adds markup. Every dynamic string passes through
`esc`, and `fit` shortens text so the final message stays under Telegram's limit however long or
strange the input is.
"""

from __future__ import annotations

import html

from bot.core.echo import ELLIPSIS, echo

__all__ = [
    "CAPTION_LIMIT",
    "MESSAGE_LIMIT",
    "clip",
    "esc",
    "fit",
    "page",
    "plural",
    "titled",
    "units",
]

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def esc(text: str) -> str:
    """Escape for Telegram's HTML parse mode (quotes only matter inside attributes)."""
    return html.escape(text, quote=False)


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji may count as two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int) -> str:
    """Escape `text`, cut (with an ellipsis) so the escaped form has at most `limit` units."""
    escaped = esc(text)
    if units(escaped) <= limit:
        return escaped
    budget = limit - units(ELLIPSIS)
    used = 0
    kept: list[str] = []
    for char in text:
        piece = esc(char)
        cost = units(piece)
        if used + cost > budget:
            break
        kept.append(piece)
        used += cost
    return "".join(kept).rstrip() + ELLIPSIS


def plural(count: int, word: str) -> str:
    """ "1 day", "2 days": the count and a regular English noun."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def clip(text: str, limit: int) -> str:
    """Plain text (a toast, a button label) cut to `limit` characters with an ellipsis."""
    return echo(text, limit)


def titled(title: str, body: str, *, limit: int = MESSAGE_LIMIT) -> str:
    """A bold title over a body; the body is shortened if the whole would not fit."""
    head = f"<b>{fit(title, 200)}</b>\n\n"
    return head + fit(body, limit - units(head))


def page(text: str, *, limit: int = MESSAGE_LIMIT) -> str:
    """A multi-line plain-text page: its first line becomes a bold heading."""
    first, sep, rest = text.partition("\n")
    if not sep:
        return fit(text, limit)
    return titled(first, rest.lstrip("\n"), limit=limit)
