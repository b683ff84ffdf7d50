"""How text a user typed is quoted back to them: whole when short, else cut with an ellipsis.

Error replies quote the argument they could not read ("'Mars/Olympus' is not a time zone"), and
an argument can be as long as a whole message (4,096 characters): quoted whole, the reply would
not fit and Telegram would refuse it. Every quote of user input goes through `echo`. (Names are
cut where they are stored; escaping for Telegram is the adapter's job, bot.tg.render.)
"""

from __future__ import annotations

__all__ = ["ECHO_LIMIT", "ELLIPSIS", "echo"]

ECHO_LIMIT = 40
ELLIPSIS = "…"


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` if it has at most `limit` characters, else its start and an ellipsis (`limit`
    characters in all)."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + ELLIPSIS
