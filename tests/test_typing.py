"""Types and signatures: `mypy --strict` passes (pyproject's [tool.mypy] checks `bot`), and the
adapters' and services' boolean parameters are keyword-only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Typed in a parallel change (issue 14, core and storage); checked here once that lands.
NOT_YET = ("bot/core/", "bot/storage/")


def test_mypy_strict_finds_nothing() -> None:
    """Every module of the bot type-checks under --strict (the settings live in pyproject)."""
    pytest.importorskip("mypy")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [
        line
        for line in done.stdout.splitlines()
        if ": error:" in line and not line.startswith(NOT_YET)
    ]
    assert errors == [], "\n".join(errors)


def _positional_flags(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in node.args.posonlyargs + node.args.args:
                if arg.annotation is not None and ast.unparse(arg.annotation).startswith("bool"):
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name}({arg.arg})")
    return found


def test_boolean_parameters_are_keyword_only_in_the_adapters_and_services() -> None:
    """A bare True/False at a call site says nothing: the services, the Telegram adapter, the
    console and the command line take flags by name."""
    paths = [
        *(ROOT / "bot" / "tg").rglob("*.py"),
        *(ROOT / "bot" / "services").glob("*.py"),
        *(ROOT / "bot").glob("*.py"),
    ]
    assert len(paths) > 40
    assert [flag for path in sorted(paths) for flag in _positional_flags(path)] == []


def test_the_flag_check_sees_a_positional_flag(tmp_path: Path) -> None:
    """The check above is not vacuous: a positional bool is reported, a keyword-only one not."""
    source = tmp_path / "m.py"
    source.write_text("def f(x: int, on: bool, *, off: bool) -> None: ...\n", encoding="utf-8")
    assert [flag.split(" ")[1] for flag in _positional_flags(source, root=tmp_path)] == ["f(on)"]
