"""The content pack and the word matcher, built once per process and shared by every reader.

Loading the pack validates every YAML file and building the matcher indexes every phrasing; both
are immutable afterwards, so tests that only read them (and the benchmarks) share one of each
instead of rebuilding them per test. A test that changes a pack builds its own.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from bot.core.content import ContentPack, load_content
from bot.core.matcher import Matcher

__all__ = ["fetch_lock", "shared_fused_matcher", "shared_matcher", "shared_pack"]


@contextmanager
def fetch_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the weights directory, so processes that fetch the weights
    at the same time (parallel test workers on a clean clone) do it one after the other."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with (directory.parent / f".{directory.name}.fetch-lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@cache
def shared_pack() -> ContentPack:
    """The repository's content pack, loaded once."""
    return load_content()


@cache
def shared_matcher() -> Matcher:
    """The lexical matcher over ``shared_pack()``, built once."""
    return Matcher(shared_pack())


@cache
def shared_fused_matcher() -> Matcher:
    """The matcher as the bot runs it (lexical + all-MiniLM-L6-v2) over ``shared_pack()``; the
    first call fetches the weights into TUTOR_MODEL_DIR if they are not there yet."""
    from bot.model import build_matcher, fetch_model, model_dir

    with fetch_lock(model_dir()):
        fetch_model(model_dir())
    matcher = build_matcher(shared_pack())
    assert matcher.semantic is not None, "the fused matcher needs the model"
    return matcher
