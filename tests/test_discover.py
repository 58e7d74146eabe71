"""Scenario discovery (teachsim discover): PRIM finds a planted box; a real sweep goes
through the command line to its files; drawn parameters join the runs that drew them;
bad input is refused with the problem and the fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from teachsim.analysis import discover as disc
from teachsim.analysis import stats
from teachsim.cli import app
from teachsim.config.errors import ConfigError
from teachsim.experiments.api import run_experiment
from teachsim.experiments.results import open_results
from tests.conftest import CONFIGS

PARAM = "behaviour.burnout.flex_buffer"


def test_prim_finds_a_planted_box() -> None:
    rng = np.random.default_rng(0)
    n = 600
    x = pd.DataFrame({"x1": rng.uniform(0, 1, n), "x2": rng.uniform(0, 1, n),
                      "x3": rng.uniform(0, 1, n)})
    inside = ((x["x1"] > 0.6) & (x["x2"] < 0.3)).to_numpy()
    y = np.where(rng.uniform(size=n) < 0.03, ~inside, inside)  # 3% of labels flipped
    box = disc.find_box(x, y)
    limits = box.limits.set_index("input")
    assert set(limits.index) == {"x1", "x2"}  # x3 does not matter and is not named
    assert limits.loc["x1", "restricted"] == "low"
    assert limits.loc["x1", "low"] == pytest.approx(0.6, abs=0.1)
    assert limits.loc["x2", "restricted"] == "high"
    assert limits.loc["x2", "high"] == pytest.approx(0.3, abs=0.1)
    assert box.density > 0.8 and box.coverage > 0.6
    assert box.trajectory["chosen"].sum() == 1
    assert box.trajectory.loc[box.chosen, "density"] == pytest.approx(box.density)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 runs of one school for two years: 20 points of a Latin hypercube over the
    strain relief of a long release block, which only the rotating schedule has."""
    tmp = tmp_path_factory.mktemp("discover")
    exp = tmp / "d.toml"
    exp.write_text(f"""
name = "discover_test"
base = "{CONFIGS / 'school_d.toml'}"
replications = 1
seed = 5
years = 2
tables = ["district_year"]
[[arm]]
name = "traditional"
[[arm]]
name = "rotating"
set = {{ "schedule.policy" = "rotating_release", "staffing.leaders_per_grade" = 1 }}
[sweep]
method = "lhs"
samples = 22
seed = 1
[[sweep.parameter]]
name = "{PARAM}"
low = 0.0
high = 1.0
""")
    run_experiment(exp, out=tmp / "res", serial=True)
    return tmp / "res"


def _middle_threshold(results: Path) -> float:
    """A cut in burnout prevalence (percentage points) that makes the rotating schedule
    fail in as close to half the cases as the discrete shares of one school allow:
    one of the cuts seen, nudged up past it."""
    per_run = stats.run_means(stats.district_outcomes(open_results(results)))
    wide = per_run.pivot_table(index="point", columns="arm", values="burnout_prevalence")
    cut = np.sort((wide["traditional"] - wide["rotating"]).to_numpy() * 100)
    share = np.array([np.mean(cut <= c + 1e-9) for c in cut])
    return float(cut[np.argmin(np.abs(share - 0.5))]) + 1e-6


def test_discover_command_writes_the_box(results: Path, tmp_path: Path) -> None:
    threshold = _middle_threshold(results)
    out = tmp_path / "found"
    r = CliRunner().invoke(app, ["discover", str(results), "--arm", "rotating",
                                 "--reference", "traditional", "--outcome",
                                 "burnout_prevalence", "--threshold", f"{threshold:.6f}",
                                 "--out", str(out)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "'rotating' fails to lower teachers burned out by more than" in r.output
    stem = "discover_burnout_prevalence_rotating_vs_traditional"
    for suffix in ("box.csv", "trajectory.csv", "cases.csv", "summary.json",
                   "trajectory.png"):
        assert (out / f"{stem}_{suffix}").stat().st_size > 0, suffix
    summary = json.loads((out / f"{stem}_summary.json").read_text())
    assert summary["cases"] == 22 and summary["sentence"] in r.output.replace("\n", "")
    assert 5 <= summary["cases_of_interest"] <= 17
    cases = pd.read_csv(out / f"{stem}_cases.csv")
    assert PARAM in cases.columns and len(cases) == 22
    # failures (small cuts in burnout) come where the long block relieves little strain
    box = pd.read_csv(out / f"{stem}_box.csv").set_index("input")
    assert PARAM in box.index and box.loc[PARAM, "restricted"] == "high"
    assert PARAM in r.output
    traj = pd.read_csv(out / f"{stem}_trajectory.csv")
    assert {"coverage", "density", "mass", "restricted_inputs"} <= set(traj.columns)


def test_unknown_arm_is_named_with_the_arms(results: Path) -> None:
    r = CliRunner().invoke(app, ["discover", str(results), "--arm", "rotatin",
                                 "--reference", "traditional"], env={"COLUMNS": "200"})
    assert r.exit_code == 2
    text = " ".join(r.output.split())
    assert "no arm 'rotatin'" in text and "Did you mean 'rotating'?" in text
    assert "traditional, rotating" in text


@pytest.mark.parametrize(("args", "words"), [
    (["--outcome", "happiness"], ["no outcome 'happiness'", "retention_rate"]),
    (["--arm", "traditional"], ["also the reference"]),
    (["--outcome", "burnout_prevalence", "--threshold", "-1000"],
     ["improves on 'traditional' by more than -1000 percentage points in all 22 cases",
      "PRIM has nothing to find", "--threshold"]),
    (["--outcome", "burnout_prevalence", "--threshold", "1000"],
     ["fails to improve", "nothing to set the failures against"]),
])
def test_bad_input_is_refused(results: Path, args: list[str], words: list[str]) -> None:
    base = ["discover", str(results), "--reference", "traditional"]
    if "--arm" not in args:
        base += ["--arm", "rotating"]
    r = CliRunner().invoke(app, base + args, env={"COLUMNS": "200"})
    assert r.exit_code == 2, r.output
    text = " ".join(r.output.split())
    for w in words:
        assert w in text, text


def test_too_few_cases_or_no_varying_input(results: Path, tmp_path: Path) -> None:
    res = open_results(results)
    cases = disc._pair(stats.run_means(stats.district_outcomes(res)), "rotating",
                       "traditional", "burnout_prevalence")
    assert len(cases) == 22
    with pytest.raises(ConfigError, match="PRIM needs at least 20"):
        _only_points(results, tmp_path / "few", range(10))
    with pytest.raises(ConfigError, match="no input varies between the cases"):
        _drop_param(results, tmp_path / "flat")


def _only_points(results: Path, dest: Path, keep: range) -> None:
    """discover on a copy of ``results`` that holds only the points in ``keep``."""
    import pyarrow.compute as pc

    shutil.copytree(results, dest)
    for part in (dest / "parts").glob("chunk-*/*.parquet"):
        table = pq.read_table(part)
        if "point" not in table.column_names:
            continue
        pq.write_table(table.filter(pc.is_in(table.column("point"),
                                             pa.array(list(keep), table["point"].type))),
                       part)
    disc.discover(dest, "rotating", "traditional", "burnout_prevalence")


def _drop_param(results: Path, dest: Path) -> None:
    """discover on a copy of ``results`` whose swept parameter has one value."""
    shutil.copytree(results, dest)
    for chunk in (dest / "parts").glob("chunk-*"):
        runs = pq.read_table(chunk / "runs.parquet")
        runs = runs.set_column(runs.schema.get_field_index(PARAM), PARAM,
                               pa.array([0.5] * runs.num_rows))
        pq.write_table(runs, chunk / "runs.parquet")
    disc.discover(dest, "rotating", "traditional", "burnout_prevalence",
                  threshold=_middle_threshold(results))


def test_drawn_parameters_join_the_runs_that_drew_them(results: Path, tmp_path: Path
                                                       ) -> None:
    """A results directory whose runs drew parameter sets (runs.draw, table draws): the
    drawn values are inputs; a run with draw -1 has the scenario's fixed value."""
    dest = tmp_path / "drawn"
    shutil.copytree(results, dest)
    centre = {0: 0.05, 1: 0.25, 2: 0.4}
    chunks = sorted((dest / "parts").glob("chunk-*"))
    for chunk in chunks:
        (chunk / "draws.parquet").unlink(missing_ok=True)
        runs = pq.read_table(chunk / "runs.parquet")
        if "draw" in runs.column_names:
            runs = runs.drop_columns(["draw"])
        points = np.asarray(runs.column("point").to_pylist())
        draw = np.where(points % 4 == 3, -1, points % 3).astype(np.int64)
        pq.write_table(runs.append_column("draw", pa.array(draw)), chunk / "runs.parquet")
    pq.write_table(pa.table({"draw": pa.array([0, 1, 2], pa.int64()),
                             "weight": [0.3, 0.3, 0.4],
                             "behaviour.burnout.centre": [centre[i] for i in range(3)]}),
                   chunks[0] / "draws.parquet")
    d = disc.discover(dest, "rotating", "traditional", "burnout_prevalence",
                      threshold=_middle_threshold(results))
    assert "behaviour.burnout.centre" in d.inputs and PARAM in d.inputs
    fixed = open_results(dest).manifest["arms"]["rotating"]["scenario"]["behaviour"][
        "burnout"]["centre"]
    expected = [fixed if p % 4 == 3 else centre[p % 3] for p in d.cases["point"]]
    assert d.cases["behaviour.burnout.centre"].tolist() == pytest.approx(expected)
