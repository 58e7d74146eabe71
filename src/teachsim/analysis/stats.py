"""Analysis of experiment results: uncertainty bands, paired differences between arms,
cost-effectiveness, and sensitivity indices. Pure functions on pandas DataFrames (no
plotting here; see plots.py).

Arms of an experiment share their random numbers replication by replication (common
random numbers), so differences between arms are computed per replication and then
summarised: the paired confidence interval is much narrower than comparing two
independent means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from teachsim.experiments.results import Results

#: Outcomes shown in reports: column of district_year, label, unit, higher is better?
OUTCOMES: dict[str, tuple[str, str, bool]] = {
    "retention_rate": ("Teachers staying in their school", "% of teachers a year", True),
    "practice_mean": ("Teacher practice", "SD of student achievement", True),
    "burnout_prevalence": ("Teachers burned out", "% of teachers", False),
    "intending_to_leave_share": ("Teachers intending to leave", "% of teachers", False),
    "student_growth_sd": ("Student growth", "SD a year, vs novice-taught", True),
    "cost_per_school": ("Cost per school (all ledger lines)", "$ a year", False),
}
PERCENT = ("retention_rate", "burnout_prevalence", "intending_to_leave_share")


def district_outcomes(res: Results) -> pd.DataFrame:
    """One row per run and year: the report's outcomes, with cost per school from the
    ledger (design lines, simulated substitutes and turnover, teacher payroll)."""
    dy = res.sql("SELECT * FROM district_year ORDER BY run_id, year")
    dy["retention_rate"] = 1.0 - dy["turnover_rate"]
    if "school_year" in res.tables():
        dy = dy.merge(cost_per_school(res), on=["run_id", "year"], how="left")
    return dy


def cost_per_school(res: Results) -> pd.DataFrame:
    """Ledger totals per run and year, divided by the number of schools."""
    from teachsim.config.scenario import Scenario
    from teachsim.money.costs import ledger

    manifest = res.manifest
    out = []
    for arm, info in manifest["arms"].items():
        scen = Scenario.model_validate(info["scenario"], strict=False)
        sy = res.sql("SELECT * FROM school_year WHERE arm = ? ORDER BY run_id, year, "
                     "school_id", [arm])
        for run_id, g in sy.groupby("run_id", sort=True):
            led = ledger({c: g[c].to_numpy() for c in g.columns}, scen)
            frame = pd.DataFrame({"year": led["year"], "amount": led["amount"]})
            per_year = frame.groupby("year")["amount"].sum()
            schools = g.groupby("year")["school_id"].nunique()
            out.append(pd.DataFrame({"run_id": run_id, "year": per_year.index,
                                     "cost_per_school": (per_year / schools).to_numpy()}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["run_id", "year", "cost_per_school"])


def bands(df: pd.DataFrame, value: str, by: tuple[str, ...] = ("arm", "year"),
          quantiles: tuple[float, float, float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
    """P10/P50/P90 and mean of ``value`` across replications, per group."""
    g = df.groupby(list(by))[value]
    out = g.quantile(list(quantiles)).unstack()
    out.columns = [f"p{round(100 * q)}" for q in quantiles]
    out["mean"] = g.mean()
    out["replications"] = g.count()
    return out.reset_index()


@dataclass(frozen=True)
class PairedDifference:
    arm: str
    reference: str
    mean: float
    ci_low: float
    ci_high: float
    n: int


def paired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95
                      ) -> tuple[float, float, float]:
    """Mean of ``a - b`` (paired by replication) and its t confidence interval."""
    d = np.asarray(a, float) - np.asarray(b, float)
    n = len(d)
    mean = float(d.mean())
    if n < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def paired_differences(per_run: pd.DataFrame, value: str, reference: str,
                       level: float = 0.95) -> pd.DataFrame:
    """Each arm minus ``reference``, paired on replication (and design point)."""
    wide = per_run.pivot_table(index=["point", "replication"], columns="arm", values=value)
    rows = []
    for arm in wide.columns:
        if arm == reference:
            continue
        both = wide[[arm, reference]].dropna()
        mean, lo, hi = paired_difference(both[arm].to_numpy(), both[reference].to_numpy(),
                                         level)
        rows.append({"arm": arm, "reference": reference, "outcome": value, "mean": mean,
                     "ci_low": lo, "ci_high": hi, "n": len(both)})
    return pd.DataFrame(rows)


def run_means(outcomes: pd.DataFrame, last_years: int | None = None) -> pd.DataFrame:
    """Per run: each outcome averaged over the run's years (or its last ``last_years``)."""
    df = outcomes
    if last_years:
        cut = df.groupby("run_id")["year"].transform("max") - last_years
        df = df[df["year"] > cut]
    cols = [c for c in OUTCOMES if c in df.columns]
    extra = [c for c in ("teachers", "schools") if c in df.columns]
    return df.groupby(["run_id", "arm", "point", "replication"], as_index=False)[
        cols + extra].mean()


def cost_effectiveness(per_run: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per arm, against ``reference`` (paired by replication): extra cost per school a
    year, extra student growth (SD) and extra teachers retained per school, each with a
    95% CI, and the ratios per $1,000 (only where the arm costs more; a ratio over a cost
    difference indistinguishable from zero is not reported)."""
    rows = []
    n_schools = per_run["schools"].max() if "schools" in per_run else 1
    for arm in sorted(set(per_run["arm"]) - {reference}):
        cols = ["student_growth_sd", "retention_rate", "cost_per_school", "teachers"]
        wide = per_run[per_run["arm"].isin([arm, reference])].pivot_table(
            index=["point", "replication"], columns="arm", values=cols).dropna()
        teachers = wide["teachers"][arm] / n_schools
        d_cost = paired_difference(wide["cost_per_school"][arm],
                                   wide["cost_per_school"][reference])
        d_growth = paired_difference(wide["student_growth_sd"][arm],
                                     wide["student_growth_sd"][reference])
        d_ret = paired_difference(wide["retention_rate"][arm] * teachers,
                                  wide["retention_rate"][reference] * teachers)
        costs_more = d_cost[1] > 0  # the whole 95% interval above zero
        per_k = d_cost[0] / 1000
        rows.append({
            "arm": arm, "reference": reference,
            "extra_cost_per_school": d_cost[0], "extra_cost_ci_low": d_cost[1],
            "extra_cost_ci_high": d_cost[2],
            "extra_growth_sd": d_growth[0], "extra_growth_ci_low": d_growth[1],
            "extra_growth_ci_high": d_growth[2],
            "extra_teachers_retained_per_school": d_ret[0],
            "extra_retained_ci_low": d_ret[1], "extra_retained_ci_high": d_ret[2],
            "growth_sd_per_1000": d_growth[0] / per_k if costs_more else float("nan"),
            "teachers_retained_per_1000": d_ret[0] / per_k if costs_more else float("nan"),
            "note": "costs more" if costs_more else (
                "saves money" if d_cost[2] < 0 else "cost difference not distinguishable "
                "from zero"),
        })
    return pd.DataFrame(rows)


# --- sensitivity -----------------------------------------------------------------------
def sobol(problem: dict, y: np.ndarray, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap confidence intervals (SALib)."""
    from SALib.analyze import sobol as sa

    res = sa.analyze(problem, np.asarray(y, float), calc_second_order=True,
                     num_resamples=n_boot, seed=seed)
    return pd.DataFrame({"parameter": problem["names"], "S1": res["S1"],
                         "S1_conf": res["S1_conf"], "ST": res["ST"],
                         "ST_conf": res["ST_conf"]}).sort_values("ST", ascending=False)


def morris(problem: dict, x: np.ndarray, y: np.ndarray, n_boot: int = 1000,
           seed: int = 0) -> pd.DataFrame:
    """Morris elementary effects (mu*, sigma) with bootstrap confidence intervals."""
    from SALib.analyze import morris as ma

    res = ma.analyze(problem, np.asarray(x, float), np.asarray(y, float),
                     num_resamples=n_boot, seed=seed)
    return pd.DataFrame({"parameter": problem["names"], "mu_star": res["mu_star"],
                         "mu_star_conf": res["mu_star_conf"], "sigma": res["sigma"]}
                        ).sort_values("mu_star", ascending=False)


def categorical_index(y: np.ndarray, groups: np.ndarray, n_boot: int = 1000,
                      seed: int = 0) -> tuple[float, float, float]:
    """Share of the variance of ``y`` explained by a categorical factor (eta squared,
    the first-order index of a discrete input), with a bootstrap 95% interval."""
    y = np.asarray(y, float)
    groups = np.asarray(groups)

    def eta2(yy: np.ndarray, gg: np.ndarray) -> float:
        total = yy.var()
        if total == 0:
            return 0.0
        means = pd.Series(yy).groupby(gg).transform("mean").to_numpy()
        return float(means.var() / total)

    rng = np.random.default_rng(seed)
    boot = [eta2(y[i], groups[i]) for i in
            (rng.integers(0, len(y), len(y)) for _ in range(n_boot))]
    return eta2(y, groups), float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))
