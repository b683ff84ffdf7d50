"""/progress: the learner's topics by mastery as a picture, the two weakest named under it with a
button each to practise them (the buttons are bot.tg.handlers.practice's)."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.tg.addressing import is_private
from bot.tg.guards import sender
from bot.tg.send import to_chat
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views.progress import practise_keyboard, progress_caption

__all__ = ["progress_command", "register"]


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


def register(app: AnyApp) -> None:
    app.add_handler(
        CommandHandler("progress", progress_command, filters=filters.UpdateType.MESSAGE)
    )
