"""Static security checks over the source tree (plain ast, no imports of the checked code), and
the content loader refusing a YAML file that asks for code to run.

SQL only with parameters: every `execute`-style call in bot/ takes SQL built only from literals
and module-level constants, never from a value that could carry input; SQL lives in
bot/storage only. YAML only with safe loading: no unsafe loader is named anywhere in bot/.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.content import load_content
from bot.errors import ContentError

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
STORAGE = BOT / "storage"

SQL_METHODS = frozenset(
    {"execute", "executemany", "execute_fetchall", "executescript", "execute_insert"}
)

# SQL arguments that are variables yet cannot carry input, each with the reason. The checker
# fails on an entry that no longer matches anything, so this list cannot rot.
ALLOWED_SQL_VARIABLES: dict[tuple[str, str], str] = {
    ("bot/storage/migrations.py", "statement"): (
        "the statements of the module's own migration scripts, split by _statements()"
    ),
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}"


def _modules(root: Path) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(root.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text("utf-8"), str(path))


class _Constants:
    """Module-level names bound once to SQL-safe strings, across the checked modules (so an
    `UPSERT_USER` imported from another storage module resolves too)."""

    def __init__(self, modules: dict[str, ast.Module]) -> None:
        self._assigned: dict[str, dict[str, ast.expr]] = {}
        self._imports: dict[str, dict[str, tuple[str, str]]] = {}
        for path, tree in modules.items():
            assigned: dict[str, ast.expr] = {}
            counts: dict[str, int] = {}
            imports: dict[str, tuple[str, str]] = {}
            for node in tree.body:
                targets: list[ast.expr] = []
                value: ast.expr | None = None
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    targets, value = [node.target], node.value
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    source = node.module.replace(".", "/") + ".py"
                    for alias in node.names:
                        imports[alias.asname or alias.name] = (source, alias.name)
                for target in targets:
                    if isinstance(target, ast.Name) and value is not None:
                        assigned[target.id] = value
                        counts[target.id] = counts.get(target.id, 0) + 1
            # A name bound twice at module level is not a constant.
            self._assigned[path] = {k: v for k, v in assigned.items() if counts[k] == 1}
            self._imports[path] = imports

    def value(self, path: str, name: str, depth: int = 0) -> tuple[str, ast.expr] | None:
        """Where `name` is bound to a module-level value as seen from `path`, or None."""
        if depth > 5:
            return None
        if name in self._assigned.get(path, {}):
            return path, self._assigned[path][name]
        source = self._imports.get(path, {}).get(name)
        if source is not None and source[0] in self._assigned:
            return self.value(source[0], source[1], depth + 1)
        return None


def _loop_source(func: ast.AST | None, name: str) -> tuple[ast.expr, int | None] | None:
    """The iterable of a `for name in ...` (or `for ..., name, ... in ...`) inside `func`, and
    which item of each element `name` takes (None: the element itself). A loop variable over a
    constant tuple is as safe as the tuple's items."""
    if func is None:
        return None
    for node in ast.walk(func):
        if not isinstance(node, ast.For | ast.AsyncFor):
            continue
        target = node.target
        if isinstance(target, ast.Name) and target.id == name:
            return node.iter, None
        if isinstance(target, ast.Tuple):
            for index, item in enumerate(target.elts):
                if isinstance(item, ast.Name) and item.id == name:
                    return node.iter, index
    return None


class _SqlChecker:
    def __init__(self, constants: _Constants) -> None:
        self.constants = constants

    def safe(self, node: ast.expr, path: str, func: ast.AST | None, depth: int = 0) -> bool:
        """Whether `node` can only ever be text written in the source (or an int)."""
        if depth > 8:
            return False
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.safe(node.left, path, func, depth + 1) and self.safe(
                node.right, path, func, depth + 1
            )
        if isinstance(node, ast.JoinedStr):
            return all(self._safe_part(part, path, func, depth) for part in node.values)
        if isinstance(node, ast.Tuple):
            return all(self.safe(item, path, func, depth + 1) for item in node.elts)
        if isinstance(node, ast.Name):
            bound = self.constants.value(path, node.id)
            if bound is not None:
                return self.safe(bound[1], bound[0], None, depth + 1)
            loop = _loop_source(func, node.id)
            if loop is not None:
                return self._safe_items(loop[0], loop[1], path, func, depth + 1)
        # %-formatting, .format(), calls, attributes, parameters: could carry input.
        return False

    def _safe_items(
        self, source: ast.expr, index: int | None, path: str, func: ast.AST | None, depth: int
    ) -> bool:
        """Whether every element of `source` (a constant tuple), or its `index`-th item, is
        safe."""
        if isinstance(source, ast.Name):
            bound = self.constants.value(path, source.id)
            if bound is None:
                return False
            source, path, func = bound[1], bound[0], None
        if not isinstance(source, ast.Tuple | ast.List):
            return False
        for element in source.elts:
            if index is not None:
                if not isinstance(element, ast.Tuple) or index >= len(element.elts):
                    return False
                element = element.elts[index]
            if not self.safe(element, path, func, depth + 1):
                return False
        return True

    def _safe_part(self, part: ast.expr, path: str, func: ast.AST | None, depth: int) -> bool:
        if isinstance(part, ast.Constant):
            return True
        if not isinstance(part, ast.FormattedValue) or part.format_spec is not None:
            return False
        value = part.value
        # int(...) can only render digits (PRAGMA values cannot be bound as parameters).
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            return value.func.id == "int"
        return self.safe(value, path, func, depth + 1)


def _calls_with_function(tree: ast.Module) -> Iterator[tuple[ast.Call, ast.AST | None]]:
    """Every call in the module with the function (or None at module level) it sits in."""

    def visit(node: ast.AST, func: ast.AST | None) -> Iterator[tuple[ast.Call, ast.AST | None]]:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else func
            if isinstance(child, ast.Call):
                yield child, func
            yield from visit(child, inner)

    yield from visit(tree, None)


def sql_findings(modules: dict[str, ast.Module]) -> tuple[list[Finding], set[tuple[str, str]]]:
    """Problems with SQL calls and database imports, and the allow-list entries that matched."""
    checker = _SqlChecker(_Constants(modules))
    findings: list[Finding] = []
    used: set[tuple[str, str]] = set()
    for path, tree in modules.items():
        in_storage = path.startswith("bot/storage/")
        for call, func in _calls_with_function(tree):
            if not (isinstance(call.func, ast.Attribute) and call.func.attr in SQL_METHODS):
                continue
            if not in_storage:
                findings.append(Finding(path, call.lineno, f".{call.func.attr}( outside storage"))
                continue
            if not call.args:
                findings.append(Finding(path, call.lineno, "SQL call without its statement"))
                continue
            sql = call.args[0]
            if checker.safe(sql, path, func):
                continue
            key = (path, ast.unparse(sql))
            if key in ALLOWED_SQL_VARIABLES:
                used.add(key)
                continue
            findings.append(
                Finding(path, call.lineno, f"SQL built from a value: {ast.unparse(sql)[:80]}")
            )
        if not in_storage:
            findings += _database_imports(path, tree)
    return findings, used


def _database_imports(path: str, tree: ast.Module) -> list[Finding]:
    """sqlite3 is storage-only; aiosqlite may be named outside storage only in annotations
    (services pass storage's connection from one storage call to the next)."""
    findings: list[Finding] = []
    annotations: set[int] = set()
    for node in ast.walk(tree):
        found = []
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            found.append(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            found.append(node.returns)
        for annotation in found:
            annotations.update(id(inner) for inner in ast.walk(annotation))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module.split(".")[0]]
            if names == ["aiosqlite"]:
                findings.append(
                    Finding(path, node.lineno, "from aiosqlite import outside storage")
                )
                continue
        if "sqlite3" in names:
            findings.append(Finding(path, node.lineno, "sqlite3 imported outside storage"))
        if (
            isinstance(node, ast.Name)
            and node.id in ("aiosqlite", "sqlite3")
            and id(node) not in annotations
        ):
            findings.append(Finding(path, node.lineno, f"{node.id} used outside an annotation"))
    return findings


YAML_UNSAFE_FUNCTIONS = frozenset(
    {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}
)
YAML_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader"})
YAML_UNSAFE_NAMES = frozenset(
    {"Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader"}
)


def yaml_findings(modules: dict[str, ast.Module]) -> list[Finding]:
    """Any unsafe YAML loading function or loader class named in the modules."""
    findings: list[Finding] = []
    for path, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "yaml":
                for alias in node.names:
                    if alias.name in YAML_UNSAFE_FUNCTIONS | YAML_UNSAFE_NAMES:
                        findings.append(
                            Finding(path, node.lineno, f"from yaml import {alias.name}")
                        )
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "yaml"
                and node.attr in YAML_UNSAFE_FUNCTIONS | YAML_UNSAFE_NAMES
            ):
                findings.append(Finding(path, node.lineno, f"yaml.{node.attr}"))
            if isinstance(node, ast.keyword) and node.arg == "Loader":
                loader = node.value
                name = loader.attr if isinstance(loader, ast.Attribute) else None
                if name not in YAML_SAFE_LOADERS:
                    findings.append(
                        Finding(path, loader.lineno, f"Loader={ast.unparse(loader)} is not safe")
                    )
    return findings


@pytest.fixture(scope="module")
def bot_modules() -> dict[str, ast.Module]:
    return dict(_modules(BOT))


def _parse(snippets: dict[str, str]) -> dict[str, ast.Module]:
    return {path: ast.parse(text) for path, text in snippets.items()}


# --- SQL -----------------------------------------------------------------------------------------


def test_sql_is_only_ever_parameterised(bot_modules: dict[str, ast.Module]) -> None:
    """Every execute/executemany/execute_fetchall/executescript call in bot/ is in bot/storage
    and takes SQL made of literals and constants only; sqlite3 is imported nowhere else."""
    findings, used = sql_findings(bot_modules)
    assert [str(f) for f in findings] == []
    assert used == set(ALLOWED_SQL_VARIABLES), "an allow-list entry matches nothing any more"


BAD_SQL = {
    "f-string with a parameter": 'async def f(c, name):\n    await c.execute(f"SELECT {name}")\n',
    "%-format": 'async def f(c, n):\n    await c.execute("SELECT %s" % n)\n',
    ".format()": 'async def f(c, n):\n    await c.execute("SELECT {}".format(n))\n',
    "+ with a variable": 'async def f(c, n):\n    await c.executemany("SELECT " + n, [])\n',
    "a variable": "async def f(c, sql):\n    await c.execute_fetchall(sql)\n",
    "a rebound constant": 'Q = "SELECT 1"\nQ = input()\nasync def f(c):\n    await c.execute(Q)\n',
    "a loop over input": (
        "async def f(c, names):\n"
        '    for t in names:\n        await c.execute(f"DELETE FROM {t}")\n'
    ),
    "a loop over pairs with input": (
        'async def f(c, n):\n    for t, q in (("a", n),):\n        await c.execute(q)\n'
    ),
}


@pytest.mark.parametrize("source", BAD_SQL.values(), ids=BAD_SQL.keys())
def test_the_sql_checker_flags_unsafe_sql(source: str) -> None:
    """The checker itself catches SQL built from values (it would pass anything if broken)."""
    findings, _ = sql_findings(_parse({"bot/storage/bad.py": source}))
    assert len(findings) == 1, source


def test_the_sql_checker_accepts_constants_and_flags_sql_outside_storage() -> None:
    """Literals, concatenated literals, module constants (also imported ones), ints in PRAGMAs
    and loops over constant table names pass; SQL or sqlite3 outside bot/storage does not."""
    good = {
        "bot/storage/a.py": 'Q = "SELECT 1"\nT = ("a", "b")\n',
        "bot/storage/b.py": (
            "from bot.storage.a import Q, T\n"
            'P = "SELECT " + "2"\n'
            "async def f(c, n):\n"
            '    await c.execute("SELECT ?", (n,))\n'
            "    await c.execute(Q)\n"
            "    await c.execute(P)\n"
            '    await c.execute(f"PRAGMA busy_timeout = {int(n)}")\n'
            "    for t in T:\n"
            '        await c.execute(f"DELETE FROM {t} WHERE x = ?", (n,))\n'
            '    for name, sql in (("x", "SELECT 3"), ("y", Q)):\n'
            "        await c.execute(sql)\n"
        ),
    }
    assert sql_findings(_parse(good))[0] == []
    outside = {
        "bot/services/x.py": (
            "import sqlite3\nimport aiosqlite\n"
            "async def f(c: aiosqlite.Connection):\n"
            '    await c.execute("SELECT 1")\n'
            "    aiosqlite.connect(':memory:')\n"
        )
    }
    problems = sorted(f.problem for f in sql_findings(_parse(outside))[0])
    assert problems == [
        ".execute( outside storage",
        "aiosqlite used outside an annotation",
        "sqlite3 imported outside storage",
    ]


# --- YAML ----------------------------------------------------------------------------------------


def test_yaml_is_only_loaded_safely(bot_modules: dict[str, ast.Module]) -> None:
    """No module in bot/ names yaml.load, unsafe_load, full_load or a loader other than the
    safe ones."""
    assert [str(f) for f in yaml_findings(bot_modules)] == []


BAD_YAML = {
    "yaml.load": "import yaml\nyaml.load(text, Loader=yaml.SafeLoader)\n",
    "unsafe_load": "import yaml\nyaml.unsafe_load(text)\n",
    "full_load": "import yaml\nyaml.full_load(text)\n",
    "Loader=yaml.Loader": "import yaml\nyaml.compose(text, Loader=yaml.Loader)\n",
    "from yaml import": "from yaml import FullLoader\n",
}


@pytest.mark.parametrize("source", BAD_YAML.values(), ids=BAD_YAML.keys())
def test_the_yaml_checker_flags_unsafe_loading(source: str) -> None:
    """The checker catches each unsafe way of loading YAML."""
    assert yaml_findings(_parse({"bot/x.py": source})) != []


def test_the_yaml_checker_accepts_safe_loading() -> None:
    """safe_load and the safe loaders pass."""
    source = (
        "import yaml\nyaml.safe_load(t)\nyaml.compose(t, Loader=yaml.SafeLoader)\n"
        "yaml.compose(t, Loader=yaml.CSafeLoader)\n"
    )
    assert yaml_findings(_parse({"bot/x.py": source})) == []


PYTHON_TAGS = {
    "apply on a list": 'alternatives: !!python/object/apply:os.system ["touch {marker}"]',
    "apply on the answer": 'answer: !!python/object/apply:os.system ["touch {marker}"]',
    "name scalar": "answer: !!python/name:os.system",
    "object mapping": "answer: !!python/object:os.PathLike {{path: {marker}}}",
}


@pytest.mark.parametrize("line", PYTHON_TAGS.values(), ids=PYTHON_TAGS.keys())
def test_content_with_a_python_tag_is_refused_not_run(tmp_path: Path, line: str) -> None:
    """A content file asking for os.system through a YAML tag fails to load with a located
    ContentError naming the tag, and nothing is executed."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    marker = tmp_path / "executed"
    key = line.split(":")[0]
    entry = {
        "id": "tagged-entry",
        "topic": "degradation",
        "question": "What is in this file?",
        "alternatives": "\n      - one way to ask\n      - another way to ask",
        "answer": "A plain answer.",
    }
    fields = "".join(
        f"    {line.format(marker=marker)}\n" if name == key else f"    {name}: {value}\n"
        for name, value in entry.items()
    )
    (content / "faq" / "tagged.yaml").write_text("entries:\n  - " + fields.lstrip(), "utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(content)
    problems = [p for p in caught.value.problems if p.file.endswith("tagged.yaml")]
    assert len(problems) == 1
    assert "!!python/" in problems[0].message and "not allowed" in problems[0].message
    assert problems[0].line > 1
    assert not marker.exists()
