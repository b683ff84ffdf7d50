"""Reliability under abuse: a busy group, a chatty member, a webhook flood, SIGTERM in the middle.

The real bot (`python -m bot run`, a child process) talks to the Bot API emulator, which runs
here and enforces Telegram's limits (30 messages a second overall, 20 a minute per group; the
bot paces itself to them). Each figure is printed next to a baseline from the same run:

  private reply     a private question's reply time (worst of five), idle (baseline) and while
                    that group has its allowance used up and 60 more replies waiting
  second member     another member's reply time (worst of six) while one member keeps sending
                    /help twice a second, six times the group's allowance (baseline: the same
                    question in the idle group)
  SIGTERM           time to exit with all of that queued (Docker kills after 10 s)
  webhook flood     the bot's peak RSS and a genuine update's reply time while 16 clients POST
                    99 MB bodies without the secret (baseline: before the flood)
  slowloris         a genuine update's reply time while 300 connections trickle a byte a
                    second (half their headers, half their body after the secret), and the
                    longest any of them was held open (the server's deadline is 10 s)

    python -m bench.hardening            # ~2 minutes
"""

from __future__ import annotations

import asyncio
import signal
import sys
import tempfile
import time
from pathlib import Path

from telegram import Chat, User

from bot.tg.webhook import READ_DEADLINE, SECRET_HEADER
from tests.emulator import BotApiEmulator, started_emulator
from tests.support.processes import bot_env, bot_process, free_port, stop
from tests.support.webhook_flood import flood, peak_rss_kb, trickle

ROOT = Path(__file__).resolve().parents[1]

GROUP = -100424242
SECRET = "bench_secret"  # noqa: S105 - a made-up secret for the emulator
TARGETS = {
    "private": 3.0,
    "member": 7.5,
    "sigterm": 10.0,
    "rss_mb": 12.0,
    "flood_reply": 2.0,
    "slow_reply": 2.0,
    "slow_held": 12.0,
}
SLOW_CLIENTS = 300


async def reply_time(emu: BotApiEmulator, user: User, chat: Chat, text: str) -> float:
    """Seconds until the bot answers `text` (in a group: the message quoting it)."""
    before = len(emu.bot_messages(chat.id))
    started = time.monotonic()
    sent = emu.send_text(user, chat, text)

    def answered() -> bool:
        mine = emu.bot_messages(chat.id)[before:]
        if chat.id > 0:
            return bool(mine)
        return any(m.reply_to_message_id == sent.message_id for m in mine)

    await emu.wait_for(answered, timeout=120)
    return time.monotonic() - started


async def busy_group(emu: BotApiEmulator, folder: Path) -> dict[str, float]:
    emu.limit_rate(30, 20, 60)
    alice = emu.user(1, "Alice")
    alice_chat = emu.private_chat(alice)
    crowd = [emu.user(100 + i, f"Member{i}") for i in range(12)]
    bob, carol, dave = emu.user(200, "Bob"), emu.user(201, "Carol"), emu.user(202, "Dave")
    group = emu.group(GROUP, "Busy group", admins=[crowd[0]])
    figures: dict[str, float] = {}
    async with bot_process(bot_env(emu, folder, LOG_LEVEL="INFO"), folder) as bot:
        await emu.wait_until_polling(timeout=60)
        figures["private idle"] = await reply_time(emu, alice, alice_chat, "what is mlops")
        figures["member idle"] = await reply_time(emu, carol, group, "/help")

        async def chatter() -> None:
            # Twice a second: inside the flood limit (20 in 10 s), 6x the group's allowance.
            for _ in range(80):
                emu.send_text(bob, group, "/help")
                await asyncio.sleep(0.5)

        chatty = asyncio.ensure_future(chatter())
        await asyncio.sleep(10)  # Bob has used up the group's allowance
        members = []
        for _ in range(6):
            members.append(await reply_time(emu, carol, group, "/help"))
            await asyncio.sleep(2)
        figures["member chatty"] = max(members)
        # Now twelve more members ask five things each: the group is oversubscribed.
        for _ in range(5):
            for member in crowd:
                emu.send_text(member, group, "/help")
        await asyncio.sleep(1)
        privates = []
        for _ in range(5):
            privates.append(await reply_time(emu, alice, alice_chat, "what is model drift"))
            await asyncio.sleep(0.5)
        figures["private busy"] = max(privates)
        figures["member crowd"] = await reply_time(emu, dave, group, "/help")
        started = time.monotonic()
        bot.send_signal(signal.SIGTERM)
        figures["exit code"] = await bot.wait(timeout=60)
        figures["sigterm"] = time.monotonic() - started
        chatty.cancel()
    figures["429s"] = len(emu.flood_refusals)
    return figures


async def webhook_flood(emu: BotApiEmulator, folder: Path) -> dict[str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    args = ("--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port), "--secret", SECRET)
    user = emu.user(7, "Eve")
    chat = emu.private_chat(user)
    figures: dict[str, float] = {}
    async with bot_process(bot_env(emu, folder, LOG_LEVEL="INFO"), folder, *args) as bot:
        await emu.wait_for_call("setWebhook", timeout=60)
        figures["reply idle"] = await reply_time(emu, user, chat, "what is model drift")
        figures["rss before"] = peak_rss_kb(bot.pid) / 1024
        until = time.monotonic() + 4
        flooders = [asyncio.ensure_future(flood(port, until)) for _ in range(16)]
        await asyncio.sleep(0.3)
        figures["reply flood"] = await reply_time(emu, user, chat, "what is mlops")
        figures["requests"] = sum(r for _, r in await asyncio.gather(*flooders))
        figures["rss after"] = peak_rss_kb(bot.pid) / 1024
        head = f"POST /hook HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {SECRET}\r\n".encode()
        body = b'{"update_id": 1}'
        full = head + f"Content-Length: {len(body)}\r\n\r\n".encode()
        slow = [
            asyncio.ensure_future(trickle(port, b"", head) if i % 2 else trickle(port, full, body))
            for i in range(SLOW_CLIENTS)
        ]
        await asyncio.sleep(0.5)
        figures["reply slow"] = await reply_time(emu, user, chat, "what is a feature store")
        figures["slow held"] = max(await asyncio.gather(*slow))
        figures["exit code"], _ = await stop(bot)
    return figures


async def main_async() -> int:
    with tempfile.TemporaryDirectory() as busy_dir, tempfile.TemporaryDirectory() as hook_dir:
        async with started_emulator() as emu:
            busy = await busy_group(emu, Path(busy_dir))
        async with started_emulator() as emu:
            hook = await webhook_flood(emu, Path(hook_dir))
    print(f"{'what':<34} {'tutor':>10} {'baseline':>10} {'target':>8}")
    rows = [
        ("private reply, group busy (s)", busy["private busy"], busy["private idle"], "private"),
        ("second member's reply, worst (s)", busy["member chatty"], busy["member idle"], "member"),
        ("SIGTERM to exit, queue full (s)", busy["sigterm"], float("nan"), "sigterm"),
        (
            "webhook flood: peak RSS growth (MB)",
            hook["rss after"] - hook["rss before"],
            0.0,
            "rss_mb",
        ),
        (
            "webhook flood: genuine reply (s)",
            hook["reply flood"],
            hook["reply idle"],
            "flood_reply",
        ),
        (
            "slowloris: genuine reply (s)",
            hook["reply slow"],
            hook["reply idle"],
            "slow_reply",
        ),
        ("slowloris: longest held open (s)", hook["slow held"], READ_DEADLINE, "slow_held"),
    ]
    missed = []
    for name, value, baseline, target in rows:
        print(f"{name:<34} {value:>10.2f} {baseline:>10.2f} {TARGETS[target]:>8.1f}")
        if not value < TARGETS[target]:
            missed.append(name)
    crowd = busy["member crowd"]
    print(
        f"(oversubscribed: a new member's reply while 13 others have replies waiting took"
        f" {crowd:.1f} s: members take turns, one send per 3 s at 20 a minute)"
    )
    print(
        f"(peak RSS {hook['rss before']:.1f} -> {hook['rss after']:.1f} MB over"
        f" {hook['requests']:.0f} refused 99 MB requests; {busy['429s']:.0f} 429s from the"
        f" emulator; exit codes {busy['exit code']:.0f}, {hook['exit code']:.0f})"
    )
    if busy["exit code"] or hook["exit code"]:
        missed.append("clean exit")
    print("RESULT: ok" if not missed else f"RESULT: missed {', '.join(missed)}")
    return 0 if not missed else 1


def main() -> int:
    return asyncio.run(main_async())


if __name__ == "__main__":
    sys.exit(main())
