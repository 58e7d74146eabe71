"""An experiment's results directory, opened for reading: its manifest, its tables as
pandas DataFrames and SQL over them through DuckDB.

    import teachsim

    res = teachsim.open_results("results/schedule_comparison")
    res.table("district_year")                       # pandas DataFrame
    res.sql("SELECT arm, avg(turnover_rate) FROM district_year GROUP BY arm")
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teachsim.config.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from teachsim.experiments.runner import SweepReport


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

        from teachsim.experiments.store import ResultsStore

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
