"""Analysis and reports: paired CIs on known data, Sobol on the Ishigami function,
figures that show the numbers DuckDB holds, a self-contained HTML report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from teachsim.analysis import stats
from teachsim.cli import app
from teachsim.experiments.api import run_experiment
from teachsim.experiments.results import open_results
from tests.conftest import CONFIGS


def test_paired_ci_on_known_data() -> None:
    rng = np.random.default_rng(0)
    common = rng.normal(0, 5, 400)  # shared noise (common random numbers)
    a = common + 1.0 + rng.normal(0, 0.5, 400)
    b = common + rng.normal(0, 0.5, 400)
    mean, lo, hi = stats.paired_difference(a, b)
    d = a - b
    half = 1.966 * d.std(ddof=1) / 20  # t(0.975, 399) = 1.966
    assert mean == pytest.approx(d.mean())
    assert (lo, hi) == pytest.approx((d.mean() - half, d.mean() + half), abs=1e-3)
    assert lo < 1.0 < hi
    assert hi - lo < 0.2  # pairing removes the shared noise (unpaired: about 1.4 wide)


def test_paired_differences_table() -> None:
    per_run = pd.DataFrame({"arm": ["a", "b"] * 3, "point": 0,
                            "replication": [0, 0, 1, 1, 2, 2],
                            "x": [1.0, 3.0, 2.0, 4.5, 3.0, 4.5]})
    d = stats.paired_differences(per_run, "x", reference="a")
    assert d["arm"].tolist() == ["b"]
    assert d["mean"].iloc[0] == pytest.approx((2 + 2.5 + 1.5) / 3)
    assert d["n"].iloc[0] == 3


def test_sobol_recovers_ishigami() -> None:
    from SALib.sample import sobol as sample
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"],
               "bounds": [[-np.pi, np.pi]] * 3}
    x = sample.sample(problem, 2048, seed=1)
    idx = stats.sobol(problem, Ishigami.evaluate(x), n_boot=200).set_index("parameter")
    # analytic values (a = 7, b = 0.1)
    assert idx.loc["x1", "S1"] == pytest.approx(0.314, abs=0.04)
    assert idx.loc["x2", "S1"] == pytest.approx(0.442, abs=0.04)
    assert idx.loc["x3", "S1"] == pytest.approx(0.0, abs=0.04)
    assert idx.loc["x1", "ST"] == pytest.approx(0.558, abs=0.05)
    assert idx.loc["x3", "ST"] == pytest.approx(0.244, abs=0.05)
    assert (idx["S1_conf"] > 0).all()


def test_categorical_index() -> None:
    rng = np.random.default_rng(2)
    groups = np.repeat(["a", "b"], 500)
    y = np.where(groups == "a", 0.0, 2.0) + rng.normal(0, 1, 1000)
    est, lo, hi = stats.categorical_index(y, groups, n_boot=200)
    assert est == pytest.approx(0.5, abs=0.05)  # variance 1 between, 1 within
    assert lo < est < hi


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("rep")
    exp = tmp / "e.toml"
    exp.write_text(f"""
name = "report_test"
base = "{CONFIGS / 'district_60.toml'}"
replications = 4
seed = 3
years = 4
tables = ["school_year", "district_year", "rollout", "run_summary"]
[[arm]]
name = "no_rollout"
set = {{ "schedule.policy" = "traditional", "staffing.leaders_per_grade" = 0, \
"staffing.clerk_fte_change" = 0.0, "rollout.strategy" = "none", "district.n_schools" = 8 }}
[[arm]]
name = "fixed_rate"
set = {{ "rollout.per_year" = 3, "district.n_schools" = 8 }}
""")
    run_experiment(exp, out=tmp / "res", workers=2)
    return tmp / "res"


def test_figures_show_the_duckdb_numbers(results: Path) -> None:
    from teachsim.analysis.report import build_report

    rep = build_report(results)
    res = open_results(results)
    # the burnout trajectory's medians are the medians of the district_year table
    drawn = rep.data["trajectory_burnout_prevalence"].set_index(["arm", "year"])
    sql = res.sql("SELECT arm, year, median(burnout_prevalence) * 100 AS m, "
                  "quantile_cont(burnout_prevalence, 0.1) * 100 AS p10 FROM district_year "
                  "GROUP BY arm, year").set_index(["arm", "year"])
    for key, row in sql.iterrows():
        assert drawn.loc[key, "p50"] == pytest.approx(row["m"])
        assert drawn.loc[key, "p10"] == pytest.approx(row["p10"])
    # the rollout timeline shows the schools adopted
    tl = rep.data["rollout_timeline"].set_index(["arm", "year"])["schools_adopted"]
    assert tl.loc[("fixed_rate", 2026)] == 3 and tl.loc[("no_rollout", 2026)] == 0
    # paired differences: the figure's points are the table's means
    diffs = rep.data["paired_differences"]
    growth = diffs[diffs["outcome"] == "student_growth_sd"]["mean"].iloc[0]
    per_run = res.sql("SELECT arm, replication, avg(student_growth_sd) AS g "
                      "FROM district_year GROUP BY arm, replication")
    wide = per_run.pivot(index="replication", columns="arm", values="g")
    assert growth == pytest.approx((wide["fixed_rate"] - wide["no_rollout"]).mean())
    for path in rep.figures.values():
        assert path.stat().st_size > 10_000
    html = rep.html.read_text()
    assert html.count("data:image/png;base64,") == len(rep.figures)
    assert "What was run" in html and "Grant budget" in html
    assert "src=\"http" not in html  # self-contained


def test_report_cli(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = CliRunner().invoke(app, ["report", str(results), "--out", str(out),
                                 "--reference", "no_rollout"])
    assert r.exit_code == 0, r.output
    assert out.exists() and (tmp_path / "r_figures").is_dir()
    r = CliRunner().invoke(app, ["report", str(results), "--reference", "nope"])
    assert r.exit_code == 2 and "no arm 'nope'" in r.output


def test_sensitivity_of_a_sobol_sweep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:
    monkeypatch.chdir(tmp_path)  # its results directory defaults to results/<name>
    exp = tmp_path / "s.toml"
    exp.write_text(f"""
name = "sens"
base = "{CONFIGS / 'school_d_rotating.toml'}"
replications = 1
seed = 1
years = 2
tables = ["school_year", "district_year"]
[sweep]
method = "sobol"
samples = 4
[[sweep.parameter]]
name = "behaviour.time_use.admin_minutes_per_day"
low = 30.0
high = 150.0
[[sweep.parameter]]
name = "behaviour.collaboration.unwilling_share"
low = 0.0
high = 0.5
""")
    r = CliRunner().invoke(app, ["sensitivity", str(exp), "--outcome", "burnout_prevalence",
                                 "--workers", "2", "--out", str(tmp_path / "sens")],
                           env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    assert "admin_minutes_per_day" in r.output
    table = pd.read_csv(tmp_path / "sens" / "sensitivity_burnout_prevalence_base.csv")
    # admin work drives burnout far more than willingness to collaborate
    ranked = table.sort_values("ST", ascending=False)["parameter"].tolist()
    assert ranked[0] == "behaviour.time_use.admin_minutes_per_day"
    assert (tmp_path / "sens" / "sensitivity_burnout_prevalence_base.png").exists()
