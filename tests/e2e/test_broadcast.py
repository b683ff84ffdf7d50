"""Broadcast pacing: the daily question to 1,000 chats within Telegram's flood limits.

The limits are scaled up in time (messages per second higher, group period shorter) so a run
takes seconds; the emulator enforces the same scaled limits and refuses anything over them.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from bot.core.content import ContentPack
from tests.emulator import BotApiEmulator
from tests.support.broadcast_scenario import (
    build_audience,
    confirmed_in_db,
    daily_sends,
    measure,
    subscribe_all,
)
from tests.support.processes import bot_env, bot_process, stop
from tests.support.world import TutorFactory, World

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHATS = 1000
PER_SECOND = 200.0  # Telegram's 30/s, scaled so 1,000 chats take ~4 s
TOLERANCE = 0.10  # the emulator grants 0.1 s of slack against loopback jitter


async def test_broadcast_to_1000_chats_is_paced_to_the_limit(
    emu: BotApiEmulator, tutor_factory: TutorFactory, pack: ContentPack, tmp_path: Path
) -> None:
    """1,000 due chats get exactly one question each, with no 429 and never faster than the
    overall limit allows (how close to that bound it gets is bench/broadcast.py's figure: a
    timed assertion here would fail on a busy machine, not on a regression)."""
    chats = build_audience(emu, CHATS)
    await subscribe_all(tmp_path / "tutor.sqlite3", pack, chats)
    emu.limit_rate(per_second=PER_SECOND, per_group=20, group_period=60)
    async with tutor_factory(rate_limit=True, send_rate=PER_SECOND):
        await emu.wait_for(lambda: len(daily_sends(emu)) >= CHATS, timeout=60)
        await emu.wait_quiet(quiet=0.3, timeout=10)
    figures = measure(emu, chats, PER_SECOND)
    assert (figures.delivered, figures.duplicates, figures.refused_429) == (CHATS, 0, 0)
    assert figures.seconds >= figures.minimum * (1 - TOLERANCE), "faster than the limit allows"


async def test_unpaced_broadcast_is_refused_by_the_emulator(
    emu: BotApiEmulator, tutor_factory: TutorFactory, pack: ContentPack, tmp_path: Path
) -> None:
    """Without pacing the same broadcast runs into 429s: the limit check above has teeth."""
    chats = build_audience(emu, 300)
    await subscribe_all(tmp_path / "tutor.sqlite3", pack, chats)
    emu.limit_rate(per_second=50, per_group=20, group_period=60)
    async with tutor_factory(rate_limit=False, send_retries=0):
        await emu.wait_for(lambda: emu.flood_refusals, timeout=30)
        await emu.wait_quiet(quiet=0.3, timeout=30)
    assert emu.flood_refusals


async def test_replies_in_one_group_are_paced_per_group(world: World, tutor_factory: Any) -> None:
    """Twenty replies into one group keep to the per-group limit (scaled to 5 a second):
    all arrive, none refused, spread over at least the time the limit needs. (Four members ask
    five times each: a member's sixth waiting reply would be dropped, bot.tg.outbox.)"""
    emu = world.emu
    emu.limit_rate(per_second=1000, per_group=5, group_period=1)
    members = [world.alice, world.bob, world.carol, emu.user(104, "Dave")]
    async with tutor_factory(rate_limit=True, send_rate=1000, group_rate=5, group_rate_period=1):
        for _ in range(5):
            for member in members:
                emu.send_text(member, world.group, "/help")
        replies = await emu.wait_for_messages(world.group.id, 20, timeout=20)
    sends = [c for c in emu.calls_to("sendMessage") if c.ok]
    assert len(replies) == 20 and not emu.flood_refusals
    minimum = (20 - 5) / 5
    assert sends[-1].time - sends[0].time >= minimum * (1 - TOLERANCE)


async def test_killed_mid_broadcast_restart_sends_the_rest_exactly_once(
    emu: BotApiEmulator, pack: ContentPack, tmp_path: Path
) -> None:
    """`kill -9` mid-broadcast (a question in flight, the rest waiting their turn), then a
    restart: every chat ends with exactly one question, and no 429 on either run."""
    db_path = tmp_path / "tutor.sqlite3"
    chats = build_audience(emu, CHATS)
    await subscribe_all(db_path, pack, chats)
    emu.limit_rate(per_second=PER_SECOND, per_group=20, group_period=60)
    env = bot_env(emu, tmp_path, LOG_LEVEL="INFO", TUTOR_SEND_RATE=str(PER_SECOND))
    async with bot_process(env, tmp_path) as first:
        await emu.wait_for(lambda: len(daily_sends(emu)) >= CHATS // 3, timeout=60)
        # From here Telegram never answers: what is in flight when the bot dies never arrives.
        emu.hold("sendMessage")
        await emu.wait_for(emu.held_calls, timeout=10)

        def settled() -> bool:
            # Every send Telegram accepted is confirmed in the database; the rest are held.
            serving = [c for c in emu.calls_to("sendMessage") if not c.done and c.error != "held"]
            return not serving and confirmed_in_db(db_path) == len(daily_sends(emu))

        await emu.wait_for(settled, timeout=20)
        sent_before = len(daily_sends(emu))
        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
    emu.release()
    assert 0 < sent_before < CHATS
    async with bot_process(env, tmp_path) as second:
        await emu.wait_for(lambda: len(daily_sends(emu)) >= CHATS, timeout=60)
        await emu.wait_quiet(quiet=0.5, timeout=10)
        code, output = await stop(second)
    assert code == 0, output
    assert "claimed but never sent" in output
    figures = measure(emu, chats, PER_SECOND)
    assert (figures.delivered, figures.duplicates, figures.refused_429) == (CHATS, 0, 0)
