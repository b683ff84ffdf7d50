"""/start, /help and the private chat's reply-keyboard menu."""

from __future__ import annotations

from telegram import BotCommand, ReplyKeyboardMarkup

from bot.tg.render import esc

__all__ = [
    "BOT_COMMANDS",
    "HELP_TEXT",
    "MENU_ASK",
    "MENU_DAILY",
    "MENU_LABELS",
    "MENU_LEARN",
    "MENU_PROGRESS",
    "MENU_QUIZ",
    "MENU_STATS",
    "main_menu",
    "unknown_command_text",
    "welcome",
]

MENU_ASK = "❓ Ask"
MENU_LEARN = "📚 Learn"
MENU_QUIZ = "🧠 Quiz"
MENU_DAILY = "📅 Daily"
MENU_STATS = "📊 Stats"
MENU_PROGRESS = "📈 Progress"
MENU_LABELS: tuple[str, ...] = (
    MENU_ASK,
    MENU_LEARN,
    MENU_QUIZ,
    MENU_DAILY,
    MENU_STATS,
    MENU_PROGRESS,
)

BOT_COMMANDS: tuple[BotCommand, ...] = (
    BotCommand("start", "Welcome and the main menu"),
    BotCommand("learn", "Lessons: pipelines, step by step, comparison, pictures"),
    BotCommand("quiz", "A question picked for you; /quiz hard or /quiz drift to choose"),
    BotCommand("progress", "Your topics by mastery, and the weakest to practise"),
    BotCommand("daily", "A question every day"),
    BotCommand("stats", "Your streak and progress"),
    BotCommand("timezone", "Your time zone for streaks, e.g. /timezone Europe/Berlin"),
    BotCommand("reminders", "Streak reminders on or off"),
    BotCommand("groupquiz", "In a group: timed quiz rounds for everyone"),
    BotCommand("stopquiz", "In a group: end the running group quiz"),
    BotCommand("top", "In a group: the all-time table and the group's weak topics"),
    BotCommand("export", "Get everything I store about you as a file"),
    BotCommand("forget", "Delete everything I store about you"),
    BotCommand("help", "What I can do"),
)


def welcome(name: str, bot_username: str, *, private: bool) -> str:
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
        "<b>Ask</b> — write a question in your own words; I answer and suggest related ones. "
        "<i>Test me on this</i> under an answer asks you a quiz question on its topic.",
        "<b>Learn</b> — /learn opens the lessons: both pipelines side by side, a step-by-step "
        "walk-through with a worked example and checkpoint questions, a comparison by aspect, "
        "key moments, a cheat sheet, how pipelines scale, failure modes, two real incidents, "
        "and pictures.",
        "<b>Quiz</b> — /quiz picks what you need most: reviews that are due, then your weakest "
        "topic, getting harder after a run of right answers and easier after misses. "
        "/quiz easy, medium or hard fixes the level; /quiz drift (any words) practises that "
        "topic. Options as buttons, a hint if you need one, then why a wrong pick is wrong and "
        "the explanation. One answer a day keeps your streak alive.",
        "<b>Progress</b> — /progress shows every topic by mastery (not started, learning, solid, "
        "mastered) as a picture, with buttons to practise your two weakest.",
        "<b>Daily</b> — /daily on 08:30 sends a question every day (in groups, admins decide; "
        "a group's question aims at the topics it gets wrong most).",
        "<b>Stats</b> — /stats shows your streak, accuracy and a 12-week picture.",
        "<b>Group quiz</b> — in a group, /groupquiz 10 30 hard plays timed rounds for everyone "
        "(admins start it unless /settings lets everyone); /top is the all-time table and the "
        "group's strongest and weakest topics.",
        "<b>Anywhere</b> — type my @username and a question in any chat to pick an answer and "
        "post it there.",
        "<b>Your data</b> — in a private chat, /export sends you everything I store about you "
        "as a JSON file, and /forget deletes all of it after you confirm. Questions I could "
        "not answer are kept 90 days so the authors can fill the gaps.",
        "<b>Authors</b> — /gaps (bot admins, in a private chat) lists what learners asked that "
        "I could not answer.",
        "",
        "<b>Commands</b>",
        *(f"/{c.command} — {esc(c.description)}" for c in BOT_COMMANDS),
        "",
        "In a group, mention me or reply to my message to ask.",
    ]
)


def main_menu() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[MENU_ASK, MENU_LEARN, MENU_QUIZ], [MENU_DAILY, MENU_STATS, MENU_PROGRESS]],
        resize_keyboard=True,
        input_field_placeholder="Ask about DevOps or MLOps…",
    )


def unknown_command_text(command: str) -> str:
    return f"I don't know the command /{esc(command)}. Send /help to see what I can do."
