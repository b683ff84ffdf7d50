"""The anonymous per-entry counts behind inline mode's "most asked" list (migration 6)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.services.asked import FLUSH_EVERY
from bot.storage import asked as asked_db
from tests.support.content import shared_pack
from tests.support.storage import count, services_at


async def test_counts_add_up_and_rank_most_asked_first(tmp_path: Path) -> None:
    async with services_at(tmp_path / "t.db") as (services, _clock):
        async with services.db.write() as conn:
            await asked_db.add_asks(conn, {"testing-ml": 2, "drift-detect": 1, "zero": 0})
            await asked_db.add_asks(conn, {"drift-detect": 3})
        async with services.db.read() as conn:
            assert await asked_db.most_asked(conn, 5) == [("drift-detect", 4), ("testing-ml", 2)]
            assert await asked_db.most_asked(conn, 1) == [("drift-detect", 4)]
            assert await asked_db.most_asked(conn, -3) == []


async def test_the_service_writes_in_batches_and_skips_entries_gone_from_the_content(
    tmp_path: Path,
) -> None:
    """Counts wait in memory until FLUSH_EVERY questions, a read, or close; an entry the
    content no longer has is left out of the list."""
    path = tmp_path / "t.db"
    first, second, third = list(shared_pack().answerables)[:3]
    async with services_at(path, shared_pack()) as (services, _clock):
        for _ in range(FLUSH_EVERY - 1):
            await services.asked.record(first)
        assert await count(services.db, "entry_asks") == 0
        await services.asked.record(third)
        assert await count(services.db, "entry_asks") == 2
        await services.asked.record("removed-entry")
        await services.asked.record("removed-entry")
        await services.asked.record(second)
        most = await services.asked.most_asked(5)
        assert [e.id for e in most] == [first, second, third]
        await services.asked.record(second)
    # close() wrote the last count; nothing in the table names a person.
    with sqlite3.connect(path) as conn:
        rows = dict(conn.execute("SELECT entry_id, asked FROM entry_asks").fetchall())
        columns = [row[1] for row in conn.execute("PRAGMA table_info(entry_asks)")]
    assert rows == {first: FLUSH_EVERY - 1, third: 1, "removed-entry": 2, second: 2}
    assert columns == ["entry_id", "asked"]


async def test_a_failed_write_keeps_the_counts_and_does_not_raise(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The learner already has the answer: a count that cannot be written is logged and kept
    for the next write, never an error for the update."""
    entry = next(iter(shared_pack().answerables))
    async with services_at(tmp_path / "t.db", shared_pack()) as (services, _clock):
        async with services.db.write() as conn:
            await conn.execute("ALTER TABLE entry_asks RENAME TO entry_asks_away")
        for _ in range(FLUSH_EVERY):
            await services.asked.record(entry)
        assert "counts not written" in caplog.text
        async with services.db.write() as conn:
            await conn.execute("ALTER TABLE entry_asks_away RENAME TO entry_asks")
        await services.asked.record(entry)
        await services.asked.flush()
        async with services.db.read() as conn:
            assert await asked_db.most_asked(conn, 1) == [(entry, FLUSH_EVERY + 1)]
