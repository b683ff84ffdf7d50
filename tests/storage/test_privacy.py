"""Forgetting and exporting one person, on a real file: every table is filled for two learners,
one is forgotten, and the whole schema is walked to prove nothing about them is left while the
other learner's rows are untouched."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.core.clock import FixedClock
from bot.services import Services
from bot.storage.db import Database, to_ts
from bot.storage.privacy import FORGOTTEN_STARTER, ForgetReport, export_user, forget_user
from tests.support.storage import make_pack, snapshot

A, B, C = 7001, 7002, 7003  # A is forgotten; B and C must keep everything
GROUP = -100500
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

# Columns that name a person or a chat (a private chat has its owner's id). A new column whose
# name ends in "_id" must be classified here or in _NOT_PEOPLE, or the walk below fails.
_PEOPLE_SUFFIXES = ("user_id", "chat_id", "starter_id")
# entry_id names a content entry (entry_asks: anonymous counts per entry).
_NOT_PEOPLE = frozenset({"question_id", "message_id", "entry_id"})


async def _tables(conn: aiosqlite.Connection) -> list[str]:
    rows = await conn.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    return [row[0] for row in rows]


async def person_columns(conn: aiosqlite.Connection) -> dict[str, list[str]]:
    """table -> its columns that hold a person's or chat's id, for every table in the file."""
    found: dict[str, list[str]] = {}
    for table in await _tables(conn):
        # Table names come from sqlite_master, never from input.
        columns = await conn.execute_fetchall(f'PRAGMA table_info("{table}")')
        keys = await conn.execute_fetchall(f'PRAGMA foreign_key_list("{table}")')
        # A foreign key to another table's id (delivery_id, round_id...) names a row, not a
        # person; one to users does name a person.
        row_refs = {key["from"] for key in keys if key["table"] != "users"}
        people = []
        for column in columns:
            name = column["name"]
            if name.endswith(_PEOPLE_SUFFIXES):
                people.append(name)
            elif name.endswith("_id") and name not in row_refs and name not in _NOT_PEOPLE:
                pytest.fail(f"{table}.{name}: is it a person? classify it in this test")
        found[table] = people
    return found


async def rows_about(conn: aiosqlite.Connection, person: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that names `person` in a person column (the users table is
    keyed by user_id, so it is covered too)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for table, columns in (await person_columns(conn)).items():
        if not columns:
            continue
        where = " OR ".join(f'"{column}" = ?' for column in columns)
        sql = f'SELECT * FROM "{table}" WHERE {where} ORDER BY 1, 2'  # noqa: S608 - schema names
        rows = await conn.execute_fetchall(sql, (person,) * len(columns))
        if rows:
            found[table] = [tuple(row) for row in rows]
    return found


async def _fill(conn: aiosqlite.Connection) -> None:
    """Rows in every table for A and B (and C in the group), the way the bot writes them."""
    ts = to_ts(NOW)

    async def run(sql: str, *params: object) -> int:
        cursor = await conn.execute(sql, params)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    for user in (A, B, C):
        await run(
            "INSERT INTO users (user_id, timezone, private_chat, created_at) VALUES (?, ?, 1, ?)",
            user,
            "Europe/Berlin",
            ts,
        )
    delivery = {}
    for user in (A, B):
        await run(
            "INSERT INTO streaks (user_id, current, best, freezes, last_day)"
            " VALUES (?, 3, 5, 1, '2025-03-02')",
            user,
        )
        await run(
            "INSERT INTO cards (user_id, question_id, card, due) VALUES (?, 'q1', ?, ?)",
            user,
            json.dumps({"state": 2, "stability": 3.5}),
            ts,
        )
        await run(
            "INSERT INTO reminders_sent (user_id, local_date, claimed_at) VALUES (?, ?, ?)",
            user,
            "2025-03-02",
            ts,
        )
        await run(
            "INSERT INTO daily_subscriptions (chat_id, send_time, timezone, created_at,"
            " updated_at) VALUES (?, '08:00', 'Europe/Berlin', ?, ?)",
            user,
            ts,
            ts,
        )
        for kind, chat, owner in (
            ("quiz", user, user),
            ("daily", user, None),
            ("quiz", GROUP, user),
        ):
            delivery[kind, chat, user] = await run(
                "INSERT INTO deliveries (kind, chat_id, user_id, question_id, option_order,"
                " local_date, created_at) VALUES (?, ?, ?, 'q1', '1,0,2,3', '2025-03-03', ?)",
                kind,
                chat,
                owner,
                ts,
            )
        await run(
            "INSERT INTO daily_sent (chat_id, local_date, question_id, delivery_id, claimed_at)"
            " VALUES (?, '2025-03-03', 'q1', ?, ?)",
            user,
            delivery["daily", user, user],
            ts,
        )
    shared = await run(
        "INSERT INTO deliveries (kind, chat_id, question_id, option_order, local_date, created_at)"
        " VALUES ('daily', ?, 'q2', '0,1,2,3', '2025-03-03', ?)",
        GROUP,
        ts,
    )
    await run(
        "INSERT INTO daily_subscriptions (chat_id, send_time, timezone, created_at, updated_at)"
        " VALUES (?, '09:00', 'UTC', ?, ?)",
        GROUP,
        ts,
        ts,
    )
    await run(
        "INSERT INTO daily_sent (chat_id, local_date, question_id, delivery_id, claimed_at)"
        " VALUES (?, '2025-03-03', 'q2', ?, ?)",
        GROUP,
        shared,
        ts,
    )
    for user in (A, B):
        answered = [d for (_, _, owner), d in delivery.items() if owner == user] + [shared]
        for delivery_id in answered:
            await run(
                "INSERT INTO answers (delivery_id, user_id, question_id, difficulty, position,"
                " option_index, correct, hinted, answered_at, local_date)"
                " VALUES (?, ?, 'q1', 'easy', 0, 1, 1, 0, ?, '2025-03-03')",
                delivery_id,
                user,
                ts,
            )
        for delivery_id in (delivery["quiz", user, user], shared):
            await run(
                "INSERT INTO hints (delivery_id, user_id, used_at) VALUES (?, ?, ?)",
                delivery_id,
                user,
                ts,
            )
    # Settings under a private chat's id cannot come from the bot (/settings is for groups);
    # they are here so that every chat-keyed table is exercised.
    for chat in (GROUP, A, B):
        await run(
            "INSERT INTO group_settings (chat_id, anyone_can_start, updated_at) VALUES (?, 1, ?)",
            chat,
            ts,
        )
    rounds = []
    for starter, state in ((A, "running"), (B, "finished")):
        session = await run(
            "INSERT INTO group_sessions (chat_id, starter_id, questions, seconds, state,"
            " started_at) VALUES (?, ?, 3, 20, ?, ?)",
            GROUP,
            starter,
            state,
            ts,
        )
        rounds.append(
            await run(
                "INSERT INTO group_rounds (session_id, number, question_id, option_order,"
                " opened_at, deadline, message_id) VALUES (?, 1, 'q3', '0,1,2,3', ?, ?, 55)",
                session,
                ts,
                ts,
            )
        )
    for round_id in rounds:
        for user in (A, B, C):
            await run(
                "INSERT INTO group_answers (round_id, user_id, display_name, position,"
                " option_index, correct, elapsed_ms, points, streak, difficulty, answered_at,"
                " local_date) VALUES (?, ?, ?, 0, 0, 1, 1500, 900, 1, 'easy', ?, '2025-03-03')",
                round_id,
                user,
                f"Learner <{user}>",
                ts,
            )
    for user, kind in ((A, "private"), (B, "private"), (C, "group")):
        await run(
            "INSERT INTO question_gaps (user_id, chat_kind, question, normalised, outcome,"
            " suggestions, picked, asked_at) VALUES (?, ?, ?, ?, 'suggest', 'e1 e2', 'e2', ?)",
            user,
            kind,
            f"What is <{user}>?",
            f"what is {user}",
            ts,
        )
    for user in (A, B, C):
        await run(
            "INSERT INTO group_scores (chat_id, user_id, display_name, points, correct,"
            " answered, updated_at) VALUES (?, ?, ?, 1800, 2, 2, ?)",
            GROUP,
            user,
            f"Learner <{user}>",
            ts,
        )
    # Anonymous counts: nobody's, so /forget leaves them and /export has nothing of them.
    await run("INSERT INTO entry_asks (entry_id, asked) VALUES ('drift-what-is', 7)")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "tutor.sqlite3")
    try:
        async with database.write() as conn:
            await _fill(conn)
        yield database
    finally:
        await database.close()


async def test_every_table_is_filled_for_both_learners(db: Database) -> None:
    """The fixture puts rows about A and about B in every table that names people, and a row in
    every other table, so a table added later without test data fails here first."""
    async with db.read() as conn:
        columns = await person_columns(conn)
        about_a, about_b = await rows_about(conn, A), await rows_about(conn, B)
        empty = [
            table
            for table in columns
            if not await conn.execute_fetchall(f'SELECT 1 FROM "{table}" LIMIT 1')  # noqa: S608
        ]
    people_tables = {table for table, names in columns.items() if names}
    assert set(about_a) == people_tables
    assert set(about_b) == people_tables
    assert empty == []


async def test_forget_leaves_no_row_about_them_and_every_other_row(db: Database) -> None:
    """After forget_user(A), no column naming a person in any table holds A, every row about B
    is exactly as it was, and the group's own rows (settings, sessions, rounds, its daily
    question) stay, with A's session no longer naming a starter."""
    before = await snapshot(db)
    async with db.read() as conn:
        b_before = await rows_about(conn, B)
    async with db.write() as conn:
        counts = await forget_user(conn, A)
    async with db.read() as conn:
        assert await rows_about(conn, A) == {}
        assert await rows_about(conn, B) == b_before
        starters = await conn.execute_fetchall(
            "SELECT starter_id, state FROM group_sessions ORDER BY id"
        )
    assert [tuple(row) for row in starters] == [(FORGOTTEN_STARTER, "running"), (B, "finished")]
    after = await snapshot(db)
    assert after["group_rounds"] == before["group_rounds"]
    assert {row[0] for row in after["group_settings"]} == {GROUP, B}
    assert len(after["daily_subscriptions"]) == 2  # B's and the group's
    assert counts == ForgetReport(
        hints=2,  # on A's quiz, and on the group's daily question
        answers=4,  # A's quiz, A's private daily, A's quiz in the group, the group daily
        daily_sent=1,
        deliveries=3,  # A's private quiz and daily, A's quiz in the group
        cards=1,
        streaks=1,
        reminders_sent=1,
        daily_subscriptions=1,
        group_answers=2,
        group_rounds=0,
        group_scores=1,
        group_settings=1,
        group_sessions=1,  # cleared, not deleted
        question_gaps=1,
        users=1,
    )
    assert not counts.nothing
    # Other people's rows: B's and C's group answers and scores, the group's daily answers.
    assert len(after["group_answers"]) == 4
    assert len(after["group_scores"]) == 2


async def test_forgetting_twice_or_a_stranger_deletes_nothing(db: Database) -> None:
    """A second forget of the same person, or of someone never seen, deletes no rows at all."""
    async with db.write() as conn:
        await forget_user(conn, A)
    before = await snapshot(db)
    async with db.write() as conn:
        again = await forget_user(conn, A)
        stranger = await forget_user(conn, 999_999)
    assert again == stranger == ForgetReport()
    assert again.nothing
    assert await snapshot(db) == before


async def test_the_walk_catches_a_table_forget_does_not_know(db: Database) -> None:
    """A new table holding user ids that forget_user was not taught about is reported by the
    schema walk, so the main test above fails until forget_user is updated."""
    async with db.write() as conn:
        await conn.execute("CREATE TABLE notes (user_id INTEGER NOT NULL, text TEXT) STRICT")
        await conn.execute("INSERT INTO notes VALUES (?, 'remember me')", (A,))
        await forget_user(conn, A)
    async with db.read() as conn:
        assert await rows_about(conn, A) == {"notes": [(A, "remember me")]}


async def test_a_failure_part_way_deletes_nothing(tmp_path: Path, db: Database) -> None:
    """Forgetting is one transaction: if its last delete fails, every earlier one is undone."""
    async with db.write() as conn:
        await conn.execute(
            "CREATE TRIGGER keep_users BEFORE DELETE ON users BEGIN"
            " SELECT RAISE(ABORT, 'users are kept'); END"
        )
    before = await snapshot(db)
    services = Services.create(db, make_pack())
    with pytest.raises(sqlite3.IntegrityError, match="users are kept"):
        await services.privacy.forget(A)
    assert await snapshot(db) == before


async def test_export_holds_their_rows_and_nobody_elses(db: Database) -> None:
    """export_user(A) has every row about A (answers, hints, cards, streak, settings, daily
    subscription, group answers and scores, sessions started) and no row about B or C."""
    async with db.read() as conn:
        data = await export_user(conn, A)
    assert data["user_id"] == A
    assert data["profile"]["timezone"] == "Europe/Berlin"
    assert data["profile"]["private_chat"] is True
    assert data["profile"]["created_at"] == NOW
    assert data["streak"]["best"] == 5
    assert len(data["answers"]) == 4
    assert len(data["hints"]) == 2
    assert data["cards"][0]["card"] == {"state": 2, "stability": 3.5}
    assert len(data["questions_sent"]) == 3
    assert len(data["reminders_sent"]) == 1
    assert data["daily_subscription"]["chat_id"] == A
    assert len(data["daily_questions"]) == 1
    assert [row["question_id"] for row in data["group_answers"]] == ["q3", "q3"]
    assert data["group_scores"][0]["points"] == 1800
    assert [row["state"] for row in data["group_quizzes_started"]] == ["running"]
    [gap] = data["unanswered_questions"]
    assert (gap["question"], gap["picked"], gap["asked_at"]) == (f"What is <{A}>?", "e2", NOW)
    user_ids = {
        row.get("user_id")
        for value in data.values()
        if isinstance(value, list)
        for row in value
        if "user_id" in row
    }
    assert user_ids == {A, None}  # None: the daily question of A's private chat
    assert {row["chat_id"] for row in data["answers"]} == {A, GROUP}


# Where each table's rows about a person appear in their export.
_EXPORT_KEYS = {
    "users": "profile",
    "streaks": "streak",
    "answers": "answers",
    "hints": "hints",
    "cards": "cards",
    "deliveries": "questions_sent",
    "reminders_sent": "reminders_sent",
    "daily_subscriptions": "daily_subscription",
    "daily_sent": "daily_questions",
    "group_answers": "group_answers",
    "group_scores": "group_scores",
    "group_sessions": "group_quizzes_started",
    "group_settings": "chat_settings",
    "question_gaps": "unanswered_questions",
}


async def test_export_covers_every_row_the_walk_finds(db: Database) -> None:
    """For every table with rows naming A, A's export has exactly that many rows of it (a new
    table must be added to the export and to this mapping)."""
    async with db.read() as conn:
        about = await rows_about(conn, A)
        data = await export_user(conn, A)
    for table, rows in about.items():
        exported = data[_EXPORT_KEYS[table]]
        exported_rows = exported if isinstance(exported, list) else [exported]
        assert len(exported_rows) == len(rows), table


async def test_export_json_is_utf8_with_offsets(db: Database) -> None:
    """The JSON file is UTF-8 with names kept as typed and every instant in ISO 8601 with its
    UTC offset; after forget_user it holds nothing."""
    services = Services.create(db, make_pack(), clock=FixedClock(NOW))
    raw = await services.privacy.export_json(A)
    text = raw.decode("utf-8")
    loaded = json.loads(text)
    assert loaded["format"] == 1
    assert loaded["exported_at"] == "2025-03-03T09:00:00+00:00"
    assert loaded["data"]["answers"][0]["answered_at"] == "2025-03-03T09:00:00+00:00"
    assert loaded["data"]["group_answers"][0]["display_name"] == f"Learner <{A}>"
    assert datetime.fromisoformat(loaded["data"]["cards"][0]["due"]).utcoffset() is not None
    await services.privacy.forget(A)
    emptied = await services.privacy.export(A)
    assert emptied["data"]["profile"] is None
    assert all(not v for k, v in emptied["data"].items() if k != "user_id")


# --- nothing left in the files ------------------------------------------------------------------


def _id_patterns(user_id: int) -> list[bytes]:
    """The ways SQLite can write an integer: as record bytes (big-endian, minimal width), as a
    rowid varint, and (in text columns) as digits."""
    width = (user_id.bit_length() + 8) // 8
    varint = bytearray()
    value = user_id
    groups = []
    while True:
        groups.append(value & 0x7F)
        value >>= 7
        if not value:
            break
    for i, group in enumerate(reversed(groups)):
        varint.append(group | (0x80 if i < len(groups) - 1 else 0))
    return [user_id.to_bytes(width, "big"), bytes(varint), str(user_id).encode()]


async def test_forget_leaves_no_copy_in_the_database_wal_or_shm_files(tmp_path: Path) -> None:
    """After /forget, with the bot still running (the WAL still open), neither the learner's
    name nor their id can be found in tutor.sqlite3, its -wal or its -shm file."""
    from tests.support.storage import question, services_at

    name = "Zebediah Quimbleworth"
    user = 987_654_321_987
    path = tmp_path / "t.db"
    pack = make_pack([question(f"q-{i}") for i in range(5)])
    async with services_at(path, pack) as (services, _clock):
        started = await services.group.start_session(GROUP, B, [], is_admin=True, private=False)
        assert not hasattr(started, "reason")
        first = started.round  # type: ignore[union-attr]
        await services.group.tap(first.id, user, name, 0)
        delivery = await services.quiz.next_question(user, user)
        assert delivery is not None
        await services.quiz.answer(delivery.id, user, 0)
        await services.users.set_timezone(user, "Europe/Berlin")
        files = [path, path.with_name("t.db-wal"), path.with_name("t.db-shm")]
        before = b"".join(f.read_bytes() for f in files if f.exists())
        assert name.encode() in before  # the search below would find it
        await services.privacy.forget(user)
        found = {
            f.name: [p for p in [name.encode(), *_id_patterns(user)] if p in f.read_bytes()]
            for f in files
            if f.exists()
        }
    assert found == {f.name: [] for f in files if f.name in found}
    assert path.name in found
