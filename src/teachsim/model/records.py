"""Tidy tables built up during a run, column by column.

The model appends one block of equal-length columns per table per year; ``tables()``
concatenates them. Plain numpy arrays keep the model free of storage libraries; the
storage layer (``teachsim.experiments.tables``) turns them into Arrow tables and files.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

Table = dict[str, np.ndarray]


class Records:
    def __init__(self) -> None:
        self._blocks: dict[str, list[Table]] = defaultdict(list)

    def add(self, table: str, block: Table) -> None:
        lengths = {len(v) for v in block.values()}
        if len(lengths) > 1:
            raise ValueError(f"{table}: columns of unequal length {sorted(lengths)}")
        self._blocks[table].append(block)

    def tables(self) -> dict[str, Table]:
        out: dict[str, Table] = {}
        for name, blocks in self._blocks.items():
            cols = list(blocks[0])
            out[name] = {c: np.concatenate([b[c] for b in blocks]) for c in cols}
        return out
