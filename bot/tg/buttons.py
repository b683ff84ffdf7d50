"""Every button press arrives here: checked, routed, and always answered.

Content navigation is validated against the pack (`callbacks.parse`); registry tokens (`x:...`)
are looked up in `AppState.callbacks` and routed to the action handler registered under their
name. Whatever happens, the query gets an answer so the client's spinner stops; data that is
unknown, stale or forged gets a short toast and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.core import lessons
from bot.tg import ask, learn
from bot.tg.callbacks import EXPIRED_TEXT, REGISTRY_PREFIX, Pending, Refusal, parse
from bot.tg.keyboards import PICTURES
from bot.tg.state import AnyApp, TutorContext

NOT_YOURS_TEXT = "That button belongs to someone else's question."

# An action handler gets the pending action and returns an optional toast text.
ActionHandler = Callable[[Update, TutorContext, Pending], Awaitable[str | None]]


def register_action(app: AnyApp, name: str, handler: ActionHandler) -> None:
    """Route registry buttons whose action is `name` to `handler` (for quiz and later features)."""
    actions: dict[str, ActionHandler] = app.bot_data.actions
    actions[name] = handler


async def on_button(update: Update, context: TutorContext) -> None:
    query = update.callback_query
    if query is None:
        return
    toast = await _dispatch(update, context, query.data)
    await query.answer(toast)


async def _dispatch(update: Update, context: TutorContext, data: str | None) -> str | None:
    state = context.state
    if data is not None and data.startswith(REGISTRY_PREFIX):
        user = update.effective_user
        chat = update.effective_chat
        found = state.callbacks.lookup(
            data, user_id=user.id if user else 0, chat_id=chat.id if chat else None
        )
        if found is Refusal.NOT_YOURS:
            return NOT_YOURS_TEXT
        if not isinstance(found, Pending):
            return EXPIRED_TEXT
        handler: ActionHandler | None = context.bot_data.actions.get(found.action)
        if handler is None:
            return EXPIRED_TEXT
        return await handler(update, context, found)
    nav = parse(
        data,
        state.pack,
        lessons=learn.LESSON_IDS,
        pictures=PICTURES,
        steps=lessons.walkthrough_total(state.pack),
    )
    if nav is None:
        return EXPIRED_TEXT
    if nav.kind in ("answer", "topic"):
        return await ask.on_nav(update, context, nav)
    return await learn.on_nav(update, context, nav)


def register(app: AnyApp) -> None:
    app.add_handler(CallbackQueryHandler(on_button))
