"""Group quiz service: starting and stopping, taps, reveals, scoring, several groups, concurrency,
and group answers feeding each member's streak and spaced repetition."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.group_round import PRIVATE_CHAT_HINT, USAGE, TapStatus
from bot.services import Services
from bot.services.group import (
    RefusalReason,
    Refused,
    Reveal,
    Round,
    Started,
    Stopped,
    TapResult,
)
from bot.storage import quiz as quiz_db
from tests.support.storage import count, make_pack, question, services_at

GROUP = -1001
OTHER_GROUP = -1002
ADMIN, ANA, BOB, CY = 10, 11, 12, 13


def right(round_: Round) -> int:
    return round_.options.index(f"{round_.question.id} right")


def wrong(round_: Round) -> int:
    return next(i for i, text in enumerate(round_.options) if "wrong" in text)


async def start(
    services: Services, args: str = "", chat_id: int = GROUP, starter: int = ADMIN
) -> Started:
    started = await services.group.start_session(
        chat_id, starter, args, is_admin=True, private=False
    )
    assert isinstance(started, Started), started
    return started


async def tap(
    services: Services, round_: Round, user: int, position: int, clock: FixedClock
) -> TapResult:
    return await services.group.tap(round_.id, user, f"user{user}", position)


async def close(services: Services, round_: Round) -> Reveal:
    reveal = await services.group.close_round(round_.id)
    assert reveal is not None
    return reveal


# --- starting and stopping --------------------------------------------------------------------


async def test_start_opens_round_one_with_shuffled_options_and_a_deadline(tmp_path: Path) -> None:
    """An admin's /groupquiz 3 30 easy opens round 1 of 3 with easy options and a 30 s deadline."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        started = await start(services, "3 30 easy")
        first = started.round
        assert (started.session.questions, started.session.seconds) == (3, 30)
        assert started.session.difficulty == "easy" and started.notes == ()
        assert (first.number, first.total, first.chat_id) == (1, 3, GROUP)
        assert first.question.difficulty == "easy"
        assert sorted(first.options) == sorted(o.text for o in first.question.options)
        assert first.deadline - first.opened_at == timedelta(seconds=30)
        assert first.remaining(clock.now()) == 30.0
        assert first.remaining(clock.now() + timedelta(seconds=45)) == 0.0
        assert (await services.group.running(GROUP)) == started.session


async def test_private_chat_gets_the_hint_and_nothing_is_stored(tmp_path: Path) -> None:
    """/groupquiz in a private chat (chat id = user id) is refused with the group hint."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        refused = await services.group.start_session(ANA, ANA, "", is_admin=False, private=True)
        assert refused == Refused(RefusalReason.PRIVATE_CHAT, PRIVATE_CHAT_HINT)
        assert await count(services.db, "group_sessions") == 0


async def test_only_admins_start_unless_the_group_allows_everyone(tmp_path: Path) -> None:
    """A member is refused until an admin turns on anyone_can_start; members cannot turn it on."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        refused = await services.group.start_session(GROUP, ANA, "", is_admin=False, private=False)
        assert isinstance(refused, Refused) and refused.reason is RefusalReason.NOT_ALLOWED
        assert "admins" in refused.text
        denied = await services.group.set_anyone_can_start(GROUP, enabled=True, is_admin=False)
        assert isinstance(denied, Refused) and denied.reason is RefusalReason.NOT_ALLOWED
        assert (await services.group.settings(GROUP)).anyone_can_start is False
        allowed = await services.group.set_anyone_can_start(GROUP, enabled=True, is_admin=True)
        assert allowed == await services.group.settings(GROUP)
        assert allowed.anyone_can_start is True  # type: ignore[union-attr]
        assert isinstance(
            await services.group.start_session(GROUP, ANA, "", is_admin=False, private=False),
            Started,
        )
        # The setting belongs to that group only.
        other = await services.group.start_session(
            OTHER_GROUP, ANA, "", is_admin=False, private=False
        )
        assert isinstance(other, Refused) and other.reason is RefusalReason.NOT_ALLOWED


async def test_a_second_start_is_refused_with_the_running_sessions_status(
    tmp_path: Path,
) -> None:
    """Starting twice names the first session's progress ("round 2 of 5") and changes nothing."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        started = await start(services)
        again = await services.group.start_session(
            GROUP, ANA, "10 hard", is_admin=True, private=False
        )
        assert isinstance(again, Refused) and again.reason is RefusalReason.ALREADY_RUNNING
        assert again.text.startswith("A quiz is already running: round 1 of 5.")
        await close(services, started.round)
        clock.advance(seconds=5)
        assert await services.group.open_round(started.session.id) is not None
        again = await services.group.start_session(GROUP, ADMIN, "", is_admin=True, private=False)
        assert isinstance(again, Refused) and "round 2 of 5" in again.text
        assert again.session is not None and again.session.id == started.session.id
        assert await count(services.db, "group_sessions") == 1


async def test_clamped_and_bad_arguments(tmp_path: Path) -> None:
    """Absurd numbers start a clamped quiz with notes; junk is refused with the usage."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        bad = await services.group.start_session(
            GROUP, ADMIN, "lots of questions", is_admin=True, private=False
        )
        assert isinstance(bad, Refused) and bad.reason is RefusalReason.BAD_ARGS
        assert bad.text.endswith(USAGE) and "'lots'" in bad.text
        started = await start(services, "0 100000")
        assert (started.session.questions, started.session.seconds) == (1, 120)
        assert len(started.notes) == 2 and "you asked for 100000" in started.notes[1]


async def test_a_small_bank_shortens_the_quiz_with_a_note(tmp_path: Path) -> None:
    """Asking for 10 hard questions when 3 exist plays 3 rounds and says why."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        started = await start(services, "10 hard")
        assert started.session.questions == 3
        assert started.notes == ("There are only 3 hard questions, so this quiz has 3 rounds.",)
    pack = make_pack([question("q-easy-0", "easy")])
    async with services_at(tmp_path / "u.db", pack) as (services, _clock):
        none = await services.group.start_session(
            GROUP, ADMIN, "hard", is_admin=True, private=False
        )
        assert isinstance(none, Refused) and none.reason is RefusalReason.NO_QUESTIONS


async def test_stop_by_starter_or_admin_closes_the_open_round_with_standings(
    tmp_path: Path,
) -> None:
    """A member cannot stop it; the starter can: the open round is scored and later taps fail."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        await services.group.set_anyone_can_start(GROUP, enabled=True, is_admin=True)
        started = await services.group.start_session(GROUP, ANA, "", is_admin=False, private=False)
        assert isinstance(started, Started)
        first = started.round
        clock.advance(seconds=2)
        await tap(services, first, BOB, right(first), clock)
        denied = await services.group.stop_session(GROUP, CY, is_admin=False)
        assert isinstance(denied, Refused) and denied.reason is RefusalReason.NOT_ALLOWED
        stopped = await services.group.stop_session(GROUP, ANA, is_admin=False)
        assert isinstance(stopped, Stopped)
        assert stopped.session.state == "stopped"
        assert stopped.reveal is not None and stopped.reveal.session_over
        assert [(s.place, s.user_id, s.points) for s in stopped.standings.standings] == [
            (1, BOB, 950)
        ]
        assert (await tap(services, first, CY, 0, clock)).status is TapStatus.ROUND_OVER
        assert await services.group.open_round(started.session.id) is None
        assert await services.group.running(GROUP) is None
        # Closing the stopped round again (a late timer) reports the same, scores nothing.
        late = await services.group.close_round(first.id)
        assert late == stopped.reveal and late is not None and not late.closed_now
        assert (await services.group.top(GROUP)).standings[0].points == 950
        nothing = await services.group.stop_session(GROUP, ADMIN, is_admin=True)
        assert isinstance(nothing, Refused) and nothing.reason is RefusalReason.NO_SESSION


async def test_an_admin_may_stop_between_rounds(tmp_path: Path) -> None:
    """Stopping after a reveal and before the next question gives no reveal, only standings."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        started = await start(services, starter=ANA)
        await tap(services, started.round, BOB, wrong(started.round), clock)
        await close(services, started.round)
        stopped = await services.group.stop_session(GROUP, ADMIN, is_admin=True)
        assert isinstance(stopped, Stopped) and stopped.reveal is None
        assert [s.user_id for s in stopped.standings.standings] == [BOB]


async def test_abort_ends_the_session_without_a_presser_and_counts_it_all_as_shown(
    tmp_path: Path,
) -> None:
    """A group that refuses the bot: its session ends (its open round scored), and nothing of
    the chat waits to be shown after a restart; without a session there is nothing to end."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        started = await start(services, starter=ANA)
        await tap(services, started.round, BOB, right(started.round), clock)
        stopped = await services.group.abort(GROUP)
        assert isinstance(stopped, Stopped) and stopped.session.state == "stopped"
        assert stopped.reveal is not None and stopped.reveal.round_id == started.round.id
        assert await services.group.running(GROUP) is None
        assert await services.group.unrevealed(GROUP) == []
        assert await services.group.unannounced(GROUP) == []
        assert (await services.group.top(GROUP)).standings[0].user_id == BOB
        assert await services.group.abort(GROUP) is None


# --- taps and reveals -------------------------------------------------------------------------


async def test_taps_are_recorded_once_and_never_reveal_right_or_wrong(tmp_path: Path) -> None:
    """The first tap is locked in; a re-tap reports the original option and changes nothing."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        first = (await start(services)).round
        clock.advance(seconds=4)
        accepted = await tap(services, first, ANA, wrong(first), clock)
        assert accepted == TapResult(
            TapStatus.ACCEPTED, 1, first.options[wrong(first)], all_answered=False
        )
        assert "wrong" not in accepted.toast.replace(first.options[wrong(first)], "")
        again = await tap(services, first, ANA, right(first), clock)
        assert again.status is TapStatus.ALREADY_ANSWERED
        assert again.option_text == first.options[wrong(first)]
        assert again.answered_count == 1
        bad = await tap(services, first, BOB, 7, clock)
        assert (bad.status, bad.answered_count) == (TapStatus.INVALID_POSITION, 1)
        unknown = await services.group.tap(9999, BOB, "bob", 0)
        assert unknown.status is TapStatus.UNKNOWN_ROUND
        elsewhere = await services.group.tap(first.id, BOB, "bob", 0, chat_id=OTHER_GROUP)
        assert elsewhere.status is TapStatus.UNKNOWN_ROUND
        assert await count(services.db, "group_answers") == 1


async def test_taps_at_or_after_the_deadline_are_too_late(tmp_path: Path) -> None:
    """A tap at the deadline, or after a close, gets round_over and is not stored."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        first = (await start(services, "seconds=10")).round
        clock.advance(seconds=9.999)
        assert (await tap(services, first, ANA, 0, clock)).status is TapStatus.ACCEPTED
        clock.advance(seconds=0.001)
        late = await tap(services, first, BOB, 0, clock)
        assert (late.status, late.answered_count) == (TapStatus.ROUND_OVER, 1)
        await close(services, first)
        assert (await tap(services, first, CY, 0, clock)).status is TapStatus.ROUND_OVER
        assert await count(services.db, "group_answers") == 1


async def test_reveal_names_the_answer_who_was_right_the_fastest_and_exact_points(
    tmp_path: Path,
) -> None:
    """At 20 s a right answer after 5 s scores 875, after 10 s 750; wrong scores 0."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        first = (await start(services)).round
        clock.advance(seconds=1)
        await tap(services, first, CY, wrong(first), clock)
        clock.advance(seconds=4)
        await tap(services, first, ANA, right(first), clock)
        clock.advance(seconds=5)
        await tap(services, first, BOB, right(first), clock)
        reveal = await close(services, first)
        assert reveal.correct_text == f"{first.question.id} right"
        assert reveal.correct_position == right(first)
        assert reveal.explanation == first.question.explanation
        assert reveal.points == {ANA: 875, BOB: 750, CY: 0}
        assert [r.user_id for r in reveal.results] == [ANA, BOB, CY]
        assert [r.name for r in reveal.right] == ["user11", "user12"]
        assert reveal.fastest is not None
        assert (reveal.fastest.user_id, reveal.fastest.seconds) == (ANA, 5.0)
        assert reveal.results[2].option_text == first.options[wrong(first)]
        picked = first.options[wrong(first)]
        assert reveal.trap == (picked, f"Why {picked} is wrong.")
        assert (reveal.number, reveal.total, reveal.session_over) == (1, 5, False)
        assert [(s.place, s.user_id) for s in reveal.standings.standings] == [
            (1, ANA),
            (2, BOB),
            (3, CY),
        ]


async def test_closing_twice_returns_the_same_reveal_without_double_scoring(
    tmp_path: Path,
) -> None:
    """A timer and an early close racing: one scores, the other gets an equal Reveal."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        first = (await start(services)).round
        await tap(services, first, ANA, right(first), clock)
        reveals = await asyncio.gather(*(close(services, first) for _ in range(5)))
        assert all(r == reveals[0] for r in reveals)
        assert sum(r.closed_now for r in reveals) == 1
        assert (await services.group.top(GROUP)).standings[0].points == 1000
        assert await services.group.close_round(424242) is None


async def test_streak_bonus_across_rounds_and_reset_on_a_miss(tmp_path: Path) -> None:
    """Right, right, silent, right: 1000, 1100 (+100), nothing, 1000 (the run starts again)."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        started = await start(services, "4")
        current = started.round
        for number, answer in enumerate([True, True, None, True], start=1):
            assert current.number == number
            if answer is not None:
                await tap(services, current, ANA, right(current), clock)
            else:
                await tap(services, current, BOB, right(current), clock)
            reveal = await close(services, current)
            if answer is not None:
                assert reveal.points[ANA] == {1: 1000, 2: 1100, 4: 1000}[number]
            else:
                assert ANA not in reveal.points
            nxt = await services.group.open_round(started.session.id)
            if nxt is None:
                break
            current = nxt
        assert reveal.session_over
        board = reveal.standings
        assert [(s.user_id, s.points, s.correct) for s in board.standings] == [
            (ANA, 3100, 3),
            (BOB, 1000, 1),
        ]


async def test_round_two_closes_early_once_every_participant_answered(tmp_path: Path) -> None:
    """Round 1 never reports all_answered; round 2 does once Ana and Bob (round 1) answered."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        started = await start(services)
        first = started.round
        assert not (await tap(services, first, ANA, 0, clock)).all_answered
        assert not (await tap(services, first, BOB, 0, clock)).all_answered
        await close(services, first)
        second = await services.group.open_round(started.session.id)
        assert second is not None and second.number == 2
        # Cy joins mid-session: allowed, but does not make Ana and Bob done.
        cy = await tap(services, second, CY, 1, clock)
        assert cy.status is TapStatus.ACCEPTED and not cy.all_answered
        assert not (await tap(services, second, ANA, 0, clock)).all_answered
        last = await tap(services, second, BOB, 2, clock)
        assert last.all_answered and last.answered_count == 3


async def test_open_round_is_idempotent_and_a_full_session_finishes(tmp_path: Path) -> None:
    """open_round returns the open round until it is closed; after the last, None and a new
    session may start; questions never repeat within a session."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        started = await start(services, "3 easy")
        sid = started.session.id
        assert await services.group.open_round(sid) == started.round
        seen = [started.round.question.id]
        current = started.round
        for _ in range(2):
            await close(services, current)
            nxt = await services.group.open_round(sid)
            assert nxt is not None
            current = nxt
            seen.append(current.question.id)
        final = await close(services, current)
        assert final.session_over and final.number == 3
        assert len(set(seen)) == 3
        assert await services.group.open_round(sid) is None
        assert await services.group.running(GROUP) is None
        assert isinstance(
            await services.group.start_session(GROUP, ADMIN, "", is_admin=True, private=False),
            Started,
        )


async def test_a_new_session_prefers_questions_the_group_has_not_seen(tmp_path: Path) -> None:
    """With 3 easy questions, a 2-round session then a 1-round one covers all three."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        first = await start(services, "2 easy")
        asked = {first.round.question.id}
        await close(services, first.round)
        second = await services.group.open_round(first.session.id)
        assert second is not None
        asked.add(second.question.id)
        await close(services, second)
        again = await start(services, "1 easy")
        assert again.round.question.id not in asked


async def test_all_time_table_adds_up_sessions_per_group(tmp_path: Path) -> None:
    """top() sums every closed round in that group only, with the member's latest name."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        for name in ("Ana", "Ana B."):
            started = await start(services, "1")
            await services.group.tap(started.round.id, ANA, name, right(started.round))
            await close(services, started.round)
        other = await start(services, "1", chat_id=OTHER_GROUP)
        await tap(services, other.round, BOB, right(other.round), clock)
        await close(services, other.round)
        board = await services.group.top(GROUP)
        assert [(s.user_id, s.name, s.points, s.correct) for s in board.standings] == [
            (ANA, "Ana B.", 2000, 2)
        ]
        assert [s.user_id for s in (await services.group.top(OTHER_GROUP)).standings] == [BOB]
        assert (await services.group.top(-5)).standings == ()


# --- several groups and concurrency -----------------------------------------------------------


async def test_two_groups_play_at_once_without_touching_each_other(tmp_path: Path) -> None:
    """Each group has its own session, rounds, counts and standings."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        a, b = await asyncio.gather(start(services), start(services, chat_id=OTHER_GROUP))
        assert a.session.id != b.session.id and a.round.chat_id != b.round.chat_id
        results = await asyncio.gather(
            *(tap(services, a.round, u, right(a.round), clock) for u in (ANA, BOB)),
            *(tap(services, b.round, u, wrong(b.round), clock) for u in (ANA, CY)),
        )
        assert all(r.status is TapStatus.ACCEPTED for r in results)
        ra, rb = await asyncio.gather(close(services, a.round), close(services, b.round))
        assert ra.points == {ANA: 1000, BOB: 1000} and rb.points == {ANA: 0, CY: 0}
        # Stopping one leaves the other running.
        assert isinstance(await services.group.stop_session(GROUP, ADMIN, is_admin=True), Stopped)
        assert (await services.group.running(OTHER_GROUP)) is not None


async def test_fifty_members_tapping_at_once_are_all_counted(tmp_path: Path) -> None:
    """50 simultaneous taps from 50 members: 50 answers, counts 1..50 each seen once."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        first = (await start(services)).round
        results = await asyncio.gather(
            *(tap(services, first, 100 + i, i % 4, clock) for i in range(50))
        )
        assert all(r.status is TapStatus.ACCEPTED for r in results)
        assert sorted(r.answered_count for r in results) == list(range(1, 51))
        assert await count(services.db, "group_answers") == 50
        reveal = await close(services, first)
        assert len(reveal.results) == 50


async def test_fifty_taps_from_one_member_at_once_record_one_answer(tmp_path: Path) -> None:
    """50 simultaneous taps by one member: one accepted, 49 report that same first choice."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        first = (await start(services)).round
        results = await asyncio.gather(
            *(tap(services, first, ANA, i % 4, clock) for i in range(50))
        )
        statuses = [r.status for r in results]
        assert statuses.count(TapStatus.ACCEPTED) == 1
        assert statuses.count(TapStatus.ALREADY_ANSWERED) == 49
        chosen = next(r.option_text for r in results if r.status is TapStatus.ACCEPTED)
        assert {r.option_text for r in results} == {chosen}
        assert await count(services.db, "group_answers") == 1
        assert await count(services.db, "cards", "user_id = ? AND reviews = 1", ANA) == 1


# --- personal progress ------------------------------------------------------------------------


async def test_group_answers_count_for_streak_and_spaced_repetition(tmp_path: Path) -> None:
    """A group answer starts the member's streak, shows in their stats and heat map, and
    schedules the question like a private answer: a miss comes back sooner than a right one."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        first = (await start(services)).round
        await tap(services, first, ANA, right(first), clock)
        await tap(services, first, BOB, wrong(first), clock)
        ana = await services.stats.stats(ANA)
        assert (ana.streak.current, ana.streak.active_today) == (1, True)
        # The numbers agree with the streak: the group answer is in the totals and the heat map.
        level = first.question.difficulty
        assert (ana.answered, ana.accuracy, ana.by_difficulty[level].answered) == (1, 1.0, 1)
        assert (await services.stats.stats(BOB)).accuracy == 0.0
        async with services.db.read() as conn:
            by_day = await quiz_db.answers_by_day(conn, ANA, clock.now().date())
        assert by_day == {clock.now().date(): 1}
        assert (await services.stats.streak(BOB)).current == 1
        async with services.db.read() as conn:
            rows = await conn.execute_fetchall(
                "SELECT user_id, due, lapses FROM cards WHERE question_id = ? ORDER BY user_id",
                (first.question.id,),
            )
        (ana_id, ana_due, ana_lapses), (bob_id, bob_due, bob_lapses) = rows
        assert (ana_id, ana_lapses, bob_id, bob_lapses) == (ANA, 0, BOB, 1)
        assert bob_due < ana_due
        # The next day's group answer extends the streak to 2.
        await close(services, first)
        clock.advance(days=1)
        later = await start(services, "1", chat_id=OTHER_GROUP)
        await tap(services, later.round, ANA, 0, clock)
        assert (await services.stats.streak(ANA)).current == 2


async def test_reveal_has_no_trap_when_nobody_chose_a_wrong_option(tmp_path: Path) -> None:
    """With only right answers (or none) there is no wrong pick to explain."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        first = (await start(services)).round
        await tap(services, first, ANA, right(first), clock)
        assert (await close(services, first)).trap is None
