"""After a batch (the entry vectors at a first start) the encoder gives its buffers back instead
of keeping batch-sized memory for the life of the bot: onnxruntime runs without its arena and
the C heap is trimmed after batches (bot.core.minilm_onnx, bot.core.encoder)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.encoder import MODEL_SHA256
from bot.core.minilm_onnx import OnnxNetwork, graph_path

ROOT = Path(__file__).parents[2]

_GROWTH = """
import json, sys
from pathlib import Path
from bot.core.encoder import Encoder

def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS"))

encoder = Encoder(Path(sys.argv[1]), "onnxruntime")
encoder.encode_one("what is model drift")
before = rss_kib()
# Two batches of 32 texts of 128 tokens, the largest the encoder runs.
vectors = encoder.encode([f"pipeline {n} " * 100 for n in range(64)])
after_batches = rss_kib()
encoder.encode_one("and what is data drift")
print(json.dumps({"batches": after_batches - before, "question": rss_kib() - after_batches}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_batches_leave_no_batch_sized_arena_behind(model_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _GROWTH, str(model_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    growth = json.loads(done.stdout)
    # With onnxruntime's arena and no trim, about 120 MB stayed after these two batches.
    assert growth["batches"] < 12_000
    assert growth["question"] < 4_000


def test_the_session_runs_without_an_arena(model_dir: Path) -> None:
    from bot.core.encoder import Encoder

    Encoder(model_dir, "onnxruntime")  # builds the graph if this directory has none yet
    network = OnnxNetwork(graph_path(model_dir, MODEL_SHA256))
    assert network._session.get_session_options().enable_cpu_mem_arena is False
