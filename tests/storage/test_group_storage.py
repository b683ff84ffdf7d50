"""Group quiz storage on a real file: the schema's guarantees, restarts with open rounds, and
closing a round exactly once."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.group_round import TapStatus
from bot.services.group import Started
from bot.storage import group as group_db
from bot.storage import users as user_db
from bot.storage.db import Database
from bot.storage.group import GroupAnswerRow
from tests.support.storage import START, count, make_pack, question, services_at

GROUP = -100
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def answer(
    round_id: int, user_id: int, *, points: int = 900, correct: bool = True
) -> GroupAnswerRow:
    return GroupAnswerRow(
        round_id=round_id,
        user_id=user_id,
        display_name=f"user{user_id}",
        position=0,
        option_index=0,
        correct=correct,
        elapsed_ms=1500,
        points=points,
        streak=1 if correct else 0,
        difficulty="easy",
        answered_at=NOW,
        local_date=date(2025, 3, 3),
    )


async def new_round(db: Database, chat_id: int = GROUP) -> tuple[int, int]:
    async with db.write() as conn:
        session_id = await group_db.insert_session(
            conn,
            chat_id=chat_id,
            starter_id=1,
            questions=3,
            seconds=20,
            difficulty=None,
            now=NOW,
        )
        assert session_id is not None
        round_id = await group_db.insert_round(
            conn,
            session_id=session_id,
            number=1,
            question_id="q-easy-0",
            option_order="2,0,1,3",
            opened_at=NOW,
            deadline=NOW + timedelta(seconds=20),
        )
    return session_id, round_id


async def test_the_migration_creates_the_group_tables(tmp_path: Path) -> None:
    """Opening a fresh file creates settings, sessions, rounds, answers and scores tables."""
    async with await Database.open(tmp_path / "t.db") as db:
        async with db.read() as conn:
            names = {
                row[0]
                for row in await conn.execute_fetchall(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
        assert {
            "group_settings",
            "group_sessions",
            "group_rounds",
            "group_answers",
            "group_scores",
        } <= names
        assert await db.integrity_check() == "ok"


async def test_one_running_session_per_chat_is_a_database_fact(tmp_path: Path) -> None:
    """A second running session in a chat is not inserted; another chat or a later one is."""
    async with await Database.open(tmp_path / "t.db") as db:
        first, _ = await new_round(db)
        async with db.write() as conn:
            again = await group_db.insert_session(
                conn,
                chat_id=GROUP,
                starter_id=2,
                questions=1,
                seconds=10,
                difficulty=None,
                now=NOW,
            )
            assert again is None
            other = await group_db.insert_session(
                conn, chat_id=-7, starter_id=2, questions=1, seconds=10, difficulty="hard", now=NOW
            )
            assert other is not None
            assert await group_db.end_session(conn, first, "finished", NOW)
            assert not await group_db.end_session(conn, first, "stopped", NOW)
            later = await group_db.insert_session(
                conn,
                chat_id=GROUP,
                starter_id=2,
                questions=1,
                seconds=10,
                difficulty=None,
                now=NOW,
            )
            assert later is not None
        assert await count(db, "group_sessions") == 3
        assert await count(db, "group_sessions", "state = 'running'") == 2


async def test_one_answer_per_member_per_round(tmp_path: Path) -> None:
    """UNIQUE (round_id, user_id): a second insert for a member is refused, changing nothing."""
    async with await Database.open(tmp_path / "t.db") as db:
        _, round_id = await new_round(db)
        async with db.write() as conn:
            await user_db.ensure_user(conn, 5, NOW)
            assert await group_db.insert_answer(conn, answer(round_id, 5, points=900))
            assert not await group_db.insert_answer(conn, answer(round_id, 5, points=10))
        async with db.read() as conn:
            kept = await group_db.get_answer(conn, round_id, 5)
        assert kept is not None and kept.points == 900
        with pytest.raises(sqlite3.IntegrityError):
            async with db.write() as conn:
                await conn.execute(
                    "INSERT INTO group_answers (round_id, user_id, display_name, position,"
                    " option_index, correct, elapsed_ms, points, streak, difficulty,"
                    " answered_at, local_date) VALUES (?, 5, 'x', 0, 0, 1, 0, 0, 0, 'easy',"
                    " 'x', 'x')",
                    (round_id,),
                )
        assert await count(db, "group_answers") == 1


async def test_close_round_marks_it_once(tmp_path: Path) -> None:
    """Only the first close reports True; the round then leaves the open list."""
    async with await Database.open(tmp_path / "t.db") as db:
        session_id, round_id = await new_round(db)
        async with db.read() as conn:
            assert [r.id for r in await group_db.open_rounds(conn)] == [round_id]
        async with db.write() as conn:
            assert await group_db.close_round(conn, round_id, NOW)
            assert not await group_db.close_round(conn, round_id, NOW + timedelta(seconds=5))
        async with db.read() as conn:
            assert await group_db.open_rounds(conn) == []
            closed = await group_db.get_round(conn, round_id)
            assert closed is not None and closed.closed_at == NOW
            assert [s.id for s in await group_db.idle_sessions(conn)] == [session_id]


async def test_session_totals_use_the_latest_name_and_stop_at_a_round(tmp_path: Path) -> None:
    """Totals sum points up to a round number and take the member's most recent name."""
    async with await Database.open(tmp_path / "t.db") as db:
        session_id, first = await new_round(db)
        async with db.write() as conn:
            await user_db.ensure_user(conn, 5, NOW)
            await group_db.insert_answer(conn, answer(first, 5, points=900))
            second = await group_db.insert_round(
                conn,
                session_id=session_id,
                number=2,
                question_id="q-easy-1",
                option_order="0,1,2,3",
                opened_at=NOW,
                deadline=NOW,
            )
            renamed = answer(second, 5, points=1000)
            await group_db.insert_answer(
                conn,
                GroupAnswerRow(**{**_fields(renamed), "display_name": "Renamed"}),
            )
        async with db.read() as conn:
            up_to_1 = await group_db.session_totals(conn, session_id, 1)
            up_to_2 = await group_db.session_totals(conn, session_id, 2)
            assert await group_db.participants(conn, session_id, 2) == {5}
            assert await group_db.participants(conn, session_id, 1) == set()
            assert await group_db.previous_streak(conn, session_id, 2, 5) == 1
            assert await group_db.previous_streak(conn, session_id, 3, 5) == 1
            assert await group_db.previous_streak(conn, session_id, 2, 6) == 0
        assert [(t.name, t.points) for t in up_to_1] == [("user5", 900)]
        assert [(t.name, t.points, t.correct) for t in up_to_2] == [("Renamed", 1900, 2)]


def _fields(row: GroupAnswerRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in GroupAnswerRow.__slots__}


async def test_an_open_round_survives_a_restart_with_its_deadline(tmp_path: Path) -> None:
    """Reopening the file lists the open round with its deadline; past the deadline taps are
    late, and closing it then scores what was answered before the restart."""
    path = tmp_path / "t.db"
    pack = make_pack([question(f"q-{i}") for i in range(4)])
    async with services_at(path, pack) as (services, clock):
        started = await services.group.start_session(
            GROUP, 1, "2 30", is_admin=True, private=False
        )
        assert isinstance(started, Started)
        first = started.round
        await services.group.attach_message(first.id, 777)
        clock.advance(seconds=3)
        accepted = await services.group.tap(first.id, 5, "Ana", 0)
        assert accepted.status is TapStatus.ACCEPTED
    # The process is gone; a new one opens the same file 10 s later, still inside the round.
    async with services_at(path, pack, start=START + timedelta(seconds=10)) as (services, clock):
        [resumed] = await services.group.open_rounds()
        assert resumed.id == first.id and resumed.deadline == first.deadline
        assert resumed.options == first.options and resumed.message_id == 777
        assert resumed.remaining(clock.now()) == 20.0
        again = await services.group.tap(first.id, 5, "Ana", 1)
        assert again.status is TapStatus.ALREADY_ANSWERED
        assert (await services.group.tap(first.id, 6, "Bob", 1)).status is TapStatus.ACCEPTED
    # Another restart, this time after the deadline: the round is still open until closed.
    async with services_at(path, pack, start=START + timedelta(minutes=5)) as (services, clock):
        [late] = await services.group.open_rounds()
        assert late.remaining(clock.now()) == 0.0
        assert (await services.group.tap(first.id, 7, "Cy", 0)).status is TapStatus.ROUND_OVER
        reveal = await services.group.close_round(first.id)
        assert reveal is not None and reveal.closed_now
        assert {r.user_id for r in reveal.results} == {5, 6}
        assert await services.group.open_rounds() == []
        [idle] = await services.group.idle_sessions()
        assert idle.id == started.session.id and idle.round_number == 1
        nxt = await services.group.open_round(idle.id)
        assert nxt is not None and nxt.number == 2 and nxt.opened_at == clock.now()


async def test_closing_again_after_a_restart_changes_nothing(tmp_path: Path) -> None:
    """A round closed before a restart gives an equal Reveal after it; scores are not re-added."""
    path = tmp_path / "t.db"
    async with services_at(path) as (services, _clock):
        started = await services.group.start_session(GROUP, 1, "", is_admin=True, private=False)
        assert isinstance(started, Started)
        right = started.round.options.index(f"{started.round.question.id} right")
        await services.group.tap(started.round.id, 5, "Ana", right)
        first = await services.group.close_round(started.round.id)
        table = await services.group.top(GROUP)
        assert [(s.points, s.correct) for s in table.standings] == [(1000, 1)]
    async with services_at(path) as (services, _clock):
        second = await services.group.close_round(started.round.id)
        assert second == first and second is not None and not second.closed_now
        assert await services.group.top(GROUP) == table
        assert await count(services.db, "group_scores", "answered = 1") == 1


async def test_a_round_whose_question_left_the_pack_is_closed_on_resume(tmp_path: Path) -> None:
    """After a content change removes an open round's question, resuming closes that round."""
    path = tmp_path / "t.db"
    async with services_at(path, make_pack([question("q-gone")])) as (services, _clock):
        started = await services.group.start_session(GROUP, 1, "1", is_admin=True, private=False)
        assert isinstance(started, Started)
    async with services_at(path, make_pack([question("q-new")])) as (services, _clock):
        assert await services.group.open_rounds() == []
        assert await services.group.running(GROUP) is None
        assert (await services.group.tap(started.round.id, 5, "Ana", 0)).status is (
            TapStatus.UNKNOWN_ROUND
        )
