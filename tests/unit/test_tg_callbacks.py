"""Callback data: compact navigation codes checked against the pack."""

from __future__ import annotations

from functools import cache

import pytest

from bot.core.content import ContentPack, load_content
from bot.tg import callbacks
from bot.tg.callbacks import Nav, parse

LESSONS = {"pipelines", "walkthrough", "compare"}
PICTURES = {"pipelines", "comparison"}


@cache
def pack() -> ContentPack:
    return load_content()


def check(data: str | None) -> Nav | None:
    return parse(data, pack(), lessons=LESSONS, pictures=PICTURES, steps=6)


def test_round_trip_for_every_kind() -> None:
    """Encoded navigation data parses back to the same action when its target exists."""
    entry = next(iter(pack().answerables))
    topic = next(iter(pack().topics))
    row = next(iter(pack().comparison))
    assert check(callbacks.answer_data(entry)) == Nav("answer", entry)
    assert check(callbacks.topic_data(topic)) == Nav("topic", topic)
    assert check(callbacks.lesson_data("compare")) == Nav("lesson", "compare")
    assert check(callbacks.step_data(5)) == Nav("step", "5")
    assert check(callbacks.step_data(5)).index == 5  # type: ignore[union-attr]
    assert check(callbacks.aspect_data(row)) == Nav("aspect", row)
    assert check(callbacks.picture_data("comparison")) == Nav("picture", "comparison")
    assert check(callbacks.MENU_DATA) == Nav("menu")
    asked = next(i for i, s in enumerate(pack().lessons.walkthrough) if s.checkpoint)
    pressed = check(callbacks.checkpoint_data(asked, 1))
    assert pressed == Nav("check", f"{asked}.1")
    assert pressed is not None and (pressed.index, pressed.option) == (asked, 1)


def test_every_real_id_fits_in_64_bytes() -> None:
    """All content ids produce callback data within Telegram's 64-byte limit."""
    for entry in pack().answerables:
        assert len(callbacks.answer_data(entry).encode()) <= 64


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "a:no-such-entry",
        "t:no-such-topic",
        "l:quiz",
        "w:6",
        "w:-1",
        "w:01",
        "w:١",  # an Arabic-Indic digit: isdigit() but not ASCII
        "w:abc",
        "c:no-such-row",
        "k:0.0",  # step 1 has no checkpoint question
        "k:1.9",
        "k:1.01",
        "k:1",
        "k:1.",
        "k:.1",
        "k:9.0",
        "k:1.-1",
        "p:selfie",
        "m:extra",
        "z:anything",
        "a",
        "x" * 65,
        "a:" + "é" * 40,
    ],
)
def test_unknown_stale_or_forged_data_is_refused(data: str | None) -> None:
    """Data that is malformed or names nothing in the pack parses to None."""
    assert check(data) is None


def test_encode_refuses_oversized_data() -> None:
    """An id too long for callback data is caught when the button is built."""
    with pytest.raises(ValueError, match="64 bytes"):
        callbacks.answer_data("x" * 70)
