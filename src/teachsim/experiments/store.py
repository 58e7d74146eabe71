"""The results directory of an experiment.

```
RESULTS/
  manifest.json        what was run: experiment file and hash, resolved configs, seeds,
                       package versions, sessions with their timings and run counts
  experiment.toml      a copy of the experiment file
  parts/chunk-*/       one directory per finished chunk of runs: runs.parquet and one
                       Parquet file per table
  results.duckdb       every table copied into one DuckDB file (self-contained: it can
                       be copied, moved or archived and still reads its own data)
```

A chunk directory is written under a temporary name and renamed into place, so it is
either complete or absent: a sweep killed at any moment leaves at most a temporary
directory, removed on the next start, and re-running the same command skips the runs
whose chunks exist. The manifest is replaced atomically too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from teachsim.config.errors import ConfigError
from teachsim.experiments.design import split_run_id

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
    def open(self, experiment_sha: str, experiment_text: str, new: bool,
             arm_sha: dict[str, str] | None = None, uncertainty: str | None = None
             ) -> dict[str, Any]:
        """Create the directory, or reuse it to resume the same experiment; refuse one
        whose experiment file or any arm's resolved scenario (base files, policies,
        roster, parameters) changed unless ``new`` (then the old results are moved
        aside)."""
        from teachsim.experiments.atomic import check_dir_target, write_text

        # experiment.toml is the first file a sweep writes: its presence marks the
        # directory as a results directory, even one whose sweep was killed at once.
        check_dir_target(self.root, "experiment.toml", what="results")
        manifest = self.manifest(damaged_ok=new)
        damaged = manifest is None and (self.root / "manifest.json").exists()
        changed = self._changes(manifest, experiment_sha, arm_sha or {}, uncertainty)
        if changed and not new:
            raise ConfigError(
                self.root, None, f"holds results of a different experiment: {changed}",
                "pass --new to start over (the old results are kept beside it as "
                f"{self.root.name}.old-<time>), or choose another --out directory")
        if new and (changed or damaged):
            aside = self.root.with_name(f"{self.root.name}.old-{time.strftime('%Y%m%d-%H%M%S')}")
            self.root.rename(aside)
            manifest = None
        self.root.mkdir(parents=True, exist_ok=True)
        copy = self.root / "experiment.toml"
        if not copy.exists():
            write_text(copy, experiment_text)
        self.parts.mkdir(exist_ok=True)
        for tmp in self.parts.glob(f"{TMP_PREFIX}*"):
            shutil.rmtree(tmp, ignore_errors=True)  # left by a killed sweep
        return manifest or {}

    @staticmethod
    def _changes(manifest: dict[str, Any] | None, experiment_sha: str,
                 arm_sha: dict[str, str], uncertainty: str | None = None) -> str:
        """What differs between the manifest and the experiment now ('' if nothing)."""
        if manifest is None:
            return ""
        if manifest.get("experiment_sha256") != experiment_sha:
            then = str(manifest.get("experiment_sha256"))[:12]
            return (f"the experiment file changed (hash {then} then, {experiment_sha[:12]} "
                    "now)")
        if "arm_sha256" not in manifest:
            return ("its manifest predates scenario hashes, so a changed base file, policy "
                    "or roster cannot be ruled out")
        before = manifest["arm_sha256"]
        for arm, sha in arm_sha.items():
            if before.get(arm) != sha:
                return (f"the resolved scenario of arm '{arm}' changed (a base file, "
                        "policy, roster or parameter it reads)")
        then = manifest.get("uncertainty", {}).get("id", "point")
        if uncertainty is not None and then != uncertainty:
            return (f"its runs' parameter values came from {then}, this sweep's from "
                    f"{uncertainty} (--point-estimate, or a changed ensemble)")
        return ""

    def manifest(self, damaged_ok: bool = False) -> dict[str, Any] | None:
        """The manifest, or None in a new directory; a damaged one raises ConfigError
        (or, with ``damaged_ok``, counts as absent)."""
        if not (self.root / "manifest.json").exists():
            return None
        try:
            return read_manifest(self.root)
        except ConfigError:
            if damaged_ok:
                return None
            raise

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
            try:
                t = pq.read_table(d / "runs.parquet", columns=["run_id", "status"]
                                  ).to_pydict()
            except (OSError, pa.ArrowException) as exc:
                raise damaged_chunk(d, exc) from None
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
        return sorted(self.table_files())

    def table_files(self) -> dict[str, list[Path]]:
        """Every table's Parquet files, one per chunk, as absolute paths."""
        files: dict[str, list[Path]] = {}
        for d in self.chunk_dirs():
            for p in sorted(d.glob("*.parquet")):
                files.setdefault(p.stem, []).append(p.resolve())
        return files

    # --- catalogue -------------------------------------------------------------------
    def build_catalogue(self) -> Path:
        """(Re)create results.duckdb with every table *copied* into it.

        Copies, not views: a view would hold the absolute paths of the Parquet files, so
        a results directory copied elsewhere would silently read the original's data
        (and a moved one would read nothing). The database is self-contained: plain
        DuckDB, from any working directory, reads the tables as they were at the end of
        the last sweep session. :func:`open_results` does not use it; it reads the chunks
        themselves, so it always sees every finished chunk.
        """
        import duckdb

        db = self.root / "results.duckdb"
        fd, name = tempfile.mkstemp(prefix=".results.duckdb.", suffix=".tmp", dir=self.root)
        os.close(fd)
        tmp = Path(name)
        tmp.unlink()  # DuckDB creates the file itself
        files = self.table_files()
        # The largest table is copied on a second connection while the others are: the
        # copies are mostly single-threaded, and this is the wait at the end of a sweep.
        largest = max(files, key=lambda t: sum(p.stat().st_size for p in files[t]),
                      default=None)

        def create(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
            for table in tables:
                try:
                    con.execute(f"CREATE TABLE {ident(table)} AS {select(table, '$files')}",
                                {"files": [str(p) for p in files[table]]})
                except (duckdb.IOException, duckdb.InvalidInputException) as exc:
                    raise damaged_chunk(self.parts, exc) from None

        try:
            con = duckdb.connect(str(tmp))
            try:
                cur = con.cursor()
                try:
                    with ThreadPoolExecutor(1) as side:
                        big = side.submit(create, cur, [largest] if largest else [])
                        create(con, [t for t in files if t != largest])
                        big.result()
                finally:
                    cur.close()
                con.execute("CREATE TABLE _chunks AS SELECT unnest($names) AS chunk",
                            {"names": [d.name for d in self.chunk_dirs()]})
            finally:
                con.close()
            os.chmod(tmp, 0o644)
            os.replace(tmp, db)
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
        return db


def replication_counts(finished: dict[int, str], arms: list[str], n_points: int
                       ) -> dict[str, int]:
    """Replications finished (status ok) at every design point of each arm, counted in
    the run records (``finished``: run id -> status; arms in the experiment's order)."""
    ok: dict[tuple[int, int], int] = {}
    for rid, status in finished.items():
        if status == "ok":
            arm, point, _ = split_run_id(rid)
            ok[(arm, point)] = ok.get((arm, point), 0) + 1
    return {arm: min(ok.get((a, p), 0) for p in range(n_points))
            for a, arm in enumerate(arms)}


def damaged_chunk(where: Path, exc: Exception) -> ConfigError:
    """The error for a chunk whose files cannot be read (a disk fault, a partial copy):
    ``where`` is the chunk, or the results directory when the error names the file."""
    found = re.search(r"'([^']*chunk-[^'/]+)/[^'/]+\.parquet'", str(exc))
    chunk = Path(found.group(1)) if found else where
    return ConfigError(chunk, None, f"is damaged: {str(exc).splitlines()[0][:200]}",
                       f"delete the directory {chunk.name} (or restore it from a copy); "
                       "the next teachsim sweep of the same experiment reruns its runs")


def ident(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """``text`` as a quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def select(table: str, files: str) -> str:
    """The query reading ``table`` from ``files`` (an SQL list of paths or a parameter).

    A run tried again after a failure has several records in ``runs``: the last one is
    kept. (Failed attempts write no rows to the other tables.)
    """
    source = f"read_parquet({files}, union_by_name = true)"
    if table == "runs":
        return (f"SELECT * FROM {source} QUALIFY row_number() OVER (PARTITION BY run_id "
                "ORDER BY finished_at DESC) = 1")
    if table == "draws":  # each chunk lists the parameter sets its runs drew
        return f"SELECT DISTINCT * FROM {source}"
    return f"SELECT * FROM {source}"


def read_manifest(path: Path) -> dict[str, Any]:
    """A results directory's manifest, or a ConfigError saying what is wrong with it."""
    file = path / "manifest.json"
    fix = ("the results directory is damaged: run the sweep again into a new directory "
           "(or pass --new), or restore manifest.json from a copy")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, None, "is not a results directory (no manifest.json)",
                          "give a directory written by teachsim sweep / run_experiment"
                          ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(file, None, f"is not valid JSON ({exc})", fix) from None
    except OSError as exc:
        raise ConfigError(file, None, f"cannot be read ({exc.strerror or exc})",
                          "check the path and its permissions") from None
    missing = [k for k in MANIFEST_KEYS if not isinstance(data, dict) or k not in data]
    if missing:
        raise ConfigError(file, None, "is not a teachsim manifest (missing "
                          f"{', '.join(missing)})", fix)
    wrong = [k for k, kind in MANIFEST_KEYS.items() if not isinstance(data[k], kind)]
    arms = data["arms"]
    if not wrong and not all(isinstance(a, str) and isinstance(v, dict)
                             and isinstance(v.get("scenario", {}), dict)
                             for a, v in arms.items()):
        wrong.append("arms")
    if not wrong and not isinstance(data["design"].get("points", []), list):
        wrong.append("design")
    if wrong:
        raise ConfigError(file, ", ".join(wrong), "has the wrong structure", fix)
    return data


#: keys every manifest has (readers rely on them)
MANIFEST_KEYS: dict[str, type | tuple[type, ...]] = {
    "experiment": str, "experiment_sha256": str, "arms": dict, "design": dict,
    "versions": dict, "sessions": list}
