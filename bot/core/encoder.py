"""all-MiniLM-L6-v2 sentence embeddings in plain numpy: no deep-learning framework at run time.

The network is BERT's encoder as sentence-transformers runs it: word, position and token-type
embeddings with a layer norm, six post-norm layers of 12-head self-attention and a GELU
feed-forward (384 -> 1536 -> 384), then the mean of the token vectors under the attention
mask, L2-normalised.
The weights are the upstream `model.safetensors` (checked against a pinned sha256), mapped
read-only into memory, and the tokenizer is the upstream `tokenizer.json`, run by the
`tokenizers` package.

Two runtimes compute the same network: onnxruntime (bot/core/minilm_onnx.py, a graph built from
these weights into the model directory), about twice as fast per question, and plain numpy, the
fallback when onnxruntime is not installed or its graph cannot be built or run. `runtime` says
which one an encoder uses and `runtime_note` why it is not onnxruntime.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import os
import sys
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.core.minilm_onnx import OnnxNetwork, graph_path, write_graph
from bot.core.text import inflection_bases

__all__ = [
    "DIMENSION",
    "ENCODER_VERSION",
    "MAX_INPUT_CHARS",
    "MAX_TOKENS",
    "MODEL_FILE",
    "MODEL_SHA256",
    "RUNTIMES",
    "TOKENIZER_FILE",
    "TOKENIZER_SHA256",
    "Encoder",
    "FileRows",
    "ModelError",
    "file_sha256",
    "read_safetensors",
    "verify_model_dir",
]

# The exact upstream files: anything else (truncated, replaced, another revision) is refused.
MODEL_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIMENSION = 384

# Learner questions and FAQ phrasings are far shorter; longer inputs only cost time.
MAX_TOKENS = 128
# Cut before tokenising so that a 100,000-character message costs no more than a long question.
MAX_INPUT_CHARS = 1_000
_LAYERS = 6
_HEADS = 12
_HEAD_SIZE = DIMENSION // _HEADS
_LAYER_NORM_EPS = 1e-12
_BATCH = 32
# OpenBLAS's single-precision kernels take token columns in groups of this many.
_COLUMN_GROUP = 8
# Bump when the computation changes, so cached entry vectors are not reused across versions.
# (The in-place GELU and layer norm moved the vectors by at most 1.2e-7, float32 rounding: caches
# made before them are still exact, so the version stayed. The same holds between the two
# runtimes, which agree to about 1e-7 per component: entry vectors cached by one serve the other.)
ENCODER_VERSION = "numpy-1"
# "auto" is onnxruntime when it can be used, else numpy; the other two insist on one runtime.
RUNTIMES = ("auto", "onnxruntime", "numpy")

log = logging.getLogger(__name__)


class ModelError(Exception):
    """The weights or tokenizer are missing, damaged or not the pinned files."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model_dir(directory: Path) -> None:
    """Raise ModelError unless both files are present and exactly the pinned ones."""
    for name, expected in ((MODEL_FILE, MODEL_SHA256), (TOKENIZER_FILE, TOKENIZER_SHA256)):
        path = directory / name
        if not path.is_file():
            raise ModelError(f"{path} is missing")
        actual = file_sha256(path)
        if actual != expected:
            raise ModelError(
                f"{path} has sha256 {actual[:12]}..., expected {expected[:12]}... "
                "(truncated or not the pinned file)"
            )


_DTYPES: dict[str, type[np.generic]] = {"F32": np.float32, "I64": np.int64}
_MAX_HEADER = 10 << 20


def _read_header(path: Path) -> tuple[int, dict[str, dict[str, object]]]:
    """Where the data of a .safetensors file starts, and its JSON header (name -> dtype, shape,
    byte offsets from that start)."""
    with path.open("rb") as stream:
        size = int.from_bytes(stream.read(8), "little")
        if not 0 < size <= _MAX_HEADER:
            raise ModelError(f"{path} has no safetensors header")
        try:
            header = json.loads(stream.read(size))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{path} has a damaged safetensors header") from exc
    if not isinstance(header, dict):
        raise ModelError(f"{path} has a damaged safetensors header")
    return 8 + size, header


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file as read-only views of one memory map.

    The format is an 8-byte little-endian header length, a JSON header (name -> dtype, shape,
    byte offsets) and the raw data. Mapping it, instead of copying every tensor out as
    safetensors.numpy.load_file does, keeps the model's memory at the pages actually used.
    """
    base, header = _read_header(path)
    data = np.memmap(path, dtype=np.uint8, mode="r")
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end, dtype, shape = _placement(path, name, info, base, len(data))
        tensors[name] = data[start:end].view(dtype).reshape(shape)
    return tensors


def _placement(
    path: Path, name: str, info: object, base: int, file_size: int
) -> tuple[int, int, type[np.generic], tuple[int, ...]]:
    """A tensor's first and past-the-end byte in the file, its dtype and shape."""
    if not isinstance(info, dict):
        raise ModelError(f"{path}: tensor {name} is not readable")
    try:
        dtype = _DTYPES[info["dtype"]]
        start, end = (base + int(offset) for offset in info["data_offsets"])
        shape = tuple(int(n) for n in info["shape"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path}: tensor {name} is not readable") from exc
    if not base <= start <= end <= file_size:
        raise ModelError(f"{path}: tensor {name} is not readable")
    if end - start != int(np.prod(shape)) * np.dtype(dtype).itemsize:
        raise ModelError(f"{path}: tensor {name} does not have shape {shape}")
    return start, end, dtype, shape


class FileRows:
    """The rows of one float32 matrix in a .safetensors file, read from the file when asked.

    For the 30,522 x 384 word table, of which a question uses a dozen rows. Through a memory
    map, each row read costs the process 64 KB of resident memory, not the 1.5 KB it is: the
    kernel maps the 16 cached pages around a faulted one ("fault-around"; madvise(MADV_RANDOM)
    does not stop it), so the table's RSS grows with every new word the bot meets, 18 MB after
    300 random rows and towards its full 47 MB in a long run. A pread per distinct token costs
    microseconds and leaves the rows in the page cache, shared, where they belong.
    """

    def __init__(self, path: Path, name: str) -> None:
        base, header = _read_header(path)
        file_size = path.stat().st_size
        start, _, dtype, shape = _placement(path, name, header.get(name), base, file_size)
        if dtype is not np.float32 or len(shape) != 2:
            raise ModelError(f"{path}: tensor {name} is not a float32 matrix")
        self.shape = shape
        self._start = start
        self._row_bytes = shape[1] * 4
        self._fd = os.open(path, os.O_RDONLY)
        # Closed with the encoder, without a ResourceWarning for a file object left open.
        weakref.finalize(self, os.close, self._fd)

    def __getitem__(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The rows of `ids` (any shape of ints), in a new array of shape ids.shape + (width,)."""
        wanted = np.asarray(ids, dtype=np.int64)
        unique, inverse = np.unique(wanted, return_inverse=True)
        if unique.size and not 0 <= unique[0] <= unique[-1] < self.shape[0]:
            raise IndexError(f"row {unique[-1]} is outside the {self.shape[0]} rows")
        rows = np.empty((unique.size, self.shape[1]), dtype=np.float32)
        for row, index in zip(rows, unique.tolist(), strict=True):
            got = os.preadv(self._fd, [row.data], self._start + index * self._row_bytes)
            if got != self._row_bytes:
                raise ModelError(f"the weights file ended inside row {index}")
        return rows[inverse.reshape(wanted.shape)]


class Encoder:
    """Sentence vectors (unit length, float32) for lists of texts."""

    def __init__(self, directory: Path, runtime: str = "auto") -> None:
        # Imported here so that the lexical matcher never pays for it when no model is used.
        from tokenizers import Tokenizer

        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {RUNTIMES}, not {runtime!r}")
        verify_model_dir(directory)
        try:
            tensors = read_safetensors(directory / MODEL_FILE)
            self._word = FileRows(directory / MODEL_FILE, "embeddings.word_embeddings.weight")
            self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        # tokenizers raises bare exceptions for bad files.
        except Exception as exc:
            raise ModelError(f"cannot read the model in {directory}: {exc}") from exc
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tensors = tensors
        self._onnx: OnnxNetwork | None = None
        self.runtime = "numpy"
        self.runtime_note = "numpy runtime asked for" if runtime == "numpy" else ""
        if runtime != "numpy":
            try:
                self._onnx = _open_onnx(directory, tensors)
                self.runtime = "onnxruntime"
            # Whatever stops onnxruntime (not installed, no onnx to build the graph, a read-only
            # cache, a graph it rejects) leaves the numpy runtime, which needs none of it.
            except Exception as exc:
                if runtime == "onnxruntime":
                    raise ModelError(f"onnxruntime cannot run the model: {exc}") from exc
                self.runtime_note = f"onnxruntime not usable: {_reason(exc)}"
        self._load(tensors)

    def _load(self, tensors: dict[str, np.ndarray]) -> None:
        # Weights stay in the upstream (out, in) layout: no transposed copies, so the model costs
        # its file size in memory once, and W @ h is the faster product for short inputs.
        def get(name: str) -> np.ndarray:
            return _tensor(tensors, name)

        # Every input is a single sentence (token type 0): fold that row into the positions.
        self._position = (
            get("embeddings.position_embeddings.weight")
            + get("embeddings.token_type_embeddings.weight")[0]
        )
        self._embed_norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        if self._word.shape[1] != DIMENSION or self._position.shape[1] != DIMENSION:
            raise ModelError(f"unexpected embedding shapes: {self._word.shape}")
        self._layers: list[tuple[np.ndarray, ...]] = []
        self._columns: list[tuple[np.ndarray, ...]] = []
        if self._onnx is None:
            self._load_layers()

    def _load_layers(self) -> None:
        """The numpy runtime's layer weights (not read at all while onnxruntime runs)."""

        def get(name: str) -> np.ndarray:
            return _tensor(self._tensors, name)

        # Scaling the query weights once saves a multiply per attention score.
        scale = np.float32(1 / np.sqrt(_HEAD_SIZE))
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            attention = p + "attention.self."
            # One (1152, 384) product yields queries, keys and values at once.
            qkv = np.concatenate(
                [get(attention + f"{n}.weight") for n in ("query", "key", "value")], axis=0
            )
            qkv_bias = np.concatenate(
                [get(attention + f"{n}.bias") for n in ("query", "key", "value")]
            )
            qkv[:DIMENSION] *= scale
            qkv_bias[:DIMENSION] *= scale
            self._layers.append(
                (
                    qkv,
                    qkv_bias,
                    get(p + "attention.output.dense.weight"),
                    get(p + "attention.output.dense.bias"),
                    get(p + "attention.output.LayerNorm.weight"),
                    get(p + "attention.output.LayerNorm.bias"),
                    get(p + "intermediate.dense.weight"),
                    get(p + "intermediate.dense.bias"),
                    get(p + "output.dense.weight"),
                    get(p + "output.dense.bias"),
                    get(p + "output.LayerNorm.weight"),
                    get(p + "output.LayerNorm.bias"),
                )
            )
        # The single-question path works on columns (features x tokens): vectors as columns once
        # here, not as fresh views in every layer of every question.
        self._embed_columns = tuple(v[:, None] for v in self._embed_norm)
        self._columns = [
            tuple(w if w.ndim == 2 else w[:, None] for w in layer) for layer in self._layers
        ]
        if self._layers[0][6].shape[1] != DIMENSION:
            raise ModelError(f"unexpected feed-forward shape: {self._layers[0][6].shape}")

    def _fall_back_to_numpy(self, exc: Exception) -> None:
        """onnxruntime failed on a real input: say so once and run numpy from now on."""
        log.warning("encoder: onnxruntime failed (%s); the numpy runtime takes over", _reason(exc))
        self._onnx = None
        self.runtime = "numpy"
        self.runtime_note = f"onnxruntime failed: {_reason(exc)}"
        self._load_layers()

    def encode(self, texts: list[str], batch_size: int = _BATCH) -> np.ndarray:
        """Unit vectors, one row per text; batches group texts of similar length."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        encodings = self._tokenizer.encode_batch([t[:MAX_INPUT_CHARS] for t in texts])
        ids = [e.ids for e in encodings]
        if len(ids) == 1:
            return self._encode_one(ids[0])[None, :]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.empty((len(ids), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._encode_batch([ids[i] for i in chunk])
        _give_back_free_heap()
        return out

    def encode_one(self, text: str) -> np.ndarray:
        row: np.ndarray = self.encode([text])[0]
        return row

    def knows(self, word: str) -> bool:
        """Whether the model reads `word` as one whole piece of its vocabulary (a real word to
        it), rather than splitting it into fragments as it does a misspelling."""
        return self._tokenizer.token_to_id(word) is not None

    def knows_inflected(self, word: str) -> bool:
        """Whether `word` may be a whole piece of the vocabulary with a regular English ending
        ("dumber", "tanking", "happier"), which word pieces split although nothing is
        misspelt. Only "may": a typo can look like one too ("traning" = "tran" + "ing")."""
        return any(
            self._tokenizer.token_to_id(base) is not None for base in inflection_bases(word)
        )

    def _encode_batch(self, batch: list[list[int]]) -> np.ndarray:
        """Many texts at once (building the index): rows are tokens, padded per batch."""
        length = max(len(ids) for ids in batch)
        token_ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, ids in enumerate(batch):
            token_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        x = self._word[token_ids] + self._position[:length]
        if self._onnx is not None:
            try:
                tokens = self._onnx.tokens(x, mask)
                pooled = (tokens * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
                return _unit(pooled)
            except Exception as exc:  # onnxruntime raises its own untyped errors
                self._fall_back_to_numpy(exc)
        x = _layer_norm(x, *self._embed_norm, axis=-1)
        # Padding keys get -inf-like scores so no token attends to them.
        padding = None if mask.all() else ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        size = len(batch)
        for qkv_w, qkv_b, o_w, o_b, n1_w, n1_b, f1_w, f1_b, f2_w, f2_b, n2_w, n2_b in self._layers:
            qkv = x @ qkv_w.T + qkv_b
            heads = qkv.reshape(size, length, 3, _HEADS, _HEAD_SIZE).transpose(2, 0, 3, 1, 4)
            q, k, v = heads[0], heads[1], heads[2]
            scores = q @ k.transpose(0, 1, 3, 2)
            if padding is not None:
                scores += padding
            _softmax(scores)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(size, length, DIMENSION)
            x = _layer_norm(x + context @ o_w.T + o_b, n1_w, n1_b, axis=-1)
            hidden = x @ f1_w.T
            hidden += f1_b
            _gelu_in_place(hidden)
            x = _layer_norm(x + hidden @ f2_w.T + f2_b, n2_w, n2_b, axis=-1)
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return _unit(pooled)

    def _encode_one(self, ids: list[int]) -> np.ndarray:
        """One text (a learner's question): columns are tokens, no mask.

        The token columns are padded with zeros to a multiple of `_COLUMN_GROUP`: OpenBLAS's
        kernels work on groups of columns, so 13 tokens cost more than 16 (measured on one core:
        about 9 ms against 7.5 ms for the six layers' products). Columns never mix in the dense
        products, and attention and pooling read only the real tokens, so the padding changes no
        digit of the result.
        """
        length = len(ids)
        if self._onnx is not None:
            embedded = (self._word[ids] + self._position[:length])[None, :, :]
            try:
                tokens = self._onnx.tokens(embedded, np.ones((1, length), dtype=np.int32))
                pooled: np.ndarray = _unit(tokens[0].mean(axis=0)[None, :])[0]
                return pooled
            except Exception as exc:  # onnxruntime raises its own untyped errors
                self._fall_back_to_numpy(exc)
        width = -(-length // _COLUMN_GROUP) * _COLUMN_GROUP
        h = np.zeros((DIMENSION, width), dtype=np.float32)
        h[:, :length] = (self._word[ids] + self._position[:length]).T
        _layer_norm_columns(h, *self._embed_columns)
        context = np.zeros((DIMENSION, width), dtype=np.float32)
        for layer in self._columns:
            qkv_w, qkv_b, o_w, o_b, n1_w, n1_b, f1_w, f1_b, f2_w, f2_b, n2_w, n2_b = layer
            qkv = qkv_w @ h
            qkv += qkv_b
            heads = qkv[:, :length].reshape(3, _HEADS, _HEAD_SIZE, length)
            q, k, v = heads[0], heads[1], heads[2]
            scores = q.transpose(0, 2, 1) @ k
            _softmax(scores)
            context[:, :length] = (v @ scores.transpose(0, 2, 1)).reshape(DIMENSION, length)
            h += o_w @ context
            h += o_b
            _layer_norm_columns(h, n1_w, n1_b)
            hidden = f1_w @ h
            hidden += f1_b
            _gelu_in_place(hidden)
            h += f2_w @ hidden
            h += f2_b
            _layer_norm_columns(h, n2_w, n2_b)
        vector: np.ndarray = _unit(h[:, :length].mean(axis=1)[None, :])[0]
        return vector


def _tensor(tensors: dict[str, np.ndarray], name: str) -> np.ndarray:
    if name not in tensors:
        raise ModelError(f"the weights have no tensor {name}")
    return np.ascontiguousarray(tensors[name], dtype=np.float32)


def _open_onnx(directory: Path, tensors: dict[str, np.ndarray]) -> OnnxNetwork:
    """The onnxruntime session, building the graph file first when it is missing or damaged."""
    import onnxruntime  # noqa: F401 - fail here, before building a graph nobody can run

    path = graph_path(directory, MODEL_SHA256)
    if not path.is_file():
        write_graph(tensors, path)
        return OnnxNetwork(path)
    try:
        return OnnxNetwork(path)
    except Exception:  # a truncated or foreign file: onnxruntime's errors are untyped
        write_graph(tensors, path)
        return OnnxNetwork(path)


def _give_back_free_heap() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim; elsewhere nothing).

    Batches allocate megabytes of temporaries (embeddings, padded masks, onnxruntime's
    buffers). Once they are freed, glibc keeps the pages for later, and a bot that encoded the
    pack's 2,000 phrasings at its first start kept about 20 MB more RSS for its whole life than
    one that read them from the cache. Questions, later, never need that much again.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # a C library without it (musl): nothing to give back
        return
    trim(0)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ImportError):
        return f"{exc.name or 'a module'} is not installed"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]


def _softmax(scores: np.ndarray) -> None:
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit: np.ndarray = (rows / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, axis: int) -> np.ndarray:
    mean = x.mean(axis=axis, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=axis, keepdims=True)
    normed: np.ndarray = centred / np.sqrt(variance + np.float32(_LAYER_NORM_EPS)) * weight + bias
    return normed


def _layer_norm_columns(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> None:
    """Layer norm of every column of x (features x tokens), in place."""
    x -= x.mean(axis=0)
    variance = np.einsum("ij,ij->j", x, x) / np.float32(x.shape[0])
    variance += np.float32(_LAYER_NORM_EPS)
    x *= 1 / np.sqrt(variance)
    x *= weight
    x += bias


# Abramowitz & Stegun 7.1.26: erf to within 1.5e-7, below float32's resolution of GELU's output.
# Halved, because GELU needs Phi(x) = (1 + erf(x / sqrt 2)) / 2.
_ERF_P = np.float32(0.3275911 / np.sqrt(2))
_HALF_ERF_A = tuple(
    np.float32(a / 2) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)


def _gelu_in_place(x: np.ndarray) -> None:
    """BERT's exact GELU, x * Phi(x), with erf from a rational approximation (numpy has none).

    With q = (1 - erf(|x| / sqrt 2)) / 2, x * Phi(x) is x - |x| q for x >= 0 and -|x| q below,
    that is max(x, 0) - |x| q: no sign juggling, and every step can run in place.
    """
    magnitude = np.abs(x)
    t = magnitude * _ERF_P
    t += 1
    np.reciprocal(t, out=t)
    q = t * _HALF_ERF_A[0]
    for coefficient in _HALF_ERF_A[1:]:
        q += coefficient
        q *= t
    gauss = np.square(x)
    gauss *= np.float32(-0.5)
    np.exp(gauss, out=gauss)
    q *= gauss
    q *= magnitude
    np.maximum(x, 0, out=x)
    x -= q
