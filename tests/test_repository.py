"""Repository hygiene that CI enforces: lint, Dockerfile lint, and content originality."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SEEDS = ROOT.parent / "shared" / "seeds"


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    located = shutil.which(name)
    if located is None:
        pytest.fail(f"{name} is not installed: install the test extra (pip install -e '.[test]')")
    return located


def test_ruff_finds_nothing() -> None:
    """The whole tree passes ruff's lint rules configured in pyproject.toml."""
    result = subprocess.run(
        [_tool("ruff"), "check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_has_no_error_level_findings() -> None:
    """hadolint reports no error-level problem in the Dockerfile."""
    result = subprocess.run(
        [_tool("hadolint"), "--failure-threshold", "error", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_never_bakes_in_the_token() -> None:
    """The token reaches the container only at run time: no ARG or ENV mentions it."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip().upper().startswith(("ARG", "ENV")):
            assert "TOKEN" not in line.upper(), line
    assert re.search(r'^ENTRYPOINT \["tutor-bot", "run"\]', text, re.MULTILINE)
    assert re.search(r"^USER \d+", text, re.MULTILINE), "runs as a non-root user"


def _content_strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _content_strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _content_strings(value)]
    return []


def _shingles(text: str, size: int = 10) -> set[tuple[str, ...]]:
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def test_content_shares_no_ten_word_run_with_the_sources() -> None:
    """Every sentence of content is our own: no run of 10+ words matches a source article."""
    if not SEEDS.is_dir():
        pytest.skip("the source articles are not beside this checkout")
    seed_shingles: set[tuple[str, ...]] = set()
    for seed in SEEDS.glob("*.txt"):
        seed_shingles |= _shingles(seed.read_text(encoding="utf-8"))
    copied = []
    for path in sorted((ROOT / "content").rglob("*.yaml")):
        for text in _content_strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            for shingle in _shingles(text) & seed_shingles:
                copied.append(f"{path.relative_to(ROOT)}: {' '.join(shingle)}")
    assert not copied, "\n".join(copied[:20])


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_constraints_pin_every_dependency_the_project_names() -> None:
    """constraints.txt holds an exact version for each runtime, test and bench requirement."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    named = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        named += extra
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, f"not an exact pin: {line!r}"
            pins[_normalised(name)] = version
    for requirement in named:
        name = re.match(r"[A-Za-z0-9._-]+", requirement)
        assert name is not None, requirement
        assert _normalised(name.group()) in pins, f"{requirement} has no pin in constraints.txt"


def test_every_install_uses_the_constraints() -> None:
    """The README's commands, .ci/run and the Dockerfile install the pinned versions, and the
    README's test command is exactly what CI runs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    installs = [
        line
        for text in (readme, ci, dockerfile)
        for line in text.splitlines()
        if "pip install" in line and "`" not in line  # prose mentions are in backquotes
    ]
    assert len(installs) >= 4
    for line in installs:
        assert "-c constraints.txt" in line, line
    ci_command = next(line for line in ci.splitlines() if "pip install" in line)
    assert f"```sh\n{ci_command}\n```" in readme
