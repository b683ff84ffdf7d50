"""Logging set-up that can never print the bot token.

The token is part of every Bot API URL (`.../bot<token>/sendMessage`), so any library that logs a
URL or an exception message can leak it. A filter on the root handlers rewrites each record before
it is formatted: the literal token and anything shaped like `bot<digits>:<secret>` are masked, in
the message, its arguments and the formatted traceback.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

MASK = "[REDACTED]"
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


def setup_logging(
    level: str = "INFO", *, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> RedactingFilter:
    """Log to stderr at `level` with the token filter on every root handler; return the filter."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    redactor = RedactingFilter(secrets)
    for existing in root.handlers:
        for old in [f for f in existing.filters if isinstance(f, RedactingFilter)]:
            existing.removeFilter(old)
        existing.addFilter(redactor)
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return redactor
