"""Python API for notebooks: run an experiment, open its results, query them.

    from teachsim.api import run_experiment, open_results

    res = run_experiment("experiments/schedule_comparison.toml", replications=20)
    res.table("district_year")                       # pandas DataFrame
    res.sql("SELECT arm, avg(turnover_rate) FROM district_year GROUP BY arm")

The ``teachsim sweep`` command is a thin shell over :func:`run_experiment`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teachsim.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from teachsim.runner import SweepReport


@dataclass
class Results:
    """An experiment's results directory."""

    path: Path
    report: SweepReport | None = None

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.path / "manifest.json").read_text())

    def connect(self) -> Any:
        """A read-only DuckDB connection with one view per table (rebuilt if the directory
        has moved since the views were made)."""
        import duckdb

        from teachsim.store import ResultsStore

        db = self.path / "results.duckdb"
        store = ResultsStore(self.path)
        if not db.exists() or not self._views_valid(db):
            store.build_catalogue()
        return duckdb.connect(str(db), read_only=True)

    def _views_valid(self, db: Path) -> bool:
        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        try:
            con.execute("SELECT * FROM runs LIMIT 0")
            return True
        except duckdb.Error:
            return False
        finally:
            con.close()

    def tables(self) -> list[str]:
        with self.connect() as con:
            return sorted(r[0] for r in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall())

    def sql(self, query: str) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(query).df()

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.tables():
            raise KeyError(f"no table {name!r}; tables: {', '.join(self.tables())}")
        return self.sql(f"SELECT * FROM {name} ORDER BY ALL")


def open_results(path: str | Path) -> Results:
    path = Path(path)
    if not (path / "manifest.json").exists():
        raise ConfigError(path, None, "is not a results directory (no manifest.json)",
                          "give a directory written by teachsim sweep / run_experiment")
    return Results(path)


def run_experiment(
    experiment: str | Path,
    *,
    out: str | Path | None = None,
    replications: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    dask_local: bool = False,
    serial: bool = False,
    new: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> Results:
    """Run (or resume) an experiment and return its results.

    Engine: in this process (``serial``), a Dask cluster (``dask="tcp://host:8786"``), a
    local Dask cluster (``dask_local``), or local processes (default; ``workers`` defaults
    to every core).
    """
    from teachsim.experiment import load_experiment
    from teachsim.runner import Engine, default_workers, sweep

    exp = load_experiment(experiment)
    n = workers or default_workers()
    if serial:
        engine = Engine("serial", 1)
    elif dask:
        engine = Engine("dask", n, dask)
    elif dask_local:
        engine = Engine("dask-local", n)
    else:
        engine = Engine("processes", n)
    out_dir = Path(out) if out else Path("results") / exp.spec.name
    report = sweep(exp, out_dir, engine, replications=replications, new=new,
                   progress=progress)
    return Results(out_dir, report)
