"""Sending and editing with the few Telegram quirks handled in one place."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup
from telegram.error import BadRequest

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
