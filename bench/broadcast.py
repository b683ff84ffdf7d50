"""Broadcast pacing: the daily question to 1,000 subscribed chats against Telegram's flood limits.

The real bot (`python -m bot run`, a child process) polls the Bot API emulator, which runs here
and enforces the limits the way Telegram documents them (30 messages a second overall, 20 a
minute per group; a message over them gets a 429). All chats are due when the bot starts, so its
start-up catch-up sends every question at once: the worst moment a daily broadcast has.

Three runs in one go:
  paced     the bot as shipped (TUTOR_SEND_RATE = the limit): duration vs the least time the
            limit allows, 429s, duplicates, chats missed
  kill -9   the same, killed at a random point mid-way with no warning, then restarted: chats
            missed (must be 0) and duplicates (a send Telegram accepted in the millisecond
            before the bot could record it is sent again after the restart)
  baseline  pacing off (TUTOR_SEND_RATE=10000): how many 429s Telegram would answer with

    python -m bench.broadcast                  # real limits: ~35 s a run
    python -m bench.broadcast --rate 200       # scaled limit for a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
import tempfile
from pathlib import Path

from bot.core.content import load_content
from tests.emulator import BotApiEmulator, started_emulator
from tests.support.broadcast_scenario import (
    BroadcastFigures,
    build_audience,
    daily_sends,
    measure,
    subscribe_all,
)
from tests.support.processes import bot_env, bot_process, stop

ROOT = Path(__file__).resolve().parents[1]

TARGET_RATIO = 1.10  # duration within 10% of the limit-bound minimum
UNPACED_RATE = "10000"


def row(name: str, figures: BroadcastFigures, note: str = "") -> str:
    return (
        f"{name:<10} {figures.chats:>6} {figures.delivered:>9} {figures.missing:>7}"
        f" {figures.duplicates:>10} {figures.refused_429:>6} {figures.seconds:>9.2f}"
        f" {figures.minimum:>9.2f} {figures.ratio:>6.3f}  {note}"
    )


async def run(
    chats_count: int,
    rate: float,
    *,
    send_rate: str,
    kill_at: float | None = None,
    window: float | None = None,
    give_up: float = 600.0,
) -> tuple[BroadcastFigures, str]:
    """One broadcast against a fresh emulator and database; (figures, note).

    `kill_at`: SIGKILL once that fraction of chats got their question, then restart.
    `window`: stop after that many seconds instead of waiting for every chat (the baseline,
    whose refused chats would only be retried minutes later).
    """
    pack = load_content()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        async with started_emulator() as emu:
            chats = build_audience(emu, chats_count)
            await subscribe_all(folder / "tutor.sqlite3", pack, chats)
            emu.limit_rate(per_second=rate, per_group=20, group_period=60)
            env = bot_env(emu, folder, LOG_LEVEL="WARNING", TUTOR_SEND_RATE=send_rate)
            note = ""
            async with bot_process(env, folder) as bot:
                if kill_at is not None:
                    wanted = int(chats_count * kill_at)
                    await emu.wait_for(lambda: len(daily_sends(emu)) >= wanted, timeout=give_up)
                    bot.send_signal(signal.SIGKILL)
                    await bot.wait()
                    note = f"killed -9 after {len(daily_sends(emu))} sends, then restarted"
                elif window is not None:
                    await asyncio.sleep(window)
                    await stop(bot)
                    note = f"first {window:.0f} s"
                else:
                    await _until_every_chat(emu, chats_count, give_up)
                    await stop(bot)
            if kill_at is not None:
                async with bot_process(env, folder) as bot:
                    await _until_every_chat(emu, chats_count, give_up)
                    await stop(bot)
            return measure(emu, chats, rate), note


async def _until_every_chat(emu: BotApiEmulator, chats_count: int, give_up: float) -> None:
    def done() -> bool:
        return len({call.params["chat_id"] for call in daily_sends(emu)}) >= chats_count

    await emu.wait_for(done, timeout=give_up)
    await emu.wait_quiet(quiet=1.0, timeout=30)


async def main_async(chats: int, rate: float, seed: int) -> int:
    rng = random.Random(seed)
    kill_at = rng.uniform(0.3, 0.7)
    print(
        f"{chats:,} chats (every 10th a group) due at once; limits enforced by the emulator: "
        f"{rate:g} messages/s overall, 20/min per group"
    )
    print(
        f"{'run':<10} {'chats':>6} {'delivered':>9} {'missing':>7} {'duplicates':>10}"
        f" {'429s':>6} {'seconds':>9} {'minimum':>9} {'ratio':>6}"
    )
    paced, _ = await run(chats, rate, send_rate=f"{rate:g}")
    print(row("paced", paced, "(bot as shipped)"), flush=True)
    killed, note = await run(chats, rate, send_rate=f"{rate:g}", kill_at=kill_at)
    print(row("kill -9", killed, note), flush=True)
    window = paced.minimum + 5
    baseline, note = await run(chats, rate, send_rate=UNPACED_RATE, window=window)
    print(row("baseline", baseline, f"pacing off, {note}"), flush=True)
    checks = {
        f"paced: ratio <= {TARGET_RATIO}": paced.ratio <= TARGET_RATIO,
        "paced: no 429, no duplicate, none missing": (
            paced.refused_429 == paced.duplicates == paced.missing == 0
        ),
        "kill -9: none missing, no 429": killed.missing == killed.refused_429 == 0,
        "baseline: unpaced sends are refused (the limit is real)": baseline.refused_429 > 0,
    }
    for name, passed in checks.items():
        print(f"  [{'ok' if passed else 'FAIL'}] {name}")
    print(
        f"kill -9 duplicates: {killed.duplicates} (sends accepted in the instant before the bot"
        " recorded them; at most the claims in flight)"
    )
    ok = all(checks.values())
    print(f"RESULT: {'ok' if ok else 'FAIL'}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument(
        "--rate", type=float, default=30.0, help="overall limit, messages/s (Telegram: 30)"
    )
    parser.add_argument("--seed", type=int, default=None, help="fixes the kill point")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    print(f"seed {seed}")
    return asyncio.run(main_async(args.chats, args.rate, seed))


if __name__ == "__main__":
    sys.exit(main())
