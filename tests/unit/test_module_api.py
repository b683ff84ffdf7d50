"""Each module of the bot (core, storage, pictures, services, the Telegram adapter, the console
and the command line) says what it offers in ``__all__`` (checked against what it defines), not
in hand-written "Public API" prose that drifts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"
MODULES = sorted(
    path
    for path in BOT.rglob("*.py")
    if path.name != "__init__.py" and not path.relative_to(BOT).as_posix().startswith("_content")
)


def defined_public_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_") and n != "log"}


def imported_names(tree: ast.Module) -> set[str]:
    return {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    return None


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(BOT).as_posix())
def test_all_names_what_the_module_defines(path: Path) -> None:
    """``__all__`` exists, leaves nothing the module defines out, and names nothing it lacks
    (a deliberate re-export of an imported name is allowed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exported = declared_all(tree)
    assert exported is not None, "no __all__"
    assert len(exported) == len(set(exported)), "a name is listed twice"
    defined = defined_public_names(tree)
    assert defined <= set(exported), "defined but not in __all__"
    assert set(exported) <= defined | imported_names(tree), "in __all__ but not in the module"
    assert "Public API" not in (ast.get_docstring(tree) or "")


def test_the_check_catches_drift() -> None:
    """A name listed but not defined, or defined but not listed, is told apart from a match."""
    good = ast.parse('__all__ = ["f", "LIMIT"]\nLIMIT = 1\n_hidden = 2\ndef f(): ...\n')
    assert set(declared_all(good) or []) == defined_public_names(good)
    drifted = ast.parse('__all__ = ["forget_data"]\ndef forget_user(): ...\n')
    assert set(declared_all(drifted) or []) != defined_public_names(drifted)
    assert len(MODULES) > 60
