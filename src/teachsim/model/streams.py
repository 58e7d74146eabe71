"""Random number streams.

All randomness comes from one root seed. Each random process draws from its own named
stream, ``SeedSequence(root, spawn_key=(crc32(name),))``, so adding a process never shifts
the draws of another, and two policy arms given the same root seed see the same draws
for the same processes (common random numbers). ``crc32`` is used instead of ``hash()``
because it is stable across processes and Python versions.
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.random.bit_generator import ISeedSequence


def stream_seed(root: int, name: str, *extra: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(root, spawn_key=(zlib.crc32(name.encode()), *extra))


def stream(root: int, name: str, *extra: int) -> np.random.Generator:
    """A generator for the random process ``name`` (and optional sub-keys, e.g. a school)."""
    return np.random.Generator(np.random.PCG64(stream_seed(root, name, *extra)))


# --- many replications' streams at once -----------------------------------------------
# numpy's SeedSequence mixing, compiled for many roots at a time (compiled.seed_words);
# equal to ``stream`` word for word (tests/test_streams.py) and about ten times cheaper
# per stream for a batch of replications.
_MASK = 0xFFFFFFFF
_POOL = 4


class _Words(ISeedSequence):
    """A seed sequence whose state words are already computed."""

    def __init__(self, words: np.ndarray) -> None:
        self.words = words

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        if n_words != 4 or np.dtype(dtype) != np.uint64:  # all PCG64 asks for
            raise ValueError("precomputed for PCG64 only")
        return self.words


def _uint32_words(n: int) -> list[int]:
    """``n`` as numpy's SeedSequence reads an integer: 32-bit words, lowest first."""
    if n < 0:
        raise ValueError("expected non-negative integer")
    words = [n & _MASK] if n == 0 else []
    while n > 0:
        words.append(n & _MASK)
        n >>= 32
    return words


@lru_cache(maxsize=64)
def _root_groups(roots: tuple[int, ...]) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The roots' entropy words, padded to the pool size, in groups of equal length:
    (indices of the roots, their words)."""
    # with a spawn key, SeedSequence pads a root shorter than the pool with zeros
    rows = [words + [0] * (_POOL - len(words))
            for words in (_uint32_words(int(r)) for r in roots)]
    groups: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(len(row), []).append(i)
    return tuple((np.array(idx), np.array([rows[i] for i in idx], dtype=np.uint64))
                 for idx in groups.values())


def streams(roots: list[int], name: str, *extra: int) -> list[np.random.Generator]:
    """``[stream(root, name, *extra) for root in roots]``, computed together."""
    spawn = np.array([w for k in (zlib.crc32(name.encode()), *extra)
                      for w in _uint32_words(int(k))], dtype=np.uint64)
    from teachsim.model.compiled import seed_words

    out: list[np.random.Generator] = [None] * len(roots)  # type: ignore[list-item]
    for idx, run in _root_groups(tuple(roots)):
        entropy = np.empty((len(idx), run.shape[1] + len(spawn)), dtype=np.uint64)
        entropy[:, :run.shape[1]] = run
        entropy[:, run.shape[1]:] = spawn
        for i, w in zip(idx.tolist(), seed_words(entropy), strict=True):
            out[i] = np.random.Generator(np.random.PCG64(_Words(w)))
    return out
