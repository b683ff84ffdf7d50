"""Logging set-up that can never print the bot token, nor (unless allowed) what users wrote.

The token is part of every Bot API URL (`.../bot<token>/sendMessage`), so any library that logs a
URL or an exception message can leak it. A filter on the root handlers rewrites each record before
it is formatted: the literal token and anything shaped like `bot<digits>:<secret>` are masked, in
the message, its arguments and the formatted traceback.

Below INFO, libraries log whole updates and requests ("Processing update %s", "Calling Bot API
endpoint ... with parameters %s", aiosqlite's statements with their values): users' texts and
names. An operator who turns DEBUG on to chase a bug should not start collecting those, so the
arguments of DEBUG records are hidden unless `TUTOR_LOG_USER_TEXT=1` says otherwise. The bot's
own records at INFO and above never carry users' texts or names (ids only).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

__all__ = ["HIDDEN", "MASK", "RedactingFilter", "UserTextFilter", "setup_logging"]

MASK = "[REDACTED]"
HIDDEN = "[details hidden; TUTOR_LOG_USER_TEXT=1 logs them]"
# A token right after "bot" in a URL, or a bare token with a long secret part.
_TOKEN_SHAPES = re.compile(r"bot\d+:[A-Za-z0-9_-]+|\b\d{5,}:[A-Za-z0-9_-]{30,}")
# Loggers that log every request URL (and so the token) at INFO.
_CHATTY_LOGGERS = ("httpx", "httpcore")


class RedactingFilter(logging.Filter):
    """Masks the given secrets and every token-shaped string in a record, in place."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return _TOKEN_SHAPES.sub(lambda m: "bot" + MASK if m[0].startswith("bot") else MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record itself
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set, so the redacted traceback is what they print.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class UserTextFilter(logging.Filter):
    """Hides the arguments (and non-text messages) of records below INFO, unless allowed."""

    def __init__(self, *, allow: bool = False) -> None:
        super().__init__()
        self.allow = allow

    def filter(self, record: logging.LogRecord) -> bool:
        if self.allow or record.levelno >= logging.INFO:
            return True
        if not isinstance(record.msg, str):
            record.msg, record.args = f"{type(record.msg).__name__} {HIDDEN}", None
        elif record.args:
            # The template says what happened; its arguments are the payload.
            record.msg, record.args = f"{record.msg} {HIDDEN}", None
        return True


def setup_logging(
    level: str = "INFO",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    user_text: bool = False,
) -> RedactingFilter:
    """Log to stderr at `level` with the token filter (and, unless `user_text`, the user-text
    filter) on every root handler; return the token filter."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    redactor = RedactingFilter(secrets)
    private = UserTextFilter(allow=user_text)
    for existing in root.handlers:
        for old in [
            f for f in existing.filters if isinstance(f, RedactingFilter | UserTextFilter)
        ]:
            existing.removeFilter(old)
        # Hide first: the redactor formats the message with whatever arguments are left.
        existing.addFilter(private)
        existing.addFilter(redactor)
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return redactor
