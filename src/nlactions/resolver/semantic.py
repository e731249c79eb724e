"""Sentence embeddings for semantic matching: wordllama, loaded lazily once per process."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Vectors", "available", "embed", "preload", "similarity"]

Vectors = npt.NDArray[np.float32]

_lock = threading.Lock()
_model: Any = None
_failed: str | None = None


def _load() -> Any:
    """Load the wordllama model shipped inside its package (no download); once per process."""
    global _model, _failed
    if _model is not None or _failed is not None:
        return _model
    with _lock:
        if _model is None and _failed is None:
            try:
                import wordllama
                from wordllama import WordLlama

                package_dir = Path(wordllama.__file__).parent
                _model = WordLlama.load(cache_dir=package_dir, disable_download=True)
            except Exception as exc:  # the semantic stage is optional: matching falls back to fuzzy
                _failed = f"{type(exc).__name__}: {exc}"
    return _model


def preload() -> None:
    """Start loading the model in a background thread, so that no request waits for (or stalls on) it."""
    if _model is None and _failed is None:
        threading.Thread(target=_load, name="nlactions-embeddings", daemon=True).start()


def available() -> bool:
    """True when the embedding model loads (it is loaded on the first call)."""
    return _load() is not None


def embed(texts: Sequence[str]) -> Vectors:
    """Unit-length embeddings of ``texts`` (one row each); zero rows when the model is unavailable."""
    model = _load()
    if model is None or not texts:
        return np.zeros((len(texts), 1), dtype=np.float32)
    vectors = np.asarray(model.embed(list(texts), norm=True), dtype=np.float32)
    return np.ascontiguousarray(vectors)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts (0 when the model is unavailable)."""
    vectors = embed([a, b])
    return float(vectors[0] @ vectors[1])
