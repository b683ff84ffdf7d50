"""A daily-question broadcast to many chats, shared by the pacing tests and bench/broadcast.py.

The chats subscribe at 00:00 UTC, so whenever the bot starts, every one of them is due and the
start-up catch-up sends all their questions at once: the heaviest moment a daily broadcast has.
The emulator enforces the flood limits (`BotApiEmulator.limit_rate`) and answers any message
over them with a 429, so "no 429" means the bot paced itself.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from telegram import Chat

from bot.core.content import ContentPack
from bot.services import Services
from tests.emulator import ApiCall, BotApiEmulator

DAILY_PREFIX = "📅"
SEND_TIME = "00:00"


def build_audience(emu: BotApiEmulator, count: int, *, group_every: int = 10) -> list[Chat]:
    """`count` chats the bot is in: private chats, and every `group_every`-th a group."""
    chats: list[Chat] = []
    for index in range(count):
        if index % group_every == group_every - 1:
            chats.append(emu.group(-1_000_000_000 - index, f"Study group {index}"))
        else:
            chats.append(emu.private_chat(emu.user(1_000_000 + index, f"Learner {index}")))
    return chats


async def subscribe_all(db_path: Path, pack: ContentPack, chats: list[Chat]) -> None:
    """Subscribe every chat to the daily question at 00:00 UTC, straight in the database."""
    services = await Services.open(db_path, pack)
    try:
        for chat in chats:
            await services.daily.subscribe(chat.id, SEND_TIME, "UTC")
    finally:
        await services.close()


def daily_sends(emu: BotApiEmulator) -> list[ApiCall]:
    """Every daily question Telegram accepted, in arrival order."""
    return [
        call
        for call in emu.calls_to("sendMessage")
        if call.ok and str(call.params.get("text", "")).startswith(DAILY_PREFIX)
    ]


def confirmed_in_db(db_path: Path) -> int:
    """Daily claims the bot recorded as sent (read-only, beside the running bot: WAL)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT COUNT(*) FROM daily_sent WHERE sent_at IS NOT NULL").fetchone()
    finally:
        conn.close()
    return int(row[0])


@dataclass(frozen=True)
class BroadcastFigures:
    chats: int
    delivered: int  # chats that got the question
    duplicates: int  # extra copies beyond one per chat
    refused_429: int
    seconds: float  # first accepted daily question to the last
    minimum: float  # the least time the flood limit allows for the same messages

    @property
    def ratio(self) -> float:
        return self.seconds / self.minimum if self.minimum else float("inf")

    @property
    def missing(self) -> int:
        return self.chats - self.delivered


def measure(emu: BotApiEmulator, chats: list[Chat], per_second: float) -> BroadcastFigures:
    """What the emulator saw of the broadcast, against the flood-limit bound.

    The limit is a leaky bucket holding `per_second` messages, so the fastest lawful broadcast
    sends that many at once and the rest at `per_second`: (n - per_second) / per_second seconds.
    """
    sends = daily_sends(emu)
    per_chat = Counter(int(call.params["chat_id"]) for call in sends)
    wanted = {chat.id for chat in chats}
    seconds = sends[-1].time - sends[0].time if len(sends) > 1 else 0.0
    return BroadcastFigures(
        chats=len(chats),
        delivered=len(wanted & per_chat.keys()),
        duplicates=sum(n - 1 for n in per_chat.values()),
        refused_429=len(emu.flood_refusals),
        seconds=seconds,
        minimum=max(len(sends) - per_second, 0) / per_second,
    )
