"""docs/outputs.md, the data dictionary of every output table, is current and true to the
tables the tool really writes: no column undocumented, no documented column that is gone,
the same order and type families (teachsim/experiments/dictionary.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from teachsim.cli import app
from teachsim.experiments import dictionary
from teachsim.experiments.dictionary import DRAWN, RUN, SWEEP, SWEPT, Column, problems
from teachsim.experiments.results import open_results
from teachsim.experiments.store import ResultsStore
from teachsim.model.run import TABLES
from tests.conftest import CONFIGS, ROOT

#: the conditions that hold in each output of the fixtures below
IN_RUN = {RUN}
IN_SWEEP = {SWEEP, SWEPT, DRAWN}
IN_POINT_SWEEP = {SWEEP}


def test_output_dictionary_is_current() -> None:
    committed = (ROOT / "docs" / "outputs.md").read_text()
    assert committed == dictionary.render(), (
        "docs/outputs.md is stale: run  "
        "uv run python -m teachsim.experiments.dictionary > docs/outputs.md")


def test_generator_runs_as_a_module() -> None:
    """``python -m`` renders the same page (run as a script the module is ``__main__``,
    and must still read the registry that extensions register into)."""
    done = subprocess.run([sys.executable, "-m", "teachsim.experiments.dictionary"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout == dictionary.render()


# --- real tables -------------------------------------------------------------------------
def _district(tmp: Path) -> Path:
    """Four schools of District D rolling the policy out, two a year from the second
    year: in two years, schools on and off the policy side by side."""
    path = tmp / "district_4.toml"
    path.write_text(f'extends = "{CONFIGS / "district_60.toml"}"\nname = "district_4"\n'
                    "[district]\nn_schools = 4\n[rollout]\nper_year = 2\n")
    return path


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``teachsim run --csv`` of School D under rotating release and of the small
    district, two years."""
    tmp = tmp_path_factory.mktemp("run")
    out = tmp / "out"
    result = CliRunner().invoke(app, ["run", str(CONFIGS / "school_d_rotating.toml"),
                                      str(_district(tmp)), "--years", "2", "--seed", "5",
                                      "--out", str(out), "--csv"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def sweep_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sweep keeping every table: the small district with and without its rollout, a
    two-point grid, two replications drawing parameter sets from the posterior."""
    tmp = tmp_path_factory.mktemp("sweep")
    exp = tmp / "e.toml"
    exp.write_text(f"""
name = "dictionary_test"
base = "{_district(tmp)}"
replications = 2
seed = 3
years = 2
tables = {list(TABLES)}
[[arm]]
name = "rollout"
[[arm]]
name = "none"
[arm.set]
"rollout.strategy" = "none"
"schedule.policy" = "traditional"
"staffing.leaders_per_grade" = 0
[sweep]
method = "grid"
[[sweep.parameter]]
name = "behaviour.burnout.support_buffer"
values = [0.1, 0.3]
""")
    from teachsim.experiments.api import run_experiment

    res = run_experiment(exp, out=tmp / "res", serial=True)
    assert res.report is not None and res.report.failed == 0
    return res.path


@pytest.fixture(scope="module")
def point_sweep_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run at the parameters' values, without a sweep: no draws, no swept columns."""
    tmp = tmp_path_factory.mktemp("point")
    exp = tmp / "p.toml"
    exp.write_text(f"""
name = "dictionary_point"
base = "{CONFIGS / 'school_d.toml'}"
replications = 1
years = 1
tables = ["run_summary"]
[uncertainty]
parameters = "point"
""")
    from teachsim.experiments.api import run_experiment

    return run_experiment(exp, out=tmp / "res", serial=True).path


def _parquet_columns(path: Path) -> dict[str, str]:
    return {f.name: str(f.type) for f in pq.read_schema(path)}


def _duckdb_tables(path: Path) -> dict[str, dict[str, str]]:
    with duckdb.connect(str(path / "results.duckdb"), read_only=True) as con:
        names = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()]
        return {t: dict(con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position", [t]).fetchall())
            for t in names}


def test_run_output_is_documented(run_out: Path) -> None:
    written = {p.name for p in run_out.iterdir()}
    assert written == {f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")} | {
        "run.json"}
    found = []
    for table in TABLES:
        columns = _parquet_columns(run_out / f"{table}.parquet")
        found += problems(table, columns, IN_RUN)
        # CSV types are whatever a reader infers; the columns are the Parquet file's
        csv = pacsv.read_csv(run_out / f"{table}.csv")
        assert csv.column_names == list(columns), table
    assert not found, "\n".join(found)
    # both scenarios are in the files: the district's rollout and School D
    sy = pq.read_table(run_out / "school_year.parquet", columns=["scenario", "adopted"])
    assert set(sy.column("scenario").to_pylist()) == {"school_d_rotating_release", "district_4"}
    assert set(sy.column("adopted").to_pylist()) == {True, False}


def test_results_directory_is_documented(sweep_out: Path) -> None:
    found = []
    store = ResultsStore(sweep_out)
    files = store.table_files()
    assert set(files) == {*TABLES, "runs", "draws"}
    for table, paths in files.items():
        for path in paths:
            found += problems(table, _parquet_columns(path), IN_SWEEP)
    catalogue = _duckdb_tables(sweep_out)
    # every table the dictionary knows of a results directory, and no other
    assert set(catalogue) == set(dictionary.BUILT_IN)
    for table, columns in catalogue.items():
        found += problems(table, columns, IN_SWEEP)
    res = open_results(sweep_out)
    for table in res.tables():
        frame = res.table(table)
        found += problems(table, {c: str(t) for c, t in frame.dtypes.items()}, IN_SWEEP)
    assert not found, "\n".join(found)


def test_sweep_without_draws_or_sweep(point_sweep_out: Path) -> None:
    catalogue = _duckdb_tables(point_sweep_out)
    assert set(catalogue) == {"runs", "run_summary", "_chunks"}
    found = [p for t, cols in catalogue.items() for p in problems(t, cols, IN_POINT_SWEEP)]
    assert not found, "\n".join(found)
    # with a sweep's conditions, the missing swept columns are reported
    assert problems("runs", catalogue["runs"], IN_SWEEP) == [
        "runs: no column of the family <swept parameter>"]


def test_conditional_columns_are_the_run_keys() -> None:
    """In the model's tables only the columns identifying the run depend on where the
    table is written; nothing depends on the district, its rollout or the policy (the
    district run above has the same columns as School D)."""
    for table in TABLES:
        conditional = {c.name: c.only_when for c in dictionary.columns(table)
                       if c.only_when is not None}
        assert conditional == {"run_id": SWEEP, "arm": SWEEP, "point": SWEEP,
                               "replication": SWEEP, "seed": RUN}, table


# --- the checker and the registry --------------------------------------------------------
def test_problems_names_stale_unknown_reordered_and_mistyped_columns() -> None:
    real = {c.name: c.dtype for c in dictionary.columns("rollout", IN_RUN)}
    assert problems("rollout", real, IN_RUN) == []
    gone = {k: v for k, v in real.items() if k != "wave"}
    assert problems("rollout", gone, IN_RUN) == [
        "rollout: in the dictionary but not in the table: ['wave']"]
    assert problems("rollout", real | {"new": "double"}, IN_RUN) == [
        "rollout: in the table but not in the dictionary: ['new']"]
    assert problems("rollout", real | {"wave": "DOUBLE"}, IN_RUN) == [
        "rollout.wave: type DOUBLE in the table, int64 in the dictionary"]
    swapped = dict(reversed(list(real.items())))
    assert "another order" in problems("rollout", swapped, IN_RUN)[0]
    # a sweep's key columns in run output are unknown there
    assert problems("rollout", {"run_id": "int64", **real}, IN_RUN) == [
        "rollout: in the table but not in the dictionary: ['run_id']"]


def test_every_column_is_described() -> None:
    for name, table in dictionary.tables().items():
        assert table.rows and table.written_by, name
        for c in table.columns:
            assert c.dtype in dictionary.DTYPES and len(c.meaning) > 10 and c.unit, (
                f"{name}.{c.name}")


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, dictionary.Table]:
    """A copy of the registry that the test may change."""
    copy = dict(dictionary._REGISTRY)
    monkeypatch.setattr(dictionary, "_REGISTRY", copy)
    return copy


def test_a_layer_above_registers_its_tables(registry: dict, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """As teachsim.money.columns does: a module named in EXTENSIONS registers tables
    when it is imported, and the page lists them after the built-in ones."""
    module = "teachsim_test_extension_columns"
    (tmp_path / f"{module}.py").write_text(
        "from teachsim.experiments.dictionary import Column, register\n"
        "register('extension_lines', [Column('line', 'what the amount pays for', '-', 'string'),\n"
        "                    Column('amount', 'cost of the line', 'US dollars (nominal)',\n"
        "                           'float64')],\n"
        "         rows='line and year', written_by='`teachsim budget --out`')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(dictionary, "EXTENSIONS", (module, "teachsim.no_such_module"))
    try:
        assert list(dictionary.tables())[-1] == "extension_lines"
        page = dictionary.render()
    finally:
        sys.modules.pop(module, None)
    assert "| `amount` | float64 | US dollars (nominal) | cost of the line |" in page
    other = next(line for line in page.splitlines() if line.startswith("- **Other outputs**"))
    assert "`extension_lines` (`teachsim budget --out`)" in other
    assert problems("extension_lines", {"line": "string", "amount": "double"}) == []


def test_register_refuses_conflicts_and_bad_columns(registry: dict) -> None:
    cols = [Column("x", "a test column", "-", "int64")]
    dictionary.register("t", cols, rows="test", written_by="a test")
    dictionary.register("t", cols, rows="test", written_by="a test")  # the same: no-op
    with pytest.raises(ValueError, match="already registered"):
        dictionary.register("t", [Column("y", "another column", "-", "int64")],
                            rows="test", written_by="a test")
    with pytest.raises(ValueError, match="dtype"):
        dictionary.register("u", [Column("x", "a test column", "-", "float32")],
                            rows="test", written_by="a test")
    with pytest.raises(ValueError, match="meaning and a unit"):
        dictionary.register("u", [Column("x", "", "-", "int64")], rows="test",
                            written_by="a test")
    with pytest.raises(ValueError, match="listed twice"):
        dictionary.register("u", cols * 2, rows="test", written_by="a test")
    with pytest.raises(ValueError, match="one row"):
        dictionary.register("u", cols, rows="", written_by="a test")
    assert "u" not in dictionary.tables()


@pytest.mark.parametrize(("name", "family"), [
    ("int64", "int64"), ("BIGINT", "int64"), ("INTEGER", "int64"), ("double", "float64"),
    ("DOUBLE", "float64"), ("float64", "float64"), ("string", "string"),
    ("VARCHAR", "string"), ("object", "string"), ("bool", "bool"), ("BOOLEAN", "bool"),
    ("timestamp[us]", "timestamp[us]")])
def test_type_families(name: str, family: str) -> None:
    assert dictionary.dtype_family(name) == family
