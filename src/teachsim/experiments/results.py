"""An experiment's results directory, opened for reading: its manifest, its tables as
pandas DataFrames and SQL over them through DuckDB.

    import teachsim

    res = teachsim.open_results("results/schedule_comparison")
    res.table("district_year")                       # pandas DataFrame
    res.sql("SELECT arm, avg(turnover_rate) FROM district_year GROUP BY arm")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teachsim.config.errors import ConfigError
from teachsim.experiments.store import (
    ResultsStore,
    damaged_chunk,
    ident,
    literal,
    read_manifest,
    replication_counts,
    select,
)

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
        return read_manifest(self.path)

    def connect(self) -> Any:
        """An in-memory DuckDB connection with one view per table over this directory's
        own chunk files, listed now (so it works wherever the directory has been copied
        or moved, and on read-only media: nothing is written)."""
        import duckdb

        con = duckdb.connect(":memory:")
        for table, paths in ResultsStore(self.path).table_files().items():
            files = "[" + ", ".join(literal(str(p)) for p in paths) + "]"
            con.execute(f"CREATE VIEW {ident(table)} AS {select(table, files)}")
        return con

    def tables(self) -> list[str]:
        return ResultsStore(self.path).tables_present()

    def sql(self, query: str, params: list[Any] | dict[str, Any] | None = None
            ) -> pd.DataFrame:
        """Run ``query``; pass values (arm names, ...) as ``params``, marked ``?`` or
        ``$name`` in the query, never by pasting them into it."""
        import duckdb

        try:
            with self.connect() as con:
                return con.execute(query, params).df()
        except duckdb.CatalogException as exc:
            present = ", ".join(self.tables()) or "none: no run has finished"
            raise ConfigError(self.path, None, "does not hold a table this needs ("
                              f"{str(exc).splitlines()[0]}); tables: {present}",
                              "run the sweep (again) so its runs finish, and keep the "
                              "table in the experiment's tables list") from None
        except (duckdb.IOException, duckdb.InvalidInputException) as exc:
            raise damaged_chunk(self.path, exc) from None

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.tables():
            raise KeyError(f"no table {name!r}; tables: {', '.join(self.tables())}")
        return self.sql(f"SELECT * FROM {ident(name)} ORDER BY ALL")

    def replications(self) -> dict[str, int]:
        """Replications finished for every design point of each arm, counted in the data
        (a run that failed, or has not run, does not count)."""
        manifest = self.manifest
        return replication_counts(ResultsStore(self.path).finished_runs(),
                                  list(manifest["arms"]),
                                  len(manifest["design"].get("points", [])) or 1)


def open_results(path: str | Path) -> Results:
    """Open an experiment's results directory for reading (it is checked, not changed)."""
    path = Path(path)
    if not path.is_dir():
        raise ConfigError(path, None, "is not a results directory (not a directory)",
                          "give a directory written by teachsim sweep / run_experiment")
    read_manifest(path)
    return Results(path)
