"""The logging filter: the bot token never reaches a log line, in messages or tracebacks."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.tg.logs import MASK, RedactingFilter, setup_logging

TOKEN = "123456:AAEXAMPLE_secret-token-value"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter([TOKEN]))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_token_in_message_and_args_is_masked(captured: tuple[logging.Logger, io.StringIO]) -> None:
    """The token is masked whether it is in the format string or in its arguments."""
    logger, stream = captured
    logger.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    logger.info(f"token is {TOKEN}")
    output = stream.getvalue()
    assert TOKEN not in output
    assert output.count(MASK) == 2


def test_token_shapes_are_masked_without_knowing_the_token() -> None:
    """Anything shaped like bot<id>:<secret> is masked even if it is not the configured token."""
    redactor = RedactingFilter()
    assert redactor.redact("GET /bot987:ABC-def_1/getUpdates") == f"GET /bot{MASK}/getUpdates"
    long_secret = "A" * 35
    assert redactor.redact(f"token 1234567:{long_secret}") == f"token {MASK}"
    assert redactor.redact("ratio 3:2 at 10:30") == "ratio 3:2 at 10:30"


def test_traceback_is_masked(captured: tuple[logging.Logger, io.StringIO]) -> None:
    """An exception whose message carries the token is logged with the token masked."""
    logger, stream = captured
    try:
        raise RuntimeError(f"connection to /bot{TOKEN}/getMe failed")
    except RuntimeError:
        logger.exception("request failed")
    output = stream.getvalue()
    assert "RuntimeError" in output
    assert TOKEN not in output
    assert "123456:" not in output


def test_setup_logging_filters_root_and_quiets_httpx() -> None:
    """setup_logging puts one redacting filter on every root handler and httpx at WARNING."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        root.handlers = []
        setup_logging("INFO", secrets=[TOKEN], stream=stream)
        setup_logging("INFO", secrets=[TOKEN], stream=stream)  # idempotent
        assert len(root.handlers) == 1
        filters = [f for f in root.handlers[0].filters if isinstance(f, RedactingFilter)]
        assert len(filters) == 1
        assert logging.getLogger("httpx").level == logging.WARNING
        logging.getLogger("some.library").warning("url /bot%s/x", TOKEN)
        assert TOKEN not in stream.getvalue()
        assert MASK in stream.getvalue()
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
