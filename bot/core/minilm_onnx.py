"""all-MiniLM-L6-v2's six layers as an onnxruntime graph, built from the pinned weights.

No graph is downloaded or committed: `write_graph` assembles it with the `onnx` package's helper
API from the very tensors the numpy encoder reads (the upstream `model.safetensors`), once, into
the model cache directory (`tutor-bot model fetch`, or the first start that finds it missing).
The file name carries the weights' sha256 and GRAPH_VERSION, so another model or another way of
building never reuses a stale graph.

The graph uses onnxruntime's own fused CPU kernels (com.microsoft Attention,
SkipLayerNormalization, BiasGelu with the exact erf GELU) in float32, so it computes the same
function as the numpy encoder: vectors agree to about 1e-7 per component. It starts at the summed
word and position embeddings (the lookup stays in numpy, where only the rows used are read from
the memory-mapped table) and ends at the token vectors; pooling stays with the caller.

Why: the numpy encoder runs a short question in about 13 ms of CPU on one core here, most of it
spent streaming 42 MB of layer weights through many small BLAS calls; onnxruntime does the same
work in about half the time (figures in the README, section "Sentence encoder runtimes").
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["GRAPH_VERSION", "OnnxNetwork", "graph_path", "write_graph"]

# Bump when the graph's construction changes, so an older file is not reused.
GRAPH_VERSION = 1
_DIMENSION = 384
_HEADS = 12
_LAYERS = 6
_LAYER_NORM_EPS = 1e-12
_MS = "com.microsoft"


def graph_path(directory: Path, model_sha256: str) -> Path:
    """The graph file; its weights sit beside it in the same name plus `.data`."""
    return directory / f"minilm-{model_sha256[:16]}-ort{GRAPH_VERSION}.onnx"


def write_graph(tensors: Mapping[str, np.ndarray], path: Path) -> None:
    """Build the graph from the safetensors tensors and write it (and its weights) to `path`.

    The weights go to a separate file because onnxruntime maps such a file instead of parsing
    42 MB of protobuf: the session opens in about half the time. The graph is moved into place
    last, so a graph file never exists without complete weights beside it.
    Raises ImportError without the `onnx` package, OSError when the directory cannot be written,
    and KeyError when a tensor is missing.
    """
    import onnx

    model = _graph(tensors)
    weights = path.name + ".data"
    scratch = Path(tempfile.mkdtemp(dir=path.parent, prefix=".graph-"))
    try:
        onnx.save_model(
            model,
            str(scratch / path.name),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=weights,
            size_threshold=1024,
        )
        for name in (weights, path.name):
            # Readable by all, like the weights: a container reads them as another user.
            (scratch / name).chmod(0o644)
        os.replace(scratch / weights, path.parent / weights)
        os.replace(scratch / path.name, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _graph(tensors: Mapping[str, np.ndarray]) -> Any:
    from onnx import TensorProto, helper, numpy_helper

    initializers: list[Any] = []
    nodes: list[Any] = []

    def weight(name: str, array: np.ndarray) -> str:
        values = np.ascontiguousarray(array, dtype=np.float32)
        initializers.append(numpy_helper.from_array(values, name))
        return name

    def node(op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        domain = None if op in {"LayerNormalization", "MatMul"} else _MS
        nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attributes))
        return output

    def t(name: str) -> np.ndarray:
        return tensors[name]

    x = node(
        "LayerNormalization",
        [
            "embeddings",
            weight("embed_norm_w", t("embeddings.LayerNorm.weight")),
            weight("embed_norm_b", t("embeddings.LayerNorm.bias")),
        ],
        "x0",
        axis=-1,
        epsilon=_LAYER_NORM_EPS,
    )
    for i in range(_LAYERS):
        p = f"encoder.layer.{i}."
        s = p + "attention.self."
        # Attention takes (in, 3 * out) weights: queries, keys and values side by side.
        qkv_w = np.concatenate([t(s + f"{n}.weight") for n in ("query", "key", "value")]).T
        qkv_b = np.concatenate([t(s + f"{n}.bias") for n in ("query", "key", "value")])
        attended = node(
            "Attention",
            [x, weight(f"l{i}_qkv_w", qkv_w), weight(f"l{i}_qkv_b", qkv_b), "mask"],
            f"l{i}_attended",
            num_heads=_HEADS,
        )
        projected = node(
            "MatMul",
            [attended, weight(f"l{i}_o_w", t(p + "attention.output.dense.weight").T)],
            f"l{i}_projected",
        )
        # SkipLayerNormalization(input, skip, gamma, beta, bias) = LayerNorm(input + bias + skip).
        x = node(
            "SkipLayerNormalization",
            [
                projected,
                x,
                weight(f"l{i}_n1_w", t(p + "attention.output.LayerNorm.weight")),
                weight(f"l{i}_n1_b", t(p + "attention.output.LayerNorm.bias")),
                weight(f"l{i}_o_b", t(p + "attention.output.dense.bias")),
            ],
            f"l{i}_mid",
            epsilon=_LAYER_NORM_EPS,
        )
        widened = node(
            "MatMul",
            [x, weight(f"l{i}_f1_w", t(p + "intermediate.dense.weight").T)],
            f"l{i}_widened",
        )
        activated = node(
            "BiasGelu",
            [widened, weight(f"l{i}_f1_b", t(p + "intermediate.dense.bias"))],
            f"l{i}_activated",
        )
        narrowed = node(
            "MatMul",
            [activated, weight(f"l{i}_f2_w", t(p + "output.dense.weight").T)],
            f"l{i}_narrowed",
        )
        x = node(
            "SkipLayerNormalization",
            [
                narrowed,
                x,
                weight(f"l{i}_n2_w", t(p + "output.LayerNorm.weight")),
                weight(f"l{i}_n2_b", t(p + "output.LayerNorm.bias")),
                weight(f"l{i}_f2_b", t(p + "output.dense.bias")),
            ],
            "tokens" if i == _LAYERS - 1 else f"l{i}_out",
            epsilon=_LAYER_NORM_EPS,
        )
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info(
                "embeddings", TensorProto.FLOAT, ["batch", "length", _DIMENSION]
            ),
            # 1 for a real token, 0 for padding (onnxruntime's raw attention mask).
            helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "length"]),
        ],
        [
            helper.make_tensor_value_info(
                "tokens", TensorProto.FLOAT, ["batch", "length", _DIMENSION]
            )
        ],
        initializers,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(_MS, 1)],
        producer_name="tutor-bot",
    )


class OnnxNetwork:
    """An onnxruntime session of the graph at `path`, on one thread.

    One thread because the bot answers one short question at a time next to its other work: a
    pool of spinning workers would buy little on a 16-token input and take cores from the rest.
    Raises ImportError without onnxruntime and RuntimeError-like errors for a bad graph file.
    """

    def __init__(self, path: Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        # No memory arena. The arena keeps every buffer it ever took: sized for the largest
        # batch seen (the pack's 2,000 phrasings, encoded at a first start), it held about 20
        # MB the one-question runs never use again, for the life of the bot. Without it the
        # buffers go back to the C heap, which Encoder.encode trims after batches; a question's
        # few hundred KB of buffers cost no measurable time to allocate (bench.encoder).
        options.enable_cpu_mem_arena = False
        self._session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )

    def tokens(self, embeddings: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Token vectors (batch, length, 384) from summed embeddings and a 0/1 mask."""
        outputs = self._session.run(
            None, {"embeddings": embeddings, "mask": mask.astype(np.int32, copy=False)}
        )
        tokens: np.ndarray = outputs[0]
        return tokens
