"""Is a message meant for the bot? In private chats always; in groups only when addressed.

In a group the bot reacts to commands (bare, or `/cmd@ThisBot`, never `/cmd@OtherBot`), to messages
that mention it by @username, and to replies to its own messages. Everything else is other people's
conversation and is ignored.
"""

from __future__ import annotations

import re
from functools import lru_cache

from telegram import Chat, Message, MessageEntity

__all__ = [
    "command_target",
    "is_addressed",
    "is_group_chat_id",
    "is_private",
    "is_reply_to_bot",
    "mentions",
    "question_text",
    "sender_id",
    "strip_mention",
]

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8)
def _mention_pattern(username: str) -> re.Pattern[str]:
    # Not part of a longer name or an e-mail address.
    return re.compile(rf"(?<![\w@])@{re.escape(username)}(?!\w)", re.IGNORECASE)


def mentions(text: str, username: str) -> bool:
    return bool(username) and _mention_pattern(username).search(text) is not None


def strip_mention(text: str, username: str) -> str:
    """The text without @username, with the whitespace around it collapsed."""
    if not username:
        return text.strip()
    return _SPACES.sub(" ", _mention_pattern(username).sub(" ", text)).strip()


def command_target(text: str) -> tuple[str, str | None] | None:
    """(command, @target or None) when `text` starts with a bot command, else None."""
    found = _COMMAND.match(text)
    if found is None:
        return None
    return found.group(1).lower(), found.group(2)


def is_private(chat: Chat | None) -> bool:
    return chat is not None and chat.type == Chat.PRIVATE


def is_group_chat_id(chat_id: int) -> bool:
    """Whether a chat known only by its id is a group: groups, supergroups and channels have
    negative ids, a person's chat with the bot has their (positive) user id."""
    return chat_id < 0


def is_reply_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


def _text_mentions_bot(message: Message, bot_id: int) -> bool:
    entities = message.entities or message.caption_entities
    return any(
        e.type == MessageEntity.TEXT_MENTION and e.user is not None and e.user.id == bot_id
        for e in entities
    )


def is_addressed(message: Message, bot_username: str, bot_id: int) -> bool:
    """Whether the bot should react to `message` at all."""
    if is_private(message.chat):
        return True
    text = message.text or message.caption or ""
    command = command_target(text)
    if command is not None:
        target = command[1]
        return target is None or target.lower() == bot_username.lower()
    return (
        is_reply_to_bot(message, bot_id)
        or mentions(text, bot_username)
        or _text_mentions_bot(message, bot_id)
    )


def question_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The text to answer (mention removed), or None when the message is not for the bot."""
    if message.text is None or not is_addressed(message, bot_username, bot_id):
        return None
    return strip_mention(message.text, bot_username)


def sender_id(message: Message) -> int:
    """Who sent `message`, for counting and fair turns: the channel or group a stand-in speaks
    for (Telegram's "Channel_Bot" and anonymous-admin senders), else the user, else the chat."""
    if message.sender_chat is not None:
        return message.sender_chat.id
    if message.from_user is not None:
        return message.from_user.id
    return message.chat.id
