"""Free-text questions: the matcher's verdict rendered with buttons for what to read next."""

from __future__ import annotations

from functools import partial

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import MessageHandler, filters

from bot.core.matcher import MatchResult
from bot.tg import keyboards
from bot.tg.addressing import question_text
from bot.tg.callbacks import EXPIRED_TEXT, Nav
from bot.tg.outbox import is_queued, outbox_of
from bot.tg.render import MESSAGE_LIMIT, fit, titled, units
from bot.tg.send import PreparedReply, send_prepared
from bot.tg.state import AnyApp, AppState, TutorContext

# The matcher reads only the start of a message; clipping here keeps a 100,000-character paste
# from costing anything before it gets there.
MAX_QUESTION_CHARS = 1000
RELATED_LINE = "\n\n<i>Related:</i>"


def render_result(result: MatchResult) -> tuple[str, InlineKeyboardMarkup | None]:
    """The HTML reply and buttons for one matcher verdict."""
    if result.status == "answer" and result.entry is not None:
        # The "Related:" line is part of the message, so the answer is fitted to what is left.
        suffix = RELATED_LINE if result.related else ""
        limit = MESSAGE_LIMIT - units(suffix)
        text = titled(result.entry.title, result.reply, limit=limit) + suffix
        return text, keyboards.entries_keyboard(result.related, limit=3)
    if result.status == "suggest":
        return fit(result.reply, 1000), keyboards.entries_keyboard(result.suggestions)
    return fit(result.reply, 1000), keyboards.topics_keyboard(result.fallback_topics)


async def answer_message(
    message: Message, context: TutorContext, text: str, *, quote: bool | None = None
) -> None:
    prepared = reply_for(context.state, text[:MAX_QUESTION_CHARS])
    await send_prepared(context.bot, message, prepared, quote=quote)


def reply_for(state: AppState, text: str) -> PreparedReply:
    """The rendered, serialised reply to `text`, reused while cached (it is immutable)."""
    cached = state.replies.get(text)
    if cached is None:
        cached = PreparedReply.of(*render_result(state.matcher.match(text)))
        state.replies.put(text, cached)
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


async def on_nav(update: Update, context: TutorContext, nav: Nav) -> str | None:
    """A pressed "did you mean", related-entry or topic button: answer in a new message.

    Returns a toast for the button press when there is nothing to show.
    """
    query = update.callback_query
    if query is None or query.message is None:
        return EXPIRED_TEXT
    matcher = context.state.matcher
    result = (
        matcher.answer_entry(nav.arg) if nav.kind == "answer" else matcher.topic_entry(nav.arg)
    )
    if result is None:
        return "Nothing to show for that yet — try asking in your own words."
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
    return None


def register(app: AnyApp) -> None:
    # Edits are answered too: people edit a question mostly to fix a typo that spoilt the match.
    app.add_handler(
        MessageHandler(
            (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE)
            & filters.TEXT
            & ~filters.COMMAND,
            on_text,
        )
    )
