"""Writing result tables to disk: Parquet (default) or CSV, atomically.

Each file is written to a temporary name in the target directory and renamed into place,
so a reader never sees a half-written file and an interrupted write leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from teachsim.model.records import Table


def to_arrow(table: Table) -> pa.Table:
    cols = {}
    for name, values in table.items():
        # Object columns (strings) convert directly: the same Arrow array as from a
        # list, thirty times faster.
        cols[name] = pa.array(np.asarray(values))
    return pa.table(cols)


def write_table(table: Table, path: Path, fmt: str = "parquet") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrow = to_arrow(table)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; results are meant to be shared
    try:
        if fmt == "parquet":
            pq.write_table(arrow, tmp)
        elif fmt == "csv":
            pacsv.write_csv(arrow, tmp)
        else:
            raise ValueError(f"unknown format {fmt!r}; use 'parquet' or 'csv'")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_tables(tables: dict[str, Table], out_dir: Path, formats: tuple[str, ...] = (
        "parquet",)) -> list[Path]:
    written = []
    for fmt in formats:
        for name, table in tables.items():
            written.append(write_table(table, out_dir / f"{name}.{fmt}", fmt))
    return written


def read_table(path: Path) -> pa.Table:
    return pq.read_table(path) if path.suffix == ".parquet" else pacsv.read_csv(path)
