"""/start, /help, the reply-keyboard menu, and unknown commands."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.tg import daily, keyboards, learn, quiz, stats
from bot.tg.addressing import command_target, is_private
from bot.tg.render import esc
from bot.tg.send import reply
from bot.tg.state import AnyApp, TutorContext

Handler = Callable[[Update, TutorContext], Coroutine[Any, Any, None]]

BOT_COMMANDS: tuple[BotCommand, ...] = (
    BotCommand("start", "Welcome and the main menu"),
    BotCommand("learn", "Lessons: pipelines, step by step, comparison, pictures"),
    BotCommand("quiz", "Test yourself with a question"),
    BotCommand("daily", "A question every day"),
    BotCommand("stats", "Your streak and progress"),
    BotCommand("timezone", "Your time zone for streaks, e.g. /timezone Europe/Berlin"),
    BotCommand("reminders", "Streak reminders on or off"),
    BotCommand("groupquiz", "In a group: timed quiz rounds for everyone"),
    BotCommand("stopquiz", "In a group: end the running group quiz"),
    BotCommand("top", "In a group: the all-time group quiz table"),
    BotCommand("export", "Get everything I store about you as a file"),
    BotCommand("forget", "Delete everything I store about you"),
    BotCommand("help", "What I can do"),
)

ASK_PROMPT = (
    "Type your question in your own words, for example:\n"
    "• <i>what is model drift?</i>\n"
    "• <i>devops vs mlops testing</i>\n"
    "• <i>why do ml models need retraining</i>"
)


def _welcome(name: str, bot_username: str, private: bool) -> str:
    lines = [
        f"Hi {esc(name)}! I'm a tutor for one question: <b>how does MLOps differ from DevOps?</b>",
        "",
        "Ask me anything about it in your own words, or open the lessons with /learn.",
    ]
    if private:
        lines.append("The menu below has everything else.")
    else:
        lines.append(
            f"In this group, mention me (@{esc(bot_username)}) or reply to one of my messages "
            "to ask a question."
        )
    return "\n".join(lines)


HELP_TEXT = "\n".join(
    [
        "<b>What I do</b>",
        "I explain how MLOps differs from DevOps: pipelines, data and model versioning, testing, "
        "monitoring, drift, retraining, teams and tools.",
        "",
        "<b>Ask</b> — write a question in your own words; I answer and suggest related ones.",
        "<b>Learn</b> — /learn opens the lessons: both pipelines side by side, a step-by-step "
        "walk-through with a worked example and checkpoint questions, a comparison by aspect, "
        "key moments, a cheat sheet, how pipelines scale, failure modes, two real incidents, "
        "and pictures.",
        "<b>Quiz</b> — /quiz easy, medium or hard: options as buttons, a hint if you need one, "
        "then why a wrong pick is wrong and the explanation. One answer a day keeps your streak "
        "alive.",
        "<b>Daily</b> — /daily on 08:30 sends a question every day (in groups, admins decide).",
        "<b>Stats</b> — /stats shows your streak, accuracy and a 12-week picture.",
        "<b>Group quiz</b> — in a group, /groupquiz 10 30 hard plays timed rounds for everyone "
        "(admins start it unless /settings lets everyone); /top is the all-time table.",
        "<b>Your data</b> — in a private chat, /export sends you everything I store about you "
        "as a JSON file, and /forget deletes all of it after you confirm.",
        "",
        "<b>Commands</b>",
        *(f"/{c.command} — {esc(c.description)}" for c in BOT_COMMANDS),
        "",
        "In a group, mention me or reply to my message to ask.",
    ]
)


async def start(update: Update, context: TutorContext) -> None:
    message = update.effective_message
    if message is None:
        return
    user = update.effective_user
    private = is_private(message.chat)
    text = _welcome(user.first_name if user else "there", context.bot.username, private)
    await reply(message, text, keyboards.main_menu() if private else keyboards.lessons_menu())


async def help_command(update: Update, context: TutorContext) -> None:
    if update.effective_message is not None:
        await reply(update.effective_message, HELP_TEXT)


async def ask_command(update: Update, context: TutorContext) -> None:
    if update.effective_message is not None:
        await reply(update.effective_message, ASK_PROMPT)


def menu_routes() -> dict[str, Handler]:
    """Reply-keyboard label -> the handler of the command it stands for."""
    return {
        keyboards.MENU_ASK: ask_command,
        keyboards.MENU_LEARN: learn.learn_command,
        keyboards.MENU_QUIZ: quiz.quiz_from_menu,
        keyboards.MENU_DAILY: daily.daily_command,
        keyboards.MENU_STATS: stats.stats_command,
    }


async def menu_button(update: Update, context: TutorContext) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    handler = menu_routes().get(message.text)
    if handler is not None:
        await handler(update, context)


async def unknown_command(update: Update, context: TutorContext) -> None:
    """A hint to /help, but only for commands surely meant for this bot."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    found = command_target(message.text)
    if found is None:
        return
    command, target = found
    mine = target is not None and target.lower() == context.bot.username.lower()
    if not (is_private(message.chat) or mine):
        return  # a bare /cmd in a group may belong to another bot
    await reply(
        message, f"I don't know the command /{esc(command)}. Send /help to see what I can do."
    )


def register(app: AnyApp) -> None:
    # Only new messages: re-running a command because its message was edited would repeat it.
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("start", start, filters=new))
    app.add_handler(CommandHandler("help", help_command, filters=new))
    app.add_handler(CommandHandler("ask", ask_command, filters=new))
    app.add_handler(
        MessageHandler(
            new & filters.ChatType.PRIVATE & filters.Text(keyboards.MENU_LABELS), menu_button
        )
    )


def register_fallbacks(app: AnyApp) -> None:
    """Handlers that must come after every feature's own commands."""
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command))
