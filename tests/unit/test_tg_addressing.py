"""Who a message is for: commands, @mentions and replies in groups; everything in private."""

from __future__ import annotations

import pytest
from telegram import Chat, Message, MessageEntity, User

from bot.tg.addressing import command_target, is_addressed, mentions, question_text, strip_mention

BOT = User(id=999, first_name="Tutor", is_bot=True, username="TutorTestBot")
ALICE = User(id=1, first_name="Alice", is_bot=False)
GROUP = Chat(id=-100, type=Chat.SUPERGROUP, title="Study group")
PRIVATE = Chat(id=1, type=Chat.PRIVATE)


def message(
    text: str, chat: Chat = GROUP, *, reply_to: Message | None = None, entities: tuple = ()
) -> Message:
    return Message(
        message_id=5,
        date=None,  # type: ignore[arg-type]
        chat=chat,
        from_user=ALICE,
        text=text,
        reply_to_message=reply_to,
        entities=entities,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", ("start", None)),
        ("/Start@TutorTestBot junk", ("start", "TutorTestBot")),
        ("/help@OtherBot", ("help", "OtherBot")),
        ("hello /start", None),
        ("/", None),
        ("/start@", None),
    ],
)
def test_command_target(text: str, expected: tuple[str, str | None] | None) -> None:
    """A leading /command is split into its name and optional @target."""
    assert command_target(text) == expected


def test_mentions_are_exact_and_case_insensitive() -> None:
    """Only the bot's own @username counts, in any letter case, not a longer name or e-mail."""
    assert mentions("hey @tutortestbot what is drift", "TutorTestBot")
    assert not mentions("hey @TutorTestBot2 what is drift", "TutorTestBot")
    assert not mentions("mail me at x@TutorTestBot", "TutorTestBot")
    assert not mentions("anything", "")


def test_strip_mention() -> None:
    """The mention is removed and the whitespace around it collapsed."""
    assert strip_mention("@TutorTestBot   what is drift?", "TutorTestBot") == "what is drift?"
    assert strip_mention("what is @tutortestbot drift", "TutorTestBot") == "what is drift"


def test_private_messages_are_always_addressed() -> None:
    """In a private chat every message is for the bot."""
    assert is_addressed(message("anything", PRIVATE), "TutorTestBot", BOT.id)
    assert question_text(message("anything", PRIVATE), "TutorTestBot", BOT.id) == "anything"


def test_group_chatter_is_ignored() -> None:
    """In a group, plain chatter and commands for another bot are not for this bot."""
    assert not is_addressed(message("what is drift"), "TutorTestBot", BOT.id)
    assert not is_addressed(message("/start@OtherBot"), "TutorTestBot", BOT.id)
    assert question_text(message("what is drift"), "TutorTestBot", BOT.id) is None


def test_group_messages_that_address_the_bot() -> None:
    """Commands, mentions, text mentions and replies to the bot address it in a group."""
    assert is_addressed(message("/start"), "TutorTestBot", BOT.id)
    assert is_addressed(message("/start@TutorTestBot"), "TutorTestBot", BOT.id)
    mention = message("@TutorTestBot what is drift")
    assert question_text(mention, "TutorTestBot", BOT.id) == "what is drift"
    bot_said = Message(message_id=4, date=None, chat=GROUP, from_user=BOT, text="hi")  # type: ignore[arg-type]
    reply = message("and in mlops?", reply_to=bot_said)
    assert question_text(reply, "TutorTestBot", BOT.id) == "and in mlops?"
    text_mention = message(
        "Tutor what is drift",
        entities=(MessageEntity(MessageEntity.TEXT_MENTION, 0, 5, user=BOT),),
    )
    assert is_addressed(text_mention, "TutorTestBot", BOT.id)


def test_reply_to_someone_else_is_not_addressed() -> None:
    """Replying to another member is their conversation, not the bot's."""
    other = Message(message_id=4, date=None, chat=GROUP, from_user=ALICE, text="hi")  # type: ignore[arg-type]
    assert not is_addressed(message("agreed", reply_to=other), "TutorTestBot", BOT.id)
