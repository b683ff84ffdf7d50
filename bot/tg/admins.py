"""Who may change a chat's settings: the group admin check, with a short-lived cache."""

from __future__ import annotations

import logging
import time

from telegram import Chat, Message, User
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.tg.addressing import is_private
from bot.tg.state import TutorContext

__all__ = ["ADMIN_TTL", "NOT_ADMIN_TTL", "is_admin"]

log = logging.getLogger(__name__)

# How long a getChatMember answer is trusted. "No" is re-checked sooner, so a newly promoted
# admin is not kept waiting.
ADMIN_TTL = 300.0
NOT_ADMIN_TTL = 30.0


async def is_admin(context: TutorContext, chat: Chat, user: User, message: Message | None) -> bool:
    """Whether `user` may change settings in `chat`.

    Everyone is the admin of their private chat; TUTOR_ADMIN_IDS are admins everywhere; an
    anonymous group admin writes as the group itself; otherwise getChatMember decides (cached).
    """
    if is_private(chat) or user.id in context.state.settings.admin_ids:
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    key = (chat.id, user.id)
    now = time.monotonic()
    cached = context.state.admins.checked.get(key)
    if cached is not None:
        admin, checked = cached
        if now - checked < (ADMIN_TTL if admin else NOT_ADMIN_TTL):
            return admin
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as error:
        log.warning("admin check in chat %s failed: %s", chat.id, error)
        return False
    admin = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
    context.state.admins.checked.put(key, (admin, now))
    return admin
