"""One default TLS context per test process instead of one per HTTP client.

Every python-telegram-bot ``Application`` opens two httpx clients, and each builds its own
default ``ssl.SSLContext`` by parsing certifi's CA bundle: 20-60 ms of CPU, twice for every
tutor a test starts, although the tests only speak plain HTTP to 127.0.0.1. A context is
shareable between clients, so the test session builds the default one once. A client that asks
for anything else (its own context, ``verify=False``, a client certificate, SSL_CERT_FILE or
SSL_CERT_DIR set) still gets exactly what httpx would build for it.
"""

from __future__ import annotations

import os
import ssl
from functools import cache
from typing import Any

__all__ = ["share_default_tls_context"]


def share_default_tls_context() -> bool:
    """Make httpx reuse one default TLS context in this process; False if httpx has no such seam
    (another version), in which case nothing changes."""
    try:
        from httpx._transports import default as transports
    except ImportError:
        return False
    build = getattr(transports, "create_ssl_context", None)
    if build is None or getattr(build, "shares_default", False):
        return build is not None

    @cache
    def default_context() -> ssl.SSLContext:
        context: ssl.SSLContext = build()
        return context

    def create_ssl_context(
        verify: Any = True, cert: Any = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        plain = verify is True and cert is None
        from_env = trust_env and any(os.environ.get(v) for v in ("SSL_CERT_FILE", "SSL_CERT_DIR"))
        if plain and not from_env:
            return default_context()
        context: ssl.SSLContext = build(verify=verify, cert=cert, trust_env=trust_env)
        return context

    create_ssl_context.shares_default = True  # type: ignore[attr-defined]
    transports.create_ssl_context = create_ssl_context  # type: ignore[attr-defined]
    return True
