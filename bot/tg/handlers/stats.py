"""/stats: the learner's streak and accuracy as a caption under their 12-week heat map."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.tg.addressing import is_private
from bot.tg.guards import sender
from bot.tg.send import to_chat
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views.stats import stats_caption

__all__ = ["register", "stats_command"]


async def stats_command(update: Update, context: TutorContext) -> None:
    found = sender(update)
    if found is None:
        return
    message, user = found
    services = context.services
    stats = await services.stats.stats(user.id)
    picture = await services.stats.heatmap(user.id)
    caption = stats_caption(stats, user.first_name)
    await to_chat(
        message,
        lambda: message.reply_photo(
            InputFile(picture, filename="heatmap.png"),
            caption=caption,
            do_quote=not is_private(message.chat),
        ),
    )


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("stats", stats_command, filters=filters.UpdateType.MESSAGE))
