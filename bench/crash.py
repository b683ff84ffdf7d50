"""Crash durability: kill -9 the real bot at several points of a 1,000-answer burst, restart it.

Run from the repository root:  .venv/bin/python -m bench.crash [--kill-points 10,50,90]

Each run is the scenario of ``tests/e2e/crash_scenario.py``: 100 learners (a month of answer
history each, so streaks carry freezes and resets) get 10 questions each from the real tutor;
``python -m bot run`` then receives one press per question (1,000, all queued at once) and is
killed with SIGKILL once the given share of them was confirmed to the learners (plus a random
0-50 ms, so the kill lands anywhere in an answer's cycle). The copy of the database the dead
process left is read, then the bot restarts on it, settles, is stopped with SIGTERM, and the
final database is checked: integrity, every confirmed answer stored as chosen, no duplicate,
cards and streaks equal to a replay of the stored answers.

Baseline, in the same run: the same burst stopped cleanly with SIGTERM at the middle kill point.
There is no setting for SQLite's journal or sync mode (the bot always uses WAL with
synchronous=NORMAL). The clean stop is the comparison that tells something: python-telegram-bot
handles every update it has taken before it exits, while a kill drops those it had taken and not
finished. The bot takes at most ``bot.tg.updates.BACKLOG`` updates ahead of those it finished
(Telegram redelivers the rest after the restart), so a kill drops at most that many presses.

Columns: pressed; confirmed = answers the learners saw a verdict for before the stop; stored =
answers in the database the stopped process left; unconfirmed = stored but never confirmed
(committed, then died before replying: harmless, the learner sees the stored verdict on a
retry); lost = confirmed but not stored (must be 0); after = stored once the restarted bot
settled (it also handles presses it is sent again, plus 10 pressed after the restart); dup =
answers stored twice; integ = PRAGMA integrity_check after the stop / at the end; streak =
learners whose stored streak differs from the replay; ready = seconds from spawning the
restarted process to its first getUpdates; dropped = presses never answered at all.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.core.content import ContentPack, load_content
from bot.tg.runner import configure_ptb
from bot.tg.updates import BACKLOG
from tests.emulator import started_emulator
from tests.support.crash_scenario import CrashReport, StopMode, run_scenario

ROOT = Path(__file__).resolve().parents[1]

HEADER = (
    f"{'run':<16} {'pressed':>7} {'confirmed':>9} {'stored':>6} {'unconfirmed':>11} "
    f"{'lost':>4} {'after':>5} {'dup':>3} {'integ':>7} {'streak':>6} {'ready s':>7} "
    f"{'dropped':>7}"
)


async def one_run(
    pack: ContentPack, args: argparse.Namespace, share: int, mode: StopMode, seed: int
) -> CrashReport:
    pressed = args.learners * args.per_learner
    with tempfile.TemporaryDirectory(prefix="tutor-crash-") as tmp:
        async with started_emulator() as emu:
            return await run_scenario(
                emu,
                Path(tmp),
                pack,
                learners=args.learners,
                per_learner=args.per_learner,
                kill_at=max(1, pressed * share // 100),
                mode=mode,
                seed=seed,
            )


def row(name: str, r: CrashReport) -> str:
    integrity = f"{_short(r.integrity_after_stop)}/{_short(r.integrity_final)}"
    return (
        f"{name:<16} {r.pressed:>7} {r.confirmed_before_stop:>9} {r.stored_after_stop:>6} "
        f"{r.stored_unconfirmed:>11} {r.confirmed_lost:>4} {r.stored_after_restart:>5} "
        f"{r.duplicates:>3} {integrity:>7} {r.streak_mismatches:>6} {r.restart_ready_s:>7.2f} "
        f"{r.presses_never_answered:>7}"
    )


def _short(integrity: str) -> str:
    return "ok" if integrity == "ok" else "BAD"


def healthy(r: CrashReport) -> bool:
    return (
        not r.problems
        and r.confirmed_lost == 0
        and r.duplicates == 0
        and r.streak_mismatches == 0
        and r.integrity_after_stop == r.integrity_final == "ok"
        and r.refused_after_restart > 0
        and r.unconfirmed_shown == r.stored_unconfirmed
        # A kill must land mid-burst. The bot takes at most BACKLOG presses ahead of those it
        # finished, so at most that many go down with it; the rest are delivered again.
        and (r.mode != "kill" or 0 < r.confirmed_before_stop < r.pressed)
        and r.presses_never_answered <= BACKLOG
    )


async def main_async(args: argparse.Namespace) -> int:
    shares = [int(part) for part in args.kill_points.split(",")]
    pack = load_content()
    print(
        f"{args.learners} learners x {args.per_learner} questions = "
        f"{args.learners * args.per_learner} presses queued at once; "
        f"stop after {', '.join(f'{s}%' for s in shares)} of them were confirmed\n"
    )
    print(HEADER)
    runs: list[tuple[str, CrashReport]] = []
    for i, share in enumerate(shares):
        t0 = time.perf_counter()
        report = await one_run(pack, args, share, "kill", args.seed + i)
        runs.append((f"kill -9 @{share}%", report))
        print(row(runs[-1][0], report), f"  ({time.perf_counter() - t0:.0f}s)")
    middle = shares[len(shares) // 2]
    baseline = await one_run(pack, args, middle, "term", args.seed + 100)
    print(row(f"SIGTERM @{middle}%", baseline), "  (baseline: clean stop)")

    print()
    for name, report in [*runs, (f"SIGTERM @{middle}%", baseline)]:
        print(
            f"  {name}: signal {report.stop_delay_ms:.0f} ms after the {report.kill_at}th "
            f"confirmation, exited {report.stop_s:.2f}s later; after the restart: "
            f"{report.refused_after_restart} answered buttons refused, "
            f"{report.unconfirmed_shown}/{report.stored_unconfirmed} unconfirmed shown on retry, "
            f"{report.answered_after_restart} unanswered ones answered; "
            f"{report.learners_checked} streaks replayed over "
            f"{report.seeded_answers} seeded + {report.stored_after_restart} new answers"
        )
        for problem in report.problems[:10]:
            print(f"    PROBLEM: {problem}")
    kills = [report for _, report in runs]
    ready_kill = sorted(r.restart_ready_s for r in kills)[len(kills) // 2]
    print(
        f"\n  restart-to-ready (median): after kill -9 {ready_kill:.2f}s, after a clean stop "
        f"{baseline.restart_ready_s:.2f}s"
    )
    print(
        f"  confirmed but lost: {sum(r.confirmed_lost for r in kills)} over "
        f"{sum(r.confirmed_before_stop for r in kills)} confirmed before a kill "
        f"(clean stop: {baseline.confirmed_lost} of {baseline.confirmed_before_stop})"
    )
    print(
        f"  stored but never confirmed: {sum(r.stored_unconfirmed for r in kills)} over "
        f"{len(kills)} kills (clean stop: {baseline.stored_unconfirmed})"
    )
    print(
        "  presses dropped with the stopped process: "
        + ", ".join(str(r.presses_never_answered) for r in kills)
        + f" (clean stop: {baseline.presses_never_answered})"
    )
    ok = all(healthy(r) for r in kills) and healthy(baseline)
    print("\nRESULT:", "ok" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--per-learner", type=int, default=10)
    parser.add_argument("--kill-points", default="10,50,90", help="percent of presses confirmed")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    # The in-process tutor that delivers the questions runs with the settings `tutor-bot run` has.
    configure_ptb()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
