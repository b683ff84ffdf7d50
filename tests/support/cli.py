"""The real `tutor-bot` command as a child process, for tests that check what it prints."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from tests.support.processes import REPO, clean_env


async def gaps_json(db_path: Path, *args: str) -> dict[str, Any]:
    """`tutor-bot gaps --json --db <db_path>`, run without blocking the event loop (the bot
    under test keeps serving meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "gaps",
        "--json",
        "--db",
        str(db_path),
        *args,
        cwd=REPO,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    report: dict[str, Any] = json.loads(out)
    return report


def asked(report: dict[str, Any]) -> set[str]:
    """Every wording in a gaps report."""
    return {example for group in report["groups"] for example in group["examples"]}
