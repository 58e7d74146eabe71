"""Experiments: designs, common random numbers, identical results on every engine,
resume after kill -9, failed runs recorded, bad experiment files refused."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from teachsim.config.errors import ConfigError
from teachsim.experiments.api import run_experiment
from teachsim.experiments.design import design, load_experiment
from teachsim.experiments.results import open_results
from teachsim.experiments.runner import Engine, sweep
from teachsim.experiments.store import ResultsStore
from tests.conftest import CONFIGS, ROOT, expectations, fail_runs_with_seed

BAD = Path(__file__).parent / "bad_experiments"
VOLATILE = {"seconds", "finished_at"}


def write_experiment(tmp: Path, reps: int = 3, extra: str = "") -> Path:
    path = tmp / "small.toml"
    path.write_text(f"""
name = "small"
base = "{CONFIGS / 'school_d.toml'}"
replications = {reps}
seed = 7
years = 2
chunk_size = 1
tables = ["school_year", "district_year", "teacher_year", "run_summary"]
[[arm]]
name = "traditional"
[[arm]]
name = "rotating"
set = {{ "schedule.policy" = "rotating_release", "staffing.leaders_per_grade" = 1 }}
{extra}""")
    return path


def snapshot(results: Path) -> dict[str, dict[str, list]]:
    """Every table, rows sorted, volatile columns dropped."""
    store = ResultsStore(results)
    out: dict[str, dict[str, list]] = {}
    for name in store.tables_present():
        parts = [pq.read_table(d / f"{name}.parquet") for d in store.chunk_dirs()
                 if (d / f"{name}.parquet").exists()]
        cols = [c for c in parts[0].column_names if c not in VOLATILE]
        columns = [[v for p in parts for v in p.column(c).to_pylist()] for c in cols]
        rows = sorted(zip(*columns, strict=True), key=repr)
        out[name] = {"columns": cols, "rows": rows}
    return out


# --- designs and seeds -----------------------------------------------------------------
def test_design_sizes() -> None:
    from teachsim.experiments.design import Sweep

    def sw(method: str, **kw: object) -> Sweep:
        params = [{"name": "a", "low": 0.0, "high": 1.0, "values": [0.0, 1.0]},
                  {"name": "b", "low": 2.0, "high": 3.0, "values": [2.0, 2.5, 3.0]}]
        return Sweep.model_validate({"method": method, "parameter": params, **kw})

    assert len(design(None)) == 1
    assert len(design(sw("grid"))) == 6
    lhs = design(sw("lhs", samples=10))
    assert len(lhs) == 10 and all(0 <= p["a"] <= 1 and 2 <= p["b"] <= 3 for p in lhs)
    assert len(design(sw("sobol", samples=8))) == 8 * (2 * 2 + 2)
    assert len(design(sw("morris", samples=5))) == 5 * (2 + 1)


def test_common_random_numbers(tmp_path: Path) -> None:
    exp = load_experiment(write_experiment(tmp_path, reps=4))
    specs = exp.run_specs()
    by_arm: dict[str, list[int]] = {}
    for s in specs:
        by_arm.setdefault(s.arm, []).append(s.seed)
    assert by_arm["traditional"] == by_arm["rotating"]  # replication r: same seed
    assert len(set(by_arm["traditional"])) == 4  # replications differ
    # the seed of replication r does not depend on how many are asked for
    assert exp.replication_seeds(10)[:4] == by_arm["traditional"]
    assert len({s.run_id for s in specs}) == len(specs)


def test_shipped_experiments_load() -> None:
    from teachsim.analysis.fit import load_fit

    for path in sorted((ROOT / "experiments").glob("*.toml")):
        if path.stem.startswith("fit_"):  # fit files (teachsim fit), not experiments
            assert load_fit(path).spec.parameters
            continue
        exp = load_experiment(path)
        assert exp.run_specs(replications=1)


# --- engines ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def serial_snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("serial")
    res = run_experiment(write_experiment(tmp), out=tmp / "res", serial=True)
    assert res.report is not None and res.report.done == 6 and res.report.failed == 0
    return snapshot(tmp / "res")


def test_processes_give_identical_results(tmp_path: Path, serial_snapshot: dict) -> None:
    run_experiment(write_experiment(tmp_path), out=tmp_path / "res", workers=2)
    assert snapshot(tmp_path / "res") == serial_snapshot


def test_dask_gives_identical_results(tmp_path: Path, serial_snapshot: dict) -> None:
    run_experiment(write_experiment(tmp_path), out=tmp_path / "res", dask_local=True,
                   workers=2)
    assert snapshot(tmp_path / "res") == serial_snapshot


def test_results_are_queryable(tmp_path: Path) -> None:
    res = run_experiment(write_experiment(tmp_path, reps=2), out=tmp_path / "res",
                         serial=True)
    assert {"runs", "school_year", "district_year", "teacher_year",
            "run_summary"} <= set(res.tables())
    runs = res.table("runs")
    assert len(runs) == 4 and set(runs["status"]) == {"ok"}
    n = res.sql("SELECT arm, count(*) AS n FROM district_year GROUP BY arm ORDER BY arm")
    assert n["n"].tolist() == [4, 4]  # 2 replications x 2 years
    m = res.manifest
    assert m["runs_total"] == 4 and m["runs_finished"] == 4
    assert m["replication_seeds"] == load_experiment(tmp_path / "small.toml"
                                                     ).replication_seeds(2)
    assert {"mesa", "numpy", "python"} <= set(m["versions"])
    assert set(m["arms"]) == {"traditional", "rotating"}


# --- resume, kill -9, failures ---------------------------------------------------------
def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "teachsim.cli", "sweep", *args]


def _kill_after_chunks(cmd: list[str], out: Path, chunks: int, delay: float) -> int:
    """Start a sweep, SIGKILL it (and its workers) ``delay`` s after ``chunks`` chunks
    exist; return how many chunks existed at the kill."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if len(ResultsStore(out).chunk_dirs()) >= chunks:
            break
        time.sleep(0.01)
    time.sleep(delay)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return len(ResultsStore(out).chunk_dirs())


#: runs of the kill tests: enough that a kill after a chunk or two lands mid-sweep, now
#: that a run takes a few milliseconds
KILL_REPS = 12


@pytest.fixture(scope="module")
def kill_snapshot(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("kill_serial")
    res = run_experiment(write_experiment(tmp, reps=KILL_REPS), out=tmp / "res",
                         serial=True)
    assert res.report is not None and res.report.done == 2 * KILL_REPS
    return snapshot(tmp / "res")


def test_resume_after_kill_9(tmp_path: Path, kill_snapshot: dict) -> None:
    exp = write_experiment(tmp_path, reps=KILL_REPS)
    out = tmp_path / "res"
    rnd = random.Random(5)
    seen = []
    for _ in range(3):
        before = len(ResultsStore(out).chunk_dirs()) if out.exists() else 0
        at_kill = _kill_after_chunks(_cli(str(exp), "--serial", "--out", str(out)), out,
                                     before + 1, rnd.uniform(0.0, 0.05))
        seen.append(at_kill)
        # whatever was written is whole: every chunk directory has its runs file
        for d in ResultsStore(out).chunk_dirs():
            assert (d / "runs.parquet").exists()
    assert 0 < seen[0] < 2 * KILL_REPS  # the first kill did interrupt the sweep
    done = subprocess.run(_cli(str(exp), "--serial", "--out", str(out)),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not list((out / "parts").glob(".tmp-*"))
    assert snapshot(out) == kill_snapshot  # nothing lost, nothing duplicated
    assert open_results(out).manifest["runs_finished"] == 2 * KILL_REPS


def test_resume_after_kill_9_with_worker_processes(tmp_path: Path,
                                                   kill_snapshot: dict) -> None:
    exp = write_experiment(tmp_path, reps=KILL_REPS)
    out = tmp_path / "res"
    at_kill = _kill_after_chunks(_cli(str(exp), "--workers", "2", "--out", str(out)), out,
                                 2, 0.05)
    assert at_kill < 2 * KILL_REPS
    run_experiment(exp, out=out, workers=2)
    assert snapshot(out) == kill_snapshot


def test_failed_runs_are_recorded_and_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    import teachsim.model.run as simulate

    exp_path = write_experiment(tmp_path, reps=3)
    exp = load_experiment(exp_path)
    bad_seed = exp.replication_seeds(3)[1]
    real = fail_runs_with_seed(monkeypatch, bad_seed)
    report = sweep(exp, tmp_path / "res", Engine("serial", 1))
    assert report.failed == 2 and report.done == 6  # replication 1 of both arms
    runs = open_results(tmp_path / "res").table("runs")
    failed = runs[runs["status"] == "failed"]
    assert sorted(failed["replication"]) == [1, 1]
    assert all("simulated failure" in e for e in failed["error"])
    # the sweep went on: the other runs have their tables
    sy = open_results(tmp_path / "res").table("school_year")
    assert sorted(set(sy["replication"])) == [0, 2]
    # resuming tries the failed runs again
    monkeypatch.setattr(simulate, "run_scenario", real)
    again = sweep(load_experiment(exp_path), tmp_path / "res", Engine("serial", 1))
    assert again.done == 2 and again.failed == 0
    runs = open_results(tmp_path / "res").table("runs")
    assert len(runs) == 6 and set(runs["status"]) == {"ok"}


def test_changed_experiment_refused_unless_new(tmp_path: Path) -> None:
    exp = write_experiment(tmp_path, reps=1)
    run_experiment(exp, out=tmp_path / "res", serial=True)
    write_experiment(tmp_path, reps=1, extra="# a change\n")
    with pytest.raises(ConfigError, match="the experiment file changed"):
        run_experiment(exp, out=tmp_path / "res", serial=True)
    res = run_experiment(exp, out=tmp_path / "res", new=True, serial=True)
    assert res.report is not None and res.report.skipped == 0
    assert list(tmp_path.glob("res.old-*"))


def test_more_replications_extend_the_same_results(tmp_path: Path) -> None:
    exp = write_experiment(tmp_path, reps=2)
    run_experiment(exp, out=tmp_path / "res", serial=True)
    res = run_experiment(exp, out=tmp_path / "res", serial=True, replications=3)
    assert res.report is not None and (res.report.skipped, res.report.done) == (4, 2)


# --- bad files -------------------------------------------------------------------------
CASES = sorted(BAD.glob("*.toml"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_bad_experiment_refused(path: Path) -> None:
    wanted = expectations(path)
    assert wanted
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    message = info.value.render()
    for fragment in wanted:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert "\n  fix: " in message


def test_seed_per_replication_not_per_worker() -> None:
    exp = load_experiment(ROOT / "experiments" / "schedule_comparison.toml")
    seeds = [s.seed for s in exp.run_specs(replications=3) if s.arm == "traditional"]
    assert seeds == exp.replication_seeds(3)
    assert len(np.unique(seeds)) == 3
