"""A real python-telegram-bot Application against the Bot API emulator, over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from PIL import Image
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.emulator import (
    SECRET_HEADER,
    BotApiEmulator,
    ButtonNotFoundError,
    EmulatorError,
    started_emulator,
)
from tests.emulator._entities import detect_entities, parse_html
from tests.support.harness import running_application

pytestmark = pytest.mark.e2e

AnyApp = Application[Any, Any, Any, Any, Any, Any]


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without this PTB 22 warns (PTBDeprecationWarning) inside RetryAfter's constructor, which
    # the warnings-as-errors setting turns into an exception replacing the RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with started_emulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as the_bot:
        yield the_bot


@pytest.fixture
async def outbound_hosts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Hosts of every TCP connection opened on this test's event loop (httpx and aiohttp)."""
    loop = asyncio.get_running_loop()
    hosts: list[str] = []
    original_connect = loop.create_connection
    original_sock_connect = loop.sock_connect

    async def spy_connection(factory: Any, host: Any = None, port: Any = None, **kw: Any) -> Any:
        sock = kw.get("sock")
        hosts.append(host if host is not None else sock.getpeername()[0])
        return await original_connect(factory, host, port, **kw)

    async def spy_sock_connect(sock: Any, address: Any) -> None:
        hosts.append(address[0])
        await original_sock_connect(sock, address)

    monkeypatch.setattr(loop, "create_connection", spy_connection)
    monkeypatch.setattr(loop, "sock_connect", spy_sock_connect)
    return hosts


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(message.text)


async def _menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes, please", callback_data="menu:yes")],
            [InlineKeyboardButton("No", callback_data="menu:no")],
        ]
    )
    await message.reply_text("<b>Ready?</b>", parse_mode="HTML", reply_markup=keyboard)


async def _on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"You chose {query.data}")


def _echo_app(emu: BotApiEmulator) -> AnyApp:
    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("menu", _menu))
    app.add_handler(CallbackQueryHandler(_on_press))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return app


def _png(width: int = 8, height: int = 5) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- through a running Application


async def test_text_is_echoed_quickly(emu: BotApiEmulator) -> None:
    """A user's text comes back as the bot's reply, well before the 10 s long-poll ends."""
    alice = emu.user(1, "Alice", "alice")
    chat = emu.private_chat(alice)
    async with running_application(_echo_app(emu)):
        await emu.wait_until_polling()
        started = time.monotonic()
        sent = emu.send_text(alice, chat, "hello there")
        [reply] = await emu.wait_for_messages(chat.id, 1)
        elapsed = time.monotonic() - started
    assert reply.text == "hello there"
    assert reply.chat_id == chat.id
    assert reply.message_id == sent.message_id + 1
    assert elapsed < 2.0


async def test_command_addressed_to_this_bot_in_a_group(emu: BotApiEmulator) -> None:
    """In a group, /menu@ThisBot is handled and /menu@OtherBot is ignored."""
    bob = emu.user(2, "Bob")
    group = emu.group(-100500, "Study group")
    async with running_application(_echo_app(emu)):
        emu.send_text(bob, group, "/menu@OtherBot")
        await emu.wait_quiet()
        assert emu.bot_messages(group) == []
        emu.send_text(bob, group, f"/menu@{emu.bot_user.username}")
        [menu] = await emu.wait_for_messages(group.id, 1)
    assert menu.plain_text == "Ready?"
    assert emu.buttons(menu) == [["Yes, please"], ["No"]]


async def test_pressing_a_button_answers_and_edits(emu: BotApiEmulator) -> None:
    """A press reaches the CallbackQueryHandler; its answer and the edit are recorded."""
    carol = emu.user(3, "Carol")
    chat = emu.private_chat(carol)
    async with running_application(_echo_app(emu)):
        emu.send_text(carol, chat, "/menu")
        [menu] = await emu.wait_for_messages(chat.id, 1)
        query_id = emu.press(carol, menu, "Yes")  # a unique prefix is enough
        await emu.wait_for(lambda: menu.edits)
    assert emu.callback_answers(query_id) == [
        {"callback_query_id": query_id, "text": "got menu:yes"}
    ]
    assert menu.text == "You chose menu:yes"
    assert menu.edits == ["<b>Ready?</b>"]
    # The edit did not repeat the keyboard, so (as on Telegram) it is gone.
    assert emu.buttons(menu) == []
    with pytest.raises(ButtonNotFoundError, match="no inline keyboard"):
        emu.press(carol, menu, "No")


async def test_pressing_a_missing_label_names_the_real_buttons(emu: BotApiEmulator) -> None:
    """Pressing a label that is not on the keyboard fails and lists the labels that are."""
    dave = emu.user(4, "Dave")
    chat = emu.private_chat(dave)
    async with running_application(_echo_app(emu)):
        emu.send_text(dave, chat, "/menu")
        [menu] = await emu.wait_for_messages(chat.id, 1)
    with pytest.raises(ButtonNotFoundError, match=r"'Maybe'.*\['Yes, please', 'No'\]"):
        emu.press(dave, menu.message_id, "Maybe", chat=chat)


async def test_updates_are_handled_in_order(emu: BotApiEmulator) -> None:
    """Forty texts from one user are echoed in the order they were sent."""
    erin = emu.user(5, "Erin")
    chat = emu.private_chat(erin)
    texts = [f"message {n}" for n in range(40)]
    async with running_application(_echo_app(emu)):
        for text in texts:
            emu.send_text(erin, chat, text)
        replies = await emu.wait_for_messages(chat.id, len(texts))
    assert [reply.text for reply in replies] == texts
    assert emu.pending_updates == 0


async def test_polling_survives_a_server_error(emu: BotApiEmulator) -> None:
    """A 500 on getUpdates is retried by the updater and the update still arrives."""
    frank = emu.user(6, "Frank")
    chat = emu.private_chat(frank)
    emu.fail_next("getUpdates", status=500)
    async with running_application(_echo_app(emu)):
        emu.send_text(frank, chat, "still there?")
        [reply] = await emu.wait_for_messages(chat.id, 1)
    statuses = [call.status for call in emu.calls_to("getUpdates")]
    assert statuses[0] == 500
    assert 200 in statuses[1:]
    assert reply.text == "still there?"


async def test_polling_survives_a_dropped_connection(emu: BotApiEmulator) -> None:
    """A getUpdates whose connection is closed without a reply is retried."""
    gina = emu.user(7, "Gina")
    chat = emu.private_chat(gina)
    emu.drop_next("getUpdates")
    async with running_application(_echo_app(emu)):
        emu.send_text(gina, chat, "anyone?")
        [reply] = await emu.wait_for_messages(chat.id, 1)
    assert emu.calls_to("getUpdates")[0].status == 0
    assert reply.text == "anyone?"


async def test_webhook_delivers_with_the_secret_header(
    emu: BotApiEmulator, outbound_hosts: list[str]
) -> None:
    """With a webhook set, updates are POSTed to it (on 127.0.0.1) with the secret header."""
    seen_secrets: list[str | None] = []
    app = _echo_app(emu)

    async def receive(request: web.Request) -> web.Response:
        seen_secrets.append(request.headers.get(SECRET_HEADER))
        update = Update.de_json(await request.json(), app.bot)
        await app.update_queue.put(update)
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    runner = web.AppRunner(receiver, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    hana = emu.user(8, "Hana")
    chat = emu.private_chat(hana)
    try:
        async with running_application(app, polling=False):
            assert await app.bot.set_webhook(
                f"http://127.0.0.1:{port}/hook", secret_token="s3cret-token"
            )
            with pytest.raises(Conflict, match="webhook is active"):
                await app.bot.get_updates()
            emu.send_text(hana, chat, "first")
            emu.send_text(hana, chat, "second")
            replies = await emu.wait_for_messages(chat.id, 2)
            info = await app.bot.get_webhook_info()
    finally:
        await runner.cleanup()
    assert [reply.text for reply in replies] == ["first", "second"]
    assert seen_secrets == ["s3cret-token", "s3cret-token"]
    assert [d.status for d in emu.webhook_deliveries] == [200, 200]
    assert info.url == f"http://127.0.0.1:{port}/hook"
    assert info.pending_update_count == 0
    assert set(outbound_hosts) == {"127.0.0.1"}


async def test_harness_runs_the_lifecycle_hooks_in_order(emu: BotApiEmulator) -> None:
    """post_init runs before polling starts; post_stop and post_shutdown run on exit."""
    events: list[str] = []

    async def post_init(app: AnyApp) -> None:
        events.append(f"post_init polling={emu.calls_to('getUpdates') != []}")
        await app.bot.set_my_commands([("menu", "Show the menu")])

    async def post_stop(app: AnyApp) -> None:
        events.append("post_stop")

    async def post_shutdown(app: AnyApp) -> None:
        events.append("post_shutdown")

    app = _echo_app(emu)
    app.post_init = post_init
    app.post_stop = post_stop
    app.post_shutdown = post_shutdown
    async with running_application(app):
        await emu.wait_until_polling()
        events.append("running")
    assert events == ["post_init polling=False", "running", "post_stop", "post_shutdown"]
    assert emu.my_commands() == [{"command": "menu", "description": "Show the menu"}]


async def test_nothing_leaves_loopback(emu: BotApiEmulator, outbound_hosts: list[str]) -> None:
    """Every connection opened during a conversation goes to 127.0.0.1, the only bound address."""
    ivan = emu.user(9, "Ivan")
    chat = emu.private_chat(ivan)
    async with running_application(_echo_app(emu)) as app:
        emu.send_text(ivan, chat, "/menu")
        [menu] = await emu.wait_for_messages(chat.id, 1)
        emu.press(ivan, menu, "No")
        await emu.wait_for(lambda: menu.edits)
        with pytest.raises(BadRequest, match="Bad webhook"):
            await app.bot.set_webhook("http://203.0.113.7/hook")
    assert outbound_hosts
    assert set(outbound_hosts) == {"127.0.0.1"}
    assert {address[0] for address in emu.addresses} == {"127.0.0.1"}


# ---------------------------------------------------------------- Telegram's rules, via a bare Bot


async def test_identical_edit_is_not_modified(emu: BotApiEmulator, bot: Bot) -> None:
    """Editing a message to the same text and markup fails like Telegram: not modified."""
    chat = emu.private_chat(emu.user(10, "Jo"))
    sent = await bot.send_message(chat.id, "<i>same</i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<i>same</i>", chat.id, sent.message_id, parse_mode="HTML")
    edited = await bot.edit_message_text(
        "<b>same</b>", chat.id, sent.message_id, parse_mode="HTML"
    )
    assert edited.entities[0].type == "bold"
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("gone", chat.id, 999)


async def test_text_limits_and_html_are_checked(emu: BotApiEmulator, bot: Bot) -> None:
    """Over-long text, broken HTML and over-long callback data are refused with 400."""
    chat = emu.private_chat(emu.user(11, "Kim"))
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(chat.id, "x" * 4097)
    await bot.send_message(chat.id, "x" * 4096)
    with pytest.raises(BadRequest, match='Can\'t parse entities: unsupported start tag "br"'):
        await bot.send_message(chat.id, "a<br>b", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(chat.id, "<b>open", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(chat.id, "1 < 2", parse_mode="HTML")
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(chat.id, "pick", reply_markup=too_long)
    ok = await bot.send_message(chat.id, "1 &lt; <b>2 &amp; 3</b>", parse_mode="HTML")
    assert ok.text == "1 < 2 & 3"
    assert [(e.type, e.offset, e.length) for e in ok.entities] == [("bold", 4, 5)]


def _article(result_id: str, text: str = "an answer", title: str = "A title") -> Any:
    return InlineQueryResultArticle(result_id, title, InputTextMessageContent(text))


async def test_inline_queries_need_inline_mode_and_answers_are_checked(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """An inline query reaches the bot only with inline mode on; answerInlineQuery is refused
    for an unknown or already answered query, more than 50 results, a duplicate, empty or
    over-long id, an empty title, and a message that is empty, too long or bad HTML."""
    kim = emu.user(11, "Kim")
    with pytest.raises(EmulatorError, match="inline mode is off"):
        emu.inline_query(kim, "drift")
    assert (await bot.get_me()).supports_inline_queries is False
    emu.set_inline_mode()
    assert (await bot.get_me()).supports_inline_queries is True
    query_id = emu.inline_query(kim, "drift", chat_type="group")
    [update] = await bot.get_updates(timeout=0)
    assert update.inline_query is not None
    assert (update.inline_query.id, update.inline_query.query) == (query_id, "drift")
    assert update.inline_query.chat_type == "group"

    refusals: list[tuple[list[Any], str]] = [
        ([_article(str(i)) for i in range(51)], "Results_too_much"),
        ([_article("a"), _article("a")], "Result_id_duplicate"),
        ([_article("x" * 65)], "Result_id_invalid"),
        ([_article("")], "Result_id_invalid"),
        ([_article("a", title=" ")], "Result_title_empty"),
        ([_article("a", text="x" * 4097)], "Message_too_long"),
        ([_article("a", text=" ")], "Message text is empty"),
    ]
    for results, error in refusals:
        with pytest.raises(BadRequest, match=error):
            await bot.answer_inline_query(query_id, results)
    bad_html = InlineQueryResultArticle(
        "a", "t", InputTextMessageContent("<b>open", parse_mode="HTML")
    )
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.answer_inline_query(query_id, [bad_html])
    assert emu.inline_answers() == []

    fifty = [_article(str(i), text="y" * 4096) for i in range(50)]
    assert await bot.answer_inline_query(query_id, fifty, cache_time=5, is_personal=False)
    [answer] = emu.inline_answers(query_id)
    assert len(answer["results"]) == 50 and answer["cache_time"] == 5
    assert answer["is_personal"] is False
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(query_id, [])
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query("999", [])


async def test_retry_after_surfaces_as_retry_after(emu: BotApiEmulator, bot: Bot) -> None:
    """A 429 with retry_after reaches the caller as RetryAfter; the next call succeeds."""
    chat = emu.private_chat(emu.user(12, "Lee"))
    emu.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat.id, "hi")
    assert caught.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    assert (await bot.send_message(chat.id, "hi")).text == "hi"
    assert [c.status for c in emu.calls_to("sendMessage")] == [429, 200]


async def test_server_error_then_success(emu: BotApiEmulator, bot: Bot) -> None:
    """A 500 becomes NetworkError for one call only, and a dropped connection likewise."""
    chat = emu.private_chat(emu.user(13, "Max"))
    emu.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(chat.id, "one")
    emu.drop_next("sendMessage")
    with pytest.raises(NetworkError, match="disconnected"):
        await bot.send_message(chat.id, "two")
    assert (await bot.send_message(chat.id, "three")).message_id == 1
    assert [m.text for m in emu.bot_messages(chat)] == ["three"]


async def test_get_updates_confirms_with_offset(emu: BotApiEmulator, bot: Bot) -> None:
    """getUpdates returns queued updates until an offset past them confirms them."""
    nia = emu.user(14, "Nia")
    chat = emu.private_chat(nia)
    emu.send_text(nia, chat, "one")
    emu.send_text(nia, chat, "two")
    first = await bot.get_updates(timeout=0)
    again = await bot.get_updates(timeout=0)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    assert [u.update_id for u in again] == [u.update_id for u in first]
    assert await bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()
    assert await bot.get_updates(timeout=0) == ()


async def test_second_poller_conflicts_the_first(emu: BotApiEmulator, bot: Bot) -> None:
    """A second instance's getUpdates ends a running long-poll with 409 Conflict."""
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until_polling()
    async with Bot(emu.token, base_url=emu.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first


async def test_concurrent_sends_get_distinct_increasing_ids(emu: BotApiEmulator, bot: Bot) -> None:
    """Fifty concurrent sends get ids 1..50 in their chat; another chat starts again at 1."""
    chat = emu.private_chat(emu.user(15, "Oli"))
    other = emu.private_chat(emu.user(16, "Pat"))
    sent = await asyncio.gather(*(bot.send_message(chat.id, f"n{n}") for n in range(50)))
    assert sorted(m.message_id for m in sent) == list(range(1, 51))
    assert (await bot.send_message(other.id, "x")).message_id == 1


async def test_photos_keep_their_bytes(emu: BotApiEmulator, bot: Bot) -> None:
    """An uploaded photo is kept byte for byte, re-sendable by file_id and downloadable."""
    chat = emu.private_chat(emu.user(17, "Quinn"))
    png = _png(8, 5)
    sent = await bot.send_photo(chat.id, png, caption="<b>map</b>", parse_mode="HTML")
    assert (sent.photo[0].width, sent.photo[0].height) == (8, 5)
    again = await bot.send_photo(chat.id, sent.photo[0].file_id)
    [first, second] = emu.bot_messages(chat)
    assert first.photo == png and second.photo == png
    assert first.caption == "<b>map</b>" and first.plain_text == "map"
    assert again.photo[0].file_id == sent.photo[0].file_id
    downloaded = await (await bot.get_file(sent.photo[0].file_id)).download_as_bytearray()
    assert bytes(downloaded) == png
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(chat.id, b"not an image")


async def test_chat_members_follow_set_admins(emu: BotApiEmulator, bot: Bot) -> None:
    """getChatMember and getChatAdministrators answer from the group's admin list."""
    rae = emu.user(18, "Rae")
    sam = emu.user(19, "Sam")
    group = emu.group(-100777, "Ops club", admins=[rae.id])
    assert (await bot.get_chat_member(group.id, rae.id)).status == "administrator"
    assert (await bot.get_chat_member(group.id, sam.id)).status == "member"
    emu.set_admins(group.id, [sam.id])
    admins = await bot.get_chat_administrators(group.id)
    assert [member.user.id for member in admins] == [sam.id]
    assert (await bot.get_chat(group.id)).title == "Ops club"


async def test_commands_are_validated_and_stored(emu: BotApiEmulator, bot: Bot) -> None:
    """setMyCommands stores lowercase commands per scope and refuses invalid names."""
    assert await bot.set_my_commands([("quiz", "Take a quiz"), ("help", "Get help")])
    assert [c.command for c in await bot.get_my_commands()] == ["quiz", "help"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Quiz", "Take a quiz")])
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()


async def test_blocked_user_and_unknown_method(emu: BotApiEmulator, bot: Bot) -> None:
    """A blocked user yields Forbidden and an unknown method yields EndPointNotFound."""
    tia = emu.user(20, "Tia")
    chat = emu.private_chat(tia)
    emu.block(tia)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(chat.id, "hello?")
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert emu.calls_to("noSuchMethod")[0].status == 404


async def test_restricted_group_refuses_posts(emu: BotApiEmulator, bot: Bot) -> None:
    """A group where the bot lost the right to post answers sends with 400 "not enough
    rights", until the restriction is lifted."""
    group = emu.group(-100777, "Quiet room")
    emu.restrict(group)
    with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
        await bot.send_message(group.id, "hello?")
    emu.unrestrict(group)
    assert (await bot.send_message(group.id, "hello")).chat.id == group.id


async def test_migrated_group_sends_service_messages_and_refuses_its_old_id(
    emu: BotApiEmulator,
) -> None:
    """Upgrading a group queues migrate_to/migrate_from service messages, and any call naming
    the old id then fails with ChatMigrated carrying the new id."""
    uma = emu.user(21, "Uma")
    old = emu.group(-4001, "Book club", admins=[uma], supergroup=False)
    assert old.type == "group"
    seen: list[tuple[int, int | None, int | None]] = []

    async def on_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        seen.append((message.chat.id, message.migrate_to_chat_id, message.migrate_from_chat_id))

    app = _echo_app(emu)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_status))
    async with running_application(app):
        new = emu.migrate(old, -1009001, by=uma)
        await emu.wait_for(lambda: len(seen) == 2)
        with pytest.raises(ChatMigrated) as raised:
            await app.bot.send_message(old.id, "still there?")
        sent = await app.bot.send_message(new.id, "hello again")
        member = await app.bot.get_chat_member(new.id, uma.id)  # admins carry over
    assert seen == [(old.id, new.id, None), (new.id, None, old.id)]
    assert raised.value.new_chat_id == new.id
    assert new.type == "supergroup" and new.title == "Book club"
    assert sent.chat.id == new.id
    assert member.status == "administrator"


async def test_inaccessible_press_carries_a_date_zero_stub(emu: BotApiEmulator) -> None:
    """A press with inaccessible=True reaches the bot as a message without content whose
    is_accessible is False, and the query still counts as unanswered until answered."""
    vic = emu.user(22, "Vic")
    chat = emu.private_chat(vic)
    stubs: list[tuple[bool, int, str | None]] = []

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        stubs.append((query.message.is_accessible, query.message.message_id, query.data))

    app = _echo_app(emu)
    app.add_handler(CallbackQueryHandler(on_press), group=-1)
    async with running_application(app):
        emu.send_text(vic, chat, "/menu")
        [menu] = await emu.wait_for_messages(chat.id, 1)
        query_id = emu.press(vic, menu, "No", inaccessible=True)
        await emu.wait_for(lambda: stubs)
        await emu.wait_for(lambda: emu.callback_answers(query_id))
    assert stubs == [(False, menu.message_id, "menu:no")]
    assert emu.unanswered_queries() == []


@pytest.mark.expects_bot_error("the bot ignores the press on purpose")
async def test_unanswered_queries_lists_presses_the_bot_ignored(emu: BotApiEmulator) -> None:
    """A press the bot received but never answered is reported; queued ones are not."""
    wes = emu.user(23, "Wes")
    chat = emu.private_chat(wes)
    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("menu", _menu))
    async with running_application(app):
        emu.send_text(wes, chat, "/menu")
        [menu] = await emu.wait_for_messages(chat.id, 1)
        query_id = emu.press(wes, menu, "No")
        await emu.wait_quiet()
    assert emu.unanswered_queries() == [query_id]


async def test_wait_for_call_sees_only_answered_calls_after_since(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """wait_for_call returns a call once answered, skipping calls before ``since``."""
    await bot.set_my_commands([("quiz", "Take a quiz")])
    mark = len(emu.calls)
    task = asyncio.create_task(bot.set_my_commands([("help", "Get help")]))
    call = await emu.wait_for_call(
        "setMyCommands", lambda c: c.params["commands"][0]["command"] == "help", since=mark
    )
    await task
    assert call.ok and call.done
    assert emu.calls.index(call) >= mark
    with pytest.raises(TimeoutError, match="condition not met"):
        await emu.wait_for_call("setMyCommands", since=len(emu.calls), timeout=0.2)


async def test_edits_and_channel_posts_arrive_as_their_update_types(
    emu: BotApiEmulator, bot: Bot
) -> None:
    """A user's edit arrives as edited_message and a channel post as channel_post."""
    uma = emu.user(21, "Uma")
    chat = emu.private_chat(uma)
    channel = emu.channel(-100900, "Announcements")
    original = emu.send_text(uma, chat, "waht is mlops")
    emu.edit_text(uma, chat, original.message_id, "what is mlops")
    emu.channel_post(channel, "new lesson out")
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["waht is mlops"]
    [edited] = [u.edited_message for u in updates if u.edited_message]
    assert (edited.message_id, edited.text) == (original.message_id, "what is mlops")
    [post] = [u.channel_post for u in updates if u.channel_post]
    assert post.sender_chat is not None and post.sender_chat.id == channel.id


async def test_wrong_token_is_rejected(emu: BotApiEmulator) -> None:
    """A bot whose token the emulator does not know cannot even initialise."""
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=emu.base_url):
            pass


# ---------------------------------------------------------------- entity computation


def test_user_entities_use_utf16_offsets() -> None:
    """Commands, mentions and URLs in user text get entities with UTF-16 offsets."""
    text = "🙂 /quiz@TutorTestBot ask @alice_b see https://example.org/x."
    found = [(e.type, e.offset, e.length) for e in detect_entities(text)]
    assert found == [("bot_command", 3, 18), ("mention", 26, 8), ("url", 39, 21)]


def test_html_pre_with_language_and_links() -> None:
    """<pre><code class="language-x"> becomes one pre entity with a language; links keep href."""
    plain, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre> <a href="https://t.me">t</a>'
    )
    assert plain == "x = 1 t"
    assert [e.to_dict() for e in entities] == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "text_link", "offset": 6, "length": 1, "url": "https://t.me"},
    ]


async def test_wait_quiet_waits_for_an_attached_bot_to_finish(emu: BotApiEmulator) -> None:
    """With a bot attached, a silence check lasts until the bot says it finished, however long
    past the old 0.1 s quiet window that is; detached, the window applies again."""
    finished = False

    def done() -> None:
        nonlocal finished
        finished = True

    emu.attach_bot(lambda: finished)
    asyncio.get_running_loop().call_later(0.4, done)
    started = time.monotonic()
    await emu.wait_quiet()
    assert finished and time.monotonic() - started >= 0.4
    emu.attach_bot(None)
    finished = False
    await emu.wait_quiet(timeout=1)


async def test_wait_quiet_counts_an_update_the_bot_has_not_confirmed(emu: BotApiEmulator) -> None:
    """An update handed out by getUpdates but not yet confirmed may still be on its way into the
    bot's queue: an idle bot does not make the emulator quiet until it confirms it."""
    user = emu.user(7, "Tess")
    emu.attach_bot(lambda: True)
    emu.send_text(user, emu.private_chat(user), "hello")
    with pytest.raises(TimeoutError):
        await emu.wait_quiet(timeout=0.3)
    emu.attach_bot(None)
