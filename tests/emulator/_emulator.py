"""An in-process Bot API server on 127.0.0.1 for end-to-end tests.

The real ``telegram.ext.Application`` talks to it over real HTTP
(``ApplicationBuilder().base_url``), so handlers, filters, the updater and the request layer all
run unmodified. Replies are built from python-telegram-bot's own classes and serialised with
``to_dict()``: if the library changes what it expects, the objects here change with it.

Everything runs on the test's event loop and no handler awaits while it mutates state, so many
concurrent requests cannot interleave half-done updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from telegram import (
    AcceptedGiftTypes,
    BotCommand,
    CallbackQuery,
    Chat,
    ChatFullInfo,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberMember,
    Document,
    File,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    InlineQuery,
    Message,
    MessageEntity,
    MessageOriginUser,
    PhotoSize,
    Sticker,
    Update,
    User,
    Voice,
    WebhookInfo,
)
from telegram.constants import ChatType

from tests.emulator._entities import HtmlParseError, detect_entities, parse_html, utf16_len

__all__ = [
    "ApiCall",
    "BotApiEmulator",
    "BotMessage",
    "ButtonNotFoundError",
    "EmulatorError",
    "WebhookDelivery",
]

T = TypeVar("T")
_LOGGER = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
# answerInlineQuery's limits (core.telegram.org/bots/api#answerinlinequery).
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_NEXT_OFFSET_BYTES = 64
MAX_INLINE_QUERY_CHARS = 256
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Result types the Bot API knows; the emulator checks articles in full and the rest loosely.
_INLINE_RESULT_TYPES = frozenset(
    {
        "article",
        "audio",
        "contact",
        "document",
        "game",
        "gif",
        "location",
        "mpeg4_gif",
        "photo",
        "sticker",
        "venue",
        "video",
        "voice",
    }
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# Form fields always arrive as strings; these must stay strings even when they look like JSON
# ("123", "true"), every other field is JSON-decoded the way the Bot API server does it.
_STRING_PARAMS = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "data",
        "description",
        "document",
        "emoji",
        "file_id",
        "inline_message_id",
        "inline_query_id",
        "ip_address",
        "language_code",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "photo",
        "secret_token",
        "short_description",
        "sticker",
        "text",
        "title",
        "url",
        "voice",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "login_url",
        "web_app",
        "pay",
        "callback_game",
        "copy_text",
    }
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
_NO_RIGHTS = "Bad Request: not enough rights to send text messages to the chat"
_QUERY_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)


class EmulatorError(Exception):
    """A test asked the emulator for something that does not exist in its world."""


class ButtonNotFoundError(EmulatorError, LookupError):
    """No inline button matches the label a test tried to press."""


class _ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad_request(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


@dataclass
class ApiCall:
    """One HTTP request the bot made, as the emulator decoded it."""

    method: str
    params: dict[str, Any]
    time: float  # time.monotonic() when the request arrived
    files: dict[str, bytes] = field(default_factory=dict)
    status: int | None = None  # HTTP status of the reply; None while in flight; 0 if dropped
    result: Any = None  # the "result" of a successful reply
    error: str | None = None  # the "description" of an error reply
    done: bool = False  # the reply is on the wire (or the connection is gone)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (edits applied, deletion flagged)."""

    message_id: int
    chat_id: int
    kind: str  # "text", "photo" or "document"
    text: str | None  # text or caption exactly as the bot sent it (markup included)
    plain_text: str  # what a user sees: tags removed, entities decoded
    parse_mode: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    date: datetime
    reply_to_message_id: int | None = None
    photo: bytes | None = None  # uploaded bytes (sendPhoto/sendDocument with a file)
    file_id: str | None = None
    file_url: str | None = None  # set when the bot sent a URL instead of bytes
    width: int = 0
    height: int = 0
    file_name: str | None = None
    edits: list[str | None] = field(default_factory=list)  # earlier texts/captions, oldest first
    markup_history: list[dict[str, Any] | None] = field(default_factory=list)
    edited_at: datetime | None = None
    deleted: bool = False

    @property
    def caption(self) -> str | None:
        return None if self.kind == "text" else self.text


@dataclass
class WebhookDelivery:
    """One attempt to POST an update to the bot's webhook."""

    update_id: int
    url: str
    headers: dict[str, str]
    status: int | None  # None when the connection failed
    error: str | None = None


@dataclass
class _Queued:
    update_id: int
    kind: str
    payload: dict[str, Any]
    delivered: bool = False


@dataclass
class _Fault:
    drop: bool
    times: int
    status: int = 500
    description: str = ""
    parameters: dict[str, Any] | None = None
    delay: float = 0.0  # a slow reply: wait this long, then serve the call normally


# Methods that post into a chat: what Telegram's flood limits count.
_POSTING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)


class _Bucket:
    """A leaky bucket: `capacity` messages at once, refilled at `capacity / period` a second.

    Telegram does not publish its algorithm; this is the model its documented limits describe
    ("30 messages per second", "20 messages per minute in a group") and the one PTB's
    AIORateLimiter paces to. `slack` seconds of refill are granted to absorb loopback jitter.
    """

    def __init__(self, capacity: float, period: float, slack: float) -> None:
        self.capacity = capacity
        self.rate = capacity / period
        self.slack = slack
        self.level = 0.0
        self.stamp = time.monotonic()

    def take(self, now: float) -> float:
        """Count one message; 0 if it fits, else the seconds until it would have."""
        self.level = max(0.0, self.level - (now - self.stamp) * self.rate)
        self.stamp = now
        allowed = self.capacity + self.slack * self.rate
        if self.level + 1 > allowed:
            return (self.level + 1 - allowed) / self.rate
        self.level += 1
        return 0.0


@dataclass
class _FloodLimits:
    per_second: float
    per_group: float
    group_period: float
    slack: float
    overall: _Bucket
    groups: dict[int, _Bucket] = field(default_factory=dict)

    def check(self, chat_id: int, now: float) -> float:
        """0 if the message may go out now, else the retry_after Telegram would name."""
        if chat_id < 0 and self.per_group:
            bucket = self.groups.setdefault(
                chat_id, _Bucket(self.per_group, self.group_period, self.slack)
            )
            wait = bucket.take(now)
            if wait:
                return wait
        return self.overall.take(now) if self.per_second else 0.0


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None


@dataclass
class _Query:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    update_id: int = 0
    answered: bool = False


@dataclass
class _InlineQuery:
    query_id: str
    user_id: int
    query: str
    update_id: int
    answered: bool = False


def _id_of(value: User | Chat | int) -> int:
    return value if isinstance(value, int) else value.id


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Only an inline keyboard is part of a message; other markups just affect the client."""
    if markup and "inline_keyboard" in markup:
        return markup
    return None


def _button_label(button: object) -> str:
    if isinstance(button, dict):
        return str(button.get("text", ""))
    return str(button)


def _image_size(data: bytes) -> tuple[int, int] | None:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:  # any decoding failure means "not an image"
        return None


def _tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


class BotApiEmulator:
    """A small Telegram Bot API server bound to 127.0.0.1 on a free port.

    Build a world (users, chats), queue what users do (``send_text``, ``press``...), run a real
    PTB ``Application`` against :attr:`base_url`, then observe what the bot did (:attr:`calls`,
    :meth:`bot_messages`, :meth:`callback_answers`) and inject faults (:meth:`fail_next`,
    :meth:`drop_next`).
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",  # noqa: S107 - a fake token, never a real one
        bot_username: str = "TutorTestBot",
        *,
        clock: Callable[[], datetime] | None = None,
        inline_mode: bool = False,
    ) -> None:
        bot_id_text = token.split(":", 1)[0]
        if not bot_id_text.isdigit():
            raise ValueError("token must look like '<digits>:<secret>'")
        self.token = token
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.bot_user = User(
            id=int(bot_id_text),
            first_name=bot_username.removesuffix("Bot") or bot_username,
            is_bot=True,
            username=bot_username,
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=inline_mode,
        )
        self.calls: list[ApiCall] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.internal_errors: list[BaseException] = []
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}

        self._users: dict[int, User] = {self.bot_user.id: self.bot_user}
        self._chats: dict[int, Chat] = {}
        self._admins: dict[int, list[int]] = {}
        self._blocked: set[int] = set()
        self._restricted: set[int] = set()
        # old group id -> the supergroup it was upgraded to
        self._migrated: dict[int, int] = {}
        self._next_message_ids: dict[int, int] = {}
        self._user_messages: dict[tuple[int, int], Message] = {}
        self._deleted_user_messages: set[tuple[int, int]] = set()
        self._bot_messages: dict[tuple[int, int], BotMessage] = {}
        self._bot_message_order: list[BotMessage] = []
        self._files: dict[str, _StoredFile] = {}
        self._file_counter = 0
        self._queries: dict[str, _Query] = {}
        self._query_counter = 0
        self._answers: list[dict[str, Any]] = []
        self._inline_queries: dict[str, _InlineQuery] = {}
        self._inline_answers: list[dict[str, Any]] = []
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._flood: _FloodLimits | None = None
        self.flood_refusals: list[ApiCall] = []
        self._held: set[str] = set()
        self._release = asyncio.Event()

        self._queue: list[_Queued] = []
        self._next_update_id = 100_000
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._updates_event = asyncio.Event()
        self._changed = asyncio.Event()
        self._last_activity = time.monotonic()
        # Set while an in-process bot runs (attach_bot): says whether it has finished every
        # update it took, so wait_quiet need not guess from a quiet window.
        self._bot_idle: Callable[[], bool] | None = None

        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_session: aiohttp.ClientSession | None = None
        self._webhook_last_error: tuple[datetime, str] | None = None

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = False

        self._methods: dict[str, tuple[str, Callable[..., Any]]] = {}
        for name, handler in {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getFile": self._get_file,
            # Accepted and recorded; nothing in the tests reads these back.
            "setMyDescription": self._true,
            "setMyShortDescription": self._true,
            "setMyName": self._true,
            "pinChatMessage": self._true,
            "unpinChatMessage": self._true,
        }.items():
            self._methods[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # handler_cancellation: a long-poll whose client went away must end now, not after
        # its timeout, or stopping the server would wait for it.
        runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._closing = False

    async def stop(self) -> None:
        """Wake every long-poll, stop webhook delivery and close the server (idempotent)."""
        self._closing = True
        self._wake_pollers()
        await self._stop_webhook_delivery()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``; the library appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def addresses(self) -> list[Any]:
        """The socket addresses the server is bound to (for tests that check loopback-only)."""
        return list(self._runner.addresses) if self._runner else []

    # ------------------------------------------------------------------ the world

    def user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> User:
        """Register a (human) user."""
        new_user = User(
            id=user_id,
            first_name=first_name,
            is_bot=False,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = new_user
        return new_user

    def private_chat(self, user: User) -> Chat:
        """The private chat between ``user`` and the bot (its id is the user's id)."""
        self._users.setdefault(user.id, user)
        chat = Chat(
            id=user.id,
            type=ChatType.PRIVATE,
            first_name=user.first_name,
            last_name=user.last_name,
            username=user.username,
        )
        self._chats[chat.id] = chat
        return chat

    def group(
        self,
        chat_id: int,
        title: str,
        admins: Iterable[int | User] = (),
        *,
        supergroup: bool = True,
    ) -> Chat:
        """A supergroup (or, with ``supergroup=False``, a basic group) the bot is a member of;
        ``admins`` answer getChatMember as admins."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative in the Bot API")
        kind = ChatType.SUPERGROUP if supergroup else ChatType.GROUP
        chat = Chat(id=chat_id, type=kind, title=title)
        self._chats[chat_id] = chat
        self.set_admins(chat_id, admins)
        return chat

    def channel(self, chat_id: int, title: str, username: str | None = None) -> Chat:
        """A channel the bot can post to."""
        if chat_id >= 0:
            raise ValueError("channel ids are negative in the Bot API")
        chat = Chat(id=chat_id, type=ChatType.CHANNEL, title=title, username=username)
        self._chats[chat_id] = chat
        self._admins.setdefault(chat_id, [])
        return chat

    def set_admins(self, chat_id: int | Chat, admins: Iterable[int | User]) -> None:
        """Replace the administrator list of a group or channel."""
        self._admins[_id_of(chat_id)] = [_id_of(admin) for admin in admins]

    def block(self, user: User | int) -> None:
        """The user blocked the bot: sending to their private chat now fails with 403."""
        self._blocked.add(_id_of(user))

    def unblock(self, user: User | int) -> None:
        self._blocked.discard(_id_of(user))

    def restrict(self, chat: Chat | int) -> None:
        """The bot may no longer post in a group: sends fail with 400 "not enough rights"."""
        self._restricted.add(_id_of(chat))

    def unrestrict(self, chat: Chat | int) -> None:
        self._restricted.discard(_id_of(chat))

    def migrate(
        self,
        group: Chat | int,
        new_id: int,
        *,
        by: User | None = None,
        service_messages: bool = True,
    ) -> Chat:
        """Upgrade a group to a supergroup with id ``new_id``, as Telegram does.

        Queues the two service messages (``migrate_to_chat_id`` in the old chat, then
        ``migrate_from_chat_id`` in the new one) unless ``service_messages`` is False (a bot
        that missed them); from then on every call naming the old id fails with 400 and
        ``parameters.migrate_to_chat_id`` (PTB raises ``ChatMigrated``). Returns the new
        supergroup; admins carry over.
        """
        old = self._chat(group)
        if new_id >= 0 or new_id in self._chats:
            raise ValueError(f"{new_id} cannot be a new supergroup id")
        new = Chat(id=new_id, type=ChatType.SUPERGROUP, title=old.title)
        self._chats[new_id] = new
        self._admins[new_id] = list(self._admins.get(old.id, []))
        for message in (
            Message(
                message_id=self._take_message_id(old.id),
                date=self.clock(),
                chat=old,
                from_user=by,
                migrate_to_chat_id=new_id,
            ),
            Message(
                message_id=self._take_message_id(new_id),
                date=self.clock(),
                chat=new,
                from_user=by,
                migrate_from_chat_id=old.id,
            ),
        ):
            if service_messages:
                self.queue_update(Update(update_id=self._take_update_id(), message=message))
        self._migrated[old.id] = new_id
        return new

    def _chat(self, chat: Chat | int) -> Chat:
        if isinstance(chat, Chat):
            self._chats.setdefault(chat.id, chat)
            return self._chats[chat.id]
        try:
            return self._chats[chat]
        except KeyError:
            raise EmulatorError(
                f"unknown chat {chat}; create it with private_chat()/group()"
            ) from None

    # ------------------------------------------------------------------ incoming updates

    def send_text(
        self,
        user: User,
        chat: Chat | int,
        text: str,
        *,
        reply_to_message_id: int | None = None,
        forward_from: User | None = None,
    ) -> Message:
        """Queue a text message from ``user``; command, mention and URL entities are added."""
        entities = tuple(MessageEntity(**entity.to_dict()) for entity in detect_entities(text))
        return self._user_message(
            user,
            chat,
            reply_to_message_id=reply_to_message_id,
            forward_from=forward_from,
            text=text,
            entities=entities or None,
        )

    def send_sticker(self, user: User, chat: Chat | int, emoji: str = "🙂") -> Message:
        """Queue a sticker message."""
        stored = self._store_file("stickers", "webp", None)
        sticker = Sticker(
            file_id=stored.file_id,
            file_unique_id=stored.file_unique_id,
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
            type=Sticker.REGULAR,
            emoji=emoji,
        )
        return self._user_message(user, chat, sticker=sticker)

    def send_photo(
        self,
        user: User,
        chat: Chat | int,
        data: bytes | None = None,
        caption: str | None = None,
    ) -> Message:
        """Queue a photo message; the bytes can be downloaded through getFile."""
        payload = data if data is not None else _tiny_png()
        width, height = _image_size(payload) or (0, 0)
        stored = self._store_file("photos", "jpg", payload)
        photo = PhotoSize(
            file_id=stored.file_id,
            file_unique_id=stored.file_unique_id,
            width=width,
            height=height,
            file_size=len(payload),
        )
        caption_entities = tuple(
            MessageEntity(**entity.to_dict()) for entity in detect_entities(caption or "")
        )
        return self._user_message(
            user,
            chat,
            photo=(photo,),
            caption=caption,
            caption_entities=caption_entities or None,
        )

    def send_voice(
        self, user: User, chat: Chat | int, data: bytes = b"OggS", duration: int = 2
    ) -> Message:
        """Queue a voice message."""
        stored = self._store_file("voice", "oga", data)
        voice = Voice(
            file_id=stored.file_id,
            file_unique_id=stored.file_unique_id,
            duration=duration,
            mime_type="audio/ogg",
            file_size=len(data),
        )
        return self._user_message(user, chat, voice=voice)

    def edit_text(self, user: User, chat: Chat | int, message_id: int, text: str) -> Message:
        """Queue an ``edited_message`` update: ``user`` changed their earlier text message."""
        the_chat = self._chat(chat)
        original = self._user_messages.get((the_chat.id, message_id))
        if original is None or original.from_user is None or original.from_user.id != user.id:
            raise EmulatorError(f"user {user.id} sent no message {message_id} in {the_chat.id}")
        entities = tuple(MessageEntity(**entity.to_dict()) for entity in detect_entities(text))
        edited = Message(
            message_id=message_id,
            date=original.date,
            chat=the_chat,
            from_user=user,
            text=text,
            entities=entities or None,
            edit_date=self.clock(),
            reply_to_message=original.reply_to_message,
        )
        self._user_messages[(the_chat.id, message_id)] = edited
        self.queue_update(Update(update_id=self._take_update_id(), edited_message=edited))
        return edited

    def delete_user_message(self, chat: Chat | int, message_id: int) -> None:
        """A user deleted their message: replying to it now fails with "message to be replied
        not found" unless the send allows sending without the reply."""
        key = (self._chat(chat).id, message_id)
        if key not in self._user_messages:
            raise EmulatorError(f"no user message {message_id} in {key[0]}")
        self._deleted_user_messages.add(key)

    def channel_post(self, chat: Chat | int, text: str) -> Message:
        """Queue a ``channel_post`` update (a post by the channel itself, not by a user)."""
        the_chat = self._chat(chat)
        message = Message(
            message_id=self._take_message_id(the_chat.id),
            date=self.clock(),
            chat=the_chat,
            sender_chat=the_chat,
            text=text,
            entities=tuple(MessageEntity(**e.to_dict()) for e in detect_entities(text)) or None,
        )
        self._user_messages[(the_chat.id, message.message_id)] = message
        self.queue_update(Update(update_id=self._take_update_id(), channel_post=message))
        return message

    def press(
        self,
        user: User,
        message_id_or_message: int | BotMessage | Message,
        label: str,
        chat: Chat | int | None = None,
        *,
        inaccessible: bool = False,
    ) -> str:
        """Press the inline button labelled ``label`` on a bot message; return the query id.

        The label matches exactly, or as a prefix when exactly one button starts with it. The
        message's current keyboard counts (after edits), as on a real client. With
        ``inaccessible`` the query carries only the message's id and chat with ``date`` 0, as
        Telegram sends for a message the bot can no longer access.
        """
        message = self._find_bot_message(message_id_or_message, chat)
        rows = (message.reply_markup or {}).get("inline_keyboard")
        if not rows:
            raise ButtonNotFoundError(
                f"bot message {message.message_id} in chat {message.chat_id} has no inline "
                f"keyboard (text: {message.plain_text[:80]!r})"
            )
        buttons = [button for row in rows for button in row]
        matches = [button for button in buttons if button.get("text") == label]
        if not matches:
            matches = [b for b in buttons if str(b.get("text", "")).startswith(label)]
        labels = [_button_label(button) for button in buttons]
        if len(matches) != 1:
            problem = "no button" if not matches else f"{len(matches)} buttons"
            raise ButtonNotFoundError(
                f"{problem} labelled {label!r} on bot message {message.message_id} in chat "
                f"{message.chat_id}; buttons are {labels}"
            )
        data = matches[0].get("callback_data")
        if data is None:
            raise ButtonNotFoundError(
                f"button {label!r} has no callback_data (it is {sorted(matches[0])})"
            )
        return self._queue_callback(user, message, str(data), inaccessible=inaccessible)

    def press_data(
        self,
        user: User,
        chat: Chat | int,
        message_id: int,
        data: str,
        *,
        inaccessible: bool = False,
    ) -> str:
        """Queue a callback query with arbitrary (possibly forged) data on a bot message."""
        message = self._find_bot_message(message_id, chat)
        return self._queue_callback(user, message, data, inaccessible=inaccessible)

    def set_inline_mode(self, enabled: bool = True) -> None:
        """Switch inline mode on or off, as @BotFather's /setinline does (getMe reports it)."""
        self.bot_user = User(**{**self.bot_user.to_dict(), "supports_inline_queries": enabled})
        self._users[self.bot_user.id] = self.bot_user

    def inline_query(
        self, user: User, query: str, *, chat_type: str = ChatType.SENDER, offset: str = ""
    ) -> str:
        """Queue an ``inline_query`` update (``@bot <query>`` typed in a chat of `chat_type`);
        return its id. Telegram sends none unless inline mode is on (``set_inline_mode``), and
        never more than 256 characters of query: longer ones still go out, as forged input."""
        if not self.bot_user.supports_inline_queries:
            raise EmulatorError(
                "inline mode is off for this bot: call set_inline_mode() (@BotFather /setinline)"
            )
        self._users.setdefault(user.id, user)
        self._query_counter += 1
        query_id = str(5_000_000_000_000 + self._query_counter)
        update_id = self._take_update_id()
        self._inline_queries[query_id] = _InlineQuery(query_id, user.id, query, update_id)
        inline = InlineQuery(
            id=query_id, from_user=user, query=query, offset=offset, chat_type=chat_type
        )
        self.queue_update(Update(update_id=update_id, inline_query=inline))
        return query_id

    def inline_answers(self, query_id: str | None = None) -> list[dict[str, Any]]:
        """Parameters of every answerInlineQuery that succeeded (optionally for one query),
        its ``results`` decoded."""
        return [
            answer
            for answer in self._inline_answers
            if query_id is None or answer.get("inline_query_id") == query_id
        ]

    def queue_update(self, update: Update | dict[str, Any]) -> int:
        """Queue any update (built by the test); returns its update_id."""
        payload = update.to_dict() if isinstance(update, Update) else dict(update)
        if "update_id" not in payload:
            payload["update_id"] = self._take_update_id()
        kinds = [key for key in payload if key != "update_id"]
        self._queue.append(
            _Queued(int(payload["update_id"]), kinds[0] if kinds else "unknown", payload)
        )
        self._wake_pollers()
        self._notify()
        return int(payload["update_id"])

    def _user_message(
        self,
        user: User,
        chat: Chat | int,
        *,
        reply_to_message_id: int | None = None,
        forward_from: User | None = None,
        **content: Any,
    ) -> Message:
        the_chat = self._chat(chat)
        self._users.setdefault(user.id, user)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = self._any_message(the_chat.id, reply_to_message_id)
            if reply_to is None:
                raise EmulatorError(f"no message {reply_to_message_id} in chat {the_chat.id}")
        now = self.clock()
        message = Message(
            message_id=self._take_message_id(the_chat.id),
            date=now,
            chat=the_chat,
            from_user=user,
            reply_to_message=reply_to,
            forward_origin=MessageOriginUser(date=now, sender_user=forward_from)
            if forward_from
            else None,
            **content,
        )
        self._user_messages[(the_chat.id, message.message_id)] = message
        self.queue_update(Update(update_id=self._take_update_id(), message=message))
        return message

    def _queue_callback(
        self, user: User, message: BotMessage, data: str, *, inaccessible: bool = False
    ) -> str:
        if message.deleted:
            raise EmulatorError(f"bot message {message.message_id} was deleted")
        self._users.setdefault(user.id, user)
        self._query_counter += 1
        query_id = str(4_000_000_000_000 + self._query_counter)
        update_id = self._take_update_id()
        self._queries[query_id] = _Query(
            query_id, user.id, message.chat_id, message.message_id, data, update_id
        )
        shown = (
            InaccessibleMessage(chat=self._chats[message.chat_id], message_id=message.message_id)
            if inaccessible
            else self._message_of(message)
        )
        query = CallbackQuery(
            id=query_id,
            from_user=user,
            chat_instance=f"ci{message.chat_id}",
            message=shown,
            data=data,
        )
        self.queue_update(Update(update_id=update_id, callback_query=query))
        return query_id

    def _find_bot_message(
        self, ref: int | BotMessage | Message, chat: Chat | int | None
    ) -> BotMessage:
        if isinstance(ref, BotMessage):
            return ref
        if isinstance(ref, Message):
            chat_id, message_id = ref.chat.id, ref.message_id
        else:
            message_id = ref
            if chat is None:
                candidates = [m for m in self._bot_message_order if m.message_id == message_id]
                if len(candidates) != 1:
                    raise EmulatorError(
                        f"{len(candidates)} bot messages have id {message_id}; pass chat="
                    )
                return candidates[0]
            chat_id = _id_of(chat)
        found = self._bot_messages.get((chat_id, message_id))
        if found is None:
            raise EmulatorError(f"the bot sent no message {message_id} in chat {chat_id}")
        return found

    def _take_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_ids.get(chat_id, 1)
        self._next_message_ids[chat_id] = message_id + 1
        return message_id

    def _take_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id

    # ------------------------------------------------------------------ observing the bot

    def bot_messages(self, chat_id: int | Chat | None = None) -> list[BotMessage]:
        """Messages the bot sent (oldest first), in their current state, deleted ones flagged."""
        if chat_id is None:
            return list(self._bot_message_order)
        wanted = _id_of(chat_id)
        return [message for message in self._bot_message_order if message.chat_id == wanted]

    def buttons(self, message: BotMessage | dict[str, Any] | None) -> list[list[str]]:
        """Button labels of a message's keyboard (inline or reply), row by row."""
        markup = message.reply_markup if isinstance(message, BotMessage) else message
        if not markup:
            return []
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [[_button_label(button) for button in row] for row in rows]

    def callback_answers(self, query_id: str | None = None) -> list[dict[str, Any]]:
        """Parameters of every answerCallbackQuery that succeeded (optionally for one query)."""
        return [
            answer
            for answer in self._answers
            if query_id is None or answer.get("callback_query_id") == query_id
        ]

    def unanswered_queries(self) -> list[str]:
        """Ids of callback queries the bot received but never answered (its spinner spins)."""
        waiting = {queued.update_id for queued in self._queue if not queued.delivered}
        return [
            query.query_id
            for query in self._queries.values()
            if not query.answered and query.update_id not in waiting
        ]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every call of one method (case-insensitive), in arrival order."""
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    def my_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The command list last set for a scope and language."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    @property
    def pending_updates(self) -> int:
        """Updates queued that no getUpdates response or webhook POST has carried yet."""
        return sum(1 for queued in self._queue if not queued.delivered)

    @property
    def webhook_url(self) -> str:
        return self._webhook_url

    async def wait_for(
        self,
        predicate: Callable[[], T | bool | None],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed test API
    ) -> T:
        """Re-evaluate ``predicate`` whenever something changes until it is truthy."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed  # taken before evaluating, so no change can slip between
            value = predicate()
            if value:
                return value  # type: ignore[return-value]
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"condition not met within {timeout}s; recent calls: {self._recent_calls()}"
                )
            # Also re-check periodically: the predicate may look at state outside the emulator.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.05))

    async def wait_for_messages(
        self,
        chat_id: int | Chat,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed test API
    ) -> list[BotMessage]:
        """Wait until the bot has sent at least ``count`` messages to the chat; return them."""

        def enough() -> list[BotMessage] | None:
            messages = self.bot_messages(chat_id)
            return messages if len(messages) >= count else None

        return await self.wait_for(enough, timeout)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed test API
        *,
        since: int = 0,
    ) -> ApiCall:
        """Wait for a finished call of ``method`` in ``calls[since:]`` matching ``predicate``."""
        wanted = method.lower()

        def find() -> ApiCall | None:
            for call in self.calls[since:]:
                if call.method.lower() != wanted or not call.done:
                    continue
                if predicate is None or predicate(call):
                    return call
            return None

        return await self.wait_for(find, timeout)

    async def wait_until_polling(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109 - part of the agreed test API
    ) -> None:
        """Wait until the bot has sent its first getUpdates."""
        await self.wait_for(lambda: any(c.method == "getUpdates" for c in self.calls), timeout)

    async def wait_quiet(
        self,
        quiet: float | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed test API
    ) -> None:
        """Wait until the bot has dealt with everything it was sent, for "the bot did NOT reply"
        assertions.

        With an in-process bot attached (``attach_bot``) and no ``quiet`` given, that is known
        rather than guessed: the bot confirmed every update (so each reached its update queue),
        says it finished them all (and has no group send waiting), and no request of its is
        still open. Otherwise (a bot in another process, or a caller that wants a window, e.g.
        for a start-up job) it is every update delivered and no call for ``quiet`` seconds
        (0.1 by default). getUpdates long-polls never count as activity.
        """
        bot_idle = self._bot_idle if quiet is None else None
        window = 0.1 if quiet is None else quiet

        def settled() -> bool:
            busy = any(not c.done and c.method != "getUpdates" for c in self.calls)
            if busy:
                return False
            if bot_idle is not None:
                return not self._queue and bot_idle()
            idle_for = time.monotonic() - self._last_activity
            return self.pending_updates == 0 and idle_for >= window

        await self.wait_for(settled, timeout)

    def attach_bot(self, idle: Callable[[], bool] | None) -> None:
        """Tell the emulator how to ask the in-process bot whether it is idle (None: detach)."""
        self._bot_idle = idle

    def _recent_calls(self) -> str:
        tail = self.calls[-8:]
        return ", ".join(f"{c.method}->{c.status}" for c in tail) or "none"

    def _notify(self, *, activity: bool = True) -> None:
        if activity:
            self._last_activity = time.monotonic()
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _wake_pollers(self) -> None:
        event, self._updates_event = self._updates_event, asyncio.Event()
        event.set()

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        times: int = 1,
        description: str = "Internal Server Error",
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error instead of serving them.

        A ``retry_after`` adds ``parameters.retry_after`` (PTB raises ``RetryAfter``); with
        status 429 and no description of its own, the text is Telegram's "Too Many Requests".
        """
        parameters = None
        if retry_after is not None:
            parameters = {"retry_after": retry_after}
            if status == 429 and description == "Internal Server Error":
                description = f"Too Many Requests: retry after {retry_after}"
        self._faults.setdefault(method.lower(), []).append(
            _Fault(False, times, status, description, parameters)
        )

    def drop_next(self, method: str, times: int = 1) -> None:
        """Close the connection of the next ``times`` calls of ``method`` without replying."""
        self._faults.setdefault(method.lower(), []).append(_Fault(True, times))

    def slow_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Serve the next ``times`` calls of ``method`` only after ``seconds`` (a slow server).

        The call is carried out after the wait: a client that gave up earlier may still find
        its message delivered, as with the real Bot API.
        """
        self._faults.setdefault(method.lower(), []).append(_Fault(False, times, delay=seconds))

    def hold(self, method: str) -> None:
        """Keep every call of ``method`` from now on waiting, unserved, until :meth:`release`.

        A held call whose client goes away (a killed bot) is never carried out.
        """
        self._held.add(method.lower())
        self._release.clear()

    def release(self) -> None:
        """Serve the held calls, and stop holding."""
        self._held.clear()
        self._release.set()

    def held_calls(self) -> list[ApiCall]:
        """Calls waiting in :meth:`hold` right now."""
        return [c for c in self.calls if c.status is None and c.error == "held"]

    def limit_rate(
        self,
        per_second: float = 30,
        per_group: float = 20,
        group_period: float = 60,
        *,
        slack: float = 0.1,
    ) -> None:
        """Enforce Telegram's flood limits on calls that post into a chat: ``per_second`` over
        all chats and ``per_group`` every ``group_period`` seconds in one group (0: no limit).

        A call over the limit gets a 429 with ``retry_after`` (whole seconds, at least 1) and is
        recorded in :attr:`flood_refusals`. Tests scale the limits to keep runs short.
        """
        self._flood = _FloodLimits(
            per_second,
            per_group,
            group_period,
            slack,
            overall=_Bucket(per_second, 1.0, slack) if per_second else _Bucket(1, 1, 0),
        )

    def _take_fault(self, method: str) -> _Fault | None:
        faults = self._faults.get(method.lower())
        if not faults:
            return None
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        return fault

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        entry = self._methods.get(name.lower())
        call = ApiCall(entry[0] if entry else name, {}, time.monotonic())
        self.calls.append(call)
        try:
            response = await self._serve(request, call, entry)
            # Write the reply before declaring the call done, so a test that waits for a call
            # acts only once the bot could have read the answer.
            await response.prepare(request)
            await response.write_eof()
        except (asyncio.CancelledError, ConnectionError):
            # The client went away (e.g. the updater stopped mid long-poll): never leave the
            # call looking "in flight", or wait_quiet() would wait for it forever.
            if call.status is None:
                call.status = 0
                call.error = "cancelled: the client closed the connection"
            call.done = True
            self._notify(activity=False)
            raise
        call.done = True
        self._notify(activity=call.method != "getUpdates")
        return response

    async def _serve(
        self,
        request: web.Request,
        call: ApiCall,
        entry: tuple[str, Callable[..., Any]] | None,
    ) -> web.StreamResponse:
        try:
            call.params, files = await self._read_params(request)
        except (ValueError, aiohttp.ClientError) as exc:
            return self._error_response(call, _bad_request(f"can't parse request: {exc}"))
        call.files = {key: data for key, (_, data) in files.items()}
        self._notify(activity=call.method != "getUpdates")

        if request.match_info["token"] != self.token:
            return self._error_response(call, _ApiError(401, "Unauthorized"))
        if call.method.lower() in self._held:
            call.error = "held"
            while call.method.lower() in self._held:
                await self._release.wait()
            call.error = None
        fault = self._take_fault(call.method)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
            fault = None
        if fault is not None and fault.drop:
            call.status = 0
            call.error = "connection dropped"
            self._notify()
            if request.transport is not None:
                request.transport.abort()
            # Nothing can be written any more; the handler ends without a reply.
            raise asyncio.CancelledError
        if fault is not None:
            return self._error_response(
                call, _ApiError(fault.status, fault.description, fault.parameters)
            )
        if entry is None:
            return self._error_response(call, _ApiError(404, "Not Found: method not found"))
        if self._flood is not None and call.method.lower() in _POSTING_METHODS:
            refused = self._flood_check(call)
            if refused is not None:
                return refused
        try:
            result = entry[1](call.params, files)
            if inspect.isawaitable(result):
                result = await result
        except _ApiError as err:
            return self._error_response(call, err)
        except Exception as exc:
            # A bug in the emulator: make it visible to the test instead of a bare 500.
            _LOGGER.exception("emulator failed serving %s", call.method)
            self.internal_errors.append(exc)
            return self._error_response(
                call, _ApiError(500, f"Internal Server Error: emulator bug: {exc!r}")
            )
        call.status = 200
        call.result = result
        self._notify(activity=call.method != "getUpdates")
        return web.json_response({"ok": True, "result": result})

    def _flood_check(self, call: ApiCall) -> web.Response | None:
        assert self._flood is not None
        try:
            chat_id = int(call.params.get("chat_id", 0))
        except (TypeError, ValueError):
            return None  # an @username or junk: the method itself will refuse it
        wait = self._flood.check(chat_id, time.monotonic())
        if not wait:
            return None
        self.flood_refusals.append(call)
        retry_after = max(1, math.ceil(wait))
        return self._error_response(
            call,
            _ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            ),
        )

    def _error_response(self, call: ApiCall, err: _ApiError) -> web.Response:
        call.status = err.status
        call.error = err.description
        self._notify()
        body: dict[str, Any] = {
            "ok": False,
            "error_code": err.status,
            "description": err.description,
        }
        if err.parameters:
            body["parameters"] = err.parameters
        return web.json_response(body, status=err.status)

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("the JSON body must be an object")
            raw.update(body)
        elif request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    files[part.name] = (part.filename, bytes(await part.read(decode=True)))
                else:
                    raw[part.name] = await part.text()
        elif request.content_type == "application/x-www-form-urlencoded":
            raw.update((key, value) for key, value in (await request.post()).items())
        return {key: self._decode_value(key, value) for key, value in raw.items()}, files

    @staticmethod
    def _decode_value(key: str, value: Any) -> Any:
        if not isinstance(value, str) or key in _STRING_PARAMS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        call = ApiCall("downloadFile", {"path": request.match_info["path"]}, time.monotonic())
        call.done = True  # a download has no follow-up a test could race with
        self.calls.append(call)
        if request.match_info["token"] != self.token:
            return self._error_response(call, _ApiError(401, "Unauthorized"))
        for stored in self._files.values():
            if stored.file_path == request.match_info["path"] and stored.data is not None:
                call.status = 200
                self._notify()
                return web.Response(body=stored.data)
        return self._error_response(call, _ApiError(404, "Not Found"))

    # ------------------------------------------------------------------ parameters

    @staticmethod
    def _int(params: dict[str, Any], name: str, default: int | None = None) -> int:
        value = params.get(name, default)
        if value is None:
            raise _bad_request(f"{name} is empty")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _bad_request(f"{name} is invalid")
        try:
            return int(value)
        except ValueError:
            raise _bad_request(f"{name} is invalid") from None

    def _resolve_chat(self, params: dict[str, Any]) -> Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.username and f"@{chat.username}".lower() == chat_id.lower():
                    return chat
            raise _bad_request("chat not found")
        try:
            chat = self._chats[int(chat_id)]
        except (KeyError, ValueError, TypeError):
            raise _bad_request("chat not found") from None
        if chat.id in self._migrated:
            raise _ApiError(400, _MIGRATED, {"migrate_to_chat_id": self._migrated[chat.id]})
        return chat

    def _chat_for_send(self, params: dict[str, Any]) -> Chat:
        chat = self._resolve_chat(params)
        if chat.type == ChatType.PRIVATE and chat.id in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.id in self._restricted:
            raise _ApiError(400, _NO_RIGHTS)
        return chat

    def _render(
        self,
        text: str,
        parse_mode: str | None,
        entities: Any,
        *,
        limit: int,
        too_long: str,
        allow_empty: bool,
    ) -> tuple[str, list[dict[str, Any]]]:
        if parse_mode:
            mode = parse_mode.lower()
            if mode == "html":
                try:
                    plain, parsed = parse_html(text)
                except HtmlParseError as err:
                    raise _bad_request(f"can't parse entities: {err}") from None
                rendered = [entity.to_dict() for entity in parsed]
            elif mode in ("markdown", "markdownv2"):
                # Markdown is not emulated: the text passes through unchanged, without entities.
                plain, rendered = text, []
            else:
                raise _bad_request("unsupported parse_mode")
        else:
            plain = text
            rendered = list(entities) if isinstance(entities, list) else []
        if not allow_empty and not plain.strip():
            raise _bad_request("message text is empty")
        if utf16_len(plain) > limit:
            raise _bad_request(too_long)
        return plain, rendered

    def _check_markup(self, markup: Any) -> dict[str, Any] | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return markup
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad_request("BUTTON_TEXT_INVALID")
                actions = _BUTTON_ACTIONS.intersection(button)
                if not actions:
                    raise _bad_request("text buttons are unallowed in the inline keyboard")
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad_request("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
                    raise _bad_request("BUTTON_URL_INVALID")
        return markup

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> int | None:
        reply = params.get("reply_parameters")
        message_id = params.get("reply_to_message_id")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        if self._any_message(chat_id, int(message_id)) is None:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        return int(message_id)

    def _any_message(self, chat_id: int, message_id: int) -> Message | None:
        bot_message = self._bot_messages.get((chat_id, message_id))
        if bot_message is not None:
            return None if bot_message.deleted else self._message_of(bot_message, nested=True)
        if (chat_id, message_id) in self._deleted_user_messages:
            return None
        return self._user_messages.get((chat_id, message_id))

    def _message_of(self, message: BotMessage, *, nested: bool = False) -> Message:
        """The Bot API view of a bot message, as sendMessage/edit* return it."""
        chat = self._chats[message.chat_id]
        markup = _inline_only(message.reply_markup)
        entities = tuple(MessageEntity.de_json(e, None) for e in message.entities) or None
        content: dict[str, Any]
        if message.kind == "text":
            content = {"text": message.plain_text, "entities": entities}
        else:
            content = {"caption": message.plain_text or None, "caption_entities": entities}
            stored = self._files.get(message.file_id or "")
            unique_id = stored.file_unique_id if stored else f"u{message.file_id}"
            if message.kind == "photo":
                content["photo"] = (
                    PhotoSize(
                        file_id=message.file_id or "",
                        file_unique_id=unique_id,
                        width=message.width,
                        height=message.height,
                        file_size=len(message.photo) if message.photo else None,
                    ),
                )
            else:
                content["document"] = Document(
                    file_id=message.file_id or "",
                    file_unique_id=unique_id,
                    file_name=message.file_name,
                    file_size=len(message.photo) if message.photo else None,
                )
        reply_to = None
        if message.reply_to_message_id is not None and not nested:
            reply_to = self._any_message(message.chat_id, message.reply_to_message_id)
        is_channel = chat.type == ChatType.CHANNEL
        return Message(
            message_id=message.message_id,
            date=message.date,
            chat=chat,
            from_user=None if is_channel else self.bot_user,
            sender_chat=chat if is_channel else None,
            reply_markup=InlineKeyboardMarkup.de_json(markup, None) if markup else None,
            edit_date=message.edited_at,
            reply_to_message=reply_to,
            **content,
        )

    def _store_file(self, folder: str, extension: str, data: bytes | None) -> _StoredFile:
        self._file_counter += 1
        number = self._file_counter
        stored = _StoredFile(
            file_id=f"EMU-{folder}-{number:06d}",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}.{extension}",
            data=data,
        )
        self._files[stored.file_id] = stored
        return stored

    def _record_bot_message(self, message: BotMessage) -> BotMessage:
        self._bot_messages[(message.chat_id, message.message_id)] = message
        self._bot_message_order.append(message)
        return message

    def _edit_target(self, params: dict[str, Any]) -> BotMessage:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not emulated")
        chat = self._resolve_chat(params)
        message_id = self._int(params, "message_id")
        message = self._bot_messages.get((chat.id, message_id))
        if message is None or message.deleted:
            if (chat.id, message_id) in self._user_messages:
                raise _bad_request("message can't be edited")
            raise _bad_request("message to edit not found")
        return message

    # ------------------------------------------------------------------ Bot API methods

    def _true(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user.to_dict()

    async def _get_updates(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        limit = min(max(self._int(params, "limit", 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        if offset is not None:
            self._confirm(int(offset))
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older long-poll must notice it has been superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._deliverable()[:limit]
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                break
            event = self._updates_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        for queued in batch:
            queued.delivered = True
        if batch:
            self._notify()
        return [queued.payload for queued in batch]

    def _deliverable(self) -> list[_Queued]:
        if self._allowed_updates:
            # Telegram never stores updates of a type the bot did not ask for.
            self._queue = [q for q in self._queue if q.kind in self._allowed_updates]
        return self._queue

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._queue = self._queue[offset:]
        else:
            self._queue = [queued for queued in self._queue if queued.update_id >= offset]

    async def _set_webhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            await self._delete_webhook(params, files)
            return True
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname != "127.0.0.1":
            raise _bad_request("bad webhook: the emulator only delivers over http to 127.0.0.1")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        await self._stop_webhook_delivery()
        self._webhook_url = url
        self._webhook_secret = None if secret is None else str(secret)
        self._webhook_last_error = None
        # Updates handed out by getUpdates but never confirmed are delivered again.
        for queued in self._queue:
            queued.delivered = False
        self._webhook_session = aiohttp.ClientSession()
        self._webhook_task = asyncio.create_task(
            self._deliver_webhook(), name="BotApiEmulator:webhook"
        )
        self._wake_pollers()
        return True

    async def _delete_webhook(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        await self._stop_webhook_delivery()
        self._webhook_url = ""
        self._webhook_secret = None
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _stop_webhook_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        session, self._webhook_session = self._webhook_session, None
        if session is not None:
            await session.close()

    async def _deliver_webhook(self) -> None:
        session = self._webhook_session
        assert session is not None
        backoff = 0.02
        while not self._closing:
            pending = self._deliverable()
            if not pending:
                event = self._updates_event
                await event.wait()
                continue
            queued = pending[0]
            headers = {"Content-Type": "application/json"}
            if self._webhook_secret is not None:
                headers[SECRET_HEADER] = self._webhook_secret
            queued.delivered = True
            status: int | None = None
            error: str | None = None
            try:
                async with session.post(
                    self._webhook_url,
                    data=json.dumps(queued.payload),
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=10),
                ) as response:
                    status = response.status
                    await response.read()
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            self.webhook_deliveries.append(
                WebhookDelivery(queued.update_id, self._webhook_url, headers, status, error)
            )
            if status is not None and 200 <= status < 300:
                self._queue = [q for q in self._queue if q is not queued]
                backoff = 0.02
                self._notify()
                continue
            # Like Telegram: keep the update and retry later, remembering why it failed.
            queued.delivered = False
            self._webhook_last_error = (
                self.clock(),
                error or f"Wrong response from the webhook: {status}",
            )
            self._notify()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 1.0)

    def _get_webhook_info(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        last_error = self._webhook_last_error
        return WebhookInfo(
            url=self._webhook_url,
            has_custom_certificate=False,
            pending_update_count=len(self._queue),
            last_error_date=last_error[0] if last_error else None,
            last_error_message=last_error[1] if last_error else None,
            max_connections=40 if self._webhook_url else None,
            allowed_updates=self._allowed_updates or None,
        ).to_dict()

    def _send_message(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        text = params.get("text")
        if not isinstance(text, str):
            raise _bad_request("message text is empty")
        plain, entities = self._render(
            text,
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            too_long="message is too long",
            allow_empty=False,
        )
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat.id, params)
        message = self._record_bot_message(
            BotMessage(
                message_id=self._take_message_id(chat.id),
                chat_id=chat.id,
                kind="text",
                text=text,
                plain_text=plain,
                parse_mode=params.get("parse_mode"),
                entities=entities,
                reply_markup=markup,
                date=self.clock(),
                reply_to_message_id=reply_to,
            )
        )
        return self._message_of(message).to_dict()

    def _send_photo(
        self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        return self._send_file("photo", params, files)

    def _send_document(
        self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        return self._send_file("document", params, files)

    def _send_file(
        self, kind: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        chat = self._chat_for_send(params)
        reference = params.get(kind)
        upload: tuple[str, bytes] | None = files.get(kind)
        if isinstance(reference, str) and reference.startswith("attach://"):
            upload = files.get(reference.removeprefix("attach://"))
        data: bytes | None = None
        file_url: str | None = None
        file_name: str | None = None
        stored: _StoredFile | None = None
        if upload is not None:
            file_name, data = upload
        elif isinstance(reference, str) and reference.startswith(("http://", "https://")):
            file_url = reference  # never fetched: the emulator makes no outbound requests
        elif isinstance(reference, str) and reference in self._files:
            stored = self._files[reference]
            data = stored.data
        else:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        width = height = 0
        if kind == "photo" and data is not None:
            size = _image_size(data)
            if size is None:
                raise _bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
        if stored is None:
            folder, extension = ("photos", "jpg") if kind == "photo" else ("documents", "bin")
            stored = self._store_file(folder, extension, data)
        caption = params.get("caption")
        plain, entities = self._render(
            caption or "",
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            allow_empty=True,
        )
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat.id, params)
        message = self._record_bot_message(
            BotMessage(
                message_id=self._take_message_id(chat.id),
                chat_id=chat.id,
                kind=kind,
                text=caption,
                plain_text=plain,
                parse_mode=params.get("parse_mode"),
                entities=entities,
                reply_markup=markup,
                date=self.clock(),
                reply_to_message_id=reply_to,
                photo=data,
                file_id=stored.file_id,
                file_url=file_url,
                width=width,
                height=height,
                file_name=file_name,
            )
        )
        return self._message_of(message).to_dict()

    def _edit_message_text(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        message = self._edit_target(params)
        if message.kind != "text":
            raise _bad_request("there is no text in the message to edit")
        text = params.get("text")
        if not isinstance(text, str):
            raise _bad_request("message text is empty")
        plain, entities = self._render(
            text,
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_TEXT_LENGTH,
            too_long="message is too long",
            allow_empty=False,
        )
        # Telegram drops the inline keyboard when an edit does not repeat it.
        markup = _inline_only(self._check_markup(params.get("reply_markup")))
        return self._apply_edit(message, text, plain, entities, params, markup)

    def _edit_message_caption(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> dict[str, Any]:
        message = self._edit_target(params)
        if message.kind == "text":
            raise _bad_request("there is no caption in the message to edit")
        caption = params.get("caption")
        plain, entities = self._render(
            caption or "",
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            allow_empty=True,
        )
        markup = _inline_only(self._check_markup(params.get("reply_markup")))
        return self._apply_edit(message, caption, plain, entities, params, markup)

    def _apply_edit(
        self,
        message: BotMessage,
        text: str | None,
        plain: str,
        entities: list[dict[str, Any]],
        params: dict[str, Any],
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        old_markup = _inline_only(message.reply_markup)
        if plain == message.plain_text and entities == message.entities and markup == old_markup:
            raise _ApiError(400, _NOT_MODIFIED)
        message.edits.append(message.text)
        if markup != old_markup:
            message.markup_history.append(message.reply_markup)
        message.text = text
        message.plain_text = plain
        message.entities = entities
        message.parse_mode = params.get("parse_mode")
        message.reply_markup = markup
        message.edited_at = self.clock()
        return self._message_of(message).to_dict()

    def _edit_message_reply_markup(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> dict[str, Any]:
        message = self._edit_target(params)
        markup = _inline_only(self._check_markup(params.get("reply_markup")))
        if markup == _inline_only(message.reply_markup):
            raise _ApiError(400, _NOT_MODIFIED)
        message.markup_history.append(message.reply_markup)
        message.reply_markup = markup
        message.edited_at = self.clock()
        return self._message_of(message).to_dict()

    def _delete_message(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params)
        key = (chat.id, self._int(params, "message_id"))
        bot_message = self._bot_messages.get(key)
        if bot_message is not None and not bot_message.deleted:
            bot_message.deleted = True
            return True
        if key in self._user_messages and key not in self._deleted_user_messages:
            self._deleted_user_messages.add(key)
            return True
        raise _bad_request("message to delete not found")

    def _answer_callback_query(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        query = self._queries.get(str(params.get("callback_query_id", "")))
        if query is None or query.answered:
            raise _bad_request(_QUERY_INVALID.removeprefix("Bad Request: "))
        if len(str(params.get("text") or "")) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self._answers.append(dict(params))
        return True

    def _answer_inline_query(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        """Check the answer as Telegram does, then record it: a known, unanswered query; at most
        50 results with unique ids of 1-64 bytes; articles with a title and a message that
        parses and fits; a sane cache time, offset and button."""
        query = self._inline_queries.get(str(params.get("inline_query_id", "")))
        if query is None or query.answered:
            raise _bad_request(_QUERY_INVALID.removeprefix("Bad Request: "))
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen)
        cache_time = params.get("cache_time", 300)
        if not isinstance(cache_time, int) or isinstance(cache_time, bool) or cache_time < 0:
            raise _bad_request("CACHE_TIME_INVALID")
        if not isinstance(params.get("is_personal", False), bool):
            raise _bad_request("IS_PERSONAL_INVALID")
        offset = params.get("next_offset", "")
        if not isinstance(offset, str) or len(offset.encode()) > MAX_NEXT_OFFSET_BYTES:
            raise _bad_request("NEXT_OFFSET_INVALID")
        button = params.get("button")
        if button is not None:
            if not isinstance(button, dict) or not button.get("text"):
                raise _bad_request("BUTTON_TEXT_INVALID")
            start = button.get("start_parameter")
            if start is not None and not _START_PARAMETER.fullmatch(str(start)):
                raise _bad_request("START_PARAM_INVALID")
        query.answered = True
        self._inline_answers.append(dict(params))
        return True

    def _check_inline_result(self, result: Any, seen: set[str]) -> None:
        if not isinstance(result, dict) or result.get("type") not in _INLINE_RESULT_TYPES:
            raise _bad_request("RESULT_TYPE_INVALID")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not (
            1 <= len(result_id.encode()) <= MAX_INLINE_RESULT_ID_BYTES
        ):
            raise _bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise _bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        self._check_markup(result.get("reply_markup"))
        if result["type"] != "article":
            return
        if not str(result.get("title") or "").strip():
            raise _bad_request("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict) or "message_text" not in content:
            raise _bad_request("MESSAGE_EMPTY")
        self._render(
            str(content["message_text"]),
            content.get("parse_mode"),
            content.get("entities"),
            limit=MAX_TEXT_LENGTH,
            too_long="MESSAGE_TOO_LONG",
            allow_empty=False,
        )

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope_dict = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope_dict, sort_keys=True), str(language_code or "")

    def _set_my_commands(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("commands must be an array of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
                str(command.get("command", ""))
            ):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [
            BotCommand(str(c["command"]), str(c["description"])).to_dict() for c in commands
        ]
        return True

    def _get_my_commands(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> list[dict[str, Any]]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return list(self._commands.get(key, []))

    def _delete_my_commands(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self._commands.pop(
            self._commands_key(params.get("scope"), params.get("language_code")), None
        )
        return True

    def _send_chat_action(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        self._chat_for_send(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _get_chat(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._resolve_chat(params)
        return ChatFullInfo(
            id=chat.id,
            type=chat.type,
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types=AcceptedGiftTypes(
                unlimited_gifts=False,
                limited_gifts=False,
                unique_gifts=False,
                premium_subscription=False,
                gifts_from_channels=False,
            ),
            title=chat.title,
            username=chat.username,
            first_name=chat.first_name,
            last_name=chat.last_name,
        ).to_dict()

    def _member(self, chat: Chat, user: User) -> ChatMember:
        if user.id in self._admins.get(chat.id, []):
            return ChatMemberAdministrator(
                user=user,
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
        return ChatMemberMember(user=user)

    def _get_chat_member(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._resolve_chat(params)
        user = self._users.get(self._int(params, "user_id"))
        if user is None:
            raise _bad_request("user not found")
        if chat.type == ChatType.PRIVATE and user.id not in (chat.id, self.bot_user.id):
            raise _bad_request("user not found")
        return self._member(chat, user).to_dict()

    def _get_chat_administrators(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chat = self._resolve_chat(params)
        if chat.type == ChatType.PRIVATE:
            raise _bad_request("there are no administrators in the private chat")
        return [
            self._member(chat, self._users[user_id]).to_dict()
            for user_id in self._admins.get(chat.id, [])
            if user_id in self._users
        ]

    def _set_chat_menu_button(self, params: dict[str, Any], files: dict[str, Any]) -> bool:
        chat_id = None
        if params.get("chat_id") is not None:
            chat_id = self._resolve_chat(params).id
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad_request("can't parse menu button")
        self.menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> dict[str, Any]:
        chat_id = None
        if params.get("chat_id") is not None:
            chat_id = self._resolve_chat(params).id
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "default"}

    def _get_file(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None or stored.data is None:
            raise _bad_request("invalid file_id")
        return File(
            file_id=stored.file_id,
            file_unique_id=stored.file_unique_id,
            file_size=len(stored.data),
            file_path=stored.file_path,
        ).to_dict()
