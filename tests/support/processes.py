"""`tutor-bot run` as a child process: its environment, start, stop and exit code.

Tests that need the real process (signals, kill -9, what it prints) share these helpers.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from tests.emulator import BotApiEmulator

REPO = Path(__file__).resolve().parents[2]
TOKEN_SECRET_PART = "TEST-TOKEN"


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any bot setting, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "TUTOR_", "LOG_LEVEL", "PTB_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def bot_env(emu: BotApiEmulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    """Settings for a bot process polling `emu` with its database in `tmp_path`; `extra` wins."""
    settings = {
        "TELEGRAM_BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "TUTOR_DB_PATH": str(tmp_path / "tutor.sqlite3"),
        # DEBUG makes the libraries log the most; the token must still never appear.
        "LOG_LEVEL": "DEBUG",
    }
    settings.update(extra)
    return clean_env(**settings)


class BotProcess:
    """A running `python -m bot run` whose output is read as it comes.

    Reading continuously matters: a bot that logs more than a pipe holds (64 KiB) would
    otherwise block on its next log line and stall, which looks exactly like a slow bot.
    """

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._stdout = bytearray()
        self._stderr = bytearray()
        self._readers = [
            asyncio.ensure_future(self._drain(process.stdout, self._stdout)),
            asyncio.ensure_future(self._drain(process.stderr, self._stderr)),
        ]

    @staticmethod
    async def _drain(stream: asyncio.StreamReader | None, into: bytearray) -> None:
        if stream is None:
            return
        while chunk := await stream.read(65536):
            into.extend(chunk)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    def send_signal(self, sig: int) -> None:
        self.process.send_signal(sig)

    def kill(self) -> None:
        self.process.kill()

    async def wait(self, timeout: float = 20) -> int:  # noqa: ASYNC109 - a test helper
        """Wait for the exit and for all its output; the exit code."""
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.gather(*self._readers)
        return code

    @property
    def stdout(self) -> str:
        return self._stdout.decode(errors="replace")

    @property
    def stderr(self) -> str:
        return self._stderr.decode(errors="replace")

    @property
    def output(self) -> str:
        """Everything printed so far: stdout, then stderr."""
        return self.stdout + self.stderr


@asynccontextmanager
async def bot_process(env: Mapping[str, str], cwd: Path, *args: str) -> AsyncIterator[BotProcess]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        env=dict(env),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    bot = BotProcess(process)
    try:
        yield bot
    finally:
        if bot.returncode is None:
            bot.kill()
        await bot.wait()


async def stop(bot: BotProcess) -> tuple[int, str]:
    """SIGTERM, then the exit code and everything the process printed."""
    bot.send_signal(signal.SIGTERM)
    code = await bot.wait()
    return code, bot.output


async def run_to_exit(env: Mapping[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    async with bot_process(env, cwd, *args) as bot:
        code = await bot.wait(timeout=60)
        return code, bot.stdout, bot.stderr


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
