"""`tutor-bot run` as a real process: polling, webhook, SIGTERM, exit codes, no token leaks."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from tests.emulator import SECRET_HEADER, BotApiEmulator
from tests.support.processes import (
    REPO,
    TOKEN_SECRET_PART,
    bot_env,
    bot_process,
    clean_env,
    free_port,
    run_to_exit,
    stop,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_polling_answers_and_stops_cleanly_on_sigterm(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """The bot polls, answers a question, exits 0 on SIGTERM and never prints its token."""
    async with bot_process(bot_env(emu, tmp_path), tmp_path) as process:
        await emu.wait_until_polling(timeout=60)
        user = emu.user(7, "Dana")
        chat = emu.private_chat(user)
        emu.send_text(user, chat, "what is model drift")
        [reply] = await emu.wait_for_messages(chat.id, 1, timeout=30)
        assert "drift" in reply.plain_text.lower()
        assert any(c.method == "setMyCommands" for c in emu.calls)
        code, output = await stop(process)
    assert code == 0, output
    assert "starting with long polling" in output
    assert emu.token not in output
    assert TOKEN_SECRET_PART not in output


async def test_webhook_mode_delivers_with_the_secret(emu: BotApiEmulator, tmp_path: Path) -> None:
    """With --webhook-url the bot registers its webhook and secret and answers deliveries."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/tutor-hook"
    args = ("--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port))
    async with bot_process(bot_env(emu, tmp_path), tmp_path, *args, "--secret", "s3cret_") as proc:
        call = await emu.wait_for_call("setWebhook", timeout=60)
        assert call.params["url"] == url
        assert call.params["secret_token"] == "s3cret_"
        user = emu.user(8, "Eve")
        chat = emu.private_chat(user)
        emu.send_text(user, chat, "what is model drift")
        [reply] = await emu.wait_for_messages(chat.id, 1, timeout=30)
        assert "drift" in reply.plain_text.lower()
        delivery = emu.webhook_deliveries[-1]
        assert delivery.status == 200
        assert delivery.headers[SECRET_HEADER] == "s3cret_"
        code, output = await stop(proc)
    assert code == 0, output
    assert emu.token not in output
    assert "s3cret_" not in output


async def test_webhook_without_secret_makes_one_up(emu: BotApiEmulator, tmp_path: Path) -> None:
    """Without --secret a random secret is registered, so forged POSTs are refused."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    args = ("--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port))
    async with bot_process(bot_env(emu, tmp_path), tmp_path, *args) as proc:
        call = await emu.wait_for_call("setWebhook", timeout=60)
        assert len(call.params["secret_token"]) >= 32
        code, output = await stop(proc)
    assert code == 0, output
    assert call.params["secret_token"] not in output


async def test_missing_token_is_a_config_error(tmp_path: Path) -> None:
    """Without TELEGRAM_BOT_TOKEN the command prints one line and exits with code 2."""
    code, _, stderr = await run_to_exit(clean_env(), tmp_path)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]


async def test_invalid_setting_is_a_config_error(tmp_path: Path) -> None:
    """An invalid time zone is reported on one line with exit code 2."""
    env = clean_env(TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN", TUTOR_TIMEZONE="Mars/Base")
    code, _, stderr = await run_to_exit(env, tmp_path)
    assert code == 2
    assert stderr.strip().count("\n") == 0
    assert "TUTOR_TIMEZONE" in stderr
    assert "TEST-TOKEN" not in stderr


async def test_bad_webhook_secret_is_a_config_error(tmp_path: Path) -> None:
    """A webhook secret with characters Telegram refuses is caught before starting."""
    env = clean_env(TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN")
    args = ("--webhook-url", "https://example.org/hook", "--secret", "has spaces")
    code, _, stderr = await run_to_exit(env, tmp_path, *args)
    assert code == 2
    assert "--secret" in stderr


async def test_dotenv_in_the_working_directory_is_read(tmp_path: Path) -> None:
    """Settings in ./.env are used (here a bad time zone, so the run stops with code 2)."""
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=123456:TEST-TOKEN\nTUTOR_TIMEZONE=Nowhere/Land\n", encoding="utf-8"
    )
    code, _, stderr = await run_to_exit(clean_env(), tmp_path)
    assert code == 2
    assert "Nowhere/Land" in stderr


async def test_broken_content_exits_1_with_locations(tmp_path: Path) -> None:
    """A broken content pack stops the bot with exit code 1 and `file:line: problem` lines."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "topics.yaml").write_text("topics:\n  - id: [oops\n", encoding="utf-8")
    env = clean_env(TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN", TUTOR_CONTENT_DIR=str(content))
    code, _, stderr = await run_to_exit(env, tmp_path)
    assert code == 1
    assert "topics.yaml:" in stderr
    assert "TEST-TOKEN" not in stderr


async def test_sigterm_during_start_up_is_still_clean(emu: BotApiEmulator, tmp_path: Path) -> None:
    """A stop signal that arrives while the bot is still starting ends it with exit code 0."""
    async with bot_process(bot_env(emu, tmp_path), tmp_path) as process:
        await emu.wait_for_call("getMe", timeout=60)
        code, output = await stop(process)
    assert code == 0, output
    assert "Traceback" not in output


async def test_refused_token_exits_2(emu: BotApiEmulator, tmp_path: Path) -> None:
    """When Telegram answers 401 to getMe the bot exits with code 2, without a traceback."""
    emu.fail_next("getMe", status=401, description="Unauthorized")
    code, stdout, stderr = await run_to_exit(bot_env(emu, tmp_path), tmp_path)
    assert code == 2
    assert "refused the bot token" in stderr
    assert "Traceback" not in stderr
    assert TOKEN_SECRET_PART not in stdout + stderr


async def test_unreachable_server_exits_1(tmp_path: Path) -> None:
    """With no Bot API server listening the bot exits with code 1 and a one-line reason."""
    env = clean_env(
        TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN",
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{free_port()}/bot",
        TUTOR_DB_PATH=str(tmp_path / "t.db"),
    )
    code, stdout, stderr = await run_to_exit(env, tmp_path)
    assert code == 1
    assert "could not start" in stderr
    assert "Traceback" not in stderr
    assert TOKEN_SECRET_PART not in stdout + stderr


_IMPORT_CHECK = """
import os
import sys
import warnings

import aiohttp.web  # noqa: F401 - third-party filters added on import are not the bot's doing
import numpy  # noqa: F401
import telegram.ext  # noqa: F401

before = list(warnings.filters)
from bot.config import Settings
from bot.tg.app import build_application
from bot.tg.runner import configure_ptb

build_application(Settings.for_tests(api_base_url=sys.argv[1], db_path=sys.argv[2]))
assert "PTB_TIMEDELTA" not in os.environ, "importing or building set PTB_TIMEDELTA"
assert warnings.filters == before, "importing or building changed the warning filters"
configure_ptb()
assert os.environ["PTB_TIMEDELTA"] == "true"
assert len(warnings.filters) == len(before) + 1
"""


async def test_only_starting_the_bot_changes_process_settings(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """Importing the adapter and building the Application leave the environment and warning
    filters alone; the runner's start path (configure_ptb) is what sets them."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _IMPORT_CHECK,
        emu.base_url,
        str(tmp_path / "tutor.sqlite3"),
        env=clean_env(),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stdout.decode() + stderr.decode()


async def test_unusable_database_exits_1_without_a_traceback(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """`run` on another program's SQLite file stops with exit 1 and the reason, no traceback."""
    import sqlite3

    foreign = tmp_path / "notes.sqlite3"
    with sqlite3.connect(foreign) as other:
        other.execute("CREATE TABLE notes (body TEXT)")
    other.close()
    code, stdout, stderr = await run_to_exit(
        bot_env(emu, tmp_path, TUTOR_DB_PATH=str(foreign), LOG_LEVEL="WARNING"), tmp_path
    )
    assert code == 1, stderr
    assert "Traceback" not in stdout + stderr
    [line] = [line for line in stderr.splitlines() if "tutor-bot database" in line]
    assert line.startswith("Error: cannot open database") and str(foreign) in line


@pytest.mark.parametrize("allowed", [False, True])
async def test_debug_logs_carry_user_text_only_when_allowed(
    emu: BotApiEmulator, tmp_path: Path, allowed: bool
) -> None:
    """At DEBUG the libraries log whole updates and requests; a learner's name and words reach
    the log only with TUTOR_LOG_USER_TEXT=1. At INFO they never do."""
    name, words = "Zebediah", "quizzically wondering about drift"
    extra = {"TUTOR_LOG_USER_TEXT": "1"} if allowed else {}
    async with bot_process(bot_env(emu, tmp_path, **extra), tmp_path) as process:
        await emu.wait_until_polling(timeout=60)
        user = emu.user(9, name)
        chat = emu.private_chat(user)
        emu.send_text(user, chat, words)
        await emu.wait_for_messages(chat.id, 1, timeout=30)
        code, output = await stop(process)
    assert code == 0, output
    assert "Processing update" in output or "Calling Bot API endpoint" in output  # DEBUG is on
    assert (name in output) is allowed
    assert (words in output) is allowed
    assert emu.token not in output
    info = "\n".join(
        line for line in output.splitlines() if " DEBUG " not in line and line[:4].isdigit()
    )
    assert name not in info and words not in info
