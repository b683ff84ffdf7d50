"""Following a group that Telegram upgraded to a supergroup (it gets a new chat id).

Telegram announces the move with two service messages (``migrate_to_chat_id`` in the old chat,
``migrate_from_chat_id`` in the new one); a bot that missed them learns of it when a send to the
old id fails with ``ChatMigrated``, which the senders let reach the error handler (or, for a
queued group reply, which the outbox resends, through its ``on_moved`` hook). All paths
end in `follow`: the chat's stored data moves to the new id (``Services.move_chat``), and its
daily job and any running group quiz are re-aimed there. Moving twice is harmless.
"""

from __future__ import annotations

import logging
from functools import partial

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.tg.handlers import daily, group_screen
from bot.tg.outbox import outbox_of
from bot.tg.state import AnyApp, TutorContext, app_state

__all__ = ["follow", "on_migrate", "register"]

log = logging.getLogger(__name__)


async def follow(app: AnyApp, old_chat_id: int, new_chat_id: int) -> None:
    """Move the chat's data and jobs from `old_chat_id` to `new_chat_id` (idempotent)."""
    services = app_state(app).open_services()
    # Under the old group's lock, so no round is shown, closed or counted half-way through.
    async with group_screen.group_lock(app, old_chat_id):
        moved = await services.move_chat(old_chat_id, new_chat_id)
        if moved:
            group_screen.forget(app, old_chat_id)
    if not moved:
        return
    await group_screen.resume(app, new_chat_id)
    await daily.follow(app, old_chat_id, new_chat_id)
    log.info("chat %s is now %s: its settings, scores and jobs moved", old_chat_id, new_chat_id)


async def on_migrate(update: Update, context: TutorContext) -> None:
    """Either service message of an upgrade; whichever comes first does the work."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await follow(context.application, old, new)


def register(app: AnyApp) -> None:
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    outbox = outbox_of(app.bot)
    if outbox is not None:
        # A queued group reply refused with ChatMigrated is resent by the outbox, which no
        # error handler sees: it tells us here.
        outbox.on_moved = partial(follow, app)
