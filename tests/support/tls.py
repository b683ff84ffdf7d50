"""One default TLS context per test process instead of one per HTTP client.

Every python-telegram-bot ``Application`` opens two httpx clients, and each builds its own
default ``ssl.SSLContext`` by parsing certifi's CA bundle: 20-60 ms of CPU, twice for every
tutor a test starts, although the tests only speak plain HTTP to 127.0.0.1. A context is
shareable between clients, so the test session builds the default one once (per value of
SSL_CERT_FILE and SSL_CERT_DIR, which httpx reads). A client that asks for anything else (its own
context, ``verify=False``, a client certificate) still gets exactly what httpx builds for it.
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
    def default_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
        # The arguments key the cache: httpx reads SSL_CERT_FILE / SSL_CERT_DIR when it builds.
        context: ssl.SSLContext = build()
        return context

    def create_ssl_context(
        verify: Any = True, cert: Any = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        if verify is True and cert is None and trust_env:
            return default_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        context: ssl.SSLContext = build(verify=verify, cert=cert, trust_env=trust_env)
        return context

    create_ssl_context.shares_default = True  # type: ignore[attr-defined]
    transports.create_ssl_context = create_ssl_context  # type: ignore[attr-defined]
    return True
