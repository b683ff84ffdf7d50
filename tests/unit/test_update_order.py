"""PerUserUpdateProcessor: different users at once, each user's updates in arrival order."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.tg.updates import BoundedUpdateQueue, PerUserUpdateProcessor


def update_from(user_id: int, update_id: int) -> Update:
    user = User(id=user_id, first_name=f"U{user_id}", is_bot=False)
    chat = Chat(id=user_id, type=Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat, from_user=user))  # type: ignore[arg-type]


async def test_one_users_updates_run_in_order_and_users_overlap() -> None:
    """Two slow updates of one user run one after the other, in arrival order, while another
    user's update runs alongside them; nothing is left behind afterwards."""
    processor = PerUserUpdateProcessor(max_concurrent_updates=8)
    log: list[str] = []
    gate = asyncio.Event()

    async def handle(name: str, wait: bool) -> None:
        log.append(f"start {name}")
        if wait:
            await gate.wait()
        log.append(f"end {name}")

    first = asyncio.ensure_future(processor.process_update(update_from(1, 1), handle("a1", True)))
    second = asyncio.ensure_future(
        processor.process_update(update_from(1, 2), handle("a2", False))
    )
    other = asyncio.ensure_future(processor.process_update(update_from(2, 3), handle("b", False)))
    await asyncio.wait_for(other, 1)  # user 2 is not held up by user 1's slow update
    assert log == ["start a1", "start b", "end b"]
    assert processor.users_in_progress == 1
    gate.set()
    await asyncio.wait_for(asyncio.gather(first, second), 1)
    assert log[3:] == ["end a1", "start a2", "end a2"]
    assert processor.users_in_progress == 0


async def test_a_failing_update_does_not_block_the_next() -> None:
    """An update that raises releases its user's turn: the next one still runs."""
    processor = PerUserUpdateProcessor(max_concurrent_updates=4)
    ran: list[int] = []

    async def boom() -> None:
        raise RuntimeError("handler bug")

    async def fine() -> None:
        ran.append(2)

    failing = processor.process_update(update_from(5, 1), boom())
    results = await asyncio.gather(
        failing, processor.process_update(update_from(5, 2), fine()), return_exceptions=True
    )
    assert isinstance(results[0], RuntimeError)
    assert ran == [2]
    assert processor.users_in_progress == 0


async def test_bounded_queue_holds_the_poller_until_updates_finish() -> None:
    """With `limit` updates unfinished, put waits; each task_done (an update handled) lets
    one more in, so the poller never runs far ahead of the handlers."""
    queue = BoundedUpdateQueue(limit=2)
    await queue.put("u1")
    await queue.put("u2")
    third = asyncio.ensure_future(queue.put("u3"))
    await asyncio.sleep(0.01)
    assert not third.done() and queue.qsize() == 2
    # The fetcher takes both (they are now being handled), which frees no room by itself.
    assert [queue.get_nowait(), queue.get_nowait()] == ["u1", "u2"]
    await asyncio.sleep(0.01)
    assert not third.done()
    queue.task_done()
    await asyncio.wait_for(third, 1)
    assert queue.unfinished == 2


async def test_channel_stand_ins_are_ordered_per_channel_not_together() -> None:
    """Every channel posts through the same stand-in bot user; two channels' messages must not
    wait on each other as if they came from one sender."""
    processor = PerUserUpdateProcessor(max_concurrent_updates=8)
    stand_in = User(id=136817688, first_name="Channel", is_bot=True)
    group = Chat(id=-100, type=Chat.SUPERGROUP)
    gate = asyncio.Event()
    log: list[str] = []

    def as_channel(channel_id: int, update_id: int) -> Update:
        channel = Chat(id=channel_id, type=Chat.CHANNEL)
        message = Message(update_id, None, group, from_user=stand_in, sender_chat=channel)  # type: ignore[arg-type]
        return Update(update_id, message=message)

    async def handle(name: str, wait: bool) -> None:
        if wait:
            await gate.wait()
        log.append(name)

    slow = asyncio.ensure_future(processor.process_update(as_channel(-201, 1), handle("a", True)))
    await asyncio.sleep(0)
    await asyncio.wait_for(processor.process_update(as_channel(-202, 2), handle("b", False)), 1)
    assert log == ["b"]
    gate.set()
    await asyncio.wait_for(slow, 1)
