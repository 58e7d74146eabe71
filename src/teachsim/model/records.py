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


class BatchRecords:
    """Tables of several replications run side by side: each block holds the rows of
    every replication, grouped by replication (``bounds[r]:bounds[r + 1]``); ``split``
    returns each replication's tables, as ``Records.tables`` would for it alone."""

    def __init__(self, n_rep: int) -> None:
        self.n_rep = n_rep
        self._blocks: dict[str, list[tuple[Table, list[int]]]] = defaultdict(list)

    def add(self, table: str, block: Table, bounds: list[int]) -> None:
        lengths = {len(v) for v in block.values()}
        if len(lengths) > 1:
            raise ValueError(f"{table}: columns of unequal length {sorted(lengths)}")
        self._blocks[table].append((block, bounds))

    def split(self, local: dict[str, np.ndarray] | None = None) -> list[dict[str, Table]]:
        """Each replication's tables. ``local`` maps a column to the offset subtracted
        from each replication's values (``offset[r]``), e.g. global to local ids."""
        out: list[dict[str, Table]] = [{} for _ in range(self.n_rep)]
        for name, blocks in self._blocks.items():
            starts = np.cumsum([0] + [len(next(iter(b.values()))) for b, _ in blocks])
            # rows of replication r in every year, in year order, then the next r
            idx = np.concatenate([np.arange(s + bd[r], s + bd[r + 1])
                                  for r in range(self.n_rep)
                                  for (_, bd), s in zip(blocks, starts[:-1], strict=True)])
            ends = np.cumsum([0] + [sum(bd[r + 1] - bd[r] for _, bd in blocks)
                                    for r in range(self.n_rep)])
            for c in blocks[0][0]:
                col = np.concatenate([b[c] for b, _ in blocks])[idx]
                if local and c in local:
                    col = col - np.repeat(local[c], np.diff(ends))
                for r in range(self.n_rep):
                    out[r].setdefault(name, {})[c] = col[ends[r]:ends[r + 1]]
        return out
