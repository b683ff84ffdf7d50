"""Free-text questions, and the "did you mean", related-entry and topic buttons.

The matcher gives its verdict; the ask service stores a question the content could not answer
(the gap queue for authors) and says whether an answer may offer "Test me on this";
`bot.tg.views.ask` draws it. Only a person asking as themselves is recorded, and in a group only
questions addressed to the bot get here at all (`question_text`).
"""

from __future__ import annotations

from functools import partial

from telegram import Chat, Message, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.core.followup import follow_up
from bot.core.matcher import MatchResult
from bot.services.ask import ChatKind
from bot.tg.addressing import is_private, question_text
from bot.tg.callbacks import (
    ASK_PATTERN,
    EXPIRED_TEXT,
    PICK_PATTERN,
    ButtonHandler,
    parse,
    parse_pick,
)
from bot.tg.memory import AskedReply
from bot.tg.send import PreparedReply, now_or_queued, reply, send_prepared
from bot.tg.state import AnyApp, AppState, TutorContext
from bot.tg.views.ask import ASK_PROMPT, NOTHING_TO_SHOW, render_result
from bot.tg.views.start import MENU_LABELS

__all__ = [
    "MAX_QUESTION_CHARS",
    "answer_message",
    "ask_command",
    "chat_kind",
    "on_button",
    "on_pick",
    "on_text",
    "register",
    "reply_for",
]

# The matcher reads only the start of a message; clipping here keeps a 100,000-character paste
# from costing anything before it gets there.
MAX_QUESTION_CHARS = 1000


async def answer_message(
    message: Message,
    context: TutorContext,
    text: str,
    *,
    quote: bool | None = None,
    record: bool = True,
) -> None:
    """Answer `text`; `record` False (an edited question) answers without keeping anything, so
    an edit neither stores the question a second time nor counts its entry twice."""
    asker = message.from_user
    question = text[:MAX_QUESTION_CHARS]
    memory = context.state.ask.last_questions
    # A channel or an anonymous admin speaks through a shared stand-in account: no follow-ups.
    person = asker if asker is not None and message.sender_chat is None else None
    if person is not None:
        previous = memory.get(person.id)
        question = follow_up(previous, question, context.state.matcher.text.words) or question
    asked = await reply_for(context.state, question)
    if person is not None and asked.result.status == "answer":
        memory.put(person.id, question)
    prepared = asked.reply
    # A message sent as a channel or as the group itself (an anonymous admin) is nobody's to
    # export or forget, so it is answered and not recorded.
    if record and asker is not None and message.sender_chat is None:
        follow = await context.services.ask.follow_up(
            asker.id, asked.result, chat=chat_kind(message.chat)
        )
        if follow.gap_id is not None and asked.result.status == "suggest":
            prepared = PreparedReply.of(*render_result(asked.result, gap_id=follow.gap_id))
        elif follow.practise_topic is not None and asked.practise is not None:
            prepared = asked.practise
    await send_prepared(context.bot, message, prepared, quote=quote)
    result = asked.result
    entry_id = result.entry.id if result.status == "answer" and result.entry is not None else None
    if record and entry_id is not None:
        # Anonymous: the entry is counted, not who asked (inline mode's "most asked").
        await context.services.asked.record(entry_id)


async def reply_for(state: AppState, text: str) -> AskedReply:
    """The verdict on `text` and its rendered, serialised replies, reused while cached (they
    are immutable)."""
    cached = state.ask.replies.get(text)
    if cached is None:
        result = await state.matching.match(text)
        topic = result.entry.topic if result.entry is not None else None
        testable = result.status == "answer" and any(
            q.topic == topic for q in state.pack.quiz.values()
        )
        practise = (
            PreparedReply.of(*render_result(result, practise_topic=topic)) if testable else None
        )
        cached = AskedReply(result, PreparedReply.of(*render_result(result)), practise)
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
    edited = update.edited_message is not None
    await answer_message(message, context, text, quote=True if edited else None, record=not edited)


def chat_kind(chat: Chat) -> ChatKind:
    return "private" if is_private(chat) else "group"


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
    await _send_result(context, update, result)


async def on_pick(update: Update, context: TutorContext) -> None:
    """A pressed "did you mean" suggestion: answer it, and note the pick on the asker's own
    stored question (anyone else's press, or a forged one, only reads the answer)."""
    query = update.callback_query
    if query is None:
        return
    press = parse_pick(query.data, context.state.pack)
    if press is None or query.message is None:
        await query.answer(EXPIRED_TEXT)
        return
    await context.services.ask.picked(press.gap_id, query.from_user.id, press.entry_id)
    await _send_result(context, update, context.state.matcher.answer_entry(press.entry_id))


async def _send_result(context: TutorContext, update: Update, result: MatchResult | None) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    if result is None:
        await query.answer(NOTHING_TO_SHOW)
        return
    chat_id = query.message.chat.id
    # An answer opened by a button offers "Test me on this" as a typed question's does.
    kind = chat_kind(query.message.chat)
    follow = await context.services.ask.follow_up(query.from_user.id, result, chat=kind)
    html, markup = render_result(result, practise_topic=follow.practise_topic)
    await now_or_queued(
        context.bot,
        chat_id,
        query.from_user.id,
        partial(context.bot.send_message, chat_id, html, reply_markup=markup),
    )
    await query.answer()


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("ask", ask_command, filters=filters.UpdateType.MESSAGE))
    app.add_handler(ButtonHandler(on_button, pattern=ASK_PATTERN))
    app.add_handler(ButtonHandler(on_pick, pattern=PICK_PATTERN))
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
