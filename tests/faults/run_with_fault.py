"""Run the real `tutor-bot` command with one operational fault injected.

Some faults cannot be caused for real in a test: the disk is not full, and tests often run as
root, for whom file permissions deny nothing. This wrapper makes SQLite or the file system fail
the way it would, then runs `bot.__main__.main` unchanged:

    python -m tests.faults.run_with_fault FAULT [tutor-bot arguments...]

FAULT is one of:
    read-only-db      SQLite opens every database read-only (as for a file without write access)
    full-disk         the database may not grow by a single page (SQLite's "disk is full")
    unreadable-dir    listing the content directory fails with EACCES
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from pathlib import Path


def _read_only_db() -> None:
    import aiosqlite

    real_connect = aiosqlite.connect

    def connect(database: str, **kwargs: object) -> aiosqlite.Connection:
        return real_connect(f"file:{database}?mode=ro", uri=True, **kwargs)  # type: ignore[arg-type]

    aiosqlite.connect = connect  # type: ignore[assignment]


def _full_disk() -> None:
    import aiosqlite

    import bot.storage.db as db

    real_connect = db._connect

    async def connect(
        path: str, busy_timeout_ms: int, *, query_only: bool
    ) -> aiosqlite.Connection:
        conn = await real_connect(path, busy_timeout_ms, query_only=query_only)
        if not query_only:
            row = await (await conn.execute("PRAGMA page_count")).fetchone()
            # What a full disk looks like to SQLite: the next page it needs cannot be had.
            await conn.execute(f"PRAGMA max_page_count = {max(int(row[0]) if row else 0, 1)}")
        return conn

    db._connect = connect


def _unreadable_dir() -> None:
    real_iterdir = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self.resolve() == Path(os.environ["TUTOR_CONTENT_DIR"]).resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_iterdir(self)

    Path.iterdir = iterdir  # type: ignore[method-assign]


FAULTS = {
    "read-only-db": _read_only_db,
    "full-disk": _full_disk,
    "unreadable-dir": _unreadable_dir,
}

if __name__ == "__main__":
    FAULTS[sys.argv[1]]()
    from bot.__main__ import main

    sys.exit(main(sys.argv[2:]))
