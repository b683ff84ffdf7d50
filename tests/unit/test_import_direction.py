"""Imports flow one way: adapters -> services -> core and storage; only bot/tg touches Telegram.

``bot.pictures`` (rendering) sits beside the core: it may read the core's types, the services and
adapters may call it, and the core itself draws nothing (no Pillow, no ``bot.pictures``).

Inside the Telegram adapter the views are pure: they may not import the handlers, the plumbing
that sends or schedules, or the application state.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "bot"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports included)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> set[str]:
    tree = ast.parse(source)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base)
                module = f"{prefix}.{node.module}" if node.module else prefix
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


MODULES = sorted(ROOT.rglob("*.py"))


def hits(imported: set[str], *roots: str) -> list[str]:
    return sorted(i for i in imported if any(i == r or i.startswith(r + ".") for r in roots))


def test_there_are_modules_to_check() -> None:
    """The walk finds the package's modules (so the other checks are not vacuous)."""
    names = {module_name(p) for p in MODULES}
    assert {"bot.core.content", "bot.tg.app", "bot.config", "bot.pictures.diagrams"} <= names


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_import_direction(path: Path) -> None:
    """Each module imports only what its layer may see."""
    name = module_name(path)
    imported = imports_of(path)
    if name.startswith(("bot.core", "bot.storage")):
        assert not hits(imported, "telegram", "bot.tg", "bot.services"), name
    if name.startswith("bot.core"):
        assert not hits(imported, "sqlite3", "aiosqlite", "bot.storage"), name
        assert not hits(imported, "PIL", "bot.pictures"), name
    if name.startswith("bot.pictures"):
        forbidden = ("telegram", "bot.tg", "bot.services", "bot.storage", "sqlite3", "aiosqlite")
        assert not hits(imported, *forbidden), name
    if name.startswith("bot.services"):
        # The services speak the domain only: no adapter, so no Telegram or console detail.
        assert not hits(imported, "bot.tg", "bot.console"), name
    if not name.startswith("bot.tg"):
        assert not hits(imported, "telegram"), name
    if name != "bot.__main__":
        assert not hits(imported, "bot.console", "bot.__main__"), name
    else:
        assert not hits(imported, "bot.__main__"), name


@pytest.mark.parametrize(
    "path", [p for p in MODULES if module_name(p).startswith("bot.tg.views")], ids=module_name
)
def test_views_are_pure(path: Path) -> None:
    """A view turns service results into HTML and keyboards; it never sends or handles."""
    forbidden = (
        "bot.tg.handlers",
        "bot.tg.send",
        "bot.tg.outbox",
        "bot.tg.scheduling",
        "bot.tg.state",
        "bot.tg.app",
        "telegram.ext",
    )
    assert not hits(imports_of(path), *forbidden), module_name(path)


def test_the_layering_checks_catch_a_service_importing_the_adapter() -> None:
    """The service rule is not vacuous: an import of the adapter is seen."""
    imported = imports_in("from bot.tg.scheduling import daily_job\n", "bot.services")
    assert hits(imported, "bot.tg", "bot.console") == [
        "bot.tg.scheduling",
        "bot.tg.scheduling.daily_job",
    ]


def test_the_checker_sees_relative_and_nested_imports() -> None:
    """Relative imports and imports inside functions are resolved to absolute module names."""
    source = "from ..tg import app\nfrom . import text\n\ndef f():\n    import telegram.ext\n"
    imported = imports_in(source, "bot.core")
    assert "bot.tg" in imported
    assert "bot.core.text" in imported
    assert "telegram.ext" in imported
