"""The semantic backstop of the crisis detector: optional, on only with the word-finding model.

The phrases and concept rules (``thaw.safety.language``) catch the ways of saying crisis that
they list; sentences written by others say it in ways nobody listed (blind batches B4 and B5:
recall 0.78 and 0.76 for the rules alone). The backstop reads a text by meaning instead: each
sentence of it is embedded with the local all-MiniLM-L6-v2 encoder (``thaw.checkins.wordmodel``,
installed with ``make setup-wordfinding``), and compared with the embeddings of Thaw's own
labelled tuning sentences (tests/data/crisis/tuning.tsv). A sentence whose five closest crisis
sentences are, on average, closer than its five closest non-crisis sentences by at least
``margin`` shows help. The note shows help if any sentence does (a long note is not diluted).

The embeddings and the margin live in ``data/crisis/backstop.npz``, written by
``benchmarks/crisis_semantic.py --write`` (k and margin chosen by leave-one-batch-out
cross-validation on the tuning sentences; figures and commands in docs/SAFETY.md). The file
holds vectors only, of Thaw's own sentences, never a person's.

The model reads English: for text in another language (the request's or the person's) the
phrases and rules answer alone. A process loads the backstop in the background and the rules answer
alone until it is ready, so a save never waits for it. Without the extra, ``available()`` is False
and the rules work alone. The backstop only ever
adds a crisis screen; it never removes one the rules raised. Pure computation over arrays: no
ORM, no request, no logging of text.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from django.utils import translation

from thaw.checkins import wordmodel
from thaw.safety import ngram
from thaw.safety.language import CrisisMatch, find_crisis_language

logger = logging.getLogger(__name__)

BACKSTOP_FILE = Path(__file__).resolve().parent / "data" / "crisis" / "backstop.npz"
CATEGORY = "similar_meaning"  # the flag reason names this instead of a listed category
MAX_SENTENCES = 48  # a 5,000-character note; past this, sentences are joined in groups
_SENTENCE_END = re.compile(r"(?:[.!?;\n]+|\s-\s)")
_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)


@dataclass(frozen=True)
class Backstop:
    crisis: np.ndarray  # (n, 384) unit vectors of crisis sentences (and borderline ones leaning to help)
    calm: np.ndarray  # (m, 384) the same for non-crisis sentences
    k: int
    margin: float

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Mean similarity to the k closest crisis sentences minus that to the k closest calm ones."""
        near_crisis = np.sort(vectors @ self.crisis.T, axis=1)[:, -self.k:].mean(axis=1)
        near_calm = np.sort(vectors @ self.calm.T, axis=1)[:, -self.k:].mean(axis=1)
        return near_crisis - near_calm


def sentences(text: str) -> list[str]:
    """The sentences of a note, each scored on its own; a very long note's sentences are
    joined in groups so that at most ``MAX_SENTENCES`` pieces are encoded."""
    pieces = [p.strip() for p in _SENTENCE_END.split(text) if _HAS_WORD.search(p)]
    if len(pieces) <= MAX_SENTENCES:
        return pieces
    size = -(-len(pieces) // MAX_SENTENCES)
    return [" ".join(pieces[i : i + size]) for i in range(0, len(pieces), size)]


def read_backstop(path: Path = BACKSTOP_FILE) -> Backstop:
    with np.load(path) as data:
        return Backstop(
            crisis=np.asarray(data["crisis"], dtype=np.float32),
            calm=np.asarray(data["calm"], dtype=np.float32),
            k=int(data["k"]),
            margin=float(data["margin"]),
        )


def write_backstop(backstop: Backstop, path: Path = BACKSTOP_FILE) -> None:
    """float16 halves the file; the decisions on every evaluation sentence are unchanged
    (checked by the training script before it writes)."""
    with open(path, "wb") as handle:
        np.savez_compressed(handle, crisis=backstop.crisis.astype(np.float16), calm=backstop.calm.astype(np.float16),
                            k=np.int64(backstop.k), margin=np.float64(backstop.margin))


def switched_on() -> bool:
    """``THAW_CRISIS_BACKSTOP`` (default 0): 1 adds the backstop where the extra is installed.

    Off unless asked for: it costs about 12-20 ms of CPU per note on every check-in (the write
    path's floors, docs/PERFORMANCE.md, are measured without it)."""
    value = os.environ.get("THAW_CRISIS_BACKSTOP", "0").strip()
    if value not in ("0", "1"):
        raise ValueError(f"THAW_CRISIS_BACKSTOP must be 0 or 1, not {value!r}")
    return value == "1"


def available() -> bool:
    """True when switched on, the word-finding model is installed and the backstop file is present."""
    return switched_on() and wordmodel.available() and BACKSTOP_FILE.is_file()


_loading = threading.Lock()
_ready: tuple[wordmodel.MiniLM, Backstop] | None = None
_started = False


@cache
def _loaded() -> tuple[wordmodel.MiniLM, Backstop]:
    return wordmodel.shared_encoder(), read_backstop()


def load() -> tuple[wordmodel.MiniLM, Backstop] | None:
    """The encoder and the backstop, loaded once per process (about a second; blocks until
    then); None without the extra. For scripts and tests: a request uses ``if_ready``."""
    global _ready
    if not available():
        return None
    with _loading:
        _ready = _loaded()
    return _ready


def if_ready() -> tuple[wordmodel.MiniLM, Backstop] | None:
    """The backstop if this process has loaded it; otherwise start loading it in the background
    and answer None at once, so a save never waits for the model (the rules answer alone until
    it is ready, as word finding answers with its lexicon)."""
    global _started
    if not available():
        return None
    if _ready is not None:
        return _ready
    with _loading_started:
        if not _started:
            _started = True
            threading.Thread(target=_load_quietly, name="thaw-crisis-backstop", daemon=True).start()
    return None


_loading_started = threading.Lock()


def _load_quietly() -> None:
    try:
        load()
    except Exception:  # noqa: BLE001 - the rules go on alone; say why once
        logger.exception("crisis backstop could not load; the phrases and rules answer alone")


def warm() -> None:
    """Start loading in a worker process (gunicorn's post_fork), never in the process that forks:
    a thread running while a process forks leaves its locks held in the child for ever."""
    if_ready()


def _after_fork_in_child() -> None:
    """A process forked while a load was under way starts its own: the locks are new, and a
    backstop loaded before the fork is kept (shared copy-on-write)."""
    global _loading, _loading_started, _started
    _loading, _loading_started = threading.Lock(), threading.Lock()
    _started = _ready is not None


os.register_at_fork(after_in_child=_after_fork_in_child)


def _reads(language: str | None) -> bool:
    """The model was trained on English sentences and reads English only: for other languages
    the phrases and rules (which have a Spanish list of their own) answer alone."""
    return (language or translation.get_language() or "en").lower().startswith("en")


def note_score(text: str, loaded: tuple[wordmodel.MiniLM, Backstop]) -> float:
    """The highest sentence score of a note (``-inf`` for a note without words)."""
    encoder, backstop = loaded
    pieces = sentences(text)
    if not pieces:
        return float("-inf")
    return float(backstop.scores(encoder.encode(pieces)).max())


def shows_help(text: str, language: str | None = None) -> bool:
    """True when the backstop is loaded and some sentence of ``text`` (written in English) reads
    as crisis."""
    if not text or not text.strip() or not _reads(language):
        return False
    loaded = if_ready()
    if loaded is None:
        return False
    return note_score(text, loaded) >= loaded[1].margin


def crisis_language(text: str, language: str | None = None) -> list[CrisisMatch]:
    """The crisis screen every free text gets: the phrases and rules; if they found nothing,
    the statistical layer (``thaw.safety.ngram``, always on); then, if the extra is installed
    and switched on, the semantic backstop. Each layer answers with one match of its own
    category over the whole text. When the rules' matches give way (``_quieted``: all from
    entries marked ``quiet_when_model_calm``, as written, and the statistical layer reads every
    sentence it judges as clearly calm), the semantic backstop still reads the note
    (``thaw.safety.language``, step 5).

    A failing backstop is logged without the text and leaves the rules' answer: the screen
    never fails a save. Call it before opening the write transaction (it takes up to a few
    hundred milliseconds of CPU for a long note)."""
    matches = find_crisis_language(text)
    if matches and not _quieted(text, matches):
        return matches
    if not matches:  # (a quieted note read as calm, below the layer's threshold: no need to ask)
        try:
            if ngram.shows_help(text):
                return [CrisisMatch(phrase="read as crisis by the statistical model", category=ngram.CATEGORY,
                                    start=0, end=len(text))]
        except Exception:  # noqa: BLE001 - the statistical layer must never take the rules down with it
            logger.exception("crisis statistical layer failed; the phrases and rules answered alone")
    try:
        if shows_help(text, language):
            return [CrisisMatch(phrase="close in meaning to crisis sentences", category=CATEGORY, start=0, end=len(text))]
    except Exception:  # noqa: BLE001 - the optional layer must never take the rules down with it
        logger.exception("crisis backstop failed; the phrases and rules answered alone")
    return []


def _quieted(text: str, matches: list[CrisisMatch]) -> bool:
    """Do the rules' matches give way? Only when every one is from an entry marked
    ``quiet_when_model_calm``, spelled as written (``CrisisMatch.quiet_when_model_calm``) and
    within one sentence as the statistical layer cuts them, and the layer reads the note as
    clearly calm. A failing layer quiets nothing."""
    if not all(m.quiet_when_model_calm and not ngram.SENTENCE_END.search(text[m.start : m.end]) for m in matches):
        return False
    try:
        return ngram.reads_calm(text)
    except Exception:  # noqa: BLE001 - a failing layer quiets nothing
        logger.exception("crisis statistical layer failed; the phrases and rules answered alone")
        return False


def mode() -> str:
    """Which layers screen text: for Settings and ``thaw check``."""
    if available():
        return "phrases, rules and statistical model + semantic backstop (local model)"
    if wordmodel.available() and not switched_on():
        return "phrases, rules and statistical model (semantic backstop not switched on: THAW_CRISIS_BACKSTOP=1)"
    return "phrases, rules and statistical model"
