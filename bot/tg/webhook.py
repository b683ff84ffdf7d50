"""The webhook server: Telegram POSTs each update here; it goes to `Application.update_queue`.

Why not python-telegram-bot's built-in server: it (tornado) reads a request's whole body before
its handler can look at the secret header, so anyone who finds the port could make the bot hold
sixteen 99 MB bodies at once (its RSS went from 85 MB to 1.8 GB and a genuine update waited
8.8 s), and a malformed body that did carry the secret got a 500. This server, on aiohttp:

1. refuses a request without the right `X-Telegram-Bot-Api-Secret-Token` (403) before reading
   its body, and drops the connection instead of reading and discarding what the client sends;
2. refuses a declared `Content-Length` over `MAX_BODY` (413) the same way, and stops reading a
   chunked body once it passes `MAX_BODY` (Telegram's updates are a few kilobytes);
3. answers a body that is not a JSON object, not UTF-8 or not an update with 400;
4. hands a good update to the application's bounded update queue and answers 200 once queued;
5. gives a client `READ_DEADLINE` (10 s) from connecting to send its headers, and as long again
   for its body, then closes the connection: a client trickling a byte a second (slowloris)
   holds a connection for seconds, not for as long as it likes. aiohttp has no header timeout
   of its own; its keep-alive timer, armed when a connection opens, closes one that has not
   sent a whole request by then (and an idle keep-alive connection, which Telegram reopens).

PTB documents this pattern (a custom webhook server feeding `Application.update_queue`). TLS
ends at the reverse proxy in front of the bot, as with the built-in server.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket

from aiohttp import web
from telegram import Update

from bot.tg.state import AnyApp

__all__ = ["MAX_BODY", "READ_DEADLINE", "SECRET_HEADER", "WebhookServer"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# Telegram's updates are far smaller; a message of 4,096 characters with entities is ~50 KB.
MAX_BODY = 1024 * 1024
_CHUNK = 64 * 1024
# Seconds a client has for its headers, and again for its body; Telegram sends both at once.
READ_DEADLINE = 10.0
# Per connection, in the kernel (which doubles it); accepted connections inherit it.
_RECEIVE_BUFFER = 32 * 1024


async def _refuse(request: web.Request, status: int, reason: str) -> web.StreamResponse:
    """Answer, then drop the connection: whatever the client still sends is never read (aiohttp
    would otherwise go on parsing and discarding a body it will not use)."""
    response = web.Response(status=status, text=reason)
    response.force_close()
    # The client may hang up first (it was still sending); then there is nobody to tell.
    with contextlib.suppress(ConnectionError):
        await response.prepare(request)
        await response.write_eof()
    if request.transport is not None:
        request.transport.close()
    return response


def _listening_socket(host: str, port: int) -> socket.socket:
    """A listening socket whose connections buffer little: the event loop reads whatever the
    kernel holds (up to 256 KB a read), so a small receive buffer bounds what a connection
    that is about to be refused can make the bot hold in memory."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class WebhookServer:
    """Serves `POST /<url_path>` on `listen:port` for one application."""

    def __init__(
        self,
        app: AnyApp,
        *,
        listen: str,
        port: int,
        url_path: str,
        secret: str,
        max_body: int = MAX_BODY,
        read_deadline: float = READ_DEADLINE,
    ) -> None:
        self.app = app
        self.listen = listen
        self.port = port
        self.url_path = "/" + url_path.lstrip("/")
        self._secret = secret.encode()
        self.max_body = max_body
        self.read_deadline = read_deadline
        self._runner: web.AppRunner | None = None

    def _authorised(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self._secret)

    async def _read(self, request: web.Request) -> bytes | None:
        """The body, or None once it passes `max_body`."""
        body = bytearray()
        while chunk := await request.content.read(_CHUNK):
            body += chunk
            if len(body) > self.max_body:
                return None
        return bytes(body)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request):
            return await _refuse(request, 403, "forbidden")
        length = request.content_length
        if length is not None and length > self.max_body:
            return await _refuse(request, 413, "body too large")
        try:
            async with asyncio.timeout(self.read_deadline):
                body = await self._read(request)
        except TimeoutError:
            return await _refuse(request, 408, "body too slow")
        if body is None:
            return await _refuse(request, 413, "body too large")
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise TypeError("not an update")
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            # ValueError covers bad JSON and bytes that are not UTF-8 (UnicodeDecodeError).
            log.warning("webhook: refused a malformed update (%s)", type(error).__name__)
            return web.Response(status=400, text="malformed update")
        await self.app.update_queue.put(update)
        return web.Response(status=200)

    async def start(self) -> None:
        server = web.Application(client_max_size=self.max_body)
        server.router.add_post(self.url_path, self.handle)
        # lingering_time=0: a refused request's remaining body is never read (aiohttp would
        # otherwise drain it for up to 10 s). keepalive_timeout: the header deadline (see 5.).
        runner = web.AppRunner(
            server,
            access_log=None,
            handle_signals=False,
            lingering_time=0,
            keepalive_timeout=self.read_deadline,
        )
        await runner.setup()
        try:
            await web.SockSite(runner, _listening_socket(self.listen, self.port)).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("webhook server listening on %s:%s%s", self.listen, self.port, self.url_path)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
