"""numpy's BLAS runs on one thread in the bot: its per-question products are tiny, and waking and
spinning a worker per core cost more than they saved (see bot/__init__.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]

_COUNT = """
import bot.core.semantic, ctypes, glob, os, numpy
libs = glob.glob(os.path.join(os.path.dirname(numpy.__file__) + ".libs", "*openblas*"))
count = "?"
for lib in libs:
    handle = ctypes.CDLL(lib)
    for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                 "openblas_get_num_threads"):
        if hasattr(handle, name):
            count = getattr(handle, name)()
            break
print(os.environ.get("OPENBLAS_NUM_THREADS"), count)
"""


def _run(env: dict[str, str]) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", _COUNT],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_the_bot_keeps_numpy_blas_on_one_thread() -> None:
    setting, count = _run({})
    assert setting == "1"
    # Where numpy's bundled OpenBLAS can be asked (wheels), it really runs one thread.
    assert count in ("1", "?")


def test_an_operators_own_thread_count_wins() -> None:
    setting, count = _run({"OPENBLAS_NUM_THREADS": "2"})
    assert setting == "2"
    assert count in ("2", "?")
