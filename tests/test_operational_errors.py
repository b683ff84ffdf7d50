"""Every operational error is one line on stderr, with the documented exit code, never a traceback.

Each row runs the real command in a subprocess. Faults a test cannot cause for real (a full disk;
file permissions, which deny root nothing) go through `tests.faults.run_with_fault`, which makes
SQLite or the file system fail the same way and then runs the unchanged `main`. The rows that
use real permissions are skipped only when the tests run as root, and the simulated rows cover
the same code paths there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Each case runs the real CLI in a subprocess against a damaged database: seconds apiece.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXIT_FAILED = 1
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ROOT_SKIP = "running as root: file permissions deny root nothing (the simulated row covers it)"
QUIZ_TWICE = "/quiz easy\n1\n" * 2


def _run(
    tmp_path: Path, args: list[str], *, fault: str | None = None, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TUTOR_", "TELEGRAM_"))}
    environ["PYTHONPATH"] = str(ROOT)
    environ.update(env)
    prefix = ["-m", "tests.faults.run_with_fault", fault] if fault else ["-m", "bot"]
    return subprocess.run(
        [sys.executable, *prefix, *args],
        cwd=tmp_path,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _healthy_db(tmp_path: Path) -> Path:
    path = tmp_path / "tutor.sqlite3"
    done = _run(tmp_path, ["chat", "--db", str(path)], stdin=QUIZ_TWICE)
    assert done.returncode == 0, done.stderr
    return path


@contextlib.contextmanager
def _nothing(tmp_path: Path) -> Iterator[list[str]]:
    yield ["chat", "--db", str(_healthy_db(tmp_path))]


@contextlib.contextmanager
def _read_only_file(tmp_path: Path) -> Iterator[list[str]]:
    db = _healthy_db(tmp_path)
    for path in tmp_path.glob("tutor.sqlite3*"):
        path.chmod(0o444)
    tmp_path.chmod(0o555)  # SQLite would otherwise recreate the WAL beside it
    try:
        yield ["chat", "--db", str(db)]
    finally:
        tmp_path.chmod(0o755)


@contextlib.contextmanager
def _locked(tmp_path: Path) -> Iterator[list[str]]:
    db = _healthy_db(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program in the middle of a long write
    try:
        yield ["chat", "--db", str(db)]
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextlib.contextmanager
def _random_bytes(tmp_path: Path) -> Iterator[list[str]]:
    db = tmp_path / "tutor.sqlite3"
    db.write_bytes(os.urandom(8192))
    yield ["chat", "--db", str(db)]


@contextlib.contextmanager
def _damaged_pages(tmp_path: Path) -> Iterator[list[str]]:
    db = _healthy_db(tmp_path)
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    # Keep the header page, scramble the schema's b-tree pages behind it.
    data[100 : page_size * 2] = b"\xa5" * (page_size * 2 - 100)
    db.write_bytes(bytes(data))
    yield ["chat", "--db", str(db)]


@contextlib.contextmanager
def _foreign(tmp_path: Path) -> Iterator[list[str]]:
    db = tmp_path / "notes.sqlite3"
    with sqlite3.connect(db) as other:
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        other.execute("INSERT INTO notes (body) VALUES ('keep me')")
    other.close()
    yield ["chat", "--db", str(db)]
    with sqlite3.connect(db) as check:
        tables = [r[0] for r in check.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
    check.close()
    assert tables == ["notes"], "the other program's file was left untouched"


@contextlib.contextmanager
def _new_db(tmp_path: Path) -> Iterator[list[str]]:
    yield ["chat", "--db", str(tmp_path / "new.sqlite3")]


@contextlib.contextmanager
def _unreadable_content(tmp_path: Path) -> Iterator[list[str]]:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    content.chmod(0)
    try:
        yield ["content", "check", str(content)]
    finally:
        content.chmod(0o755)


@contextlib.contextmanager
def _content_copy(tmp_path: Path) -> Iterator[list[str]]:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    yield ["ask", "what is mlops"]


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], contextlib.AbstractContextManager[list[str]]]
    says: str  # a phrase the one line must contain
    fault: str | None = None
    stdin: str = QUIZ_TWICE
    root_skip: bool = False
    env: tuple[tuple[str, str], ...] = ()


CASES = [
    Case("read-only file", _read_only_file, "read-only", root_skip=True),
    Case("read-only (simulated)", _nothing, "read-only", fault="read-only-db"),
    Case("locked by another program", _locked, "another program is using the file"),
    Case("random bytes", _random_bytes, "not a database"),
    Case("damaged pages", _damaged_pages, "damaged"),
    Case("another program's SQLite file", _foreign, "not a tutor-bot database"),
    Case("full disk on a new file", _new_db, "disk is full", fault="full-disk"),
    Case(
        "full disk while answering",
        _nothing,
        "disk is full",
        fault="full-disk",
        stdin="/quiz easy\n1\n" * 150,
    ),
    Case(
        "unreadable content folder",
        _unreadable_content,
        "cannot read the content directory",
        root_skip=True,
    ),
    Case(
        "unreadable content folder (simulated)",
        _content_copy,
        "cannot read the content directory",
        fault="unreadable-dir",
        env=(("TUTOR_CONTENT_DIR", "content"),),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_operational_error_is_one_line(tmp_path: Path, case: Case) -> None:
    if case.root_skip and AS_ROOT:
        pytest.skip(ROOT_SKIP)
    with case.setup(tmp_path) as args:
        done = _run(tmp_path, args, fault=case.fault, stdin=case.stdin, **dict(case.env))
    assert done.returncode == EXIT_FAILED, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert case.says in lines[0], lines[0]
