"""Types and signatures: mypy --strict passes on all of `bot` (pyproject's [tool.mypy]), and
boolean parameters are keyword-only in every layer."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_strict_finds_nothing() -> None:
    """The whole bot type-checks under --strict (pyproject's [tool.mypy])."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True
    assert config["files"] == ["bot"]
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _positional_flags(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in node.args.posonlyargs + node.args.args:
                if arg.annotation is not None and ast.unparse(arg.annotation).startswith("bool"):
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}({arg.arg})")
    return found


def test_boolean_parameters_are_keyword_only() -> None:
    """A bare True/False at a call site says nothing: every layer of the bot (core, storage,
    services, the Telegram adapter, the console and the command line) takes flags by name."""
    paths = sorted((ROOT / "bot").rglob("*.py"))
    assert len(paths) > 60
    assert [flag for path in paths for flag in _positional_flags(path)] == []


def test_the_flag_check_sees_a_positional_flag(tmp_path: Path) -> None:
    """The check above is not vacuous: a positional bool is reported, a keyword-only one not."""
    source = tmp_path / "m.py"
    source.write_text("def f(x: int, on: bool, *, off: bool) -> None: ...\n", encoding="utf-8")
    assert [flag.split(" ")[1] for flag in _positional_flags(source, root=tmp_path)] == ["f(on)"]
