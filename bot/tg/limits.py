"""The last check before a request leaves: no text longer than Telegram accepts.

Every reply builder already fits its text (bot.tg.render), and a property test holds them to it.
This is the net under them: a text over Telegram's limit (4,096 for a message, 1,024 for a
caption, 200 for a toast) would make Telegram refuse the request and the learner would see the
generic apology instead of an answer. Here it is shortened instead, HTML tags kept balanced,
and a warning logged so the builder gets fixed. Limits count what the reader sees: the text
after Telegram has parsed the HTML, in UTF-16 code units.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from bot.core.echo import ELLIPSIS
from bot.tg.render import CAPTION_LIMIT, MESSAGE_LIMIT, esc, units

__all__ = ["TOAST_LIMIT", "fit_html", "fit_request", "visible"]

log = logging.getLogger(__name__)

TOAST_LIMIT = 200

# endpoint (lower case) -> (parameter, limit)
_LIMITS: dict[str, tuple[str, int]] = {
    "sendmessage": ("text", MESSAGE_LIMIT),
    "editmessagetext": ("text", MESSAGE_LIMIT),
    "sendphoto": ("caption", CAPTION_LIMIT),
    "senddocument": ("caption", CAPTION_LIMIT),
    "editmessagecaption": ("caption", CAPTION_LIMIT),
    "answercallbackquery": ("text", TOAST_LIMIT),
}
_TOKEN = re.compile(r"(<[^>]*>)")
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9-]+)")


def visible(text: str, *, is_html: bool = True) -> int:
    """How long Telegram counts `text`: HTML tags removed and entities decoded."""
    if not is_html:
        return units(text)
    return units(html.unescape(_TOKEN.sub("", text)))


def fit_html(text: str, limit: int) -> str:
    """`text` (Telegram HTML) cut so that what the reader sees has at most `limit` units, with
    an ellipsis; tags left open at the cut are closed."""
    if visible(text) <= limit:
        return text
    budget = limit - units(ELLIPSIS)
    out: list[str] = []
    open_tags: list[str] = []
    for token in _TOKEN.split(text):
        if not token:
            continue
        if token.startswith("<"):
            tag = _TAG.match(token)
            if tag is not None:
                closing, name = tag.group(1), tag.group(2).lower()
                if closing:
                    if name in open_tags:
                        open_tags.reverse()
                        open_tags.remove(name)
                        open_tags.reverse()
                else:
                    open_tags.append(name)
            out.append(token)
            continue
        plain = html.unescape(token)
        if units(plain) <= budget:
            out.append(token)
            budget -= units(plain)
            continue
        kept = []
        for char in plain:
            if units(char) > budget:
                break
            kept.append(char)
            budget -= units(char)
        out.append(esc("".join(kept).rstrip()))
        break
    out.append(ELLIPSIS)
    out.extend(f"</{name}>" for name in reversed(open_tags))
    return "".join(out)


def fit_request(endpoint: str, data: dict[str, Any]) -> None:
    """Shorten the request's text or caption in place if Telegram would refuse its length."""
    found = _LIMITS.get(endpoint.lower())
    if found is None:
        return
    key, limit = found
    text = data.get(key)
    if not isinstance(text, str):
        return
    is_html = str(data.get("parse_mode") or "").upper() == "HTML"
    length = visible(text, is_html=is_html)
    if length <= limit:
        return
    log.warning("%s: %s of %d units cut to %d", endpoint, key, length, limit)
    if is_html:
        data[key] = fit_html(text, limit)
    else:
        data[key] = text[: limit - 1] + ELLIPSIS
        while units(data[key]) > limit:
            data[key] = data[key][:-2] + ELLIPSIS
