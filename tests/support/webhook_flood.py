"""A flood of huge unauthenticated webhook bodies, slow (slowloris) clients, and the peak memory
of the process under them (used by tests/e2e/test_webhook.py and bench/hardening.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

FLOODERS = 16


FLOOD_BODY = 99 * 1024 * 1024


def peak_rss_kb(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc")


async def flood(port: int, until: float) -> int:
    """Keep POSTing 99 MB bodies without the secret until `until`; (bytes sent, requests)."""
    sent = refused = 0
    chunk = b"x" * 65536
    head = (
        f"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {FLOOD_BODY}\r\n\r\n"
    ).encode()
    while time.monotonic() < until:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.01)
            continue
        try:
            writer.write(head)
            for _ in range(FLOOD_BODY // len(chunk)):
                # asyncio drops writes to a connection the server closed without raising.
                if writer.transport.is_closing() or time.monotonic() >= until:
                    break
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
        except (ConnectionError, OSError):
            pass  # the server answered 403 and closed: start over
        finally:
            writer.close()
        refused += 1
    return sent, refused


async def trickle(port: int, instantly: bytes, slowly: bytes) -> float:
    """Connect, send `instantly`, then `slowly` a byte a second; return the seconds until the
    server closed the connection (whatever it answered first)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()

    async def drip() -> None:
        # A server that closed makes a write fail (or drop silently): either ends the drip.
        with contextlib.suppress(ConnectionError, OSError):
            writer.write(instantly)
            for byte in slowly:
                await writer.drain()
                await asyncio.sleep(1)
                writer.write(bytes([byte]))

    dripping = asyncio.ensure_future(drip())
    try:
        with contextlib.suppress(ConnectionError):
            await asyncio.wait_for(reader.read(), timeout=30)
        return time.monotonic() - started
    finally:
        dripping.cancel()
        writer.close()
