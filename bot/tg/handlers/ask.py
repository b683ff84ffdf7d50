"""Free-text questions, and the "did you mean", related-entry and topic buttons.

The matcher gives its verdict; `bot.tg.views.ask` draws it.
"""

from __future__ import annotations

from functools import partial

from telegram import Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.tg.addressing import question_text
from bot.tg.callbacks import ASK_PATTERN, EXPIRED_TEXT, ButtonHandler, parse
from bot.tg.outbox import is_queued, outbox_of
from bot.tg.send import PreparedReply, reply, send_prepared
from bot.tg.state import AnyApp, AppState, TutorContext
from bot.tg.views.ask import ASK_PROMPT, NOTHING_TO_SHOW, render_result
from bot.tg.views.start import MENU_LABELS

__all__ = [
    "MAX_QUESTION_CHARS",
    "answer_message",
    "ask_command",
    "on_button",
    "on_text",
    "register",
    "reply_for",
]

# The matcher reads only the start of a message; clipping here keeps a 100,000-character paste
# from costing anything before it gets there.
MAX_QUESTION_CHARS = 1000


async def answer_message(
    message: Message, context: TutorContext, text: str, *, quote: bool | None = None
) -> None:
    prepared, entry_id = reply_for(context.state, text[:MAX_QUESTION_CHARS])
    await send_prepared(context.bot, message, prepared, quote=quote)
    if entry_id is not None:
        # Anonymous: the entry is counted, not who asked (inline mode's "most asked").
        await context.services.asked.record(entry_id)


def reply_for(state: AppState, text: str) -> tuple[PreparedReply, str | None]:
    """The rendered, serialised reply to `text` and the entry that answered it (None for a
    "did you mean" or a fallback), reused while cached (both are immutable)."""
    cached = state.ask.replies.get(text)
    if cached is None:
        result = state.matcher.match(text)
        entry_id = result.entry.id if result.status == "answer" and result.entry else None
        cached = (PreparedReply.of(*render_result(result)), entry_id)
        state.ask.replies.put(text, cached)
    return cached


async def on_text(update: Update, context: TutorContext) -> None:
    """A question typed by a learner (or an edit of one: the fixed typo gets its own answer)."""
    message = update.effective_message
    if message is None:
        return
    text = question_text(message, context.bot.username, context.bot.id)
    if text is None:
        return
    # An answer to an edit quotes it, so it is clear which version was answered.
    await answer_message(message, context, text, quote=True if update.edited_message else None)


async def ask_command(update: Update, context: TutorContext) -> None:
    if update.effective_message is not None:
        await reply(update.effective_message, ASK_PROMPT)


async def on_button(update: Update, context: TutorContext) -> None:
    """A pressed "did you mean", related-entry or topic button: answer in a new message."""
    query = update.callback_query
    if query is None:
        return
    nav = parse(query.data, context.state.pack)
    if nav is None or nav.kind not in ("answer", "topic") or query.message is None:
        await query.answer(EXPIRED_TEXT)
        return
    matcher = context.state.matcher
    result = (
        matcher.answer_entry(nav.arg) if nav.kind == "answer" else matcher.topic_entry(nav.arg)
    )
    if result is None:
        await query.answer(NOTHING_TO_SHOW)
        return
    html, markup = render_result(result)
    chat_id = query.message.chat.id
    outbox = outbox_of(context.bot)
    if outbox is not None and is_queued(chat_id):
        # In a group the answer waits its turn there, not in this handler's slot.
        outbox.post(
            chat_id,
            query.from_user.id,
            partial(context.bot.send_message, chat_id, html, reply_markup=markup),
        )
    else:
        await context.bot.send_message(chat_id, html, reply_markup=markup)
    await query.answer()


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("ask", ask_command, filters=filters.UpdateType.MESSAGE))
    app.add_handler(ButtonHandler(on_button, pattern=ASK_PATTERN))
    # Edits are answered too: people edit a question mostly to fix a typo that spoilt the match.
    app.add_handler(
        MessageHandler(
            (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE)
            & filters.TEXT
            & ~filters.COMMAND
            # The private menu's labels belong to bot.tg.handlers.start.
            & ~(filters.ChatType.PRIVATE & filters.Text(MENU_LABELS)),
            on_text,
        )
    )
