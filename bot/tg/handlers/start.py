"""/start, /help, and the private chat's reply-keyboard menu."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.tg.addressing import is_private
from bot.tg.handlers import ask, daily, learn, progress, quiz, stats
from bot.tg.send import reply
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views import start as view
from bot.tg.views.learn import lessons_menu

__all__ = ["Handler", "help_command", "menu_button", "menu_routes", "register", "start"]

Handler = Callable[[Update, TutorContext], Coroutine[Any, Any, None]]


async def start(update: Update, context: TutorContext) -> None:
    message = update.effective_message
    if message is None:
        return
    user = update.effective_user
    private = is_private(message.chat)
    text = view.welcome(
        user.first_name if user else "there", context.bot.username, private=private
    )
    await reply(message, text, view.main_menu() if private else lessons_menu())


async def help_command(update: Update, context: TutorContext) -> None:
    if update.effective_message is not None:
        await reply(update.effective_message, view.HELP_TEXT)


def menu_routes() -> dict[str, Handler]:
    """Reply-keyboard label -> the handler of the command it stands for."""
    return {
        view.MENU_ASK: ask.ask_command,
        view.MENU_LEARN: learn.learn_command,
        view.MENU_QUIZ: quiz.quiz_from_menu,
        view.MENU_DAILY: daily.daily_command,
        view.MENU_STATS: stats.stats_command,
        view.MENU_PROGRESS: progress.progress_command,
    }


async def menu_button(update: Update, context: TutorContext) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    handler = menu_routes().get(message.text)
    if handler is not None:
        await handler(update, context)


def register(app: AnyApp) -> None:
    # Only new messages: re-running a command because its message was edited would repeat it.
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("start", start, filters=new))
    app.add_handler(CommandHandler("help", help_command, filters=new))
    app.add_handler(
        MessageHandler(
            new & filters.ChatType.PRIVATE & filters.Text(view.MENU_LABELS), menu_button
        )
    )
