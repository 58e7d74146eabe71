"""Random number streams.

All randomness comes from one root seed. Each random process draws from its own named
stream, ``SeedSequence(root, spawn_key=(crc32(name),))``, so adding a process never shifts
the draws of another, and two policy arms given the same root seed see the same draws
for the same processes (common random numbers). ``crc32`` is used instead of ``hash()``
because it is stable across processes and Python versions.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_seed(root: int, name: str, *extra: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(root, spawn_key=(zlib.crc32(name.encode()), *extra))


def stream(root: int, name: str, *extra: int) -> np.random.Generator:
    """A generator for the random process ``name`` (and optional sub-keys, e.g. a school)."""
    return np.random.Generator(np.random.PCG64(stream_seed(root, name, *extra)))
