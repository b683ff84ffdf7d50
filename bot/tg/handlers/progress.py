"""/progress: the learner's topics by mastery as a picture, the two weakest named under it with a
button each to practise them; and those practise buttons (also offered by `/quiz <words>`)."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.tg.addressing import is_private
from bot.tg.callbacks import PRACTICE_PATTERN, ButtonHandler, parse_practice
from bot.tg.guards import sender
from bot.tg.handlers.quiz import send_quiz
from bot.tg.outbox import is_queued, outbox_of
from bot.tg.send import to_chat
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views.progress import PRACTICE_EXPIRED, practise_keyboard, progress_caption

__all__ = ["on_practise_button", "progress_command", "register"]


async def progress_command(update: Update, context: TutorContext) -> None:
    found = sender(update)
    if found is None:
        return
    message, user = found
    services = context.services
    progress = await services.progress.progress(user.id)
    picture = await services.progress.picture(progress)
    await to_chat(
        message,
        lambda: message.reply_photo(
            InputFile(picture, filename="progress.png"),
            caption=progress_caption(progress),
            reply_markup=practise_keyboard(progress),
            do_quote=not is_private(message.chat),
        ),
    )


async def on_practise_button(update: Update, context: TutorContext) -> None:
    """A practise button: a quiz item of its topic for whoever pressed it, in this chat."""
    query = update.callback_query
    if query is None:
        return
    topic = parse_practice(query.data, context.state.pack)
    chat = query.message.chat if query.message is not None else None
    if topic is None or chat is None:
        await query.answer(PRACTICE_EXPIRED)
        return
    user = query.from_user

    async def ask() -> None:
        await send_quiz(context, chat, user, "", topic=topic)

    outbox = outbox_of(context.bot)
    if outbox is not None and is_queued(chat.id):
        # In a group the question waits its turn in the group's outbox, not in this slot.
        outbox.post(chat.id, user.id, ask)
    else:
        await ask()
    await query.answer()


def register(app: AnyApp) -> None:
    app.add_handler(
        CommandHandler("progress", progress_command, filters=filters.UpdateType.MESSAGE)
    )
    app.add_handler(ButtonHandler(on_practise_button, pattern=PRACTICE_PATTERN))
