"""/learn: the lessons menu, pages that edit one message in place, and the pictures."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from telegram import InputFile, Update
from telegram.error import BadRequest
from telegram.ext import CommandHandler, filters

from bot.core import lessons
from bot.pictures import diagrams as pictures
from bot.tg.callbacks import EXPIRED_TEXT, LEARN_PATTERN, ButtonHandler, Nav, parse
from bot.tg.send import edit_or_send, now_or_queued, reply
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views import learn as view

__all__ = ["learn_command", "on_button", "register", "send_picture"]

log = logging.getLogger(__name__)


async def learn_command(update: Update, context: TutorContext) -> None:
    if update.effective_message is not None:
        await reply(update.effective_message, *view.menu_page())


async def on_button(update: Update, context: TutorContext) -> None:
    """Lesson navigation: every page replaces the pressed message; pictures come as photos."""
    query = update.callback_query
    if query is None:
        return
    pack = context.state.pack
    nav = parse(
        query.data,
        pack,
        lessons=view.LESSON_IDS,
        pictures=view.PICTURES,
        steps=lessons.walkthrough_total(pack),
    )
    if nav is None or nav.kind in ("answer", "topic") or query.message is None:
        await query.answer(EXPIRED_TEXT)
        return
    await _show(update, context, nav)
    await query.answer()


async def _show(update: Update, context: TutorContext, nav: Nav) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    pack = context.state.pack
    if nav.kind == "menu":
        await edit_or_send(query, *view.menu_page())
    elif nav.kind == "lesson":
        await edit_or_send(query, *view.lesson_page(pack, nav.arg))
    elif nav.kind == "step":
        await edit_or_send(query, *view.step_page(pack, nav.index))
    elif nav.kind == "check":
        await edit_or_send(query, *view.checkpoint_page(pack, nav.index, nav.option))
    elif nav.kind == "aspect":
        await edit_or_send(query, *view.aspect_page(pack, nav.arg))
    elif nav.kind == "picture":
        chat_id = query.message.chat.id
        await now_or_queued(
            context.bot,
            chat_id,
            query.from_user.id,
            partial(send_picture, context, chat_id, nav.arg),
        )


async def send_picture(context: TutorContext, chat_id: int, name: str) -> None:
    """Send a picture, reusing Telegram's file_id after the first upload."""
    state = context.state
    memory = state.learn
    caption = view.picture_caption(name)
    file_id = memory.photo_ids.get(name)
    if file_id is not None:
        try:
            await context.bot.send_photo(chat_id, file_id, caption=caption)
            return
        except BadRequest as error:
            # The id can go stale (another bot token, a wiped test server): upload it again.
            log.warning("cached photo %s was refused (%s); uploading again", name, error.message)
            memory.photo_ids.pop(name, None)
    async with memory.render_lock:
        data = await asyncio.to_thread(pictures.picture_png, state.pack, name)  # type: ignore[arg-type]
    sent = await context.bot.send_photo(
        chat_id, InputFile(data, filename=f"{name}.png"), caption=caption
    )
    if sent.photo:
        memory.photo_ids[name] = sent.photo[-1].file_id


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("learn", learn_command, filters=filters.UpdateType.MESSAGE))
    app.add_handler(ButtonHandler(on_button, pattern=LEARN_PATTERN))
