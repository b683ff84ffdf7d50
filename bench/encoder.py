"""Encoder runtimes side by side: onnxruntime against numpy on the same questions, one core.

    python -m bench.encoder [--repeat 3]

For every question of the in-repo sets (tests/data/qa_*.json, in-scope and off-topic), each
runtime encodes it in turn (interleaved, so a busy machine slows both alike) and the script
prints p50/p99 milliseconds per question as wall time and as the thread's CPU time, the largest
difference between the two runtimes' vectors, then for each runtime in a fresh process: the time
to load the encoder (weights verified, tokenizer, network ready) and the peak RSS after one
question; the one-off time to build the onnxruntime graph; and the disk size of the packages the
onnxruntime runtime adds. The weights come from TUTOR_MODEL_DIR (`tutor-bot model fetch`).
"""

from __future__ import annotations

import os

# One core, as the target says: BLAS threads would only fight over it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # after the thread setting above, which must precede numpy's import
import importlib.metadata
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bot.core.encoder import MODEL_FILE, MODEL_SHA256, Encoder, read_safetensors
from bot.core.minilm_onnx import graph_path, write_graph
from bot.model import fetch_model, model_dir

ROOT = Path(__file__).resolve().parents[1]
RUNTIMES = ("onnxruntime", "numpy")
# What the onnxruntime runtime brings: onnxruntime and its flatbuffers; onnx (to build the
# graph) and its protobuf and ml_dtypes.
ADDED_PACKAGES = ("onnxruntime", "flatbuffers", "onnx", "protobuf", "ml_dtypes")


def questions() -> list[str]:
    texts = []
    for path in sorted((ROOT / "tests" / "data").glob("qa_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        texts += [item["q"] for part in ("in_scope", "off_topic") for item in data[part]]
    return texts


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99) - 1)]


def probe(runtime: str) -> None:
    """Run in a fresh process: load one encoder, answer one question, print JSON."""
    start = time.perf_counter()
    encoder = Encoder(model_dir(), runtime)
    encoder.encode_one("how is testing different in mlops")
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rss_mb": rss_mb, "runtime": encoder.runtime}))


def run_probe(runtime: str) -> dict[str, float]:
    done = subprocess.run(  # noqa: S603 - this very script, with fixed arguments
        [sys.executable, "-m", "bench.encoder", "--probe", runtime],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def graph_build_seconds(directory: Path) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch)
        start = time.perf_counter()
        write_graph(read_safetensors(directory / MODEL_FILE), graph_path(target, MODEL_SHA256))
        return time.perf_counter() - start


def installed_mb(names: tuple[str, ...]) -> dict[str, float]:
    sizes = {}
    for name in names:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            continue
        total = sum(p.stat().st_size for f in files if (p := Path(str(f.locate()))).is_file())
        sizes[name] = total / 1e6
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="latency passes over the questions")
    parser.add_argument("--probe", choices=RUNTIMES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    if args.probe:
        probe(args.probe)
        return

    directory = model_dir()
    fetch_model(directory)
    # Before this process grows: a child's peak RSS starts from its parent's on Linux.
    probes = {runtime: run_probe(runtime) for runtime in RUNTIMES}
    encoders = {runtime: Encoder(directory, runtime) for runtime in RUNTIMES}
    texts = questions()
    wall: dict[str, list[float]] = {r: [] for r in RUNTIMES}
    cpu: dict[str, list[float]] = {r: [] for r in RUNTIMES}
    for _ in range(args.repeat):
        for text in texts:
            for runtime, encoder in encoders.items():
                start, start_cpu = time.perf_counter(), time.thread_time()
                encoder.encode_one(text)
                wall[runtime].append((time.perf_counter() - start) * 1000)
                cpu[runtime].append((time.thread_time() - start_cpu) * 1000)
    fast, plain = encoders["onnxruntime"], encoders["numpy"]
    difference = max(float(np.abs(fast.encode_one(t) - plain.encode_one(t)).max()) for t in texts)
    print(
        f"{len(texts)} questions x {args.repeat} passes, one core; "
        f"largest vector difference between the runtimes: {difference:.1e}"
    )
    print(
        f"{'runtime':12} {'p50 ms':>7} {'p99 ms':>7} {'cpu p50':>8} {'cpu p99':>8} "
        f"{'load s':>7} {'peak RSS':>9}"
    )
    for runtime in RUNTIMES:
        p50, p99 = percentiles(wall[runtime])
        cpu50, cpu99 = percentiles(cpu[runtime])
        loaded = probes[runtime]
        print(
            f"{runtime:12} {p50:7.2f} {p99:7.2f} {cpu50:8.2f} {cpu99:8.2f} "
            f"{loaded['seconds']:7.2f} {loaded['rss_mb']:6.0f} MB"
        )
    sizes = installed_mb(ADDED_PACKAGES)
    listed = ", ".join(f"{name} {mb:.0f}" for name, mb in sizes.items())
    print(
        f"onnxruntime graph built from the weights in {graph_build_seconds(directory):.2f} s "
        f"(once, at `tutor-bot model fetch` or the first start)"
    )
    print(f"installed size of what onnxruntime adds: {sum(sizes.values()):.0f} MB ({listed})")


if __name__ == "__main__":
    main()
