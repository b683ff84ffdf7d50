"""Sending and editing with the few Telegram quirks handled in one place.

Every edit in the adapter goes through `edit_text` / `edit_markup` (or `edit_or_send`), so an edit
that changes nothing ("message is not modified": a double tap, a retry) counts as done here and
nowhere else. `accessible` is the one check for the date-0 stubs Telegram sends for messages the
bot can no longer see, and `is_cannot_post` the one test for "this chat refuses our messages".

Replies in groups (`reply`, `send_prepared`, `edit_or_send`) are handed to the group's outbox
(bot.tg.outbox) instead of awaited, so a handler never waits for a group's send allowance.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.tg.addressing import is_private, sender_id
from bot.tg.outbox import Request, is_queued, outbox_of

__all__ = [
    "Markup",
    "PreparedReply",
    "accessible",
    "edit_markup",
    "edit_or_send",
    "edit_text",
    "is_cannot_post",
    "not_modified",
    "now_or_queued",
    "reply",
    "send_prepared",
    "to_chat",
]

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup

# BadRequest texts that mean the bot may not post in the chat (restricted, removed, or gone).
_CANNOT_POST = (
    "chat not found",
    "not enough rights",
    "chat_write_forbidden",
    "have no rights to send",
    "chat_restricted",
    "need administrator rights",
)


def not_modified(error: BadRequest) -> bool:
    """Telegram's answer to an edit that changes nothing: the message already shows the result."""
    return "not modified" in error.message.lower()


def is_cannot_post(error: TelegramError) -> bool:
    """Whether Telegram refused because the bot may not post in that chat at all: blocked or
    kicked (403), restricted ("not enough rights", CHAT_WRITE_FORBIDDEN), or the chat is gone.
    Retrying will not help; the caller should stop writing there."""
    if isinstance(error, Forbidden):
        return True
    if isinstance(error, BadRequest):
        text = error.message.lower()
        return any(reason in text for reason in _CANNOT_POST)
    return False


def accessible(message: MaybeInaccessibleMessage | None) -> Message | None:
    """The pressed message if the bot can still read and edit it, else None.

    PTB 22 parses Telegram's stub for an inaccessible message (date 0, no content) as a plain
    `Message`, so `isinstance` cannot tell; `is_accessible` can.
    """
    if message is None or not message.is_accessible or not isinstance(message, Message):
        return None
    return message


async def edit_text(
    bot: Bot,
    chat_id: int,
    message_id: int,
    html: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Show `html` (and `markup`; None drops the keyboard) in a message the bot sent.

    An edit that changes nothing is success: the message already shows it. Other refusals
    (deleted, too old) raise BadRequest for the caller to judge.
    """
    try:
        await bot.edit_message_text(
            html, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except BadRequest as error:
        if not not_modified(error):
            raise


async def edit_markup(
    bot: Bot, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
) -> None:
    """Replace a message's keyboard (None removes it); "not modified" is success."""
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except BadRequest as error:
        if not not_modified(error):
            raise


async def reply(
    message: Message,
    html: str,
    markup: Markup | None = None,
    *,
    quote: bool | None = None,
    quiz: bool = False,
) -> Message | None:
    """Answer `message` in its chat; by default quote it in groups so the thread stays readable.

    In a group the answer is queued (bot.tg.outbox) and None returned: the handler finishes
    without waiting for the group's allowance. `quiz=True` marks group quiz traffic, which goes
    ahead of the chatter and is awaited (the sent Message is returned).
    """
    if quote is None:
        quote = not is_private(message.chat)

    async def send() -> Message:
        return await message.reply_text(html, reply_markup=markup, do_quote=quote)

    return await to_chat(message, send, quiz=quiz)


async def now_or_queued(bot: Bot, chat_id: int, member: int, send: Request) -> None:
    """Run `send` now in a private chat; in a group, queue it in the group's outbox behind
    `member`'s earlier requests (the handler does not wait for it). `send` must call the Bot
    API directly."""
    outbox = outbox_of(bot)
    if outbox is not None and is_queued(chat_id):
        outbox.post(chat_id, member, send)
    else:
        await send()


async def to_chat(
    message: Message, send: Callable[[], Awaitable[Message]], *, quiz: bool = False
) -> Message | None:
    """Run `send` (a reply to `message`) now in a private chat, or through the group's queue
    (see `reply`); `send` must call the Bot API directly."""
    outbox = outbox_of(message.get_bot())
    chat_id = message.chat.id
    if outbox is None or not is_queued(chat_id):
        return await send()
    if quiz:
        return await outbox.quiz(chat_id, send)
    outbox.post(chat_id, sender_id(message), send)
    return None


@dataclass(frozen=True, slots=True)
class PreparedReply:
    """A reply serialised once: answers to popular questions are sent many times."""

    html: str
    markup_json: str | None

    @classmethod
    def of(cls, html: str, markup: Markup | None) -> PreparedReply:
        return cls(html, json.dumps(markup.to_dict()) if markup is not None else None)


_NO_PREVIEW = json.dumps({"is_disabled": True})


async def send_prepared(
    bot: Bot, message: Message, prepared: PreparedReply, *, quote: bool | None = None
) -> None:
    """Send a prepared reply to `message`'s chat through the raw Bot API call.

    The free-text answer is the hot path, and nothing reads the Message that Telegram returns:
    skipping its parsing, and re-serialising the buttons, is most of the cost of a reply.
    `do_api_request` still goes through the rate limiter; defaults are spelt out because it
    does not apply them.
    """
    if quote is None:
        quote = not is_private(message.chat)
    kwargs: dict[str, object] = {
        "chat_id": message.chat.id,
        "text": prepared.html,
        "parse_mode": "HTML",
        "link_preview_options": _NO_PREVIEW,
    }
    if prepared.markup_json is not None:
        kwargs["reply_markup"] = prepared.markup_json
    if quote:
        kwargs["reply_parameters"] = json.dumps(
            {"message_id": message.message_id, "allow_sending_without_reply": True}
        )

    async def send() -> None:
        await bot.do_api_request("sendMessage", api_kwargs=kwargs)

    await now_or_queued(bot, message.chat.id, sender_id(message), send)


async def edit_or_send(query: CallbackQuery, html: str, markup: InlineKeyboardMarkup) -> None:
    """Show `html` in place of the pressed message, or as a new message if it can't be edited.

    In a group this waits its turn in the group's queue (bot.tg.outbox) after the presser's
    earlier requests; the handler does not wait for it."""
    pressed = query.message
    if pressed is None:
        return  # a button on an inline-mode message: no chat to write to
    await now_or_queued(
        query.get_bot(),
        pressed.chat.id,
        query.from_user.id,
        lambda: _edit_or_send(query, html, markup),
    )


async def _edit_or_send(query: CallbackQuery, html: str, markup: InlineKeyboardMarkup) -> None:
    pressed = query.message
    if pressed is None:
        return
    bot = query.get_bot()
    message = accessible(pressed)
    if message is None:
        # Too old to be edited (Telegram sends an inaccessible stub): start afresh below it.
        await bot.send_message(pressed.chat.id, html, reply_markup=markup)
        return
    if message.text is None:
        # A photo cannot become a text page; add the page under it instead.
        await bot.send_message(message.chat.id, html, reply_markup=markup)
        return
    try:
        await edit_text(bot, message.chat.id, message.message_id, html, markup)
    except BadRequest as error:
        if "not found" not in error.message.lower():
            raise
        log.info("message %s vanished; sending the page anew", message.message_id)
        await bot.send_message(message.chat.id, html, reply_markup=markup)
