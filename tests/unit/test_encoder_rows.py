"""The word table is read row by row from the weights file (bot.core.encoder.FileRows): the same
numbers as the memory map, without the map's resident memory growing with every new word."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.core.encoder import MODEL_FILE, FileRows, ModelError, read_safetensors

WORDS = "embeddings.word_embeddings.weight"
ROOT = Path(__file__).parents[2]


def test_rows_are_the_files_rows_in_any_shape(model_dir: Path) -> None:
    table = read_safetensors(model_dir / MODEL_FILE)[WORDS]
    rows = FileRows(model_dir / MODEL_FILE, WORDS)
    assert rows.shape == table.shape
    ids = [101, 2054, 2003, 2054, 0, 30521, 102]  # repeats and both ends of the table
    assert np.array_equal(rows[ids], table[ids])
    grid = np.array([[101, 7, 7], [30521, 0, 102]])
    assert rows[grid].shape == (2, 3, table.shape[1])
    assert np.array_equal(rows[grid], table[grid])
    assert rows[[]].shape == (0, table.shape[1])


@pytest.mark.parametrize("bad", [-1, 30522, 10**9])
def test_a_row_outside_the_table_is_refused(model_dir: Path, bad: int) -> None:
    rows = FileRows(model_dir / MODEL_FILE, WORDS)
    with pytest.raises(IndexError):
        rows[[101, bad]]


def test_a_missing_tensor_is_refused(model_dir: Path) -> None:
    with pytest.raises(ModelError, match="not readable"):
        FileRows(model_dir / MODEL_FILE, "no.such.tensor")


def test_a_file_cut_short_after_opening_is_refused(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / MODEL_FILE
    copy.write_bytes((model_dir / MODEL_FILE).read_bytes())
    rows = FileRows(copy, WORDS)
    with copy.open("r+b") as stream:
        stream.truncate(20_000_000)  # the table runs from 0.8 to 47.7 MB
    assert rows[[5]].shape == (1, 384)  # still inside what is left
    with pytest.raises(ModelError, match="ended inside row"):
        rows[[30000]]


_GROWTH = """
import json, sys
from pathlib import Path
import numpy as np
from bot.core.encoder import FileRows, read_safetensors

def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS"))

path = Path(sys.argv[1])
ids = np.random.default_rng(0).choice(30522, size=300, replace=False)
mapped = read_safetensors(path)["embeddings.word_embeddings.weight"]
rows = FileRows(path, "embeddings.word_embeddings.weight")
before = rss_kib()
read = rows[ids]
after_reads = rss_kib()
mapped_rows = np.array(mapped[ids])
after_map = rss_kib()
print(json.dumps({"reads": after_reads - before, "map": after_map - after_reads}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_reading_rows_does_not_grow_resident_memory(model_dir: Path) -> None:
    """300 distinct words: a few hundred KB of rows, where the memory map costs megabytes."""
    done = subprocess.run(
        [sys.executable, "-c", _GROWTH, str(model_dir / MODEL_FILE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    growth = json.loads(done.stdout)
    if growth["map"] <= 5_000:
        # What the reads avoid is the kernel's fault-around; a kernel without it has nothing
        # for this test to tell apart.
        pytest.skip(f"rows through the map grew RSS by only {growth['map']} KB here")
    assert growth["reads"] < 2_000
