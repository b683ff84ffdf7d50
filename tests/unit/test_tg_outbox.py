"""The per-group outbox: quiz traffic first, members served fairly, a bounded backlog, and a
stop that never waits for the queue."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from telegram.error import BadRequest, ChatMigrated

from bot.tg.outbox import Outbox, OutboxClosed, is_queued, retarget

GROUP = -100


class Wire:
    """Stands in for Telegram: records what was sent, each send held until `release`."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()

    def send(self, label: str) -> Callable[[], Awaitable[str]]:
        async def request() -> str:
            await self.gate.wait()
            self.sent.append(label)
            return label

        return request


async def settle(outbox: Outbox) -> None:
    for _ in range(100):
        await asyncio.sleep(0)
        if outbox.pending(GROUP) == 0:
            await asyncio.sleep(0)
    await asyncio.sleep(0.01)


def test_only_groups_are_queued() -> None:
    assert is_queued(-1001234) and is_queued(-5)
    assert not is_queued(42)


async def test_a_newcomer_goes_before_the_rest_of_a_members_burst() -> None:
    """Bob's one answer goes out right after the send in flight, not after Alice's burst."""
    outbox, wire = Outbox(), Wire()
    wire.gate.clear()
    for i in range(5):
        assert outbox.post(GROUP, "alice", wire.send(f"alice{i}"))
    await asyncio.sleep(0)  # alice0 is in flight now
    assert outbox.post(GROUP, "bob", wire.send("bob0"))
    assert outbox.post(GROUP, "carol", wire.send("carol0"))
    wire.gate.set()
    await settle(outbox)
    assert wire.sent == ["alice0", "bob0", "carol0", "alice1", "alice2", "alice3", "alice4"]


async def test_members_take_turns() -> None:
    outbox, wire = Outbox(), Wire()
    wire.gate.clear()
    for i in range(3):
        outbox.post(GROUP, "alice", wire.send(f"a{i}"))
        outbox.post(GROUP, "bob", wire.send(f"b{i}"))
    wire.gate.set()
    await settle(outbox)
    assert wire.sent == ["a0", "b0", "a1", "b1", "a2", "b2"]


async def test_quiz_traffic_goes_first_and_returns_its_result() -> None:
    outbox, wire = Outbox(), Wire()
    wire.gate.clear()
    for i in range(3):
        outbox.post(GROUP, "alice", wire.send(f"chat{i}"))
    await asyncio.sleep(0)
    reveal = asyncio.ensure_future(outbox.quiz(GROUP, wire.send("reveal")))
    await asyncio.sleep(0)
    wire.gate.set()
    assert await reveal == "reveal"
    await settle(outbox)
    assert wire.sent == ["chat0", "reveal", "chat1", "chat2"]


async def test_private_chats_are_sent_at_once() -> None:
    outbox, wire = Outbox(), Wire()
    assert await outbox.quiz(42, wire.send("direct")) == "direct"
    assert outbox.pending(42) == 0


async def test_a_members_backlog_is_capped() -> None:
    outbox, wire = Outbox(max_pending=3), Wire()
    wire.gate.clear()
    results = [outbox.post(GROUP, "alice", wire.send(f"a{i}")) for i in range(5)]
    assert results == [True, True, True, False, False]
    assert outbox.post(GROUP, "bob", wire.send("b0"))  # others are not affected
    assert outbox.dropped == 2
    wire.gate.set()
    await settle(outbox)
    assert wire.sent == ["a0", "b0", "a1", "a2"]


async def test_a_failed_send_is_logged_and_the_queue_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox, wire = Outbox(), Wire()

    async def refused() -> None:
        raise BadRequest("Chat not found")

    outbox.post(GROUP, "alice", refused)
    outbox.post(GROUP, "alice", wire.send("after"))
    await settle(outbox)
    assert wire.sent == ["after"]
    assert "was not sent" in caplog.text


async def test_a_refusal_is_logged_without_the_text(caplog: pytest.LogCaptureFixture) -> None:
    outbox = Outbox()

    async def refused() -> None:
        raise BadRequest('Can\'t parse entities: unsupported start tag "secret-name" at byte 3')

    outbox.post(GROUP, "alice", refused)
    await settle(outbox)
    [record] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "Can't parse entities" in record.getMessage()
    assert "secret-name" not in caplog.text


class MovedGroup:
    """Stands in for Telegram after GROUP became supergroup NEW: sends naming GROUP are refused
    with ChatMigrated; `sent` records the chat each accepted send went to."""

    NEW = -1009

    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []
        self.moves: list[tuple[int, int]] = []

    def send(self, label: str) -> Callable[[], Awaitable[None]]:
        async def request() -> None:
            data = {"chat_id": GROUP}
            retarget(data)  # what the rate limiter does to every request
            if data["chat_id"] == GROUP:
                raise ChatMigrated(self.NEW)
            self.sent.append((label, data["chat_id"]))

        return request

    async def follow(self, old: int, new: int) -> None:
        self.moves.append((old, new))


async def test_a_reply_refused_because_the_group_moved_is_sent_to_its_new_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The first refused send is made again at the new id, later ones go there at once, and
    the move is reported once (for the chat's data to follow)."""
    outbox, telegram = Outbox(), MovedGroup()
    outbox.on_moved = telegram.follow
    outbox.post(GROUP, "alice", telegram.send("a0"))
    outbox.post(GROUP, "bob", telegram.send("b0"))
    await settle(outbox)
    assert telegram.sent == [("a0", MovedGroup.NEW), ("b0", MovedGroup.NEW)]
    assert telegram.moves == [(GROUP, MovedGroup.NEW)]
    assert outbox.moved == {GROUP: MovedGroup.NEW}
    assert "was not sent" not in caplog.text


async def test_a_resend_refused_again_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    outbox, calls = Outbox(), []

    async def always_moved() -> None:
        calls.append(1)
        raise ChatMigrated(-1009)

    outbox.post(GROUP, "alice", always_moved)
    await settle(outbox)
    assert len(calls) == 2
    assert caplog.text.count("was not sent") == 1


def test_retarget_leaves_requests_alone_outside_a_moved_groups_queue() -> None:
    data = {"chat_id": GROUP, "text": "hi"}
    retarget(data)
    assert data == {"chat_id": GROUP, "text": "hi"}


async def test_a_failed_quiz_send_raises_to_its_caller() -> None:
    outbox = Outbox()

    async def refused() -> None:
        raise BadRequest("message to edit not found")

    with pytest.raises(BadRequest):
        await outbox.quiz(GROUP, refused)


async def test_close_drops_chatter_fails_quiz_waiters_and_never_waits() -> None:
    outbox, wire = Outbox(), Wire()
    wire.gate.clear()  # Telegram never answers: the send in flight would wait for ever
    for i in range(4):
        outbox.post(GROUP, "alice", wire.send(f"a{i}"))
    await asyncio.sleep(0)
    waiting = asyncio.ensure_future(outbox.quiz(GROUP, wire.send("reveal")))
    await asyncio.sleep(0)
    await asyncio.wait_for(outbox.close(), timeout=1)
    with pytest.raises(OutboxClosed):
        await waiting
    assert wire.sent == []
    assert outbox.dropped == 3  # the one in flight was cancelled, the rest never started
    assert not outbox.post(GROUP, "alice", wire.send("late"))
    with pytest.raises(OutboxClosed):
        await outbox.quiz(GROUP, wire.send("late reveal"))
