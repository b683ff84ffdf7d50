"""Per-user flood control: a sliding window over the messages the bot agreed to handle.

Pure logic with an injectable clock, so tests can step time instead of sleeping. A user who goes
over the limit is told once ("warn"); everything else beyond the limit is dropped silently until
the window has room again, which also re-arms the single notice.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

__all__ = ["FloodControl", "Verdict"]


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # first refusal in a burst: tell the user once
    DROP = "drop"  # later refusals in the same burst: say nothing


@dataclass
class _Window:
    accepted: deque[float] = field(default_factory=deque)
    warned: bool = False


class FloodControl:
    """At most `limit` accepted events per user in any `window` seconds."""

    def __init__(
        self,
        limit: int = 20,
        window: float = 10.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = 10_000,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_users = max_users
        # Least recently active users first, so the oldest can be forgotten when memory is full.
        self._users: OrderedDict[int, _Window] = OrderedDict()

    def check(self, user_id: int) -> Verdict:
        """Record an event from `user_id` and say whether to handle it."""
        now = self._clock()
        state = self._users.get(user_id)
        if state is None:
            state = self._users[user_id] = _Window()
            self._forget_oldest()
        else:
            self._users.move_to_end(user_id)
        horizon = now - self.window
        while state.accepted and state.accepted[0] <= horizon:
            state.accepted.popleft()
        if len(state.accepted) < self.limit:
            state.accepted.append(now)
            state.warned = False
            return Verdict.ALLOW
        if state.warned:
            return Verdict.DROP
        state.warned = True
        return Verdict.WARN

    def __len__(self) -> int:
        return len(self._users)

    def _forget_oldest(self) -> None:
        # An evicted user merely starts with a fresh window: the bound costs accuracy, not safety.
        while len(self._users) > self._max_users:
            self._users.popitem(last=False)
