"""Practise buttons (`pp:<topic>`): the /progress picture's two weakest topics, the topics
offered when `/quiz <words>` is unsure, and an answer's "Test me on this".

Anyone who sees the button may press it (in a group too): the question is the presser's own,
as with /quiz. A topic no longer in the pack gets the "expired" toast; a topic whose items the
presser has all just seen gets a short note instead of a repeat.
"""

from __future__ import annotations

from telegram import Update

from bot.tg.addressing import is_private
from bot.tg.callbacks import PRACTICE_PATTERN, ButtonHandler, parse_practice
from bot.tg.handlers.quiz import post_question
from bot.tg.send import now_or_queued
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views.ask import PRACTISE_NOTHING
from bot.tg.views.progress import PRACTICE_EXPIRED

__all__ = ["on_practise", "register"]


async def on_practise(update: Update, context: TutorContext) -> None:
    query = update.callback_query
    if query is None:
        return
    topic = parse_practice(query.data, context.state.pack)
    if topic is None or query.message is None:
        await query.answer(PRACTICE_EXPIRED)
        return
    chat = query.message.chat
    user = query.from_user
    delivery = await context.services.quiz.next_question(
        user.id, chat.id, private=is_private(chat), topic=topic
    )
    if delivery is None:
        await query.answer(PRACTISE_NOTHING)
        return
    await now_or_queued(
        context.bot, chat.id, user.id, lambda: post_question(context, chat.id, delivery)
    )
    await query.answer()


def register(app: AnyApp) -> None:
    app.add_handler(ButtonHandler(on_practise, pattern=PRACTICE_PATTERN))
