"""The results directory of an experiment.

```
RESULTS/
  manifest.json        what was run: experiment file and hash, resolved configs, seeds,
                       package versions, sessions with their timings and run counts
  experiment.toml      a copy of the experiment file
  parts/chunk-*/       one directory per finished chunk of runs: runs.parquet and one
                       Parquet file per table
  results.duckdb       views over all chunks: runs, school_year, district_year, ...
```

A chunk directory is written under a temporary name and renamed into place, so it is
either complete or absent: a sweep killed at any moment leaves at most a temporary
directory, removed on the next start, and re-running the same command skips the runs
whose chunks exist. The manifest is replaced atomically too.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from teachsim.config.errors import ConfigError

PARTS = "parts"
TMP_PREFIX = ".tmp-"


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2, default=str)
            fh.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResultsStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.parts = self.root / PARTS

    # --- lifecycle -------------------------------------------------------------------
    def open(self, experiment_sha: str, experiment_text: str, new: bool) -> dict[str, Any]:
        """Create the directory, or reuse it for the same experiment file; refuse a
        different experiment file unless ``new`` (then the old results are moved aside)."""
        manifest = self.manifest()
        if manifest is not None and manifest.get("experiment_sha256") != experiment_sha:
            if not new:
                raise ConfigError(
                    self.root, None,
                    "holds results of a different version of the experiment file (hash "
                    f"{manifest.get('experiment_sha256', '?')[:12]} vs {experiment_sha[:12]})",
                    "pass --new to start over (the old results are kept beside it as "
                    f"{self.root.name}.old-<time>), or choose another --out directory")
            aside = self.root.with_name(f"{self.root.name}.old-{time.strftime('%Y%m%d-%H%M%S')}")
            self.root.rename(aside)
            manifest = None
        self.parts.mkdir(parents=True, exist_ok=True)
        for tmp in self.parts.glob(f"{TMP_PREFIX}*"):
            shutil.rmtree(tmp, ignore_errors=True)  # left by a killed sweep
        copy = self.root / "experiment.toml"
        if not copy.exists():
            copy.write_text(experiment_text)
        return manifest or {}

    def manifest(self) -> dict[str, Any] | None:
        path = self.root / "manifest.json"
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def write_manifest(self, data: dict[str, Any]) -> None:
        write_json_atomic(self.root / "manifest.json", data)

    # --- chunks ----------------------------------------------------------------------
    def chunk_dirs(self) -> list[Path]:
        return sorted(p for p in self.parts.glob("chunk-*") if p.is_dir())

    def finished_runs(self) -> dict[int, str]:
        """run_id -> status of every run recorded in a chunk ("ok" if any attempt
        succeeded)."""
        done: dict[int, str] = {}
        for d in self.chunk_dirs():
            t = pq.read_table(d / "runs.parquet", columns=["run_id", "status"]).to_pydict()
            for run, status in zip(t["run_id"], t["status"], strict=True):
                if done.get(run) != "ok":
                    done[run] = status
        return done

    def write_chunk(self, name: str, tables: dict[str, pa.Table]) -> Path:
        """Write a chunk's tables as one directory, atomically."""
        final = self.parts / name
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{name}-", dir=self.parts))
        try:
            for table, data in tables.items():
                pq.write_table(data, tmp / f"{table}.parquet")
            os.chmod(tmp, 0o755)
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return final

    def tables_present(self) -> list[str]:
        names: set[str] = set()
        for d in self.chunk_dirs():
            names.update(p.stem for p in d.glob("*.parquet"))
        return sorted(names)

    # --- catalogue -------------------------------------------------------------------
    def build_catalogue(self) -> Path:
        """(Re)create results.duckdb with one view per table over all chunks."""
        import duckdb

        db = self.root / "results.duckdb"
        tmp = self.root / ".results.duckdb.tmp"
        tmp.unlink(missing_ok=True)
        con = duckdb.connect(str(tmp))
        try:
            for table in self.tables_present():
                glob = (self.parts.resolve() / "chunk-*" / f"{table}.parquet").as_posix()
                source = f"read_parquet('{glob}', union_by_name = true)"
                if table == "runs":
                    # A run tried again after a failure has several records: keep the
                    # last. (Failed attempts write no rows to the other tables.)
                    con.execute(
                        f"CREATE VIEW runs AS SELECT * FROM {source} QUALIFY row_number() "
                        "OVER (PARTITION BY run_id ORDER BY finished_at DESC) = 1")
                else:
                    con.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}")
        finally:
            con.close()
        os.replace(tmp, db)
        return db
