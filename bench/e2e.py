"""End-to-end throughput: free-text messages handled per second, bare echo bot vs the tutor.

Both bots are real ``telegram.ext.Application`` instances polling the Bot API emulator over
HTTP on 127.0.0.1 in the same run, so the ratio is fair on any machine. By default the emulator
(and the clock) run in a child process, as Telegram's servers would be elsewhere: the bot's
process then pays only for its own work, not for the emulator building and checking replies.
``--same-process`` runs both in one event loop instead (the emulator's work then counts too).
The emulator queues N learner questions (from tests/data/qa_dev.json, spread over U users, each
in a private chat) at once; the clock runs from then until the bot has sent N replies.

    python -m bench.e2e --messages 500

Each user first sends one warm-up message (not timed), so one-off work such as creating the
learner's row or a welcome message does not count. The tutor runs with its test settings: no
Bot API rate limiter (the emulator has no flood limits to respect) and a per-user flood limit
raised above the per-user message count, so what is measured is the cost of handling, not the
anti-flood policy.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import itertools
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.emulator import BotApiEmulator, started_emulator
from tests.support.harness import running_application

ROOT = Path(__file__).resolve().parents[1]

AnyApp = Application[Any, Any, Any, Any, Any, Any]
QA_PATH = ROOT / "tests" / "data" / "qa_dev.json"
TARGET_RATIO = 0.8


@dataclass
class Result:
    name: str
    messages: int
    seconds: float
    replies: int
    chats_short: int  # chats that got fewer replies than they sent messages

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else float("inf")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def build_echo(emu: BotApiEmulator, tmp: Path) -> AnyApp:
    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return app


def build_tutor(
    settings_class: Any, build_application: Callable[[Any], AnyApp], per_user: int
) -> Callable[[BotApiEmulator, Path], AnyApp]:
    """A builder for the tutor under its test settings (see the module docstring)."""

    def build(emu: BotApiEmulator, tmp: Path) -> AnyApp:
        wanted: dict[str, Any] = {
            "token": emu.token,
            "api_base_url": emu.base_url,
            "db_path": tmp / "b.db",
            "rate_limit": False,
            "flood_limit": per_user + 10,
        }
        # Only the first three are the agreed contract; pass the others when they exist.
        accepted = inspect.signature(settings_class.for_tests).parameters
        settings = settings_class.for_tests(**{k: v for k, v in wanted.items() if k in accepted})
        return build_application(settings)

    return build


def load_questions() -> list[str]:
    data = json.loads(QA_PATH.read_text(encoding="utf-8"))
    return [item["q"] for item in data["in_scope"]]


async def measure(
    name: str,
    build: Callable[[BotApiEmulator, Path], AnyApp],
    *,
    messages: int,
    users: int,
    questions: list[str],
    wait_limit: float,
) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp_dir:
        async with started_emulator() as emu:
            app = build(emu, Path(tmp_dir))
            people = [emu.user(1000 + n, f"Learner{n}", f"learner{n}") for n in range(users)]
            chats = [emu.private_chat(person) for person in people]
            async with running_application(app):
                await emu.wait_until_polling()
                # Warm-up, untimed: one question per user, then let any extra replies settle.
                for person, chat in zip(people, chats, strict=True):
                    emu.send_text(person, chat, questions[0])
                await emu.wait_for(
                    lambda: all(emu.bot_messages(chat) for chat in chats), timeout=wait_limit
                )
                await emu.wait_quiet(quiet=0.3, timeout=wait_limit)
                before = {chat.id: len(emu.bot_messages(chat)) for chat in chats}
                total_before = len(emu.bot_messages())

                sent = dict.fromkeys(before, 0)
                texts = itertools.cycle(questions)
                for index in range(messages):
                    person, chat = people[index % users], chats[index % users]
                    emu.send_text(person, chat, next(texts))
                    sent[chat.id] += 1
                # Queuing is synchronous, so the bot has not seen anything before this point.
                started = time.perf_counter()
                await emu.wait_for(
                    lambda: len(emu.bot_messages()) - total_before >= messages, timeout=wait_limit
                )
                seconds = time.perf_counter() - started
                await emu.wait_quiet(quiet=0.3, timeout=wait_limit)
                replies = len(emu.bot_messages()) - total_before
                short = sum(
                    1
                    for chat in chats
                    if len(emu.bot_messages(chat)) - before[chat.id] < sent[chat.id]
                )
    return Result(name, messages, seconds, replies, short)


async def serve_load(spec: dict[str, Any]) -> None:
    """Child process: the emulator plus the load and the clock (see measure_in_child)."""
    questions: list[str] = spec["questions"]
    messages, users, wait_limit = spec["messages"], spec["users"], spec["wait_limit"]
    async with started_emulator() as emu:
        if spec.get("latency"):
            # Telegram is ~0.1 s away in production: every reply waits that long.
            emu.slow_next("sendMessage", spec["latency"], times=10**9)
        print(
            json.dumps(
                {"token": emu.token, "base_url": emu.base_url, "base_file_url": emu.base_file_url}
            ),
            flush=True,
        )
        people = [emu.user(1000 + n, f"Learner{n}", f"learner{n}") for n in range(users)]
        chats = [emu.private_chat(person) for person in people]
        await emu.wait_until_polling(timeout=wait_limit)
        for person, chat in zip(people, chats, strict=True):
            emu.send_text(person, chat, questions[0])
        await emu.wait_for(
            lambda: all(emu.bot_messages(chat) for chat in chats), timeout=wait_limit
        )
        await emu.wait_quiet(quiet=0.3, timeout=wait_limit)
        total_before = len(emu.bot_messages())
        texts = itertools.cycle(questions)
        for index in range(messages):
            emu.send_text(people[index % users], chats[index % users], next(texts))
        started = time.perf_counter()
        await emu.wait_for(
            lambda: len(emu.bot_messages()) - total_before >= messages, timeout=wait_limit
        )
        seconds = time.perf_counter() - started
        await emu.wait_quiet(quiet=0.3, timeout=wait_limit)
        replies = len(emu.bot_messages()) - total_before
        print(json.dumps({"seconds": seconds, "replies": replies}), flush=True)
        # Stay up until the parent has stopped its bot, so its last getUpdates is answered.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


class _RemoteEmulator:
    """Just what the bot builders read from an emulator: where it is and the token."""

    def __init__(self, info: dict[str, str]) -> None:
        self.token = info["token"]
        self.base_url = info["base_url"]
        self.base_file_url = info["base_file_url"]


async def measure_in_child(
    name: str,
    build: Callable[[Any, Path], AnyApp],
    *,
    messages: int,
    users: int,
    questions: list[str],
    wait_limit: float,
    latency: float = 0.0,
) -> Result:
    spec = {
        "messages": messages,
        "users": users,
        "questions": questions,
        "wait_limit": wait_limit,
        "latency": latency,
    }
    # As a module from the repository root, like the parent: the load side imports tests.support
    # too (run as a script, its path would start at bench/ and miss them).
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.e2e",
        "--serve-load",
        json.dumps(spec),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert child.stdout is not None and child.stdin is not None
    try:
        info = json.loads(await child.stdout.readline())
        with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp_dir:
            app = build(_RemoteEmulator(info), Path(tmp_dir))
            async with running_application(app):
                line = await asyncio.wait_for(child.stdout.readline(), timeout=wait_limit + 60)
        outcome = json.loads(line)
    finally:
        child.stdin.close()
        await child.wait()
    return Result(name, messages, outcome["seconds"], outcome["replies"], 0)


def print_table(results: list[Result]) -> None:
    header = f"{'bot':<8} {'messages':>9} {'replies':>8} {'seconds':>9} {'msg/s':>9}"
    print(header)
    print("-" * len(header))
    for result in results:
        print(
            f"{result.name:<8} {result.messages:>9} {result.replies:>8} "
            f"{result.seconds:>9.3f} {result.rate:>9.1f}"
        )
        if result.chats_short:
            print(f"  warning: {result.chats_short} chat(s) got fewer replies than messages")


async def main_async(args: argparse.Namespace) -> int:
    questions = load_questions()
    per_user = -(-args.messages // args.users)
    common: dict[str, Any] = {
        "messages": args.messages,
        "users": args.users,
        "questions": questions,
        "wait_limit": args.timeout,
    }
    if args.latency:
        if args.same_process:
            raise SystemExit("--latency needs the emulator in its child process")
        common["latency"] = args.latency
    run = measure if args.same_process else measure_in_child
    tutor_error: str | None = None
    bots: list[tuple[str, Callable[[Any, Path], AnyApp]]] = [("echo", build_echo)]
    if args.skip_tutor:
        tutor_error = "skipped (--skip-tutor)"
    else:
        try:
            from bot.config import Settings  # the adapter is optional for this script
            from bot.tg.app import build_application
        except ImportError as exc:
            tutor_error = f"tutor adapter not available ({exc})"
        else:
            bots.append(("tutor", build_tutor(Settings, build_application, per_user)))

    # Alternate the bots over several rounds and keep each one's median: a busy neighbour on
    # the machine then slows both alike instead of skewing the ratio.
    rounds: dict[str, list[Result]] = {name: [] for name, _ in bots}
    for _ in range(args.rounds):
        for name, build in bots:
            rounds[name].append(await run(name, build, **common))
    results = [sorted(runs, key=lambda r: r.rate)[len(runs) // 2] for runs in rounds.values()]

    where = "same process" if args.same_process else "emulator in a child process"
    if args.latency:
        where += f", every reply delayed {args.latency * 1000:.0f} ms like a distant server"
    print(
        f"end-to-end over HTTP on 127.0.0.1 ({where}): {args.messages} free-text messages "
        f"from {args.users} users, median of {args.rounds} alternating rounds"
    )
    for name, runs in rounds.items():
        print(f"  {name} rounds (msg/s): " + ", ".join(f"{r.rate:.0f}" for r in runs))
    print_table(results)
    if tutor_error:
        print(tutor_error)
        return 0
    echo, tutor = results
    ratio = tutor.rate / echo.rate
    if args.latency:
        print(f"ratio tutor/echo: {ratio:.2f} (with latency; the {TARGET_RATIO} target is for 0)")
        return 0
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    print(f"ratio tutor/echo: {ratio:.2f} ({verdict} the {TARGET_RATIO} target)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500, help="messages to queue (500)")
    parser.add_argument("--users", type=int, default=20, help="distinct users/chats (20)")
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after (s)")
    parser.add_argument("--skip-tutor", action="store_true", help="measure the echo bot only")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per bot (3)")
    parser.add_argument(
        "--same-process", action="store_true", help="run the emulator in the bot's event loop"
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the emulator waits before serving each sendMessage (0)",
    )
    parser.add_argument("--serve-load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_load:
        asyncio.run(serve_load(json.loads(args.serve_load)))
        return 0
    if args.messages < 1 or args.users < 1:
        parser.error("--messages and --users must be positive")
    # The figures are the output; library chatter would only interleave with the table.
    logging.basicConfig(level=logging.WARNING)
    # The same process-wide PTB settings the bot applies when it starts (bot.tg.runner).
    try:
        from bot.tg.runner import configure_ptb
    except ImportError:
        os.environ.setdefault("PTB_TIMEDELTA", "true")
    else:
        configure_ptb()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
