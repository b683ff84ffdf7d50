"""Session-wide set-up: the sentence-embedding weights, fetched once by the project's own code.

The content pack and the matchers are built once per run (tests/support/content.py) and shared
by the tests that only read them.

Tests run with TUTOR_MODEL_DIR pointing into the repository's ignored .cache/ (unless the caller
set it), so a clean clone downloads the weights once through `bot.model.fetch_model`, exactly as
`tutor-bot model fetch` does, and later runs reuse them; $HOME is never touched.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.content import ContentPack
from bot.core.matcher import Matcher
from tests.support.content import fetch_lock, shared_fused_matcher, shared_matcher, shared_pack
from tests.support.tls import share_default_tls_context

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    # Subprocesses (the CLI, the bot under test) inherit this, so they find the same weights.
    os.environ.setdefault("TUTOR_MODEL_DIR", str(ROOT / ".cache" / "model"))
    os.environ.pop("TUTOR_MODEL", None)
    # Each tutor a test starts would otherwise parse the CA bundle twice (tests/support/tls.py).
    share_default_tls_context()


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The verified weights directory; the first run of a clean clone downloads them."""
    from bot.core.encoder import ModelError
    from bot.model import fetch_model, model_dir

    directory = model_dir()
    try:
        # Parallel workers (pytest -n) start together on a clean clone: one downloads, the
        # others wait and then find the files there (fetch_model checks before it fetches).
        with fetch_lock(directory):
            fetch_model(directory)
    except ModelError as exc:
        pytest.fail(f"the model weights could not be fetched: {exc}")
    return directory


@pytest.fixture(scope="session")
def fused_matcher(model_dir: Path) -> Matcher:
    """The matcher as the bot runs it: lexical and all-MiniLM-L6-v2 fused, built once."""
    return shared_fused_matcher()


@pytest.fixture(scope="session")
def pack() -> ContentPack:
    """The repository's content pack, loaded once for every test that only reads it."""
    return shared_pack()


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    """The lexical matcher over the shared pack, built once for every test that only reads it."""
    return shared_matcher()
