"""Fuzzing: hypothesis-generated Telegram updates through the real handlers.

Odd *content* in structurally valid updates — random Unicode (RTL marks, zero-width joiners,
emoji, astral characters), texts up to Telegram's 4096 UTF-16 units, command look-alikes,
mentions of the bot, entities with random (also out-of-range and overlapping) offsets and types,
edited messages, channel posts, service messages, media without text, missing optional fields
(no ``from``, ``text``, ``username``, ``last_name``, ``chat.title``...) and button presses with
random or mutated callback data — go through one running tutor. After every batch the test
checks: nothing logged an ERROR (the bot's loggers and PTB's), the emulator hit no bug of its
own, every press was answered exactly once, and no update got more than one new message
(sendMessage/sendPhoto/sendDocument...; edits of the bot's earlier messages are fine).

How hypothesis meets the running bot (decided by trying): a sync ``@given`` test cannot block on
the event loop the bot runs in, and starting a bot per example (``asyncio.run`` each time) would
spend most of the time on start-ups. So the async test starts ONE tutor through the usual
fixtures and runs the hypothesis test in a worker thread (``asyncio.to_thread``); each batch is
handed to the test's loop with ``asyncio.run_coroutine_threadsafe``. The loop is free meanwhile
(it only awaits the thread), so the bot keeps polling. Drawing against the bot's current state
with ``st.data()`` was tried and fails: hypothesis replays choices and reports
``FlakyStrategyDefinition`` when the same choices draw differently. So every draw is independent
of the bot: a press names "the n-th message with buttons", a reply "the n-th bot message in this
chat", and ``Fuzzer.resolve`` picks them (modulo how many exist) just before sending.

Which new message belongs to which update: a batch goes out in rounds with at most one update
per chat, all of a round at once, so whether PTB handles them one by one or concurrently (per
user), a message the bot sends to a chat belongs to that chat's update of the round. A round
ends when a probe handler in the earliest group has seen each of its updates start, PTB's update
queue is empty, its update processor runs nothing and no API call is in flight. The JobQueue's
scheduler is paused: a job firing mid-round (a group round ending) would be counted against that
chat's update; the handlers still schedule their jobs.

Constraints (the emulator, not the bot): button presses go through ``emu.press_data``, because
the emulator answers ``answerCallbackQuery`` only for queries it issued; so every press is on a
bot message that exists (``inaccessible`` gives Telegram's date-0 stub for one the bot can no
longer see). User message ids come from a high range per chat (the emulator has no public way
to hand out ids), and the bot's replies to them rely on ``allow_sending_without_reply``.

``FUZZ_EXAMPLES`` (default 60: about 450 updates, some 10 s) sets the number of hypothesis
examples; each has up to three batches of up to eight updates. Reproducible in CI: derandomized,
no example database. A failure is shrunk against the same (by then changed) bot, so the shrunk
example may need the state before it; the message lists every problem of the failing batch.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update, User
from telegram.ext import TypeHandler

from bot.core.content import ContentPack
from bot.tg.callbacks import MENU_DATA, REMINDERS_OFF_DATA
from bot.tg.outbox import outbox_of
from bot.tg.views import learn
from bot.tg.views.learn import PICTURES
from bot.tg.views.start import MENU_LABELS
from tests.emulator import ApiCall, BotApiEmulator
from tests.support.world import TutorFactory

pytestmark = pytest.mark.e2e

T = TypeVar("T")

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
BATCHES_PER_EXAMPLE = 3
UPDATES_PER_BATCH = 8

BOT_USERNAME = "TutorTestBot"
USER_IDS = (1001, 1002, 1003, 1004, 1005)
ADMIN_ID = USER_IDS[0]
SUPERGROUP_ID = -1001777
BASIC_GROUP_ID = -778
CHANNEL_ID = -1001779
ANONYMOUS_ADMIN_ID = 1087968824  # Telegram's GroupAnonymousBot: admins posting as the group
SERVICE_ACCOUNT_ID = 777000  # "Telegram": automatic forwards from a linked channel
FIRST_USER_MESSAGE_ID = 1_000_000  # far above the ids the emulator gives the bot's messages
SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
        "sendanimation",
        "sendvideo",
        "sendaudio",
        "sendvoice",
        "sendsticker",
        "sendpoll",
        "senddice",
        "sendlocation",
        "sendcontact",
        "sendvenue",
        "copymessage",
        "forwardmessage",
    }
)
# Chats a user can write in (channels get channel posts instead).
CHAT_KINDS = ("private", "group", "supergroup")

# --- text ----------------------------------------------------------------------------------------

ODD_PIECES = (
    "\u200b",  # zero-width space
    "\u200c",
    "\u200d",  # zero-width joiner
    "\u2060",
    "\ufeff",
    "\u00ad",  # soft hyphen
    "\u202e",  # right-to-left override
    "\u202c",
    "\u2067",
    "\u2069",
    "\u061c",
    "\u0301",  # a combining accent with nothing to combine with
    "שלום",
    "مرحبا ما هو الانجراف",
    "😀",
    "👍🏽",
    "🧑‍💻",
    "🏳️‍🌈",
    "🇩🇪",
    "𝕨𝕙𝕒𝕥",
    "\U00020000",  # a CJK character outside the BMP
    "\U0010fffd",  # the last private-use code point
    "<b>",
    "</i>",
    "<a href='x'>",
    "&amp;",
    "&",
    "<",
    ">",
    '"',
    "\n",
    "\r\n",
    "\t",
    " ",
    "\x00",
    "\x1b[31m",
    "@",
    "/",
    ":",
    "@" + BOT_USERNAME,
    "@" + BOT_USERNAME.lower(),
    "@" + BOT_USERNAME + "s",
    "@OtherBot",
    "mail@" + BOT_USERNAME + ".com",
    "#drift",
    "$BTC",
    "https://example.com/?a=<b>",
)
QUESTIONS = (
    "what is model drift?",
    "mlops vs devops",
    "how is testing different in mlops",
    "why retrain models",
    "what is a feature store",
    "ci/cd",
    "drift",
    "best iphone model right now",
    "?",
    "hi",
    "thanks",
    *MENU_LABELS,
)
COMMAND_NAMES = (
    "start",
    "help",
    "learn",
    "quiz",
    "daily",
    "stats",
    "timezone",
    "reminders",
    "groupquiz",
    "stopquiz",
    "top",
    "settings",
    "menu",
    "START",
    "Quiz",
    "start_",
    "x",
    "a" * 64,
)
# Commands whose answers carry buttons: quizzes to play through, lessons to page, settings.
BUTTON_COMMANDS = (
    "/quiz",
    "/quiz easy",
    "/quiz hard",
    "/learn",
    "/start",
    "/reminders",
    "/groupquiz 3 30",
    "/groupquiz",
    "/settings",
    "what is model drift?",
    "mlops vs devops",
)
COMMAND_ARGS = (
    "",
    "easy",
    "medium",
    "hard",
    "HARD",
    "easy hard",
    "on",
    "off",
    "on 08:30",
    "on 8:30 Europe/Berlin",
    "on 25:99",
    "on 08:30 Mars/Olympus",
    "Europe/Berlin",
    "UTC",
    "Etc/GMT+14",
    "../../etc/passwd",
    "10 30 hard",
    "1 5",
    "-1 0",
    "0 0 0",
    "999999999999999999999 1e9",
    "٣ ٣",
    "😀",
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clip_utf16(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` UTF-16 units (never half a surrogate pair)."""
    out: list[str] = []
    used = 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > limit:
            break
        out.append(char)
        used += size
    return "".join(out)


def _any_char() -> st.SearchStrategy[str]:
    # Surrogates cannot travel in UTF-8 JSON; everything else may.
    return st.characters(exclude_categories=("Cs",))


def _astral_char() -> st.SearchStrategy[str]:
    return st.characters(min_codepoint=0x10000, exclude_categories=("Cs", "Cn"))


PIECE = st.one_of(
    st.text(_any_char(), max_size=12),
    st.sampled_from(ODD_PIECES),
    st.sampled_from(QUESTIONS),
    st.text(_astral_char(), min_size=1, max_size=4),
)


def _command(name: str, target: str | None, args: str) -> str:
    text = "/" + name + (f"@{target}" if target is not None else "")
    return f"{text} {args}" if args else text


COMMAND_TEXT = st.builds(
    _command,
    # Repeated alternatives weigh one_of towards commands the bot has and plain arguments.
    st.one_of(
        st.sampled_from(COMMAND_NAMES),
        st.sampled_from(COMMAND_NAMES),
        st.from_regex(r"[A-Za-z0-9_]{1,40}", fullmatch=True),
    ),
    st.one_of(
        st.none(),
        st.none(),
        st.none(),
        st.sampled_from(
            (BOT_USERNAME, BOT_USERNAME.lower(), BOT_USERNAME.upper(), "OtherBot", "", "@")
        ),
        st.text(_any_char(), max_size=10),
    ),
    st.one_of(
        st.sampled_from(COMMAND_ARGS),
        st.sampled_from(COMMAND_ARGS),
        st.text(_any_char(), max_size=30),
    ),
)


def _long(unit: str, limit: int) -> str:
    return clip_utf16(unit * (limit // max(utf16_len(unit), 1) + 1), limit)


LONG_TEXT = st.builds(
    _long,
    st.one_of(st.sampled_from(QUESTIONS), PIECE).filter(bool).map(lambda s: s + " "),
    st.integers(1000, 4096),
)


def _with_mention(text: str, position: int, mention: str) -> str:
    cut = position % (len(text) + 1)
    return text[:cut] + mention + text[cut:]


MESSAGE_TEXT = st.one_of(
    st.lists(PIECE, min_size=1, max_size=10).map("".join),
    COMMAND_TEXT,
    COMMAND_TEXT,
    st.sampled_from(QUESTIONS),
    st.builds(
        _with_mention,
        st.lists(PIECE, max_size=5).map("".join),
        st.integers(0, 200),
        st.sampled_from((f"@{BOT_USERNAME}", f"@{BOT_USERNAME.lower()}", f" @{BOT_USERNAME} ")),
    ),
    LONG_TEXT,
).map(lambda text: clip_utf16(text, 4096))

# --- entities ------------------------------------------------------------------------------------

ENTITY_TYPES = (
    "mention",
    "hashtag",
    "cashtag",
    "bot_command",
    "url",
    "email",
    "phone_number",
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "blockquote",
    "expandable_blockquote",
    "code",
    "pre",
    "text_link",
    "text_mention",
    "custom_emoji",
    "date_time",
    "a_type_from_the_future",
)


BOT_ID = 123456  # the emulator's default token is "123456:..."
BOT = {"id": BOT_ID, "is_bot": True, "first_name": "Tutor", "username": BOT_USERNAME}


@st.composite
def entity(draw: st.DrawFn, text: str) -> dict[str, Any]:
    size = utf16_len(text)
    kind = draw(st.sampled_from(ENTITY_TYPES))
    found: dict[str, Any] = {
        "type": kind,
        # Mostly inside the text; sometimes past its end, overlapping or of length 0 (and,
        # rarely, negative: Telegram never sends that, but PTB parses it).
        "offset": draw(st.one_of(st.integers(0, size + 3), st.integers(0, size), st.just(-1))),
        "length": draw(st.integers(0, size + 3)),
    }
    if kind == "text_link":
        found["url"] = draw(st.sampled_from(("https://example.com", "tg://user?id=1", "x")))
    elif kind == "text_mention":
        found["user"] = draw(
            st.sampled_from((BOT, {"id": USER_IDS[1], "is_bot": False, "first_name": "B"}))
        )
    elif kind == "pre":
        found["language"] = draw(st.sampled_from(("python", "", "<b>")))
    elif kind == "custom_emoji":
        found["custom_emoji_id"] = draw(st.sampled_from(("5368324170671202286", "")))
    elif kind == "date_time":
        found["unix_time"] = draw(st.integers(0, 2**31))
    return found


def _command_entity(text: str) -> dict[str, Any]:
    """What Telegram adds to a real command: a bot_command entity over the first word."""
    first = text.split(maxsplit=1)[0] if text.strip() else text
    return {"type": "bot_command", "offset": 0, "length": utf16_len(first)}


@st.composite
def entities(draw: st.DrawFn, text: str) -> list[dict[str, Any]]:
    found = draw(st.lists(entity(text), max_size=4))
    if text.startswith("/") and draw(st.booleans()):
        found.insert(0, _command_entity(text))
    return found


# --- people and chats ----------------------------------------------------------------------------

NAME = st.one_of(
    st.text(_any_char(), min_size=1, max_size=64),
    st.sampled_from(("Alice", "Bob <b>", "&amp;", "\u202eevil", "👩‍🔬", "‮‭", " ", "\u200b")),
)
USERNAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{4,31}", fullmatch=True)
LANGUAGE = st.sampled_from(("en", "de", "ar", "he", "pt-br", "zz", ""))

# The optional fields of a User, of any chat; the id and type are filled in when resolved.
USER_PROFILE = st.fixed_dictionaries(
    {"first_name": NAME},
    optional={
        "last_name": NAME,
        "username": USERNAME,
        "language_code": LANGUAGE,
        "is_premium": st.just(True),
    },
)
CHAT_PROFILE = st.fixed_dictionaries(
    {},
    optional={
        "title": NAME,
        "username": USERNAME,
        "first_name": NAME,
        "last_name": NAME,
        "is_forum": st.just(True),
    },
)
_CHAT_FIELDS = {
    "private": ("first_name", "last_name", "username"),
    "group": ("title",),
    "supergroup": ("title", "username", "is_forum"),
    "channel": ("title", "username"),
}


def user_dict(user_id: int, profile: dict[str, Any]) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, **profile}


def chat_dict(chat_id: int, profile: dict[str, Any]) -> dict[str, Any]:
    kind = chat_kind(chat_id)
    fields = {key: value for key, value in profile.items() if key in _CHAT_FIELDS[kind]}
    return {"id": chat_id, "type": kind, **fields}


def chat_kind(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return {BASIC_GROUP_ID: "group", CHANNEL_ID: "channel"}.get(chat_id, "supergroup")


def _as_user(data: dict[str, Any]) -> User:
    return User(
        id=data["id"],
        first_name=data["first_name"],
        is_bot=False,
        last_name=data.get("last_name"),
        username=data.get("username"),
        language_code=data.get("language_code"),
    )


# --- message content -----------------------------------------------------------------------------


@st.composite
def text_content(draw: st.DrawFn, texts: st.SearchStrategy[str] = MESSAGE_TEXT) -> dict[str, Any]:
    text = draw(texts)
    content: dict[str, Any] = {"text": text}
    if draw(st.integers(0, 3)) == 0:
        content["entities"] = draw(entities(text))
    elif text.startswith("/"):
        content["entities"] = [_command_entity(text)]
    return content


def _photo() -> list[dict[str, Any]]:
    return [
        {"file_id": "AgAC-fuzz-small", "file_unique_id": "fz1", "width": 90, "height": 60},
        {"file_id": "AgAC-fuzz-big", "file_unique_id": "fz2", "width": 1280, "height": 853},
    ]


@st.composite
def media_content(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(("photo", "sticker", "voice", "document", "location", "dice", "contact"))
    )
    content: dict[str, Any]
    if kind == "photo":
        content = {"photo": _photo()}
    elif kind == "sticker":
        content = {
            "sticker": {
                "file_id": "CAAC-fuzz",
                "file_unique_id": "fz3",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        }
    elif kind == "voice":
        content = {"voice": {"file_id": "AwAC-fuzz", "file_unique_id": "fz4", "duration": 0}}
    elif kind == "document":
        content = {
            "document": {"file_id": "BQAC-fuzz", "file_unique_id": "fz5", "file_name": draw(NAME)}
        }
    elif kind == "location":
        content = {"location": {"latitude": 52.52, "longitude": 13.405}}
    elif kind == "dice":
        content = {"dice": {"emoji": "🎲", "value": draw(st.integers(1, 6))}}
    else:
        content = {"contact": {"phone_number": "+100", "first_name": draw(NAME)}}
    if kind in ("photo", "voice", "document") and draw(st.booleans()):
        # A caption is text the bot may read: a question, a command, a mention.
        caption = clip_utf16(draw(MESSAGE_TEXT), 1024)
        content["caption"] = caption
        if draw(st.booleans()):
            content["caption_entities"] = draw(entities(caption))
    return content


@st.composite
def service_content(draw: st.DrawFn, chat: dict[str, Any]) -> dict[str, Any]:
    pinned = {"pinned_message": {"message_id": 1, "date": 0, "chat": chat}}
    if chat["type"] == "private":
        return pinned
    someone = user_dict(draw(st.sampled_from(USER_IDS)), draw(USER_PROFILE))
    return draw(
        st.sampled_from(
            (
                {"new_chat_members": [BOT]},
                {"new_chat_members": [someone, BOT]},
                {"new_chat_members": [someone]},
                {"left_chat_member": someone},
                {"left_chat_member": BOT},
                {"new_chat_title": draw(NAME)},
                {"group_chat_created": True},
                {"delete_chat_photo": True},
                pinned,
            )
        )
    )


# --- actions: drawn without looking at the bot, resolved against what it has sent ---------------


@dataclass(frozen=True)
class Reply:
    """Which message a new one replies to: none, one of the bot's, a user's, or an unknown one.

    `pick` chooses among the candidates that exist when the batch is sent (modulo their number);
    hypothesis must draw the same way whatever the bot did, or it reports flaky generation.
    """

    target: str  # "none", "bot", "user" or "unknown"
    pick: int
    unknown_id: int
    text: str


REPLY = st.builds(
    Reply,
    st.sampled_from(("none", "none", "bot", "user", "unknown")),
    st.integers(0, 2**16),
    st.integers(1, 2**31 - 1),
    MESSAGE_TEXT,
)


@dataclass(frozen=True)
class NewMessage:
    """A new message (or channel post); its id, date and reply are filled in when it is sent."""

    kind: str  # the update field: message, channel_post or edited_channel_post
    message: dict[str, Any]
    age: int | None  # seconds before now (negative: clock skew; None: date 0, which PTB accepts)
    reply: Reply | None


@dataclass(frozen=True)
class Edit:
    """An edited_message: of an earlier user message (`pick`) or of one the bot never saw."""

    pick: int | None
    fallback_chat_id: int
    fallback_message_id: int
    sender_profile: dict[str, Any] | None  # None: no `from`
    chat_profile: dict[str, Any]
    content: dict[str, Any]
    age: int
    edited_after: int


@dataclass(frozen=True)
class Mutation:
    """One way to garble real callback data (see `mutate`)."""

    how: int
    position: int
    char: str
    insert: str
    prefix: str
    replacement: str
    suffix: str
    separator: str
    number: int


@dataclass(frozen=True)
class PressSpec:
    """A button press on one of the bot's messages with real, mutated or forged data."""

    profile: dict[str, Any]
    presser: int
    target: int
    any_message: bool  # also messages without buttons (a keyboard removed since)
    recent: bool  # among the last few (a quiz just sent, to play it through)
    data_source: str  # "real", "mutated" or "forged"
    button: int
    mutation: Mutation
    forged: str
    inaccessible: bool


@dataclass(frozen=True)
class Other:
    """An update the tutor has no handler for: membership changes, reactions, a future kind."""

    kind: str
    payload: dict[str, Any]


Spec = NewMessage | Edit | PressSpec | Other

_PREFIXES = ("a", "t", "m", "l", "w", "c", "p", "qa", "qh", "qn", "gt", "gs", "rm")


@st.composite
def new_message(draw: st.DrawFn) -> NewMessage:
    # Private chats most: there the bot answers everything.
    kind = draw(st.sampled_from(("private", "private", "private", *CHAT_KINDS, "channel")))
    sender_id = draw(st.sampled_from(USER_IDS))
    chat_id = {
        "private": sender_id,
        "group": BASIC_GROUP_ID,
        "supergroup": SUPERGROUP_ID,
        "channel": CHANNEL_ID,
    }[kind]
    chat = chat_dict(chat_id, draw(CHAT_PROFILE))
    bodies = ("text", "text", "text", "command", "command", "buttons", "media", "service")
    body = draw(st.sampled_from(bodies if kind != "channel" else ("text", "command", "media")))
    if body == "text":
        message = draw(text_content())
    elif body == "command":
        message = draw(text_content(COMMAND_TEXT))
    elif body == "buttons":
        message = draw(text_content(st.sampled_from(BUTTON_COMMANDS)))
    elif body == "media":
        message = draw(media_content())
    else:
        message = draw(service_content(chat))
    message["chat"] = chat
    age = draw(st.one_of(st.integers(-60, 172_800), st.integers(0, 5), st.none()))
    if kind == "channel":
        message["sender_chat"] = chat
        if draw(st.booleans()):
            message["author_signature"] = draw(NAME)
        update_kind = draw(st.sampled_from(("channel_post", "edited_channel_post")))
        return NewMessage(update_kind, message, age, None)
    senders = ("user", "user", "user", "none") + (
        ("anonymous", "linked channel") if kind != "private" else ()
    )
    sender = draw(st.sampled_from(senders))
    if sender == "user":
        message["from"] = user_dict(sender_id, draw(USER_PROFILE))
    elif sender == "anonymous":
        message["from"] = {"id": ANONYMOUS_ADMIN_ID, "is_bot": True, "first_name": "Group"}
        message["sender_chat"] = chat
    elif sender == "linked channel":
        message["from"] = {"id": SERVICE_ACCOUNT_ID, "is_bot": False, "first_name": "Telegram"}
        message["sender_chat"] = {"id": CHANNEL_ID, "type": "channel", "title": "Linked"}
        message["is_automatic_forward"] = True
    if body == "service":
        return NewMessage("message", message, age, None)
    message.update(
        draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "forward_origin": st.sampled_from(
                        (
                            {"type": "hidden_user", "date": 1, "sender_user_name": "Ghost"},
                            {"type": "user", "date": 1, "sender_user": BOT},
                            {"type": "channel", "date": 1, "chat": chat, "message_id": 5},
                        )
                    ),
                    "via_bot": st.just({"id": 42, "is_bot": True, "first_name": "Other"}),
                    "has_protected_content": st.just(True),
                    "media_group_id": st.just("13"),
                    "quote": st.just({"text": "q", "position": 0}),
                },
            )
        )
    )
    if kind == "supergroup" and draw(st.integers(0, 4)) == 0:
        message["message_thread_id"] = draw(st.integers(1, 50))
        message["is_topic_message"] = True
    return NewMessage("message", message, age, draw(REPLY))


@st.composite
def edit(draw: st.DrawFn) -> Edit:
    sender = draw(st.sampled_from(USER_IDS))
    return Edit(
        pick=draw(st.one_of(st.none(), st.integers(0, 2**16), st.integers(0, 2**16))),
        fallback_chat_id=draw(st.sampled_from((sender, BASIC_GROUP_ID, SUPERGROUP_ID))),
        fallback_message_id=draw(st.integers(1, 2**31 - 1)),
        sender_profile=draw(st.one_of(st.none(), USER_PROFILE, USER_PROFILE)),
        chat_profile=draw(CHAT_PROFILE),
        content=draw(st.one_of(text_content(), text_content(), media_content())),
        age=draw(st.integers(1, 172_800)),
        edited_after=draw(st.integers(1, 3600)),
    )


MUTATION = st.builds(
    Mutation,
    how=st.integers(0, 11),
    position=st.integers(0, 64),
    char=_any_char(),
    insert=st.text(_any_char(), min_size=1, max_size=3),
    prefix=st.sampled_from(_PREFIXES),
    replacement=st.sampled_from(("0", "9", "٣", "-1", "00", "99999999999999999999")),
    suffix=st.sampled_from(("", "x", "1", "0", "-1")),
    separator=st.sampled_from(("", "::", ";", "：", ": ")),
    number=st.integers(-(2**64), 2**64),
)


def mutate(data: str, m: Mutation) -> str:
    """A near miss of real callback data: what a modified client or a stale button sends."""
    prefix, _, rest = data.partition(":")
    at = m.position % (len(data) + 1)
    digits = [i for i, c in enumerate(data) if c.isdigit()]
    if m.how == 0 and data:
        at = m.position % len(data)
        return data[:at] + m.char + data[at + 1 :]
    if m.how == 1:
        return data[:at] + m.insert + data[at:]
    if m.how == 2:
        return data[:at]
    if m.how == 3:
        return f"{m.prefix}:{rest}"
    if m.how == 4 and digits:
        i = digits[m.position % len(digits)]
        return data[:i] + m.replacement + data[i + 1 :]
    if m.how == 5:
        return f"{data}:{m.suffix}"
    if m.how == 6:
        return data.upper()
    if m.how == 7:
        return f" {data}"
    if m.how == 8:
        return f"{prefix}:{rest}:{rest}"
    if m.how == 9:
        return data.replace(":", m.separator)
    if m.how == 10:
        return f"{prefix}:{m.number}"
    return data


def fit(data: str) -> str:
    """Telegram carries 1 to 64 bytes of callback data (a client cannot send more)."""
    return data.encode("utf-8")[:64].decode("utf-8", "ignore") or "x"


def forged_data(ids: dict[str, tuple[str, ...]]) -> st.SearchStrategy[str]:
    """Callback data a client could send that the bot never made."""
    number = st.one_of(st.integers(0, 120), st.integers(-5, 2**63 + 5)).map(str)
    templates = st.one_of(
        st.builds(lambda n, p: f"qa:{n}:{p}", number, number),
        st.builds(lambda n: f"qh:{n}", number),
        st.builds(
            lambda level, owner: f"qn:{level}:{owner}",
            st.sampled_from(("", "easy", "medium", "hard", "HARD", "x")),
            st.one_of(st.sampled_from([str(u) for u in USER_IDS]), number),
        ),
        st.builds(lambda level: f"qn:{level}", st.sampled_from(("", "easy", "hard", "nope"))),
        st.builds(lambda n, p: f"gt:{n}:{p}", number, number),
        st.builds(lambda v: f"gs:{v}", st.sampled_from(("0", "1", "2", "", "01"))),
        st.just(REMINDERS_OFF_DATA),
        st.just(MENU_DATA),
        *(st.builds(f"{prefix}:{{}}".format, st.sampled_from(ids[prefix])) for prefix in ids),
        st.builds(lambda n: f"w:{n}", number),
    )
    return st.one_of(
        templates,
        st.text(_any_char(), min_size=1, max_size=64),
        st.binary(min_size=1, max_size=64).map(lambda raw: raw.decode("utf-8", "replace")),
        st.builds(lambda p, r: f"{p}:{r}", st.sampled_from(_PREFIXES), st.text(max_size=20)),
    )


def press_spec(ids: dict[str, tuple[str, ...]]) -> st.SearchStrategy[PressSpec]:
    return st.builds(
        PressSpec,
        profile=USER_PROFILE,
        presser=st.sampled_from(USER_IDS),
        target=st.integers(0, 2**16),
        any_message=st.integers(0, 4).map(lambda n: n == 0),
        recent=st.booleans(),
        data_source=st.sampled_from(("real", "real", "mutated", "mutated", "forged")),
        button=st.integers(0, 2**16),
        mutation=MUTATION,
        forged=forged_data(ids),
        inaccessible=st.integers(0, 5).map(lambda n: n == 0),
    )


@st.composite
def other(draw: st.DrawFn) -> Other:
    chat_id = draw(st.sampled_from((SUPERGROUP_ID, BASIC_GROUP_ID, CHANNEL_ID, USER_IDS[0])))
    chat = chat_dict(chat_id, draw(CHAT_PROFILE))
    someone = user_dict(draw(st.sampled_from(USER_IDS)), draw(USER_PROFILE))
    # Administrator and restricted members need a dozen rights fields that PTB versions disagree
    # on; these four are enough to tell the bot it was added, removed or banned.
    statuses = ("member", "left", "kicked", "creator")
    old, new = draw(st.sampled_from(statuses)), draw(st.sampled_from(statuses))

    def member(status: str, user: dict[str, Any]) -> dict[str, Any]:
        extra = {"kicked": {"until_date": 0}, "creator": {"is_anonymous": False}}
        return {"status": status, "user": user, **extra.get(status, {})}

    kind = draw(st.sampled_from(("my_chat_member", "chat_member", "message_reaction", "future")))
    if kind in ("my_chat_member", "chat_member"):
        subject = BOT if kind == "my_chat_member" else someone
        payload = {
            "chat": chat,
            "from": someone,
            "date": 1,
            "old_chat_member": member(old, subject),
            "new_chat_member": member(new, subject),
        }
        return Other(kind, payload)
    if kind == "message_reaction":
        payload = {
            "chat": chat,
            "message_id": draw(st.integers(1, 2**31 - 1)),
            "date": 1,
            "user": someone,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        }
        return Other(kind, payload)
    # A kind of update a later Bot API version may add: PTB keeps it in api_kwargs.
    return Other("poll_of_the_future", {"chat": chat, "text": draw(MESSAGE_TEXT)})


def spec(ids: dict[str, tuple[str, ...]]) -> st.SearchStrategy[Spec]:
    return st.one_of(
        new_message(), new_message(), edit(), press_spec(ids), press_spec(ids), other()
    )


# --- the running bot, as the fuzzer sees it ------------------------------------------------------


@dataclass(frozen=True)
class BotMessageView:
    chat_id: int
    message_id: int
    text: str
    callback_data: tuple[str, ...]


@dataclass(frozen=True)
class RawUpdate:
    """An update queued as raw JSON (`kind` is its field: message, edited_message...)."""

    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Press:
    user: dict[str, Any]
    chat_id: int
    message_id: int
    data: str
    inaccessible: bool


Action = RawUpdate | Press


def _nth(items: list[T], pick: int) -> T:
    return items[pick % len(items)]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def error_records() -> Iterator[_Records]:
    """ERRORs from the bot's loggers and PTB's (an update PTB cannot parse, a crashed handler)."""
    records = _Records()
    loggers = [logging.getLogger("bot"), logging.getLogger("telegram")]
    for logger in loggers:
        logger.addHandler(records)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.removeHandler(records)


class Fuzzer:
    """Turns specs into updates for the emulator and checks what the bot did with each."""

    def __init__(self, emu: BotApiEmulator, app: Any, errors: _Records) -> None:
        self.emu = emu
        self.app = app
        self.errors = errors
        self.marks: list[int] = []  # one per update that started (the API calls seen by then)
        self.user_messages: list[tuple[int, int, int | None]] = []  # chat, message, sender
        self.next_ids: dict[int, int] = {}
        self.updates_sent = 0

    async def mark(self, update: object, context: object) -> None:
        self.marks.append(len(self.emu.calls))

    def _take_id(self, chat_id: int) -> int:
        message_id = self.next_ids.get(chat_id, FIRST_USER_MESSAGE_ID)
        self.next_ids[chat_id] = message_id + 1
        return message_id

    def _bot_messages(self) -> list[BotMessageView]:
        views = []
        for message in self.emu.bot_messages():
            if message.deleted:
                continue
            rows = (message.reply_markup or {}).get("inline_keyboard") or []
            views.append(
                BotMessageView(
                    message.chat_id,
                    message.message_id,
                    message.plain_text if message.kind == "text" else "",
                    tuple(
                        str(b["callback_data"])
                        for row in rows
                        for b in row
                        if "callback_data" in b
                    ),
                )
            )
        return views[-80:]

    def resolve(self, item: Spec, now: int) -> Action | None:
        """The concrete update for `item` given what exists now (None: nothing to press)."""
        if isinstance(item, NewMessage):
            message = dict(item.message)
            chat = message["chat"]
            message["message_id"] = self._take_id(chat["id"])
            message["date"] = 0 if item.age is None else now - item.age
            if item.kind == "edited_channel_post":
                message["edit_date"] = message["date"] + 1
            if item.reply is not None:
                replied = self._replied(item.reply, chat, now)
                if replied is not None:
                    message["reply_to_message"] = replied
            return RawUpdate(item.kind, message)
        if isinstance(item, Edit):
            return self._edit(item, now)
        if isinstance(item, Other):
            return RawUpdate(item.kind, {**item.payload, "date": now})
        return self._press(item)

    def _replied(self, reply: Reply, chat: dict[str, Any], now: int) -> dict[str, Any] | None:
        if reply.target == "bot":
            ours = [m for m in self._bot_messages() if m.chat_id == chat["id"]]
            if ours:
                target = _nth(ours, reply.pick)
                found = {"message_id": target.message_id, "date": now - 60, "chat": chat}
                found["from"] = BOT
                if target.text:
                    found["text"] = target.text
                return found
        if reply.target == "user":
            theirs = [m for m in self.user_messages if m[0] == chat["id"]]
            if theirs:
                _, message_id, sender = _nth(theirs, reply.pick)
                found = {"message_id": message_id, "date": now - 60, "chat": chat}
                if sender is not None:
                    found["from"] = {"id": sender, "is_bot": False, "first_name": "x"}
                found["text"] = reply.text
                return found
        if reply.target == "unknown":
            # Telegram's stub for a message the bot cannot see: only id, date 0 and chat.
            return {"message_id": reply.unknown_id, "date": 0, "chat": chat}
        return None

    def _edit(self, item: Edit, now: int) -> RawUpdate:
        if item.pick is not None and self.user_messages:
            chat_id, message_id, sender = _nth(self.user_messages, item.pick)
        else:
            chat_id, message_id = item.fallback_chat_id, item.fallback_message_id
            sender = chat_id if chat_id > 0 else USER_IDS[item.fallback_message_id % 5]
        date = now - item.age
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": date,
            "edit_date": date + item.edited_after,
            "chat": chat_dict(chat_id, item.chat_profile),
            **item.content,
        }
        if item.sender_profile is not None and sender is not None:
            message["from"] = user_dict(sender, item.sender_profile)
            message["from"]["is_bot"] = sender == ANONYMOUS_ADMIN_ID
        return RawUpdate("edited_message", message)

    def _press(self, item: PressSpec) -> Press | None:
        everything = self._bot_messages()
        with_buttons = [m for m in everything if m.callback_data]
        pool = everything if item.any_message or not with_buttons else with_buttons
        if item.recent:
            pool = pool[-4:]
        if not pool:
            return None
        target = _nth(pool, item.target)
        if item.data_source == "forged" or not target.callback_data:
            data = item.forged
        else:
            data = _nth(list(target.callback_data), item.button)
            if item.data_source == "mutated":
                data = mutate(data, item.mutation)
        # Only the chat's owner sees a private chat's buttons; anyone in a group sees them.
        presser = target.chat_id if target.chat_id > 0 else item.presser
        return Press(
            user=user_dict(presser, item.profile),
            chat_id=target.chat_id,
            message_id=target.message_id,
            data=fit(data),
            inaccessible=item.inaccessible,
        )

    async def run(self, specs: list[Spec]) -> list[str]:
        """Send one batch, wait until the bot has handled all of it, return what went wrong.

        Updates go out in rounds with at most one update per chat, all of a round at once (so
        the bot may handle them concurrently); a message the bot sends is that chat's update's.
        """
        problems: list[str] = []
        now = int(datetime.now(UTC).timestamp())
        rounds: list[list[Action]] = [[]]
        chats: set[int] = set()
        for item in specs:
            action = self.resolve(item, now)
            if action is None:
                continue
            chat_id = _chat_of(action)
            if chat_id in chats:
                rounds.append([])
                chats.clear()
            chats.add(chat_id)
            rounds[-1].append(action)
        for actions in rounds:
            problems += await self._round(actions)
        return problems

    async def _round(self, actions: list[Action]) -> list[str]:
        errors_before = len(self.errors.records)
        internal_before = len(self.emu.internal_errors)
        calls_before = len(self.emu.calls)
        expected = len(self.marks) + len(actions)
        queries: dict[str, Action] = {}
        for action in actions:
            if isinstance(action, Press):
                query_id = self.emu.press_data(
                    _as_user(action.user),
                    action.chat_id,
                    action.message_id,
                    action.data,
                    inaccessible=action.inaccessible,
                )
                queries[query_id] = action
                continue
            self.emu.queue_update({action.kind: action.payload})
            if action.kind == "message":
                sender = action.payload.get("from", {}).get("id")
                self.user_messages.append((_chat_of(action), action.payload["message_id"], sender))
        await self._until_idle(expected, calls_before)
        self.updates_sent += len(actions)

        problems: list[str] = []
        calls = self.emu.calls[calls_before:]
        by_chat = {_chat_of(action): action for action in actions}
        for chat_id, action in by_chat.items():
            sends = [
                c
                for c in calls
                if c.method.lower() in SEND_METHODS and c.ok and _param_chat(c) == chat_id
            ]
            if len(sends) > 1:
                problems.append(
                    f"{len(sends)} messages for one update {action!r}: "
                    + "; ".join(f"{c.method} {str(c.params.get('text'))[:80]!r}" for c in sends)
                )
        for query_id, action in queries.items():
            answers = len(self.emu.callback_answers(query_id))
            if answers != 1:
                problems.append(f"press answered {answers} times: {action!r}{_failed(calls)}")
        for record in self.errors.records[errors_before:]:
            problem = f"logged {record.levelname} {record.name}: {record.getMessage()}"
            if record.exc_info and record.exc_info[1] is not None:
                problem += f" ({record.exc_info[1]!r})"
            problems.append(problem)
        problems += [f"emulator bug: {e!r}" for e in self.emu.internal_errors[internal_before:]]
        return problems

    async def _until_idle(self, expected_marks: int, calls_before: int) -> None:
        """Every update of the round started, none is still running, no call is in flight."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        processor = self.app.update_processor
        # A group reply is queued (bot.tg.outbox) and may be sent after its handler finished;
        # it belongs to this round, not the next.
        outbox = outbox_of(self.app.bot)
        while not (
            len(self.marks) >= expected_marks
            and self.app.update_queue.empty()
            and processor.current_concurrent_updates == 0
            and (outbox is None or outbox.idle())
            and all(c.done or c.method == "getUpdates" for c in self.emu.calls[calls_before:])
        ):
            if loop.time() > deadline:
                raise TimeoutError(f"the bot did not settle; marks {len(self.marks)}")
            await asyncio.sleep(0.002)


def _chat_of(action: Action) -> int:
    if isinstance(action, Press):
        return action.chat_id
    return int(action.payload["chat"]["id"])


def _param_chat(call: ApiCall) -> int | None:
    try:
        return int(call.params.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _failed(calls: list[ApiCall]) -> str:
    """The calls Telegram refused, to explain a problem."""
    refused = [f"{c.method} -> {c.error}" for c in calls if not c.ok]
    return f" (refused: {'; '.join(refused)})" if refused else ""


def _on_loop(loop: asyncio.AbstractEventLoop) -> Callable[[Coroutine[Any, Any, T]], T]:
    def call(coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=120)

    return call


SEED = (
    (USER_IDS[0], "/start"),
    (USER_IDS[0], "/learn"),
    (USER_IDS[1], "/quiz"),
    (USER_IDS[2], "what is model drift?"),
    (USER_IDS[3], "/reminders"),
    (SUPERGROUP_ID, "/settings"),
    (SUPERGROUP_ID, "/groupquiz 3 30"),
    (BASIC_GROUP_ID, "/quiz"),
)


async def test_fuzzed_updates_never_crash_or_double_reply(
    emu: BotApiEmulator, tutor_factory: TutorFactory, pack: ContentPack
) -> None:
    """Hypothesis-generated updates with odd content never make the bot log an error; each
    gets at most one new message, and every button press exactly one answer."""
    assert emu.bot_user.id == BOT_ID
    users = {user_id: emu.user(user_id, f"User{user_id}") for user_id in USER_IDS}
    for user in users.values():
        emu.private_chat(user)
    emu.group(SUPERGROUP_ID, "Fuzz supergroup", admins=[ADMIN_ID])
    emu.group(BASIC_GROUP_ID, "Fuzz basic group", admins=[ADMIN_ID], supergroup=False)
    emu.channel(CHANNEL_ID, "Fuzz channel")
    ids = {
        "a": tuple(sorted(pack.answerables)),
        "t": tuple(sorted(pack.topics)),
        "c": tuple(sorted(pack.comparison)),
        "l": tuple(sorted(learn.LESSON_IDS)),
        "p": tuple(sorted(PICTURES)),
    }
    on_loop = _on_loop(asyncio.get_running_loop())
    with error_records() as errors:
        async with tutor_factory() as app:
            assert app.job_queue is not None
            # No job may fire mid-batch (its message would count against the running update).
            app.job_queue.scheduler.pause()
            fuzzer = Fuzzer(emu, app, errors)
            app.add_handler(TypeHandler(Update, fuzzer.mark), group=-100)
            # Something to press from the first example on: menus, a quiz, an answer, settings.
            for chat_id, text in SEED:
                emu.send_text(users[ADMIN_ID if chat_id < 0 else chat_id], chat_id, text)
            await emu.wait_quiet()
            assert not errors.records

            @settings(
                max_examples=FUZZ_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=[
                    HealthCheck.too_slow,
                    HealthCheck.data_too_large,
                    HealthCheck.large_base_example,
                ],
            )
            @given(
                st.lists(
                    st.lists(spec(ids), min_size=1, max_size=UPDATES_PER_BATCH),
                    min_size=1,
                    max_size=BATCHES_PER_EXAMPLE,
                )
            )
            def check(batches: list[list[Spec]]) -> None:
                for batch in batches:
                    problems = on_loop(fuzzer.run(batch))
                    assert not problems, "\n".join(problems)

            await asyncio.to_thread(check)
    assert fuzzer.updates_sent >= FUZZ_EXAMPLES
