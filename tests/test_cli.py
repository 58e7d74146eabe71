"""The command line: run, demo, validate, schedule, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from teachsim.cli import app
from teachsim.experiments.tables import write_table
from tests.conftest import CONFIGS

runner = CliRunner()


def test_validate_ok() -> None:
    result = runner.invoke(app, ["validate", str(CONFIGS / "school_d_rotating.toml")])
    assert result.exit_code == 0, result.output
    assert "rotating_release" in result.output


def test_schedule_prints_the_week() -> None:
    result = runner.invoke(app, ["schedule", str(CONFIGS / "school_d_rotating.toml")],
                           env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in ("330", "185", "150", "release (morning)", "+0.51%", "OK"):
        assert text in result.output


def test_schema_is_json() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "school" in schema["properties"]
    result = runner.invoke(app, ["schema", "policy"])
    assert "roles" in json.loads(result.output)["properties"]


def test_run_writes_tidy_tables(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(CONFIGS / "school_d.toml"), "--years", "2",
                                 "--seed", "3", "--out", str(out), "--csv"])
    assert result.exit_code == 0, result.output
    for name in ("teacher_year", "school_year", "cohort_year", "run_summary"):
        assert (out / f"{name}.parquet").exists()
        assert (out / f"{name}.csv").exists()
    sy = pq.read_table(out / "school_year.parquet").to_pydict()
    assert sy["year"] == [2025, 2026]
    assert set(sy["seed"]) == {3}
    assert not list(out.glob(".*tmp"))


def test_bare_run_is_the_demo_side_by_side(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--years", "1", "--out", str(tmp_path)],
                           env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "school_d_traditional" in result.output
    assert "school_d_rotating_release" in result.output
    rs = pq.read_table(tmp_path / "run_summary.parquet").to_pydict()
    assert rs["policy"] == ["traditional", "rotating_release"]
    assert rs["stipends_per_school_year"] == [0.0, 54000.0]


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    import numpy as np

    with pytest.raises(ValueError, match="unknown format"):
        write_table({"a": np.arange(3)}, tmp_path / "t.xls", fmt="xls")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "early"), [
    (["sweep", "experiments/x.toml"], True),
    (["sweep", "experiments/x.toml", "--workers", "2", "--out", "r"], True),
    (["sweep", "experiments/x.toml", "--serial"], False),
    (["sweep", "experiments/x.toml", "--dask", "tcp://h:8786"], False),
    (["sweep", "experiments/x.toml", "--dask=tcp://h:8786"], False),
    (["sweep", "experiments/x.toml", "--dask-local"], False),
    (["sweep", "--help"], False),
    (["run", "configs/school_d.toml"], False),
    ([], False),
])
def test_the_fork_server_starts_early_only_for_local_sweeps(args: list[str], early: bool
                                                             ) -> None:
    from teachsim.cli.main import _local_sweep

    assert _local_sweep(args) is early



def test_sensitivity_shows_progress_on_stderr(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The experiment's runs, then the analysis' steps, each with done/total and time
    left, on stderr; stdout keeps the results alone."""
    from teachsim.analysis.sensitivity import analyse

    monkeypatch.chdir(tmp_path)  # the results directory defaults to results/<name>
    exp = tmp_path / "arms.toml"
    exp.write_text(f"""
name = "arms"
base = "{CONFIGS / 'school_d.toml'}"
replications = 2
seed = 1
years = 1
tables = ["district_year"]
[uncertainty]
parameters = "point"
[[arm]]
name = "traditional"
[[arm]]
name = "rotating"
set = {{ "schedule.policy" = "rotating_release", "staffing.leaders_per_grade" = 1 }}
""")
    r = runner.invoke(app, ["sensitivity", str(exp), "--outcome", "burnout_prevalence",
                            "--workers", "1", "--out", str(tmp_path / "sens")],
                      env={"COLUMNS": "160"})
    assert r.exit_code == 0, r.output
    # 2 arms x 2 replications; then two steps: reading the runs, the arms' share of
    # variance (with time left: 0:00:00 once done)
    assert "4/4 runs" in r.stderr and "2/2 steps" in r.stderr and "0:00:00" in r.stderr
    assert "steps" not in r.stdout and "4/4" not in r.stdout
    assert "arms (2 levels) explain" in r.stdout

    calls: list[tuple[str, int, int]] = []
    analyse(tmp_path / "results" / "arms", "burnout_prevalence", n_boot=50,
            progress=lambda *a: calls.append(a))
    assert calls == [("reading runs", 0, 2), ("arms' share of variance", 1, 2),
                     ("done", 2, 2)]
