"""/quiz over the emulator: hint, one answer per delivery, the edited verdict, Next and Why?, the
streak feedback, forged and stale buttons, and /timezone.

The helpers at the top (`delivery_of`, `press_option`, `answer_quiz`) are shared with the daily
and stats tests: they read a question's delivery back from the services to know which button is
right.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.core.clock import FixedClock
from bot.core.content import ContentPack
from bot.core.quiz import why_entry
from tests.support.quiz_flow import (
    answer_quiz,
    correct_position,
    delivery_of,
    option_data,
    press_option,
)
from tests.support.world import ALL_ATTEMPTS, App, TutorFactory, World, services_of

pytestmark = pytest.mark.e2e

EXPIRED = "That button has expired"
ALREADY = "You already answered"


@pytest.fixture
async def quiz_tutor(tutor_factory: TutorFactory) -> AsyncIterator[App]:
    async with tutor_factory() as app:
        yield app


async def test_quiz_flow_hint_answer_explanation_next(
    world: World, quiz_tutor: App, pack: ContentPack
) -> None:
    """A question shows its options and Hint; the hint edits it in; the answer edits in the
    verdict and explanation (no wrong-choice note for a right answer) with Next and Why?; Next
    sends a new question."""
    question = await world.ask(world.alice, world.alice_chat, "/quiz easy")
    assert question.plain_text.startswith("🧠 Quiz · easy")
    delivery = await delivery_of(quiz_tutor, question)
    assert delivery.question.question[:40] in question.plain_text
    labels = [row[0] for row in world.emu.buttons(question)]
    assert labels[-1] == "💡 Hint"
    assert len(labels) == len(delivery.options) + 1
    assert labels[0].startswith("A · ")

    toast = await world.press(world.alice, question, "💡 Hint")
    assert "text" not in toast
    hinted = world.current(question)
    assert f"Hint: {delivery.question.hint[:30]}" in hinted.plain_text
    assert "💡 Hint" not in [row[0] for row in world.emu.buttons(hinted)]

    await press_option(world, quiz_tutor, world.alice, hinted, right=True)
    answered = world.current(question)
    text = answered.plain_text
    assert "✅ Right! (with a hint)" in text
    correct = delivery.question.options[delivery.question.correct_index].text
    assert correct[:40] in text
    assert delivery.question.explanation[:40] in text
    assert "🤔" not in text and "You chose" not in text
    assert "Today counts: your streak is 1 day" in text
    assert world.emu.buttons(answered) == [["Next question »", "Why?"]]

    before = len(world.emu.bot_messages(world.alice_chat.id))
    await world.press(world.alice, answered, "Why?")
    why = (await world.emu.wait_for_messages(world.alice_chat.id, before + 1))[before]
    related = why_entry(delivery.question, pack)
    assert related is not None and pack.answerables[related].title in why.plain_text

    await world.press(world.alice, world.current(question), "Next question »")
    following = (await world.emu.wait_for_messages(world.alice_chat.id, before + 2))[before + 1]
    assert following.plain_text.startswith("🧠 Quiz · easy")  # the level is remembered
    assert world.emu.buttons(world.current(question)) == [["Why?"]]
    stats = await services_of(quiz_tutor).stats.stats(world.alice.id)
    assert stats.answered == 1 and stats.overall.correct == 1


async def test_wrong_answer_names_the_choice_and_the_right_option(
    world: World, quiz_tutor: App
) -> None:
    """A wrong answer names the option chosen, says why it is wrong, then gives the right one
    and the explanation."""
    question = await world.ask(world.alice, world.alice_chat, "/quiz hard")
    delivery = await delivery_of(quiz_tutor, question)
    await press_option(world, quiz_tutor, world.alice, question, right=False)
    await world.emu.wait_for(lambda: world.current(question).edits)
    text = world.current(question).plain_text
    assert "❌ Not quite." in text
    good = correct_position(delivery)
    chosen = (good + 1) % len(delivery.options)
    assert f"You chose {'ABCD'[chosen]}. {delivery.options[chosen][:30]}" in text
    why = next(o.why for o in delivery.question.options if o.text == delivery.options[chosen])
    assert why is not None
    # Feedback on the chosen option comes first, then the right option, then the explanation.
    first = text.index(f"🤔 {why[:40]}")
    assert first < text.index("The answer is") < text.index(delivery.question.explanation[:30])
    assert f"The answer is {'ABCD'[good]}. {delivery.options[good][:30]}" in text
    stats = await services_of(quiz_tutor).stats.stats(world.alice.id)
    assert stats.answered == 1 and stats.overall.correct == 0


async def test_double_tap_records_one_answer(world: World, quiz_tutor: App) -> None:
    """Two presses of an option before the first is handled record one answer and one edit."""
    question = await world.ask(world.alice, world.alice_chat, "/quiz")
    data, other = option_data(question)[:2]
    first = world.emu.press_data(world.alice, world.alice_chat, question.message_id, data)
    second = world.emu.press_data(world.alice, world.alice_chat, question.message_id, data)
    answers = [await world.answer_of(first), await world.answer_of(second)]
    assert "text" not in answers[0]
    assert answers[1]["text"].startswith(ALREADY)
    third = await world.press_data(world.alice, question, other)
    assert third["text"].startswith(ALREADY)
    assert len(world.current(question).edits) == 1
    stats = await services_of(quiz_tutor).stats.stats(world.alice.id)
    assert stats.answered == 1


async def test_forged_and_foreign_presses_change_nothing(world: World, quiz_tutor: App) -> None:
    """Junk data, bad positions and another user's delivery get a toast and store nothing."""
    alices = await world.ask(world.alice, world.alice_chat, "/quiz")
    bobs = await world.ask(world.bob, world.bob_chat, "/quiz")
    alice_delivery = await delivery_of(quiz_tutor, alices)
    for junk in ("qa:abc:1", "qa:1", "qa:01:0", "qa:-1:0", "qa:1:0:0", "qh:x", "qn:expert", "qz"):
        toast = await world.press_data(world.bob, bobs, junk)
        assert toast["text"].startswith(EXPIRED), junk
    # A position the delivery never showed.
    toast = await world.press_data(world.alice, alices, f"qa:{alice_delivery.id}:7")
    assert toast["text"].startswith(EXPIRED)
    # Bob presses Alice's delivery from his own chat: it was not sent there.
    toast = await world.press_data(world.bob, bobs, f"qa:{alice_delivery.id}:0")
    assert toast["text"].startswith(EXPIRED)
    toast = await world.press_data(world.bob, bobs, f"qh:{alice_delivery.id}")
    assert toast["text"].startswith(EXPIRED)
    services = services_of(quiz_tutor)
    assert (await services.stats.stats(world.alice.id)).answered == 0
    assert (await services.stats.stats(world.bob.id)).answered == 0
    assert world.current(alices).edits == [] and world.current(bobs).edits == []


async def test_someone_elses_quiz_in_a_group_is_refused(world: World, quiz_tutor: App) -> None:
    """In a group, only the learner who asked for a quiz may answer it or take its hint."""
    question = await world.ask(world.alice, world.group, "/quiz")
    toast = await press_option(world, quiz_tutor, world.bob, question, right=True)
    assert "someone else" in toast["text"]
    toast = await world.press(world.bob, question, "💡 Hint")
    assert "someone else" in toast["text"]
    assert world.current(question).edits == []
    assert (await services_of(quiz_tutor).stats.stats(world.bob.id)).answered == 0
    await press_option(world, quiz_tutor, world.alice, question, right=True)
    # In a group the verdict edit waits its turn in the group's outbox, after the toast.
    await world.emu.wait_for(lambda: "✅ Right!" in world.current(question).plain_text)


async def test_a_question_never_sent_is_expired(world: World, quiz_tutor: App) -> None:
    """An answer or hint for a delivery id that was never issued gets the expired toast."""
    help_message = await world.ask(world.alice, world.alice_chat, "/help")
    for data in ("qa:424242:0", "qh:424242", f"qa:{2**63 - 1}:1", f"qa:{2**63}:1"):
        toast = await world.press_data(world.alice, help_message, data)
        assert toast["text"].startswith(EXPIRED), data
    assert (await services_of(quiz_tutor).stats.stats(world.alice.id)).answered == 0


async def test_unknown_level_gets_the_usage(world: World, quiz_tutor: App) -> None:
    """/quiz with a word that is no level and no topic names the levels and /progress."""
    reply = await world.ask(world.alice, world.alice_chat, "/quiz impossible")
    assert "/quiz easy, /quiz medium, /quiz hard" in reply.plain_text
    assert "/progress" in reply.plain_text
    assert reply.reply_markup is None


async def test_menu_quiz_reuses_the_last_level(world: World, quiz_tutor: App) -> None:
    """The reply keyboard's Quiz entry asks at the level the learner chose last."""
    await world.ask(world.alice, world.alice_chat, "/quiz hard")
    again = await world.ask(world.alice, world.alice_chat, "🧠 Quiz")
    assert again.plain_text.startswith("🧠 Quiz · hard")


async def test_next_pressed_twice_sends_one_question(world: World, quiz_tutor: App) -> None:
    """A double tap on Next sends one new question; the second press only gets a note."""
    answered = await answer_quiz(world, quiz_tutor)
    count = len(world.emu.bot_messages(world.alice_chat.id))
    data = world.emu.buttons(answered)[0][0]
    assert data == "Next question »"
    raw = answered.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    first = await world.press_data(world.alice, answered, raw)
    second = await world.press_data(world.alice, answered, raw)
    assert "text" not in first and "already below" in second["text"]
    await world.emu.wait_quiet()
    assert len(world.emu.bot_messages(world.alice_chat.id)) == count + 1


async def test_streak_feedback_over_days(
    world: World, tutor_factory: TutorFactory, clock: FixedClock
) -> None:
    """Answers on consecutive days grow the streak, the 7th day earns a freeze, a missed day
    spends it, and a longer gap breaks the streak."""
    async with tutor_factory(clock=clock) as app:
        for day in range(1, 9):
            text = (await answer_quiz(world, app)).plain_text
            assert f"your streak is {day} day" in text
            assert ("earns a streak freeze: you now hold 1" in text) == (day == 7)
            if day < 8:
                clock.advance(days=1)
        text = (await answer_quiz(world, app)).plain_text  # day 8 again: no change
        assert "Streak: 8 days (best 8); today already counted" in text
        clock.advance(days=2)  # day 9 missed
        text = (await answer_quiz(world, app)).plain_text
        assert "1 freeze covered the days you missed" in text
        assert "your streak is 9 days" in text
        clock.set(clock.now() + timedelta(days=4))
        text = (await answer_quiz(world, app)).plain_text
        assert "Your last streak lapsed" in text
        assert "your streak is 1 day (best 9)" in text


async def test_timezone_shows_validates_and_sets(world: World, quiz_tutor: App) -> None:
    """/timezone shows the zone, refuses an unknown name with an example, and sets a real one."""
    shown = await world.ask(world.alice, world.alice_chat, "/timezone")
    assert "Your time zone is UTC (the bot's default)" in shown.plain_text
    bad = await world.ask(world.alice, world.alice_chat, "/timezone Mars/Olympus_Mons")
    assert "Unknown time zone 'Mars/Olympus_Mons'" in bad.plain_text
    assert "Europe/Berlin" in bad.plain_text
    assert (await services_of(quiz_tutor).users.settings(world.alice.id)).timezone == "UTC"
    good = await world.ask(world.alice, world.alice_chat, "/timezone europe/berlin")
    assert "Time zone set to Europe/Berlin" in good.plain_text
    shown = await world.ask(world.alice, world.alice_chat, "/timezone")
    assert "Your time zone is Europe/Berlin." in shown.plain_text


async def test_next_on_an_inaccessible_message_sends_without_editing(
    world: World, quiz_tutor: App
) -> None:
    """Next pressed on a message Telegram no longer shows the bot (a date-0 stub) sends the new
    question and leaves the old message alone."""
    answered = await answer_quiz(world, quiz_tutor)
    count = len(world.emu.bot_messages(world.alice_chat.id))
    query_id = world.emu.press(world.alice, answered, "Next question »", inaccessible=True)
    assert "text" not in await world.answer_of(query_id)
    following = (await world.emu.wait_for_messages(world.alice_chat.id, count + 1))[count]
    assert following.plain_text.startswith("🧠 Quiz")
    await world.emu.wait_quiet()
    assert world.emu.calls_to("editMessageReplyMarkup") == []
    assert world.emu.buttons(world.current(answered))[0][0] == "Next question »"


@pytest.mark.expects_bot_error("the verdict edit fails with 500s on purpose")
async def test_verdict_lost_to_a_failed_edit_is_shown_on_the_next_press(
    world: World, quiz_tutor: App
) -> None:
    """When the verdict edit fails after the answer was stored, pressing again on the question
    (still on screen) shows the stored verdict instead of "already answered"."""
    question = await world.ask(world.alice, world.alice_chat, "/quiz")
    world.emu.fail_next("editMessageText", status=500, times=ALL_ATTEMPTS)
    first = await press_option(world, quiz_tutor, world.alice, question, right=True)
    assert "try again" in first["text"]
    assert world.current(question).edits == []
    again = await press_option(world, quiz_tutor, world.alice, world.current(question), right=True)
    assert "text" not in again
    shown = world.current(question)
    assert "✅ Right!" in shown.plain_text
    assert world.emu.buttons(shown)[0][0] == "Next question »"
    stats = await services_of(quiz_tutor).stats.stats(world.alice.id)
    assert stats.answered == 1


async def test_only_the_learner_may_press_their_next_in_a_group(
    world: World, quiz_tutor: App
) -> None:
    """In a group, Bob's press on Alice's Next is refused (and does not use it up); Alice's
    own press then sends her next question."""
    question = await world.ask(world.alice, world.group, "/quiz")
    await press_option(world, quiz_tutor, world.alice, question, right=True)
    await world.emu.wait_for(lambda: world.current(question).edits)
    answered = world.current(question)
    count = len(world.emu.bot_messages(world.group.id))
    refused = await world.press(world.bob, answered, "Next question »")
    assert "someone else" in refused["text"]
    await world.emu.wait_quiet()
    assert len(world.emu.bot_messages(world.group.id)) == count
    assert world.emu.buttons(world.current(question))[0][0] == "Next question »"
    accepted = await world.press(world.alice, world.current(question), "Next question »")
    assert "text" not in accepted
    following = (await world.emu.wait_for_messages(world.group.id, count + 1))[count]
    assert following.plain_text.startswith("🧠 Quiz")
    assert following.reply_markup is not None
    right = await press_option(world, quiz_tutor, world.bob, following, right=True)
    assert "someone else" in right["text"]


@pytest.mark.expects_bot_error("sending the next question fails with 500s on purpose")
async def test_next_that_failed_to_send_can_be_pressed_again(
    world: World, quiz_tutor: App
) -> None:
    """A Next press whose question could not be sent is not used up: pressing again sends it."""
    answered = await answer_quiz(world, quiz_tutor)
    count = len(world.emu.bot_messages(world.alice_chat.id))
    world.emu.fail_next("sendMessage", status=500, times=ALL_ATTEMPTS)
    failed = await world.press(world.alice, answered, "Next question »")
    assert "try again" in failed["text"]
    again = await world.press(world.alice, world.current(answered), "Next question »")
    assert "text" not in again
    following = (await world.emu.wait_for_messages(world.alice_chat.id, count + 1))[count]
    assert following.plain_text.startswith("🧠 Quiz")
