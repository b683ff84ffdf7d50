"""The anonymous per-entry counts behind inline mode's "most asked" list (migration 6)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.services.asked import FLUSH_EVERY, MIN_ASKS_SHOWN
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
    content no longer has, or asked fewer than MIN_ASKS_SHOWN times, is left out of the list."""
    path = tmp_path / "t.db"
    first, second, third = list(shared_pack().answerables)[:3]
    async with services_at(path, shared_pack()) as (services, _clock):
        for _ in range(FLUSH_EVERY - 1):
            await services.asked.record(first)
        assert await count(services.db, "entry_asks") == 0
        await services.asked.record(third)
        assert await count(services.db, "entry_asks") == 2
        for _ in range(MIN_ASKS_SHOWN):
            await services.asked.record("removed-entry")
            await services.asked.record(second)
        most = await services.asked.most_asked(5)
        # `third` was asked once: too few to be listed.
        assert [e.id for e in most] == [first, second]
        await services.asked.record(second)
    # close() wrote the last count; nothing in the table names a person.
    with sqlite3.connect(path) as conn:
        rows = dict(conn.execute("SELECT entry_id, asked FROM entry_asks").fetchall())
        columns = [row[1] for row in conn.execute("PRAGMA table_info(entry_asks)")]
    assert rows == {
        first: FLUSH_EVERY - 1,
        third: 1,
        "removed-entry": MIN_ASKS_SHOWN,
        second: MIN_ASKS_SHOWN + 1,
    }
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


async def test_counts_are_written_at_close_even_if_answers_in_flight_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.db"
    entry = next(iter(shared_pack().answerables))

    async def broken_close() -> None:
        raise RuntimeError("quiz batcher failed")

    with pytest.raises(RuntimeError, match="quiz batcher failed"):
        async with services_at(path, shared_pack()) as (services, _clock):
            await services.asked.record(entry)
            monkeypatch.setattr(services.quiz, "aclose", broken_close)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT asked FROM entry_asks").fetchall() == [(1,)]
