"""The webhook server (bot/tg/webhook.py): bounded, checked before it reads, never a 500.

In process: each kind of bad request against the server alone. As a real process: sixteen
concurrent unauthenticated 99 MB bodies leave the bot's peak RSS where it was, and a genuine
update sent during the flood is answered at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram.ext import ApplicationBuilder

from bot.tg.state import AnyApp
from bot.tg.webhook import MAX_BODY, SECRET_HEADER, WebhookServer
from tests.emulator import BotApiEmulator
from tests.support.processes import bot_env, bot_process, free_port, stop
from tests.support.webhook_flood import FLOODERS, flood, peak_rss_kb, trickle

pytestmark = pytest.mark.e2e

SECRET = "s3cret_token"
UPDATE = {
    "update_id": 1,
    "message": {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 5, "type": "private", "first_name": "Eve"},
        "from": {"id": 5, "is_bot": False, "first_name": "Eve"},
        "text": "hello",
    },
}


@pytest.fixture
async def server() -> AsyncIterator[tuple[WebhookServer, AnyApp]]:
    app = ApplicationBuilder().token("123:TEST").updater(None).build()
    hook = WebhookServer(app, listen="127.0.0.1", port=free_port(), url_path="hook", secret=SECRET)
    await hook.start()
    try:
        yield hook, app
    finally:
        await hook.stop()


def url(hook: WebhookServer) -> str:
    return f"http://127.0.0.1:{hook.port}/hook"


async def post(hook: WebhookServer, body: Any, headers: dict[str, str] | None = None) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url(hook), data=body, headers=headers or {}) as response,
    ):
        return response.status


async def raw_request(port: int, head: str, body: bytes = b"") -> bytes:
    """Send a hand-made request and return whatever the server answers before it closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode() + body)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout=5)
    finally:
        writer.close()


async def test_a_good_update_is_queued(server: Any) -> None:
    hook, app = server
    assert await post(hook, json.dumps(UPDATE), {SECRET_HEADER: SECRET}) == 200
    update = app.update_queue.get_nowait()
    assert update.message.text == "hello"


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", "sécret"])
async def test_without_the_secret_the_body_is_never_read(server: Any, secret: str | None) -> None:
    """A missing or wrong secret gets 403 although the declared body (50 MB) never arrives:
    the server answered without waiting for it, and closed the connection."""
    hook, app = server
    header = f"{SECRET_HEADER}: {secret}\r\n" if secret is not None else ""
    head = (
        f"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{header}"
        f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
    )
    answer = await raw_request(hook.port, head, b"{" * 1000)
    assert answer.startswith(b"HTTP/1.1 403")
    assert app.update_queue.empty()


async def test_a_declared_oversized_body_is_refused_before_reading(server: Any) -> None:
    hook, app = server
    head = (
        f"POST /hook HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {SECRET}\r\n"
        f"Content-Length: {MAX_BODY + 1}\r\n\r\n"
    )
    answer = await raw_request(hook.port, head)
    assert answer.startswith(b"HTTP/1.1 413")
    assert app.update_queue.empty()


async def test_a_chunked_body_is_cut_off_past_the_limit(server: Any) -> None:
    """Without a Content-Length, reading stops once the body passes the limit."""
    hook, app = server

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(200):  # 12.8 MB if it were all read
            yield b" " * 65536

    try:
        status = await post(hook, endless(), {SECRET_HEADER: SECRET})
    except aiohttp.ClientError:
        status = 413  # the server closed while the client was still sending: also a refusal
    assert status == 413
    assert app.update_queue.empty()


@pytest.mark.parametrize(
    "body",
    [b"", b"{not json", b"\xff\xfe\xfa{}", b"[1, 2]", b'"text"', b'{"update_id": "x"}', b"null"],
)
async def test_a_malformed_body_with_the_secret_gets_400(server: Any, body: bytes) -> None:
    hook, app = server
    assert await post(hook, body, {SECRET_HEADER: SECRET}) == 400
    assert app.update_queue.empty()


async def test_other_paths_and_methods_are_refused(server: Any) -> None:
    hook, _ = server
    async with aiohttp.ClientSession() as session:
        async with session.get(url(hook)) as response:
            assert response.status == 405
        async with session.post(url(hook) + "x", data=b"{}") as response:
            assert response.status == 404


SLOW_CLIENTS = 300
SHORT_DEADLINE = 3.0


async def test_slow_clients_are_cut_off_and_do_not_delay_a_genuine_update() -> None:
    """300 connections trickle a byte a second, half of them their headers (no secret needed
    to get that far) and half their body after the right secret: each is closed by the server
    within the deadline, and a genuine update sent meanwhile is answered at once."""
    app = ApplicationBuilder().token("123:TEST").updater(None).build()
    hook = WebhookServer(
        app,
        listen="127.0.0.1",
        port=free_port(),
        url_path="hook",
        secret=SECRET,
        read_deadline=SHORT_DEADLINE,
    )
    await hook.start()
    try:
        body = json.dumps(UPDATE).encode()
        slow_head = f"POST /hook HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {SECRET}\r\n".encode()
        full_head = slow_head + f"Content-Length: {len(body)}\r\n\r\n".encode()
        slow = [
            trickle(hook.port, b"", slow_head) if i % 2 else trickle(hook.port, full_head, body)
            for i in range(SLOW_CLIENTS)
        ]
        clients = [asyncio.ensure_future(client) for client in slow]
        await asyncio.sleep(0.5)
        asked = time.monotonic()
        assert await post(hook, body, {SECRET_HEADER: SECRET}) == 200
        answered_in = time.monotonic() - asked
        held = await asyncio.gather(*clients)
    finally:
        await hook.stop()
    assert answered_in < 2, f"a genuine update took {answered_in:.1f} s among slow clients"
    assert max(held) < SHORT_DEADLINE + 1.5, f"a slow client was held {max(held):.1f} s"
    assert app.update_queue.qsize() == 1  # only the genuine one; no trickled body got through


# --- the real process under a flood --------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc for VmHWM")
async def test_a_flood_of_huge_unauthenticated_bodies_costs_no_memory_and_no_delay(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    hook_url = f"http://127.0.0.1:{port}/tutor-hook"
    args = ("--webhook-url", hook_url, "--listen", "127.0.0.1", "--port", str(port))
    env = bot_env(emu, tmp_path, LOG_LEVEL="INFO")
    async with bot_process(env, tmp_path, *args, "--secret", SECRET) as process:
        await emu.wait_for_call("setWebhook", timeout=60)
        user = emu.user(8, "Eve")
        chat = emu.private_chat(user)
        emu.send_text(user, chat, "what is model drift")
        await emu.wait_for_messages(chat.id, 1, timeout=30)
        baseline = peak_rss_kb(process.pid)
        until = time.monotonic() + 4
        flooders = [asyncio.ensure_future(flood(port, until)) for _ in range(FLOODERS)]
        await asyncio.sleep(0.3)
        asked = time.monotonic()
        emu.send_text(user, chat, "what is mlops")
        await emu.wait_for_messages(chat.id, 2, timeout=30)
        answered_in = time.monotonic() - asked
        results = await asyncio.gather(*flooders)
        requests = sum(r for _, r in results)
        peak = peak_rss_kb(process.pid)
        code, output = await stop(process)
    assert code == 0, output
    grew_mb = (peak - baseline) / 1024
    assert requests > 100, "the flood never got going"
    # Measured: 5-7 MB (the flood's connections in flight); PTB's built-in server: 1.7 GB.
    assert grew_mb < 12, f"peak RSS grew by {grew_mb:.1f} MB under the flood"
    assert answered_in < 2, f"a genuine update took {answered_in:.1f} s during the flood"
