"""Per-user flood control over a sliding window, driven by a fake clock."""

from __future__ import annotations

import pytest

from bot.tg.flood import FloodControl, Verdict


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_up_to_the_limit_is_allowed() -> None:
    """Twenty messages in one instant are all handled."""
    flood = FloodControl(20, 10.0, clock=FakeClock())
    assert all(flood.check(1) is Verdict.ALLOW for _ in range(20))


def test_one_warning_then_silence() -> None:
    """The first message over the limit gets one warning; later ones are dropped quietly."""
    flood = FloodControl(20, 10.0, clock=FakeClock())
    for _ in range(20):
        flood.check(1)
    assert flood.check(1) is Verdict.WARN
    assert [flood.check(1) for _ in range(30)] == [Verdict.DROP] * 30


def test_window_slides() -> None:
    """Messages older than the window stop counting, and the warning is re-armed."""
    clock = FakeClock()
    flood = FloodControl(3, 10.0, clock=clock)
    for _ in range(3):
        flood.check(1)
        clock.now += 1
    assert flood.check(1) is Verdict.WARN  # t=1003: three in the last 10 s
    clock.now = 1010.0  # the first message (t=1000) is now exactly 10 s old
    assert flood.check(1) is Verdict.ALLOW
    assert flood.check(1) is Verdict.WARN
    clock.now = 1030.0
    assert [flood.check(1) for _ in range(3)] == [Verdict.ALLOW] * 3


def test_dropped_messages_do_not_extend_the_block() -> None:
    """Only handled messages fill the window, so spamming does not lock a user out forever."""
    clock = FakeClock()
    flood = FloodControl(2, 10.0, clock=clock)
    flood.check(1)
    flood.check(1)
    for _ in range(9):
        clock.now += 1
        assert flood.check(1) is not Verdict.ALLOW
    clock.now += 1  # 10 s after the first handled message
    assert flood.check(1) is Verdict.ALLOW


def test_users_are_independent() -> None:
    """One user's flood does not limit another user."""
    flood = FloodControl(2, 10.0, clock=FakeClock())
    flood.check(1)
    flood.check(1)
    assert flood.check(1) is Verdict.WARN
    assert flood.check(2) is Verdict.ALLOW


def test_memory_is_bounded() -> None:
    """Only the most recently active users are remembered."""
    flood = FloodControl(1, 10.0, clock=FakeClock(), max_users=100)
    for user in range(1000):
        flood.check(user)
    assert len(flood) == 100
    assert flood.check(999) is Verdict.WARN  # still remembered
    assert flood.check(0) is Verdict.ALLOW  # forgotten, so it starts afresh


def test_rejects_nonsense_limits() -> None:
    """A zero limit or window is a programming error."""
    with pytest.raises(ValueError, match="limit"):
        FloodControl(0, 10.0)
    with pytest.raises(ValueError, match="window"):
        FloodControl(1, 0)
