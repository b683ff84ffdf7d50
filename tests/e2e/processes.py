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


@asynccontextmanager
async def bot_process(
    env: Mapping[str, str], cwd: Path, *args: str
) -> AsyncIterator[asyncio.subprocess.Process]:
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
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()


async def stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """SIGTERM, then the exit code and everything the process printed."""
    process.send_signal(signal.SIGTERM)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode is not None
    return process.returncode, stdout.decode() + stderr.decode()


async def run_to_exit(env: Mapping[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    async with bot_process(env, cwd, *args) as process:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode is not None
        return process.returncode, stdout.decode(), stderr.decode()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
