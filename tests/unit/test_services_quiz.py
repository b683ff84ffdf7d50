"""Quiz service: deliveries, grading outcomes, hints, spaced repetition order, who may answer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.services import AnswerStatus, Delivery, Services, UnknownDifficultyError
from bot.services.quiz import UNANSWERED_KEEP
from tests.support.storage import count, make_pack, question, services_at


def right_position(delivery: Delivery) -> int:
    return delivery.options.index(f"{delivery.question_id} right")


def wrong_position(delivery: Delivery) -> int:
    return next(i for i, text in enumerate(delivery.options) if "wrong" in text)


async def ask(services: Services, user: int, difficulty: str | None = None) -> Delivery:
    delivery = await services.quiz.next_question(user, user, difficulty)
    assert delivery is not None
    return delivery


async def test_a_delivery_shows_every_option_once_in_a_shuffled_order(tmp_path: Path) -> None:
    """The options shown are the question's options, in an order that varies per delivery."""
    pack = make_pack([question(f"q-{i}") for i in range(30)])
    async with services_at(tmp_path / "t.db", pack) as (services, _clock):
        deliveries = [await ask(services, 1) for _ in range(30)]
        for d in deliveries:
            assert sorted(d.options) == sorted(o.text for o in d.question.options)
            assert d.kind == "quiz" and d.user_id == 1 and d.chat_id == 1
        assert len(Counter(right_position(d) for d in deliveries)) == 4
        assert len({d.id for d in deliveries}) == 30


async def test_difficulty_filter_and_unknown_difficulty(tmp_path: Path) -> None:
    """Asking for 'hard' only gives hard questions; an unknown difficulty is an error."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        for _ in range(6):
            assert (await ask(services, 1, "hard")).question.difficulty == "hard"
        with pytest.raises(UnknownDifficultyError, match="easy, medium, hard"):
            await services.quiz.next_question(1, 1, "expert")


async def test_a_new_learner_starts_with_an_easy_question(tmp_path: Path) -> None:
    """Twenty brand-new learners' first plain /quiz is easy; three right answers in a row
    raise the level to medium (the fall after misses: tests/unit/test_mastery.py)."""
    async with services_at(tmp_path / "t.db") as (services, clock):
        firsts = [await ask(services, user) for user in range(1, 21)]
        assert {d.question.difficulty for d in firsts} == {"easy"}
        d = firsts[0]
        for _ in range(3):
            assert d.question.difficulty == "easy"
            await services.quiz.answer(d.id, 1, right_position(d))
            clock.advance(minutes=1)
            d = await ask(services, 1)
        assert d.question.difficulty == "medium"
        # Plain /quiz stays adaptive: Next and the menu keep asking "any level".
        assert await services.quiz.last_level(1) is None


async def test_due_reviews_come_first_then_the_weakest_topic(tmp_path: Path) -> None:
    """A learner who knows 'testing' well and has never seen 'drift' is asked drift next;
    a missed item, once due, comes before both."""
    pack = make_pack(
        [question(f"t-{i}", topic="testing") for i in range(3)]
        + [question(f"d-{i}", topic="drift") for i in range(3)]
    )
    async with services_at(tmp_path / "t.db", pack) as (services, clock):
        for _ in range(3):
            d = await services.quiz.next_question(1, 1, topic="testing")
            assert d is not None and d.question.topic == "testing"
            await services.quiz.answer(d.id, 1, right_position(d))
            clock.advance(minutes=1)
        asked = await ask(services, 1)
        assert asked.question.topic == "drift"
        await services.quiz.answer(asked.id, 1, wrong_position(asked))
        clock.advance(minutes=2)
        between = await ask(services, 1)  # the miss is never asked straight back
        assert between.question.topic == "drift" and between.question_id != asked.question_id
        await services.quiz.answer(between.id, 1, right_position(between))
        assert (await ask(services, 1)).question_id == asked.question_id


async def test_topic_practice_keeps_to_the_topic_due_first_and_never_repeats(
    tmp_path: Path,
) -> None:
    pack = make_pack(
        [question(f"t-{i}", topic="testing") for i in range(2)]
        + [question(f"d-{i}", topic="drift") for i in range(5)]
    )
    async with services_at(tmp_path / "t.db", pack) as (services, clock):
        await services.quiz.next_question(1, 1, "hard")
        seen = []
        for _ in range(4):
            d = await services.quiz.next_question(1, 1, topic="testing")
            assert d is not None and d.question.topic == "testing"
            assert d.topic_title == "Testing"
            assert d.question_id not in seen[-1:]
            seen.append(d.question_id)
        missed = await services.quiz.next_question(1, 1, topic="drift")
        assert missed is not None
        await services.quiz.answer(missed.id, 1, wrong_position(missed))
        other = await services.quiz.next_question(1, 1, topic="drift")
        assert other is not None and other.question_id != missed.question_id
        await services.quiz.answer(other.id, 1, right_position(other))
        clock.advance(minutes=5)
        again = await services.quiz.next_question(1, 1, topic="drift")
        assert again is not None and again.question_id == missed.question_id
        # Topic practice leaves the level chosen with /quiz hard alone.
        assert await services.quiz.last_level(1) == "hard"
        assert await services.quiz.next_question(1, 1, topic="no-such-topic") is None
        assert await services.quiz.next_question(1, 1, "medium", topic="testing") is None


async def test_a_topic_with_one_item_just_asked_has_no_next_question(tmp_path: Path) -> None:
    pack = make_pack([question("t-0", topic="testing"), question("d-0", topic="drift")])
    async with services_at(tmp_path / "t.db", pack) as (services, _clock):
        assert await services.quiz.next_question(1, 1, topic="testing") is not None
        assert await services.quiz.next_question(1, 1, topic="testing") is None


async def test_correct_answer_outcome_carries_texts_explanation_and_why(
    tmp_path: Path,
) -> None:
    """A right answer reports the texts, the explanation, "Why?" and the streak, and no
    wrong-choice feedback."""
    pack = make_pack([question("q-a", topic="drift", related="drift-detect")])
    async with services_at(tmp_path / "t.db", pack) as (services, _clock):
        d = await ask(services, 1)
        result = await services.quiz.answer(d.id, 1, right_position(d))
        assert result.accepted and result.outcome is not None
        o = result.outcome
        assert (o.correct, o.chosen_text, o.correct_text) == (True, "q-a right", "q-a right")
        assert (o.explanation, o.wrong_why, o.why_id) == ("Because q-a.", None, "drift-detect")
        assert (o.streak.current, o.streak.active_today, o.counted_today) == (1, True, True)


async def test_wrong_answer_outcome_names_both_options_and_falls_back_to_topic_faq(
    tmp_path: Path,
) -> None:
    """A wrong answer names the chosen and the correct option; "Why?" is the topic's FAQ."""
    pack = make_pack([question("q-b", topic="testing")])
    async with services_at(tmp_path / "t.db", pack) as (services, _clock):
        d = await ask(services, 1)
        position = wrong_position(d)
        result = await services.quiz.answer(d.id, 1, position)
        assert result.outcome is not None
        assert result.outcome.correct is False
        assert result.outcome.chosen_text == d.options[position]
        assert result.outcome.correct_text == "q-b right"
        assert result.outcome.correct_position == right_position(d)
        assert result.outcome.why_id == "testing-ml"
        chosen = d.question.options[
            [o.text for o in d.question.options].index(d.options[position])
        ]
        assert result.outcome.wrong_why == chosen.why
        assert chosen.why is not None and chosen.why.startswith("Why q-b wrong")


async def test_hint_marks_the_answer_hinted_and_returns_the_hint(tmp_path: Path) -> None:
    """Taking a hint returns its text, and the later answer is recorded as hinted."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        d = await ask(services, 1)
        hint = await services.quiz.use_hint(d.id, 1)
        assert (hint.status, hint.hint) == (AnswerStatus.ACCEPTED, d.question.hint)
        assert (await services.quiz.use_hint(d.id, 1)).status is AnswerStatus.ACCEPTED
        result = await services.quiz.answer(d.id, 1, right_position(d))
        assert result.outcome is not None and result.outcome.hinted
        assert await count(services.db, "answers", "hinted = 1") == 1
        assert await count(services.db, "hints") == 1


async def test_the_hinted_flag_from_the_caller_is_recorded(tmp_path: Path) -> None:
    """An adapter that showed the hint itself can say so when passing the answer."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        d = await ask(services, 1)
        result = await services.quiz.answer(d.id, 1, right_position(d), hinted=True)
        assert result.outcome is not None and result.outcome.hinted


async def test_never_the_same_question_twice_in_a_row(tmp_path: Path) -> None:
    """With two questions and many rounds, consecutive deliveries always differ."""
    pack = make_pack([question("q-x"), question("q-y")])
    async with services_at(tmp_path / "t.db", pack) as (services, clock):
        previous = None
        for i in range(20):
            d = await ask(services, 1)
            assert d.question_id != previous
            previous = d.question_id
            position = wrong_position(d) if i % 3 == 0 else right_position(d)
            await services.quiz.answer(d.id, 1, position)
            clock.advance(minutes=3)


async def test_no_question_when_the_only_one_was_just_asked(tmp_path: Path) -> None:
    """A one-question pool gives None straight after asking it, rather than a repeat."""
    async with services_at(tmp_path / "t.db", make_pack([question("q-solo")])) as (services, _c):
        assert await services.quiz.next_question(1, 1) is not None
        assert await services.quiz.next_question(1, 1) is None


async def test_missed_question_comes_back_before_new_and_known_ones(tmp_path: Path) -> None:
    """After missing one question, it is asked again minutes later ahead of unseen questions."""
    pack = make_pack([question(f"q-{i}") for i in range(10)])
    async with services_at(tmp_path / "t.db", pack) as (services, clock):
        missed = await ask(services, 1)
        await services.quiz.answer(missed.id, 1, wrong_position(missed))
        known = await ask(services, 1)
        await services.quiz.answer(known.id, 1, right_position(known))
        clock.advance(minutes=2)
        assert (await ask(services, 1)).question_id == missed.question_id


async def test_a_private_quiz_in_a_group_belongs_to_its_user(tmp_path: Path) -> None:
    """In a group, only the user who asked may answer their quiz question."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        d = await services.quiz.next_question(1, -500)
        assert d is not None and d.chat_id == -500
        assert (await services.quiz.answer(d.id, 2, 0)).status is AnswerStatus.NOT_YOURS
        assert (await services.quiz.answer(d.id, 1, 0)).accepted


async def test_daily_delivery_can_be_answered_once_by_each_member(tmp_path: Path) -> None:
    """Three members answer the chat's daily question; each second press is refused."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        await services.daily.subscribe(-42, "08:00", "UTC")
        d = await services.daily.claim_daily(-42)
        assert d is not None and d.user_id is None and d.kind == "daily"
        for user in (10, 11, 12):
            assert (await services.quiz.answer(d.id, user, 0)).accepted
            again = await services.quiz.answer(d.id, user, 1)
            assert again.status is AnswerStatus.ALREADY_ANSWERED
        assert await count(services.db, "answers", "delivery_id = ?", d.id) == 3


async def test_unanswered_quiz_deliveries_are_pruned(tmp_path: Path) -> None:
    """A burst of /quiz leaves only the newest few unanswered rows; unanswered rows older than
    a day go too; answered ones, other users' and shared daily questions stay."""
    pack = make_pack([question(f"q-{i}") for i in range(10)])
    async with services_at(tmp_path / "t.db", pack) as (services, clock):
        answered = await ask(services, 1)
        await services.quiz.answer(answered.id, 1, right_position(answered))
        await ask(services, 2)
        await services.daily.subscribe(-42, "08:00", "UTC")
        assert await services.daily.claim_daily(-42) is not None
        burst = [await ask(services, 1) for _ in range(3 * UNANSWERED_KEEP)]
        unanswered = "kind = 'quiz' AND user_id = 1 AND id != ?"
        assert await count(services.db, "deliveries", unanswered, answered.id) == UNANSWERED_KEEP
        # The newest stay answerable; the oldest of the burst are gone.
        assert await services.quiz.get_delivery(burst[-1].id) is not None
        assert await services.quiz.get_delivery(burst[0].id) is None
        assert await count(services.db, "deliveries", "id = ?", answered.id) == 1
        assert await count(services.db, "deliveries", "user_id = 2") == 1
        assert await count(services.db, "deliveries", "kind = 'daily'") == 1
        clock.advance(days=1, minutes=1)
        await ask(services, 1)
        assert await count(services.db, "deliveries", unanswered, answered.id) == 1


async def test_get_delivery_redraws_a_stored_delivery(tmp_path: Path) -> None:
    """A stored delivery comes back with the same options in the same order."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        d = await ask(services, 1)
        assert await services.quiz.get_delivery(d.id) == d
        assert await services.quiz.get_delivery(12345) is None


async def test_answer_records_spaced_repetition_state_per_user_and_question(
    tmp_path: Path,
) -> None:
    """Each answer stores one fsrs card per (user, question); a miss counts as a lapse."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        d = await ask(services, 1)
        await services.quiz.answer(d.id, 1, wrong_position(d))
        async with services.db.read() as conn:
            rows = await conn.execute_fetchall(
                "SELECT question_id, reviews, lapses, card FROM cards WHERE user_id = 1"
            )
        [(question_id, reviews, lapses, card)] = [tuple(r) for r in rows]
        assert (question_id, reviews, lapses) == (d.question_id, 1, 1)
        assert '"state"' in card and '"due"' in card


async def test_a_second_press_replays_the_feedback_on_the_first_wrong_choice(
    tmp_path: Path,
) -> None:
    """A repeated press shows the stored verdict again, with the why of the option first chosen."""
    async with services_at(tmp_path / "t.db") as (services, _clock):
        d = await ask(services, 1)
        first = await services.quiz.answer(d.id, 1, wrong_position(d))
        again = await services.quiz.answer(d.id, 1, right_position(d))
        assert again.status is AnswerStatus.ALREADY_ANSWERED and again.outcome is not None
        assert first.outcome is not None and first.outcome.wrong_why is not None
        assert again.outcome.wrong_why == first.outcome.wrong_why


async def test_the_last_quiz_level_is_stored_per_user(tmp_path: Path) -> None:
    """Each user's last level is kept in SQLite (a restart keeps it); "any" is None; /forget
    removes it with the rest of their data."""
    path = tmp_path / "t.db"
    async with services_at(path) as (services, _clock):
        assert await services.quiz.last_level(1) is None
        await services.quiz.next_question(1, 1, "hard")
        await services.quiz.next_question(2, 2)
        assert await services.quiz.last_level(1) == "hard"
        assert await services.quiz.last_level(2) is None
    async with services_at(path) as (services, _clock):
        assert await services.quiz.last_level(1) == "hard"
        await services.quiz.next_question(1, 1, "easy")
        assert await services.quiz.last_level(1) == "easy"
        await services.privacy.forget(1)
        assert await services.quiz.last_level(1) is None


async def test_topic_practice_starts_a_new_learner_on_the_topics_easy_item(
    tmp_path: Path,
) -> None:
    pack = make_pack(
        [question(f"d-{d}", d, topic="drift") for d in ("hard", "medium", "easy")]
        + [question("t-0", topic="testing")]
    )
    for user in range(1, 8):
        async with services_at(tmp_path / f"t{user}.db", pack, seed=user) as (services, _c):
            first = await services.quiz.next_question(user, user, topic="drift")
            assert first is not None and first.question_id == "d-easy"
