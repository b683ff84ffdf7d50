"""The conversation in a private chat: /start, /help, the menu, questions and their buttons."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import pytest

from bot.core.content import ContentPack
from bot.core.matcher import Matcher, MatchResult
from bot.tg.callbacks import answer_data
from bot.tg.matching import THREAD_NAME
from bot.tg.views.ask import PRACTISE_LABEL
from tests.support.world import TutorFactory, World

pytestmark = pytest.mark.e2e


async def test_start_shows_the_menu_keyboard(world: World, tutor: Any) -> None:
    """/start greets the learner by name and shows the reply keyboard with every menu entry."""
    reply = await world.ask(world.alice, world.alice_chat, "/start")
    assert "Hi Alice" in reply.plain_text
    assert reply.parse_mode == "HTML"
    labels = [label for row in world.emu.buttons(reply) for label in row]
    assert [label.split()[-1] for label in labels] == [
        "Ask",
        "Learn",
        "Quiz",
        "Daily",
        "Stats",
        "Progress",
    ]


async def test_commands_are_published_at_start_up(world: World, tutor: Any) -> None:
    """post_init publishes the command list with setMyCommands."""
    commands = [c["command"] for c in world.emu.my_commands()]
    assert {"start", "help", "learn", "quiz", "daily", "stats", "progress"} <= set(commands)


async def test_user_names_are_escaped(world: World, tutor: Any) -> None:
    """A first name containing HTML is shown literally, not parsed as markup."""
    reply = await world.ask(world.bob, world.bob_chat, "/start")
    assert "Hi Bob <b>!" in reply.plain_text


async def test_help_lists_the_commands(world: World, tutor: Any) -> None:
    """/help explains the bot and names its commands."""
    reply = await world.ask(world.alice, world.alice_chat, "/help")
    for command in ("/start", "/learn", "/quiz", "/daily", "/stats", "/help"):
        assert command in reply.plain_text


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("❓ Ask", "Type your question"),
        ("📚 Learn", "Lessons"),
        ("🧠 Quiz", "Quiz ·"),
        ("📅 Daily", "No daily question in this chat yet"),
        ("📊 Stats", "Alice's progress"),
    ],
)
async def test_menu_buttons_route_to_their_commands(
    world: World, tutor: Any, label: str, expected: str
) -> None:
    """Each reply-keyboard label is handled by the command it stands for, not by the matcher."""
    reply = await world.ask(world.alice, world.alice_chat, label)
    assert expected in reply.plain_text


async def test_question_gets_an_answer_with_related_buttons(
    world: World, tutor: Any, matcher: Matcher
) -> None:
    """A clear question is answered with the entry's text, buttons for related entries, and
    "Test me on this" (the drift topic has quiz items)."""
    result = matcher.match("what is model drift")
    assert result.status == "answer" and result.entry is not None
    reply = await world.ask(world.alice, world.alice_chat, "what is model drift")
    assert reply.plain_text.startswith(result.entry.title)
    assert result.entry.answer[:60] in reply.plain_text
    labels = [row[0] for row in world.emu.buttons(reply)]
    assert labels == [entry.title for entry in result.related[:3]] + [PRACTISE_LABEL]


async def test_pressing_a_related_button_answers_it(
    world: World, tutor: Any, matcher: Matcher
) -> None:
    """A related-entry button sends that entry's answer as a new message."""
    reply = await world.ask(world.alice, world.alice_chat, "what is model drift")
    related = matcher.match("what is model drift").related[0]
    answer = await world.press(world.alice, reply, related.title)
    assert "text" not in answer
    messages = await world.emu.wait_for_messages(world.alice_chat.id, 2)
    assert messages[1].plain_text.startswith(related.title)
    assert world.current(reply).edits == []


async def test_fallback_offers_topics_and_a_topic_answers(
    world: World, tutor: Any, matcher: Matcher
) -> None:
    """An off-topic message gets a polite fallback with topic buttons; a topic opens its entry."""
    reply = await world.ask(world.alice, world.alice_chat, "how do i drift in mario kart")
    result = matcher.match("how do i drift in mario kart")
    assert result.status == "fallback"
    labels = [row[0] for row in world.emu.buttons(reply)]
    assert labels == [topic.title for topic in result.fallback_topics]
    topic = result.fallback_topics[0]
    await world.press(world.alice, reply, topic.title)
    messages = await world.emu.wait_for_messages(world.alice_chat.id, 2)
    expected = matcher.topic_entry(topic.id)
    assert expected is not None and expected.entry is not None
    assert messages[1].plain_text.startswith(expected.entry.title)


class ThreadNotingMatcher(Matcher):
    """The real matcher, noting the thread each question is matched on."""

    threads: list[str]

    def match(self, text: str) -> MatchResult:
        self.threads.append(threading.current_thread().name)
        return super().match(text)


async def test_questions_are_matched_off_the_event_loop(
    world: World, tutor_factory: TutorFactory, pack: ContentPack
) -> None:
    """A new question is matched on the matcher's own thread (the loop keeps serving others);
    the reply is the same as ever."""
    matcher = ThreadNotingMatcher(pack)
    matcher.threads = []
    async with tutor_factory(matcher_override=matcher):
        reply = await world.ask(world.alice, world.alice_chat, "what is model drift")
    assert "drift" in reply.plain_text.lower()
    assert matcher.threads
    assert all(name.startswith(THREAD_NAME) for name in matcher.threads)


class SuggestingMatcher(Matcher):
    """The real matcher, except that one phrase always gets a "did you mean" verdict."""

    PHRASE = "versioning thing"

    def match(self, text: str) -> MatchResult:
        result = super().match(text)
        if text != self.PHRASE:
            return result
        entries = tuple(self._pack.answerables.values())[:3]
        return replace(
            result,
            status="suggest",
            entry=None,
            suggestions=entries,
            reply="Did you mean one of these?",
        )


async def test_did_you_mean_buttons_answer_the_chosen_entry(
    world: World, tutor_factory: TutorFactory, pack: ContentPack
) -> None:
    """A "did you mean" reply lists the suggestions; pressing one answers exactly that entry."""
    async with tutor_factory(matcher_override=SuggestingMatcher(pack)):
        reply = await world.ask(world.alice, world.alice_chat, SuggestingMatcher.PHRASE)
        entries = tuple(pack.answerables.values())[:3]
        assert "Did you mean" in reply.plain_text
        assert [row[0] for row in world.emu.buttons(reply)] == [e.title for e in entries]
        await world.press(world.alice, reply, entries[1].title)
        messages = await world.emu.wait_for_messages(world.alice_chat.id, 2)
        assert messages[1].plain_text.startswith(entries[1].title)
        assert entries[1].answer[:50] in messages[1].plain_text


async def test_buttons_carry_short_data(world: World, tutor: Any) -> None:
    """Every inline button the bot sends carries callback data of at most 64 bytes."""
    await world.ask(world.alice, world.alice_chat, "what is model drift")
    await world.ask(world.alice, world.alice_chat, "/learn")
    for message in world.emu.bot_messages():
        for row in (message.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                assert 0 < len(button["callback_data"].encode()) <= 64


async def test_answer_button_data_names_the_entry(world: World, tutor: Any) -> None:
    """Related buttons use the compact, server-checked `a:<entry id>` code (the last button is
    "Test me on this", `pp:<topic id>`)."""
    reply = await world.ask(world.alice, world.alice_chat, "what is model drift")
    data = [row[0]["callback_data"] for row in reply.reply_markup["inline_keyboard"]]  # type: ignore[index]
    assert all(d.startswith("a:") for d in data[:-1])
    assert answer_data(data[0][2:]) == data[0]
    assert data[-1] == "pp:drift"


async def test_greeting_gets_a_friendly_reply(world: World, tutor: Any) -> None:
    """Small talk like "hi" gets a greeting with topic buttons rather than a fact."""
    reply = await world.ask(world.alice, world.alice_chat, "hi")
    assert reply.plain_text.startswith("Hi")
    assert world.emu.buttons(reply)


class LongAnswerMatcher(Matcher):
    """The real matcher, except that one phrase gets an answer far over Telegram's limit."""

    PHRASE = "tell me everything"

    def match(self, text: str) -> MatchResult:
        result = self.answer_entry(next(iter(self._pack.answerables)))
        assert result is not None and result.related
        if text != self.PHRASE:
            return super().match(text)
        return replace(result, reply="drift and retraining " * 400)


async def test_a_very_long_answer_still_fits_with_its_related_line(
    world: World, tutor_factory: TutorFactory, pack: ContentPack
) -> None:
    """An answer too long for one message is shortened so that, with its "Related:" line and
    buttons, it is still one valid message."""
    async with tutor_factory(matcher_override=LongAnswerMatcher(pack)):
        reply = await world.ask(world.alice, world.alice_chat, LongAnswerMatcher.PHRASE)
        assert reply.plain_text.endswith("Related:")
        assert "…" in reply.plain_text
        assert world.emu.buttons(reply)


async def test_the_fused_matcher_answers_what_the_words_alone_miss(
    world: World, tutor_factory: TutorFactory, fused_matcher: Matcher
) -> None:
    """Through Telegram, the bot's fused matcher answers a question whose words are mostly
    unknown to the pack (the word matcher alone falls back on it)."""
    question = "wats ml ops?? heard it on a podcast lol"
    assert fused_matcher.lexical_match(question).status == "fallback"
    expected = fused_matcher.match(question)
    assert expected.status == "answer" and expected.entry is not None
    async with tutor_factory(matcher_override=fused_matcher):
        reply = await world.ask(world.alice, world.alice_chat, question)
    assert expected.entry.answer.split("\n")[0][:40] in reply.plain_text


async def test_a_follow_up_is_read_against_the_last_question(
    world: World, tutor: Any, matcher: Matcher
) -> None:
    """ "and for ml?" after "what is devops" asks what MLOps is; the same words from someone
    with no earlier question (Bob) are read on their own."""
    devops = matcher.match("what is devops")
    mlops = matcher.match("what is mlops")
    alone = matcher.match("and for ml?")
    assert devops.entry is not None and mlops.entry is not None and alone.entry is not None
    assert len({devops.entry.id, mlops.entry.id, alone.entry.id}) == 3
    await world.ask(world.alice, world.alice_chat, "what is devops")
    followed = await world.ask(world.alice, world.alice_chat, "and for ml?")
    assert followed.plain_text.startswith(mlops.entry.title)
    bobs = await world.ask(world.bob, world.bob_chat, "and for ml?")
    assert bobs.plain_text.startswith(alone.entry.title)


async def test_an_anonymous_admin_gets_no_follow_ups(
    world: World, tutor: Any, matcher: Matcher
) -> None:
    """Anonymous admins all speak through Telegram's one stand-in account: one admin's
    question must not become the context of another's "and for ml?"."""
    alone = matcher.match("and for ml?")
    assert alone.entry is not None
    group = world.group.to_dict()
    stand_in = {
        "id": 1087968824,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    mention = f"@{world.emu.bot_user.username}"
    for number, question in enumerate(("what is devops", "and for ml?")):
        text = f"{mention} {question}"
        world.emu.queue_update(
            {
                "message": {
                    "message_id": 20_000 + number,
                    "date": int(time.time()),
                    "chat": group,
                    "from": stand_in,
                    "sender_chat": group,
                    "text": text,
                    "entities": [{"type": "mention", "offset": 0, "length": len(mention)}],
                }
            }
        )
        await world.emu.wait_for_messages(world.group.id, number + 1)
    replies = world.emu.bot_messages(world.group.id)
    assert replies[-1].plain_text.startswith(alone.entry.title)
