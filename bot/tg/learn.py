"""/learn: the lessons menu, pages that edit one message in place, and the pictures."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest
from telegram.ext import CommandHandler, filters

from bot.core import lessons
from bot.pictures import diagrams as pictures
from bot.tg import keyboards
from bot.tg.callbacks import EXPIRED_TEXT, Nav
from bot.tg.outbox import is_queued, outbox_of
from bot.tg.render import CAPTION_LIMIT, fit, page
from bot.tg.send import edit_or_send, reply
from bot.tg.state import AnyApp, TutorContext

log = logging.getLogger(__name__)

MENU_TEXT = (
    "<b>Lessons</b>\n\nPick one. Each page has buttons to move on; the pictures show the "
    "pipelines and the comparison at a glance."
)
LESSON_IDS = frozenset(lessons.lesson_ids())


async def learn_command(update: Update, context: TutorContext) -> None:
    if update.effective_message is not None:
        await reply(update.effective_message, MENU_TEXT, keyboards.lessons_menu())


def lesson_page(context: TutorContext, lesson_id: str) -> tuple[str, InlineKeyboardMarkup]:
    """The HTML page and buttons for the first page of a lesson."""
    pack = context.state.pack
    text = page(lessons.lesson_text(pack, lesson_id))
    if lesson_id == "walkthrough":
        return text, keyboards.walkthrough_start()
    if lesson_id == "compare":
        return text, keyboards.aspects_keyboard(pack)
    return text, keyboards.back_to_menu(lessons.lesson_info(lesson_id).picture)


async def on_nav(update: Update, context: TutorContext, nav: Nav) -> str | None:
    """Lesson navigation: every page replaces the pressed message; pictures come as photos."""
    query = update.callback_query
    if query is None or query.message is None:
        return EXPIRED_TEXT
    pack = context.state.pack
    if nav.kind == "menu":
        await edit_or_send(query, MENU_TEXT, keyboards.lessons_menu())
    elif nav.kind == "lesson":
        await edit_or_send(query, *lesson_page(context, nav.arg))
    elif nav.kind == "step":
        step = lessons.walkthrough_page(pack, nav.index)
        await edit_or_send(query, page(step.text), keyboards.walkthrough_keyboard(step))
    elif nav.kind == "check":
        step = lessons.walkthrough_page(pack, nav.index)
        verdict = lessons.checkpoint_verdict(pack, nav.index, nav.option)
        buttons = keyboards.walkthrough_keyboard(step, answered=True)
        await edit_or_send(query, page(verdict), buttons)
    elif nav.kind == "aspect":
        await edit_or_send(
            query, page(lessons.aspect_text(pack, nav.arg)), keyboards.aspect_keyboard()
        )
    elif nav.kind == "picture":
        chat_id = query.message.chat.id
        outbox = outbox_of(context.bot)
        if outbox is not None and is_queued(chat_id):
            # In a group the upload waits its turn there, not in this handler's slot.
            outbox.post(
                chat_id, query.from_user.id, partial(send_picture, context, chat_id, nav.arg)
            )
        else:
            await send_picture(context, chat_id, nav.arg)
    return None


async def send_picture(context: TutorContext, chat_id: int, name: str) -> None:
    """Send a picture, reusing Telegram's file_id after the first upload."""
    state = context.state
    caption = fit(keyboards.PICTURES[name][1], CAPTION_LIMIT)
    file_id = state.photo_ids.get(name)
    if file_id is not None:
        try:
            await context.bot.send_photo(chat_id, file_id, caption=caption)
            return
        except BadRequest as error:
            # The id can go stale (another bot token, a wiped test server): upload it again.
            log.warning("cached photo %s was refused (%s); uploading again", name, error.message)
            state.photo_ids.pop(name, None)
    async with state.render_lock:
        data = await asyncio.to_thread(pictures.picture_png, state.pack, name)  # type: ignore[arg-type]
    sent = await context.bot.send_photo(
        chat_id, InputFile(data, filename=f"{name}.png"), caption=caption
    )
    if sent.photo:
        state.photo_ids[name] = sent.photo[-1].file_id


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("learn", learn_command, filters=filters.UpdateType.MESSAGE))
