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


# --- one codec for every button, and the patterns handlers register with -------------------------


def test_forget_tap_and_setting_data_round_trip() -> None:
    """Every button spelt by the codec parses back to what it means."""
    assert callbacks.parse_forget(callbacks.forget_data(confirm=True, owner=101)) == (
        callbacks.ForgetPress(confirm=True, owner=101)
    )
    assert callbacks.parse_forget(callbacks.forget_data(confirm=False, owner=7)) == (
        callbacks.ForgetPress(confirm=False, owner=7)
    )
    assert callbacks.parse_tap(callbacks.tap_data(12, 3)) == callbacks.TapPress(12, 3)
    assert callbacks.parse_setting(callbacks.setting_data(anyone_can_start=True)) is True
    assert callbacks.parse_setting(callbacks.setting_data(anyone_can_start=False)) is False


@pytest.mark.parametrize(
    "data", ["fg:y:0101", "fg:x:101", "fg:y:", "fg:y:-5", "gt:01:2", "gt:1:10", "gs:2", None, ""]
)
def test_malformed_feature_data_parses_to_nothing(data: str | None) -> None:
    """A second spelling of a number, a position out of range or junk means nothing."""
    assert callbacks.parse_forget(data) is None
    assert callbacks.parse_tap(data) is None
    assert callbacks.parse_setting(data) is None


def _every_button_data() -> list[str]:
    entry = next(iter(pack().answerables))
    return [
        callbacks.answer_data(entry),
        callbacks.topic_data(next(iter(pack().topics))),
        callbacks.MENU_DATA,
        callbacks.lesson_data("compare"),
        callbacks.step_data(1),
        callbacks.checkpoint_data(1, 0),
        callbacks.aspect_data(next(iter(pack().comparison))),
        callbacks.picture_data("pipelines"),
        callbacks.quiz_answer_data(5, 1),
        callbacks.quiz_hint_data(5),
        callbacks.quiz_next_data("easy", 7),
        callbacks.REMINDERS_OFF_DATA,
        callbacks.forget_data(confirm=True, owner=7),
        callbacks.tap_data(3, 1),
        callbacks.setting_data(anyone_can_start=True),
        callbacks.practice_data("drift"),
    ]


@pytest.mark.parametrize("data", _every_button_data())
def test_every_button_is_claimed_by_exactly_one_pattern(data: str) -> None:
    """No two handlers take the same press, so the order they are registered in is free."""
    import re

    matching = [p for p in callbacks.PATTERNS if re.match(p, data)]
    assert len(matching) == 1, (data, matching)
    assert callbacks.claimed(data)


@pytest.mark.parametrize("data", ["zz:1", "m:1", "rm:on", "q:1", "", "x", "gtx", None, 5])
def test_data_no_feature_takes_is_left_to_the_fallback(data: object) -> None:
    """Unknown prefixes, no data at all, or not text: the fallback answers with its toast."""
    assert not callbacks.claimed(data)


def test_a_practise_button_names_a_topic_of_the_pack_and_nothing_else() -> None:
    """Round trip for every topic; a forged, stale or second spelling of a topic is refused."""
    for topic in pack().topics:
        assert callbacks.parse_practice(callbacks.practice_data(topic), pack()) == topic
    for forged in ["pp:no-such-topic", "pp:Drift", "pp:drift ", "pp:", "pp", "pp:drift:1", None]:
        assert callbacks.parse_practice(forged, pack()) is None


# --- "did you mean" picks -------------------------------------------------


def test_a_pick_round_trips_and_names_the_gap_and_entry() -> None:
    entry = next(iter(pack().answerables))
    data = callbacks.pick_data(42, entry)
    assert data == f"dm:42:{entry}"
    assert callbacks.parse_pick(data, pack()) == callbacks.PickPress(42, entry)


def test_a_pick_that_would_not_fit_falls_back_to_the_plain_answer() -> None:
    """A huge gap id with a long entry id would pass 64 bytes: the button still answers."""
    longest_id = "e" * 48  # the schema's longest entry id
    assert callbacks.pick_data(2**63 - 1, longest_id) == callbacks.answer_data(longest_id)
    assert callbacks.pick_data(12345, longest_id) == f"dm:12345:{longest_id}"


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "dm:",
        "dm:1",
        "dm:1:",
        "dm:0:drift-what",  # no gap has id 0
        "dm:01:drift-what",  # a second spelling of 1
        "dm:-1:drift-what",
        "dm:٣:drift-what",
        "dm:99999999999999999999:drift-what",  # past SQLite's integer range
        "dm:1:no-such-entry",
        "dm:1:drift-what:extra",
        "dm:1:" + "x" * 70,
    ],
)
def test_malformed_or_forged_picks_parse_to_nothing(data: str | None) -> None:
    assert callbacks.parse_pick(data, pack()) is None


def test_new_prefixes_are_claimed_by_their_own_pattern_only() -> None:
    import re

    for data, pattern in (
        ("dm:1:x", callbacks.PICK_PATTERN),
        ("pp:x", callbacks.PRACTICE_PATTERN),
    ):
        assert callbacks.claimed(data)
        owners = [p for p in callbacks.PATTERNS if re.match(p, data)]
        assert owners == [pattern]
