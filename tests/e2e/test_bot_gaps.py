"""The learning loop's author side and "Test me on this", through the real Application.

Unanswered questions land in the gap queue that `tutor-bot gaps` (run for real, against the
bot's database) reports, and leave it with /forget; only questions addressed to the bot are kept
in groups; a "did you mean" pick is recorded on the asker's own question only; /gaps is for the
admins in a private chat; "Test me on this" asks a quiz item of the answer's topic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FixedClock
from bot.core.content import ContentPack
from bot.tg.callbacks import EXPIRED_TEXT
from bot.tg.scheduling import GAP_PRUNE_JOB, scheduled
from bot.tg.views import gaps as gaps_view
from bot.tg.views import privacy
from bot.tg.views.ask import PRACTISE_LABEL, PRACTISE_NOTHING
from bot.tg.views.progress import PRACTICE_EXPIRED
from tests.e2e.test_bot_conversation import SuggestingMatcher
from tests.support.cli import asked, gaps_json
from tests.support.quiz_flow import delivery_of, press_option
from tests.support.world import TutorFactory, World, services_of

pytestmark = pytest.mark.e2e

OFF_TOPIC = "how do i bake sourdough bread"


def _db(tmp_path: Path) -> Path:
    return tmp_path / "tutor.sqlite3"


async def _gaps(app: Any) -> list[tuple[Any, ...]]:
    async with services_of(app).db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT user_id, chat_kind, question, outcome, suggestions, picked"
            " FROM question_gaps ORDER BY id"
        )
    return [tuple(row) for row in rows]


async def test_unanswered_questions_reach_the_cli_and_leave_with_forget(
    world: World, tutor: Any, tmp_path: Path
) -> None:
    reply = await world.ask(world.alice, world.alice_chat, OFF_TOPIC)
    assert "inline_keyboard" in (reply.reply_markup or {})  # the fallback's topic buttons
    await world.ask(world.bob, world.bob_chat, "How do I bake SOURDOUGH bread??")
    await world.ask(world.alice, world.alice_chat, "what is model drift")  # answered: not kept
    await world.emu.wait_quiet()

    report = await gaps_json(_db(tmp_path))
    assert report["questions"] == 2
    [group] = report["groups"]
    assert group["count"] == 2 and group["outcomes"] == {"fallback": 2}
    assert asked(report) == {OFF_TOPIC}

    prompt = await world.ask(world.alice, world.alice_chat, "/forget")
    await world.press(world.alice, prompt, privacy.CONFIRM_LABEL)
    await world.emu.wait_for(lambda: world.current(prompt).edits)
    assert "1 unanswered question" in world.current(prompt).plain_text
    report = await gaps_json(_db(tmp_path))
    assert report["questions"] == 1  # Bob's stays
    assert [row[0] for row in await _gaps(tutor)] == [world.bob.id]


async def test_export_shows_their_unanswered_questions(world: World, tutor: Any) -> None:
    await world.ask(world.alice, world.alice_chat, OFF_TOPIC)
    await world.emu.wait_quiet()
    export = await services_of(tutor).privacy.export(world.alice.id)
    [row] = export["data"]["unanswered_questions"]
    assert (row["question"], row["outcome"], row["chat_kind"]) == (
        OFF_TOPIC,
        "fallback",
        "private",
    )


async def test_only_questions_addressed_to_the_bot_are_kept_in_groups(
    world: World, tutor: Any
) -> None:
    world.emu.send_text(world.bob, world.group, "lunch at noon? bring the sourdough bread")
    world.emu.send_text(world.carol, world.group, OFF_TOPIC)
    await world.emu.wait_quiet()
    assert await _gaps(tutor) == []
    await world.ask(world.alice, world.group, f"@TutorTestBot {OFF_TOPIC}")
    await world.emu.wait_quiet()
    assert await _gaps(tutor) == [(world.alice.id, "group", OFF_TOPIC, "fallback", "", None)]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("bake " * 2000, ("bake " * 60).strip()[:299] + "…"),
        ("bake\x00 sour\u200bdough\x1b\x07 bread\r\n\tplease", "bake sour dough bread please"),
    ],
    ids=["huge", "control characters"],
)
async def test_odd_questions_are_stored_safely(
    world: World, tutor: Any, typed: str, stored: str
) -> None:
    await world.ask(world.alice, world.alice_chat, typed)
    await world.emu.wait_quiet()
    [row] = await _gaps(tutor)
    assert row[2] == stored


async def test_did_you_mean_pick_is_recorded_for_the_asker_only(
    world: World, tutor_factory: TutorFactory, pack: ContentPack, tmp_path: Path
) -> None:
    async with tutor_factory(matcher_override=SuggestingMatcher(pack)) as app:
        reply = await world.ask(world.alice, world.alice_chat, SuggestingMatcher.PHRASE)
        entries = tuple(pack.answerables.values())[:3]
        data = [row[0]["callback_data"] for row in reply.reply_markup["inline_keyboard"]]  # type: ignore[index]
        assert all(d.startswith("dm:") and len(d.encode()) <= 64 for d in data)
        [(_, _, _, outcome, offered, picked)] = await _gaps(app)
        assert (outcome, offered.split(), picked) == ("suggest", [e.id for e in entries], None)

        # Bob forging Alice's button in his own chat reads the answer and records nothing.
        bob_view = await world.ask(world.bob, world.bob_chat, "/help")
        toast = await world.press_data(world.bob, bob_view, data[2])
        assert "text" not in toast
        await world.emu.wait_quiet()
        assert (await _gaps(app))[0][5] is None
        assert world.emu.bot_messages(world.bob_chat.id)[-1].plain_text.startswith(
            entries[2].title
        )

        await world.press(world.alice, reply, entries[1].title)
        messages = await world.emu.wait_for_messages(world.alice_chat.id, 2)
        assert messages[1].plain_text.startswith(entries[1].title)
        await world.emu.wait_quiet()
        assert (await _gaps(app))[0][5] == entries[1].id
        report = await gaps_json(_db(tmp_path))
        [group] = report["groups"]
        assert group["picked"] == [
            {"entry_id": entries[1].id, "count": 1, "phrasing": SuggestingMatcher.PHRASE}
        ]


async def test_an_edited_question_is_answered_but_not_kept_twice(world: World, tutor: Any) -> None:
    """Editing an unanswered question gets a fresh reply; the gap queue keeps the question as
    first asked, once (an edit is the same question, not a second one)."""
    sent = world.emu.send_text(world.alice, world.alice_chat, OFF_TOPIC)
    await world.emu.wait_for_messages(world.alice_chat.id, 1)
    world.emu.edit_text(world.alice, world.alice_chat, sent.message_id, "how do i bake rye bread")
    await world.emu.wait_for_messages(world.alice_chat.id, 2)
    await world.emu.wait_quiet()
    assert [row[2] for row in await _gaps(tutor)] == [OFF_TOPIC]


@pytest.mark.parametrize(
    ("data", "expired"),
    [
        ("dm:1:no-such-entry", EXPIRED_TEXT),
        ("dm:0:x", EXPIRED_TEXT),
        ("pp:no-such-topic", PRACTICE_EXPIRED),
        ("pp:", PRACTICE_EXPIRED),
    ],
)
async def test_forged_or_stale_buttons_get_the_expired_toast(
    world: World, tutor: Any, data: str, expired: str
) -> None:
    message = await world.ask(world.alice, world.alice_chat, "/help")
    await world.emu.wait_quiet()
    count = len(world.emu.bot_messages(world.alice_chat.id))
    toast = await world.press_data(world.alice, message, data)
    assert toast["text"] == expired
    await world.emu.wait_quiet()
    assert len(world.emu.bot_messages(world.alice_chat.id)) == count
    assert await _gaps(tutor) == []


# --- "Test me on this" -------------------------------------------------------------------------


async def test_test_me_asks_an_item_of_the_answers_topic(
    world: World, tutor: Any, pack: ContentPack
) -> None:
    reply = await world.ask(world.alice, world.alice_chat, "what is model drift")
    entry = next(e for e in pack.answerables.values() if reply.plain_text.startswith(e.title))
    labels = [row[0] for row in world.emu.buttons(reply)]
    assert labels[-1] == PRACTISE_LABEL
    previous = None
    for _ in range(3):
        before = len(world.emu.bot_messages(world.alice_chat.id))
        toast = await world.press(world.alice, reply, PRACTISE_LABEL)
        assert "text" not in toast
        messages = await world.emu.wait_for_messages(world.alice_chat.id, before + 1)
        delivery = await delivery_of(tutor, messages[before])
        assert delivery.question.topic == entry.topic
        assert delivery.user_id == world.alice.id
        assert delivery.question_id != previous, "never the item just asked"
        previous = delivery.question_id


async def test_test_me_in_a_group_asks_the_presser(world: World, tutor: Any) -> None:
    reply = await world.ask(world.alice, world.group, "@TutorTestBot what is model drift")
    before = len(world.emu.bot_messages(world.group.id))
    await world.press(world.bob, reply, PRACTISE_LABEL)
    messages = await world.emu.wait_for_messages(world.group.id, before + 1)
    delivery = await delivery_of(tutor, messages[before])
    assert delivery.user_id == world.bob.id and delivery.question.topic == "drift"


async def test_no_test_me_once_the_topics_items_were_just_seen(
    world: World, tutor: Any, pack: ContentPack
) -> None:
    """The MLOps definition has two quiz items: once one was just answered and the other just
    asked, its answer carries no "Test me on this", and the old button says why."""
    assert sum(q.topic == "mlops-definition" for q in pack.quiz.values()) == 2
    reply = await world.ask(world.alice, world.alice_chat, "what is mlops")
    assert world.emu.buttons(reply)[-1] == [PRACTISE_LABEL]
    before = len(world.emu.bot_messages(world.alice_chat.id))
    await world.press(world.alice, reply, PRACTISE_LABEL)
    first = (await world.emu.wait_for_messages(world.alice_chat.id, before + 1))[before]
    await press_option(world, tutor, world.alice, first, right=True)
    await world.emu.wait_for(lambda: world.current(first).edits)
    before = len(world.emu.bot_messages(world.alice_chat.id))
    await world.press(world.alice, reply, PRACTISE_LABEL)
    second = (await world.emu.wait_for_messages(world.alice_chat.id, before + 1))[before]
    assert (await delivery_of(tutor, second)).question.topic == "mlops-definition"

    again = await world.ask(world.alice, world.alice_chat, "what is mlops")
    assert PRACTISE_LABEL not in [row[0] for row in world.emu.buttons(again)]
    toast = await world.press(world.alice, reply, PRACTISE_LABEL)
    assert toast["text"] == PRACTISE_NOTHING
    # Bob has seen neither: his answer offers it.
    bobs = await world.ask(world.bob, world.bob_chat, "what is mlops")
    assert world.emu.buttons(bobs)[-1] == [PRACTISE_LABEL]


# --- /gaps for the admins ------------------------------------------------------------------------


async def test_gaps_command_for_admins_in_private_only(
    world: World, tutor_factory: TutorFactory
) -> None:
    async with tutor_factory(admin_ids=(world.alice.id,)):
        empty = await world.ask(world.alice, world.alice_chat, "/gaps")
        assert empty.plain_text.startswith("No unanswered questions in the last 90 days")
        await world.ask(world.bob, world.bob_chat, OFF_TOPIC)
        await world.ask(world.bob, world.bob_chat, "<b>bake</b> sourdough & bread?")
        summary = await world.ask(world.alice, world.alice_chat, "/gaps")
        assert summary.plain_text.startswith("Unanswered questions in the last 90 days: 2")
        assert f'"{OFF_TOPIC}"' in summary.plain_text
        assert '"b bake b sourdough bread"' in summary.plain_text
        refused = await world.ask(world.bob, world.bob_chat, "/gaps")
        assert refused.plain_text == gaps_view.NOT_ADMIN
        in_group = await world.ask(world.alice, world.group, "/gaps")
        assert in_group.plain_text == gaps_view.IN_PRIVATE


async def test_old_questions_are_pruned_at_start_up(
    world: World, tutor_factory: TutorFactory, clock: FixedClock
) -> None:
    async with tutor_factory(clock=clock) as app:
        await world.ask(world.alice, world.alice_chat, OFF_TOPIC)
        await world.emu.wait_quiet()
        assert len(await _gaps(app)) == 1
        assert scheduled(app, GAP_PRUNE_JOB)
    clock.advance(days=91)
    async with tutor_factory(clock=clock) as app:
        assert await _gaps(app) == []
