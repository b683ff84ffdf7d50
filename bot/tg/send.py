"""Sending and editing with the few Telegram quirks handled in one place."""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup
from telegram.error import BadRequest
from telegram.warnings import PTBUserWarning

from bot.tg.addressing import is_private

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


def not_modified(error: BadRequest) -> bool:
    """Telegram's answer to an edit that changes nothing: the message already shows the result."""
    return "not modified" in error.message.lower()


async def reply(
    message: Message, html: str, markup: Markup | None = None, *, quote: bool | None = None
) -> Message:
    """Answer `message` in its chat; by default quote it in groups so the thread stays readable."""
    if quote is None:
        quote = not is_private(message.chat)
    return await message.reply_text(html, reply_markup=markup, do_quote=quote)


@dataclass(frozen=True, slots=True)
class PreparedReply:
    """A reply serialised once: answers to popular questions are sent many times."""

    html: str
    markup_json: str | None

    @classmethod
    def of(cls, html: str, markup: Markup | None) -> PreparedReply:
        return cls(html, json.dumps(markup.to_dict()) if markup is not None else None)


_NO_PREVIEW = json.dumps({"is_disabled": True})
# PTB nudges callers of do_api_request towards the typed method; here the raw call is the point.
SEND_MESSAGE_NUDGE = r"Please use 'Bot\.sendMessage' instead of"
warnings.filterwarnings("ignore", message=SEND_MESSAGE_NUDGE, category=PTBUserWarning)


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
    await bot.do_api_request("sendMessage", api_kwargs=kwargs)


async def edit_or_send(query: CallbackQuery, html: str, markup: InlineKeyboardMarkup) -> None:
    """Show `html` in place of the pressed message, or as a new message if it can't be edited."""
    message = query.message
    if not isinstance(message, Message):
        # Too old to be edited (Telegram sends an inaccessible stub): start afresh below it.
        if query.message is not None:
            await query.get_bot().send_message(query.message.chat.id, html, reply_markup=markup)
        return
    if message.text is None:
        # A photo cannot become a text page; add the page under it instead.
        await message.reply_text(html, reply_markup=markup, do_quote=False)
        return
    try:
        await message.edit_text(html, reply_markup=markup)
    except BadRequest as error:
        if not_modified(error):
            return  # a double tap: the page is already on screen
        if "not found" in error.message.lower():
            log.info("message %s vanished; sending the page anew", message.message_id)
            await message.chat.send_message(html, reply_markup=markup)
            return
        raise
