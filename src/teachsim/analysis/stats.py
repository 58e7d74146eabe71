"""Analysis of experiment results: uncertainty bands, paired differences between arms,
cost-effectiveness, and sensitivity indices. Pure functions on pandas DataFrames (no
plotting here; see plots.py).

Arms of an experiment share their random numbers replication by replication (common
random numbers), so differences between arms are computed per replication and then
summarised: the paired confidence interval is much narrower than comparing two
independent means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from teachsim.experiments.results import Results

if TYPE_CHECKING:
    from teachsim.config.scenario import Scenario

#: Outcomes shown in reports: column of district_year, label, unit, higher is better?
OUTCOMES: dict[str, tuple[str, str, bool]] = {
    "retention_rate": ("Teachers staying in their school", "% of teachers a year", True),
    "practice_mean": ("Teacher practice", "SD of student achievement", True),
    "burnout_prevalence": ("Teachers burned out", "% of teachers", False),
    "intending_to_leave_share": ("Teachers intending to leave", "% of teachers", False),
    "student_growth_sd": ("Student growth", "SD a year, vs novice-taught", True),
    "cost_per_school": ("Cost per school (all ledger lines)", "$ a year", False),
}
#: Outcomes that are shares (fractions in the data, percent in figures and tables)
PERCENT = ("retention_rate", "burnout_prevalence", "intending_to_leave_share",
           "turnover_rate")
#: Labels of every outcome a table can show: the report's outcomes, and turnover, which
#: the summary quotes because districts count leavers (the other tables show its
#: complement, the retention rate)
LABELS: dict[str, tuple[str, str, bool]] = {
    **OUTCOMES, "turnover_rate": ("Teacher turnover", "% of teachers a year", False)}
#: The summary table's headline outcomes, in its column order
HEADLINE = ("turnover_rate", "burnout_prevalence", "student_growth_sd", "practice_mean",
            "cost_per_school")


#: ``progress(i, n, arm)``: pricing arm ``i`` of ``n`` starts (most of the wait on a large
#: results directory)
ArmProgress = Callable[[int, int, str], None]


def district_outcomes(res: Results, progress: ArmProgress | None = None) -> pd.DataFrame:
    """One row per run and year: the report's outcomes, with cost per school from the
    ledger (design lines, simulated substitutes and turnover, teacher payroll)."""
    dy = res.sql("SELECT * FROM district_year ORDER BY run_id, year")
    dy["retention_rate"] = 1.0 - dy["turnover_rate"]
    dy = dy.merge(run_draws(res), on="run_id", how="left")
    if "school_year" in res.tables():
        dy = dy.merge(cost_per_school(res, progress), on=["run_id", "year"], how="left")
    return dy


def run_draws(res: Results) -> pd.DataFrame:
    """Each run's parameter set (``draw``; -1 for every run of results written before
    parameter draws, whose parameters were all at their values)."""
    if "draw" in res.sql("SELECT * FROM runs LIMIT 0").columns:
        return res.sql("SELECT run_id, draw FROM runs")
    return res.sql("SELECT run_id, -1 AS draw FROM runs")


def run_cost_per_school(sy: dict[str, np.ndarray], scenario: Scenario) -> pd.Series:
    """One run's ledger total per year (the index), divided by its schools."""
    from teachsim.money.costs import ledger

    led = ledger(sy, scenario)
    per_year = pd.Series(led["amount"]).groupby(led["year"]).sum()
    schools = pd.Series(sy["school_id"]).groupby(sy["year"]).nunique()
    return per_year / schools


def cost_per_school(res: Results, progress: ArmProgress | None = None) -> pd.DataFrame:
    """Ledger totals per run and year, divided by the number of schools."""
    from teachsim.config.scenario import Scenario

    arms = res.manifest["arms"]
    out = []
    for i, (arm, info) in enumerate(arms.items()):
        if progress is not None:
            progress(i, len(arms), arm)
        scen = Scenario.model_validate(info["scenario"], strict=False)
        sy = res.sql("SELECT * FROM school_year WHERE arm = ? ORDER BY run_id, year, "
                     "school_id", [arm])
        for run_id, g in sy.groupby("run_id", sort=True):
            cost = run_cost_per_school({c: g[c].to_numpy() for c in g.columns}, scen)
            out.append(pd.DataFrame({"run_id": run_id, "year": cost.index,
                                     "cost_per_school": cost.to_numpy()}))
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


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``x`` and its t confidence interval (NaN bounds below two values: one run
    says nothing about the spread)."""
    x = np.asarray(x, float)
    n = len(x)
    mean = float(x.mean()) if n else float("nan")
    if n < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def paired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95
                      ) -> tuple[float, float, float]:
    """Mean of ``a - b`` (paired by replication) and its t confidence interval."""
    return mean_ci(np.asarray(a, float) - np.asarray(b, float), level)


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
    keys = ["run_id", "arm", "point", "replication", *(["draw"] if "draw" in df else [])]
    return df.groupby(keys, as_index=False)[cols + extra].mean()


def arm_summary(per_run: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per arm and headline outcome (:data:`HEADLINE`, those with data): the mean over
    runs of the run's average (one value per run, as :func:`run_means` gives), its t
    confidence interval (a share's clipped to [0, 1]) and the number of runs behind it.
    Tidy: one row per arm and outcome, in the data's units (shares as fractions, money in
    dollars)."""
    frame = per_run
    if "turnover_rate" not in frame and "retention_rate" in frame:
        # a run's mean retention is one minus its mean turnover (both are yearly means)
        frame = frame.assign(turnover_rate=1.0 - frame["retention_rate"])
    present = [o for o in HEADLINE if o in frame and frame[o].notna().any()]
    rows = []
    for arm, g in frame.groupby("arm", sort=False):
        for outcome in present:
            x = g[outcome].dropna().to_numpy(float)
            mean, lo, hi = mean_ci(x, level)
            if outcome in PERCENT:
                # a share's mean lies in [0, 1]; the t interval of a few runs far apart
                # (burnout is all or little) would claim -20% to 130% of teachers
                lo, hi = max(lo, 0.0), min(hi, 1.0)
            rows.append({"arm": arm, "outcome": outcome, "mean": mean, "ci_low": lo,
                         "ci_high": hi, "runs": len(x)})
    return pd.DataFrame(rows, columns=["arm", "outcome", "mean", "ci_low", "ci_high",
                                       "runs"])


def rolls_out(outcomes: pd.DataFrame) -> bool:
    """Whether some run of some arm puts schools on the policy after its first year (a
    staged rollout). A school on the policy from the start (a one-school comparison) is
    no rollout, nor is one dropping it: the rollout timeline would be a flat line or
    show abandonment, which is not what it is drawn for."""
    if "schools_adopted" not in outcomes or not len(outcomes):
        return False
    rises = (outcomes.sort_values(["run_id", "year"]).groupby("run_id")["schools_adopted"]
             .diff() > 0)
    return bool(rises.any())


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


# --- parameter uncertainty ----------------------------------------------------------------
@dataclass(frozen=True)
class Uncertain:
    """A paired difference under chance and parameter uncertainty (docs/analysis.md).

    Runs come in groups that share a parameter set (a draw from the posterior): the
    spread within a group is chance, the spread of the group means beyond what chance
    explains is parameter uncertainty (one-way random-effects analysis of variance).
    """

    mean: float
    #: 90% interval of the effect: where the expected difference lies given what we
    #: know about the parameters (mean +- 1.645 SD of the between-draw component and the
    #: Monte Carlo error of the mean)
    low: float
    high: float
    #: 90% interval for one realisation (one school or district's run): chance as well
    predictive_low: float
    predictive_high: float
    #: variance of the expected difference between parameter sets, and of chance
    var_parameters: float
    var_chance: float
    #: probability that the expected difference is above zero
    p_positive: float
    draws: int
    runs: int
    #: False when no draw has two replications (chance and parameters cannot be told
    #: apart; the split is then not reported)
    separable: bool

    @property
    def share_parameters(self) -> float:
        total = self.var_parameters + self.var_chance
        return self.var_parameters / total if total > 0 and self.separable else float("nan")


Z90 = 1.6448536269514722


def uncertain_difference(diff: np.ndarray, draw: np.ndarray) -> Uncertain:
    """Summarise paired differences ``diff`` (one per pair of runs) grouped by the
    parameter set ``draw`` of the pair (-1: fixed parameters, all one group)."""
    d = pd.DataFrame({"d": np.asarray(diff, float), "g": np.asarray(draw)})
    d = d[np.isfinite(d["d"])]
    n = len(d)
    groups = d.groupby("g")["d"]
    sizes = groups.size()
    means = groups.mean()
    k = len(sizes)
    mean = float(d["d"].mean()) if n else float("nan")
    separable = n > k
    var_b = 0.0
    if separable:
        var_w = float(((d["d"] - groups.transform("mean")) ** 2).sum() / (n - k))
        if k > 1:
            # unbalanced one-way ANOVA: n0 is the effective group size
            n0 = (n - float((sizes ** 2).sum()) / n) / (k - 1)
            ms_b = float((sizes * (means - mean) ** 2).sum() / (k - 1))
            var_b = max(0.0, (ms_b - var_w) / n0)
            # the parameter sets are the independent units of the mean
            se2 = float(means.var(ddof=1)) / k
        else:
            se2 = var_w / n
    else:
        # one run per parameter set: the spread is chance and parameters together
        var_w = float(d["d"].var(ddof=1)) if n > 1 else float("nan")
        se2 = var_w / n if n else float("nan")
    spread = float(np.sqrt(var_b + se2)) if np.isfinite(se2) else float("nan")
    pred = float(np.sqrt(var_b + var_w + se2)) if np.isfinite(var_w) else float("nan")
    if spread > 0:
        p = float(stats.norm.cdf(mean / spread))
    else:
        p = float(mean > 0) if np.isfinite(mean) else float("nan")
    return Uncertain(mean, mean - Z90 * spread, mean + Z90 * spread, mean - Z90 * pred,
                     mean + Z90 * pred, var_b, var_w, p, k, n, separable)


def uncertain_differences(per_run: pd.DataFrame, value: str, reference: str
                          ) -> pd.DataFrame:
    """Each arm minus ``reference`` (paired by design point and replication) under chance
    and parameter uncertainty: the effect's 90% interval, the split of its variance,
    and the probability that the arm improves the outcome."""
    draws = per_run["draw"] if "draw" in per_run else pd.Series(-1, index=per_run.index)
    frame = per_run.assign(draw=draws)
    wide = frame.pivot_table(index=["point", "replication", "draw"], columns="arm",
                             values=value).reset_index()
    better_high = OUTCOMES.get(value, ("", "", True))[2]
    rows = []
    for arm in [a for a in per_run["arm"].unique() if a != reference]:
        both = wide[["draw", arm, reference]].dropna()
        u = uncertain_difference((both[arm] - both[reference]).to_numpy(),
                                 both["draw"].to_numpy())
        p_better = u.p_positive if better_high else 1.0 - u.p_positive
        rows.append({"arm": arm, "reference": reference, "outcome": value,
                     "mean": u.mean, "low90": u.low, "high90": u.high,
                     "predictive_low90": u.predictive_low,
                     "predictive_high90": u.predictive_high,
                     "p_better": p_better,
                     "share_parameters": u.share_parameters,
                     "share_chance": 1.0 - u.share_parameters if u.separable
                     else float("nan"),
                     "draws": u.draws, "runs": u.runs})
    return pd.DataFrame(rows)


def probability_sentence(row: pd.Series) -> str:
    """A plain statement of one row of :func:`uncertain_differences`."""
    label = OUTCOMES.get(row["outcome"], (row["outcome"],))[0].lower()
    better_high = OUTCOMES.get(row["outcome"], ("", "", True))[2]
    verb = "raises" if better_high else "lowers"
    text = (f"Probability that {row['arm']} {verb} {label} (vs {row['reference']}): "
            f"{row['p_better']:.2f}")
    if np.isfinite(row["share_parameters"]):
        text += (f"; {100 * row['share_parameters']:.0f}% of the spread of the difference "
                 "comes from parameter uncertainty, "
                 f"{100 * row['share_chance']:.0f}% from chance")
    return text + f" ({row['draws']} parameter set(s), {row['runs']} paired runs)."


def acceptability(per_run: pd.DataFrame, reference: str, effect: str,
                  willingness: np.ndarray, per_teacher: bool = False) -> pd.DataFrame:
    """Cost-effectiveness acceptability curve: for each willingness to pay per unit of
    effect (dollars per SD of student growth, or per teacher retained), the probability
    that the arm's net benefit over ``reference`` is positive, taking chance and
    parameter uncertainty into account as :func:`uncertain_difference` does.

    Net benefit per school and year = willingness x extra effect - extra cost; ``effect``
    is a column of ``per_run`` (``student_growth_sd`` or ``retention_rate``; with
    ``per_teacher`` the retention rate is turned into teachers retained per school).
    """
    rows = []
    n_schools = per_run["schools"].max() if "schools" in per_run else 1
    frame = per_run.assign(draw=per_run.get("draw", -1))
    for arm in [a for a in per_run["arm"].unique() if a != reference]:
        cols = [effect, "cost_per_school", *(["teachers"] if per_teacher else [])]
        wide = frame[frame["arm"].isin([arm, reference])].pivot_table(
            index=["point", "replication", "draw"], columns="arm", values=cols).dropna()
        e_arm, e_ref = wide[effect][arm], wide[effect][reference]
        if per_teacher:
            teachers = wide["teachers"][arm] / n_schools
            e_arm, e_ref = e_arm * teachers, e_ref * teachers
        d_e = (e_arm - e_ref).to_numpy()
        d_c = (wide["cost_per_school"][arm] - wide["cost_per_school"][reference]).to_numpy()
        g = wide.index.get_level_values("draw").to_numpy()
        for lam in willingness:
            u = uncertain_difference(lam * d_e - d_c, g)
            rows.append({"arm": arm, "reference": reference, "effect": effect,
                         "willingness_to_pay": float(lam), "p_cost_effective": u.p_positive})
    return pd.DataFrame(rows)


def neutrality(res: Results) -> pd.DataFrame:
    """Per run and year of each arm that adopts: the share of the schools on the policy
    whose net budget impact is budget-neutral (money/costs.py ``verdicts``), and whether
    every one of them is."""
    from teachsim.config.scenario import Scenario
    from teachsim.money.costs import ledger, verdicts

    rows = []
    draws = run_draws(res)
    draw_of = dict(zip(draws["run_id"], draws["draw"], strict=True))
    for arm, info in res.manifest["arms"].items():
        scen = Scenario.model_validate(info["scenario"], strict=False)
        sy = res.sql("SELECT * FROM school_year WHERE arm = ? ORDER BY run_id, year, "
                     "school_id", [arm])
        if not len(sy) or not sy["adopted"].any():
            continue
        for run_id, g in sy.groupby("run_id", sort=True):
            t = {c: g[c].to_numpy() for c in g.columns}
            v = verdicts(ledger(t, scen), t, scen)
            on = v["adopted"].astype(bool)
            first = int(np.min(v["year"]))
            for year in np.unique(v["year"][on]):
                m = on & (v["year"] == year)
                ok = v["verdict"][m] == "budget-neutral"
                rows.append({"run_id": int(run_id), "arm": arm,
                             "draw": int(draw_of.get(run_id, -1)),
                             "year_index": int(year - first) + 1,
                             "share_neutral": float(ok.mean()), "all_neutral": bool(ok.all())})
    return pd.DataFrame(rows, columns=["run_id", "arm", "draw", "year_index",
                                       "share_neutral", "all_neutral"])


def probability_neutral(neutral: pd.DataFrame, by_year: int = 3) -> pd.DataFrame:
    """Per arm: the probability that every school on the policy is budget-neutral in
    year ``by_year`` of the run, over chance and parameter uncertainty (the share of runs,
    each parameter set weighted by its runs)."""
    rows = []
    for arm, g in neutral[neutral["year_index"] == by_year].groupby("arm", sort=False):
        per_draw = g.groupby("draw")["all_neutral"].mean()
        rows.append({"arm": arm, "year_index": by_year,
                     "p_all_neutral": float(g["all_neutral"].mean()),
                     "share_of_schools_neutral": float(g["share_neutral"].mean()),
                     "draws": len(per_draw), "runs": len(g),
                     "lowest_draw": float(per_draw.min()),
                     "highest_draw": float(per_draw.max())})
    return pd.DataFrame(rows)


# --- sensitivity -----------------------------------------------------------------------
def _salib_seed(seed: int) -> int:
    """The seed to give SALib for ``seed``: SALib's sobol and delta modules skip seeding
    when the seed is 0 (``if seed:``), which left their bootstrap intervals differing from
    run to run; shifting by one seeds every value, 0 included."""
    return int(seed) + 1


def sobol(problem: dict, y: np.ndarray, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap confidence intervals (SALib)."""
    from SALib.analyze import sobol as sa

    res = sa.analyze(problem, np.asarray(y, float), calc_second_order=True,
                     num_resamples=n_boot, seed=_salib_seed(seed))
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


def given_data_sobol(problem: dict, x: np.ndarray, y: np.ndarray, n_boot: int = 100,
                     seed: int = 0) -> pd.DataFrame:
    """First-order Sobol indices from given (not designed) samples, with bootstrap
    confidence intervals (SALib's delta module, Sobol part), ranked."""
    from SALib.analyze import delta

    # delta seeds numpy's global stream: put it back afterwards, so the analysis does
    # not change what other code draws from it
    state = np.random.get_state()
    try:
        res = delta.analyze(problem, np.asarray(x, float), np.asarray(y, float),
                            num_resamples=min(n_boot, 200), seed=_salib_seed(seed),
                            method="sobol")
    finally:
        np.random.set_state(state)
    return pd.DataFrame({"parameter": problem["names"], "S1": res["S1"],
                         "S1_conf": res["S1_conf"]}).sort_values("S1", ascending=False)


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
