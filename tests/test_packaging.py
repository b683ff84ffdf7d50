"""What `pip install .` ships: a wheel built from the checkout works on its own, from anywhere.

Editable installs and the repository root both hide a wheel that forgot the content pack, so this
test builds a real wheel (`python -m build`), installs it into a fresh virtualenv outside the
checkout, and runs the installed command from an unrelated directory with no TUTOR_CONTENT_DIR.
It needs PyPI (or pip's cache) for the build backend and the dependencies, and takes a while.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Left behind by a developer's own work; a copy without them is what a fresh clone holds.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.sqlite3*"
)

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "tutor-bot"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, source, cwd=source)
    (built,) = dist.glob("tutor_bot-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `tutor-bot` script of a fresh virtualenv that has only the wheel and its deps."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    _run(sys.executable, "-m", "venv", venv, cwd=venv.parent)
    constraints = ROOT / "constraints.txt"
    _run(
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "-c",
        constraints,
        wheel,
        cwd=venv.parent,
    )
    return venv / "bin" / "tutor-bot"


def _elsewhere_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TUTOR_", "TELEGRAM_")) and key not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env["TUTOR_DB_PATH"] = str(tmp_path / "tutor.sqlite3")
    return env


def test_the_wheel_holds_the_content_pack_and_no_junk(wheel: Path) -> None:
    """Every content file is in the wheel under bot/_content; tests, bench and .venv are not."""
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {name.removeprefix("bot/_content/") for name in names if "/_content/" in name}
    expected = {
        path.relative_to(ROOT / "content").as_posix()
        for path in (ROOT / "content").rglob("*")
        if path.is_file() and (path.suffix == ".yaml" or path.name == "SCHEMA.md")
    }
    assert expected and shipped == expected
    dist_info = "-".join(wheel.name.split("-")[:2]) + ".dist-info"
    assert {name.split("/", 1)[0] for name in names} == {"bot", dist_info}
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_installed_command_answers_from_any_directory(installed: Path, tmp_path: Path) -> None:
    """`tutor-bot ask --json` and `content check` work from an unrelated folder, no env set."""
    env = _elsewhere_env(tmp_path)
    answer = json.loads(_run(installed, "ask", "what is mlops", "--json", cwd=tmp_path, env=env))
    assert answer["status"] == "answer"
    assert "machine learning" in answer["answer"].lower()
    assert _run(installed, "content", "check", cwd=tmp_path, env=env).startswith("content OK")


def test_installed_console_answers_the_readme_question(installed: Path, tmp_path: Path) -> None:
    """The README's first command, `tutor-bot` with no token, reaches the console and answers."""
    env = _elsewhere_env(tmp_path)
    done = subprocess.run(
        [str(installed)],
        cwd=tmp_path,
        env=env,
        input="what is mlops\n/quit\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "machine learning" in done.stdout.lower()
