"""The ask and gaps services on a real file: what a free-text question leaves behind (the gap
queue, the topic to practise), the authors' summary, pruning after 90 days, and quiz items of one
topic ("Test me on this")."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core.content import Answerable
from bot.core.gaps import MAX_GAPS_PER_DAY, MAX_STORED_CHARS
from bot.core.matcher import MatchResult
from bot.services import Services
from bot.services.gaps import KEEP_DAYS
from bot.storage import gaps as gaps_db
from tests.support.storage import count, make_pack, question, services_at, snapshot

ALICE, BOB = 11, 12


def _entry(entry_id: str) -> Answerable:
    """An entry of make_pack's FAQ (its topic is the id's first word)."""
    topic = entry_id.split("-")[0]
    return Answerable(entry_id, "faq", topic, entry_id, (entry_id,), (), "An answer.", ())


def verdict(
    status: str,
    query: str,
    *,
    entry: str | None = None,
    suggestions: tuple[str, ...] = (),
    smalltalk: str | None = None,
) -> MatchResult:
    return MatchResult(
        query=query,
        status=status,  # type: ignore[arg-type]
        entry=_entry(entry) if entry else None,
        score=0.0,
        suggestions=tuple(_entry(s) for s in suggestions),
        smalltalk=smalltalk,  # type: ignore[arg-type]
        reply="reply",
        related=(),
        fallback_topics=(),
    )


async def gaps_rows(services: Services) -> list[tuple[object, ...]]:
    return (await snapshot(services.db))["question_gaps"]


async def test_unanswered_questions_are_stored_and_answers_are_not(tmp_path: Path) -> None:
    async with services_at(tmp_path / "t.db") as (services, _):
        ask = services.ask
        fallback = await ask.follow_up(ALICE, verdict("fallback", "Pizza Recipes?"), chat="group")
        suggest = await ask.follow_up(
            BOB,
            verdict("suggest", "drift thing", suggestions=("drift-what-is", "drift-detect")),
            chat="private",
        )
        answered = await ask.follow_up(
            ALICE, verdict("answer", "what is drift", entry="drift-what-is"), chat="private"
        )
        hello = await ask.follow_up(
            ALICE, verdict("fallback", "hi", smalltalk="greeting"), chat="private"
        )
        assert fallback.gap_id is not None and suggest.gap_id is not None
        assert answered.gap_id is None and hello.gap_id is None
        rows = await gaps_rows(services)
    assert [(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows] == [
        (ALICE, "group", "Pizza Recipes?", "pizza recipes", "fallback", "", None),
        (
            BOB,
            "private",
            "drift thing",
            "drift thing",
            "suggest",
            "drift-what-is drift-detect",
            None,
        ),
    ]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("x" * 100_000, "x" * (MAX_STORED_CHARS - 1) + "…"),
        ("what\x00is\x1b\u200b drift\n\n\tnow", "whatis drift now"),
        ("<b>drop table</b>; --", "<b>drop table</b>; --"),
    ],
)
async def test_huge_and_odd_questions_are_stored_safely(
    tmp_path: Path, typed: str, stored: str
) -> None:
    async with services_at(tmp_path / "t.db") as (services, _):
        await services.ask.follow_up(ALICE, verdict("fallback", typed), chat="private")
        [row] = await gaps_rows(services)
    assert row[3] == stored


@pytest.mark.parametrize("typed", ["", "   ", "?!…", "🤔🤔", "h", "1.", "-1", "42"])
async def test_empty_or_symbol_only_questions_are_not_stored(tmp_path: Path, typed: str) -> None:
    async with services_at(tmp_path / "t.db") as (services, _):
        follow = await services.ask.follow_up(ALICE, verdict("fallback", typed), chat="private")
        assert follow.gap_id is None
        assert await count(services.db, "question_gaps") == 0


async def test_a_pick_is_recorded_on_the_askers_own_row_only(tmp_path: Path) -> None:
    async with services_at(tmp_path / "t.db") as (services, _):
        offered = ("drift-what-is", "drift-detect")
        follow = await services.ask.follow_up(
            ALICE, verdict("suggest", "drift?", suggestions=offered), chat="private"
        )
        gap = follow.gap_id
        assert gap is not None
        before = await snapshot(services.db)
        # Someone else's press, an entry never offered, a gap that does not exist: nothing.
        assert not await services.ask.picked(gap, BOB, "drift-detect")
        assert not await services.ask.picked(gap, ALICE, "testing-ml")
        assert not await services.ask.picked(gap + 1, ALICE, "drift-detect")
        assert await snapshot(services.db) == before
        assert await services.ask.picked(gap, ALICE, "drift-detect")
        [row] = await gaps_rows(services)
    assert row[7] == "drift-detect"


async def test_the_summary_groups_counts_and_names_the_picked_entry(tmp_path: Path) -> None:
    async with services_at(tmp_path / "t.db") as (services, clock):
        empty = await services.gaps.summary()
        assert empty.empty and empty.groups == ()
        offered = ("drift-what-is", "drift-detect")
        for user, text in ((ALICE, "spot drift early"), (BOB, "Spot drift early!")):
            follow = await services.ask.follow_up(
                user, verdict("suggest", text, suggestions=offered), chat="private"
            )
            assert follow.gap_id is not None
            await services.ask.picked(follow.gap_id, user, "drift-detect")
        await services.ask.follow_up(
            ALICE, verdict("fallback", "early drift spotting"), chat="group"
        )
        clock.advance(days=10)
        await services.ask.follow_up(BOB, verdict("fallback", "bake bread"), chat="private")
        report = await services.gaps.summary()
        recent = await services.gaps.summary(since_days=5)
    assert (report.questions, report.texts) == (4, 3)
    first, second = report.groups
    assert first.count == 3 and first.outcomes == {"fallback": 1, "suggest": 2}
    assert first.label == "spot drift early"
    assert [(p.entry_id, p.count, p.phrasing) for p in first.picked] == [
        ("drift-detect", 2, "spot drift early")
    ]
    assert second.examples == ("bake bread",)
    assert recent.questions == 1 and recent.groups[0].label == "bake bread"
    with pytest.raises(ValueError, match="at least 1"):
        await services.gaps.summary(since_days=0)


async def test_questions_older_than_90_days_are_pruned(tmp_path: Path) -> None:
    async with services_at(tmp_path / "t.db") as (services, clock):
        await services.ask.follow_up(ALICE, verdict("fallback", "old question"), chat="private")
        clock.advance(days=KEEP_DAYS - 1)
        await services.ask.follow_up(ALICE, verdict("fallback", "newer question"), chat="private")
        assert await services.gaps.prune() == 0
        clock.advance(days=1, seconds=1)
        assert await services.gaps.prune() == 1
        [row] = await gaps_rows(services)
        assert row[3] == "newer question"
        assert await services.gaps.prune() == 0


async def test_forget_deletes_their_questions_and_export_lists_them(tmp_path: Path) -> None:
    async with services_at(tmp_path / "t.db") as (services, _):
        await services.ask.follow_up(ALICE, verdict("fallback", "alice asks"), chat="private")
        await services.ask.follow_up(BOB, verdict("fallback", "bob asks"), chat="group")
        export = await services.privacy.export(ALICE)
        assert [q["question"] for q in export["data"]["unanswered_questions"]] == ["alice asks"]
        report = await services.privacy.forget(ALICE)
        assert report.question_gaps == 1
        assert [r[3] for r in await gaps_rows(services)] == ["bob asks"]


# --- "Test me on this": quiz items of one topic --------------------------------------------------


def two_topic_pack(drift_items: int) -> object:
    questions = [question(f"t-{i}", "easy", "testing") for i in range(4)]
    questions += [question(f"d-{i}", "medium", "drift") for i in range(drift_items)]
    return make_pack(questions)


async def test_next_question_keeps_to_the_topic_and_skips_the_one_just_asked(
    tmp_path: Path,
) -> None:
    pack = two_topic_pack(2)
    async with services_at(tmp_path / "t.db", pack) as (services, _):  # type: ignore[arg-type]
        first = await services.quiz.next_question(ALICE, ALICE, topic="drift")
        second = await services.quiz.next_question(ALICE, ALICE, topic="drift")
        assert first is not None and second is not None
        assert {first.question_id, second.question_id} == {"d-0", "d-1"}
        assert await services.quiz.next_question(ALICE, ALICE, topic="no-such") is None
        # Without a topic a new learner still starts easy (testing has the easy items).
        plain = await services.quiz.next_question(BOB, BOB)
        assert plain is not None and plain.question.topic == "testing"


async def test_a_topic_item_keeps_the_level_the_learner_chose(tmp_path: Path) -> None:
    pack = two_topic_pack(2)
    async with services_at(tmp_path / "t.db", pack) as (services, _):  # type: ignore[arg-type]
        await services.quiz.next_question(ALICE, ALICE, "easy")
        assert await services.quiz.next_question(ALICE, ALICE, topic="drift") is not None
        assert await services.quiz.last_level(ALICE) == "easy"


async def test_the_topic_to_practise_needs_an_item_not_just_seen(tmp_path: Path) -> None:
    pack = two_topic_pack(1)
    answer = verdict("answer", "what is drift", entry="drift-what-is")
    testing = verdict("answer", "ml tests", entry="testing-ml")
    async with services_at(tmp_path / "t.db", pack) as (services, _):  # type: ignore[arg-type]
        assert (await services.ask.follow_up(ALICE, answer, chat="private")).practise_topic == (
            "drift"
        )
        only = await services.quiz.next_question(ALICE, ALICE, topic="drift")
        assert only is not None and only.question_id == "d-0"
        # Its one item was just asked: no button, and asking again finds nothing.
        assert (await services.ask.follow_up(ALICE, answer, chat="private")).practise_topic is None
        assert await services.quiz.next_question(ALICE, ALICE, topic="drift") is None
        # Another learner, and a topic with plenty of items, still get it.
        assert (
            await services.ask.follow_up(BOB, answer, chat="private")
        ).practise_topic == "drift"
        follow = await services.ask.follow_up(ALICE, testing, chat="private")
        assert follow.practise_topic == "testing"


async def test_no_practice_for_a_topic_without_quiz_items(tmp_path: Path) -> None:
    pack = make_pack([question(f"t-{i}", "easy", "testing") for i in range(3)])
    async with services_at(tmp_path / "t.db", pack) as (services, _):
        answer = verdict("answer", "what is drift", entry="drift-what-is")
        assert (await services.ask.follow_up(ALICE, answer, chat="private")).practise_topic is None


async def test_a_failed_write_costs_the_authors_a_question_not_the_learner_an_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A locked or full database while storing an unanswered question: follow_up logs it and
    returns an empty follow-up, so the reply (which needs none of it) still goes out."""

    async def locked(*_: object, **__: object) -> int:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(gaps_db, "insert_gap", locked)
    async with services_at(tmp_path / "t.db") as (services, _):
        follow = await services.ask.follow_up(
            ALICE, verdict("fallback", "bake bread"), chat="private"
        )
        assert follow.gap_id is None
        assert await count(services.db, "question_gaps") == 0
    assert "not kept for the authors" in caplog.text


async def test_one_learner_keeps_at_most_a_days_worth_of_unanswered_questions(
    tmp_path: Path,
) -> None:
    """A script within the flood limits cannot fill the queue: past MAX_GAPS_PER_DAY in a day
    its questions are answered and not kept; others are unaffected, and the next day counts
    afresh."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        for n in range(MAX_GAPS_PER_DAY + 5):
            await services.ask.follow_up(
                ALICE, verdict("fallback", f"bake loaf {n}"), chat="private"
            )
        over = await services.ask.follow_up(ALICE, verdict("fallback", "one more"), chat="private")
        assert over.gap_id is None
        bob = await services.ask.follow_up(BOB, verdict("fallback", "bake bread"), chat="private")
        assert bob.gap_id is not None
        clock.advance(days=1, seconds=1)
        later = await services.ask.follow_up(
            ALICE, verdict("fallback", "next day"), chat="private"
        )
        assert later.gap_id is not None
        assert await count(services.db, "question_gaps") == MAX_GAPS_PER_DAY + 2
