"""Every button press arrives here: checked, routed, and always answered.

Content navigation is validated against the pack (`callbacks.parse`) and routed to the ask or
learn handler. Whatever happens, the query gets an answer so the client's spinner stops; data
that is unknown, stale or forged gets a short toast and changes nothing. (Quiz and group quiz
buttons have their own handlers, registered before this catch-all.)
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core import lessons
from bot.tg import ask, learn
from bot.tg.callbacks import EXPIRED_TEXT, parse
from bot.tg.keyboards import PICTURES
from bot.tg.state import AnyApp, TutorContext


async def on_button(update: Update, context: TutorContext) -> None:
    query = update.callback_query
    if query is None:
        return
    toast = await _dispatch(update, context, query.data)
    await query.answer(toast)


async def _dispatch(update: Update, context: TutorContext, data: str | None) -> str | None:
    state = context.state
    nav = parse(
        data,
        state.pack,
        lessons=learn.LESSON_IDS,
        pictures=PICTURES,
        steps=lessons.walkthrough_total(state.pack),
    )
    if nav is None:
        return EXPIRED_TEXT
    if nav.kind in ("answer", "topic"):
        return await ask.on_nav(update, context, nav)
    return await learn.on_nav(update, context, nav)


def register(app: AnyApp) -> None:
    app.add_handler(CallbackQueryHandler(on_button))
