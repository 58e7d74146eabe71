"""Scenario discovery: the region of inputs where a policy fails (or succeeds), found with
PRIM (the Patient Rule Induction Method, Friedman & Fisher 1999; EMA Workbench's
implementation, as used in Robust Decision Making: Bryant & Lempert 2010).

A sweep answers "how much does the arm help on average?"; analysts also need "when does
it not help?". Each *case* is one pair of runs -- the arm and the reference arm at the
same design point and replication, which share their random numbers -- and its paired
difference in a run-mean outcome. A case *fails* when the arm does not improve on the
reference by more than a threshold (in the outcome's units; percentage points for
shares). The *inputs* of a case are what differed between cases and was not an outcome:
the swept parameters, the parameter values drawn from a posterior (table ``draws``, when
the experiment drew them) and the district's conditions (the schools' mean low-income
share, environment, readiness, leader bench and size in the first year).

PRIM peels thin slices off the box of all inputs, each time the slice whose removal
raises the share of failures inside the most, until the box holds too few cases; the
boxes along the way (the *peeling trajectory*) trade *coverage* (the share of all
failures inside the box) for *density* (the share of the box's cases that fail). Which box
to quote is a judgement; :func:`find_box` makes it with a rule stated in
:data:`CHOICE_RULE`, so that the same results give the same answer.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from teachsim.analysis import stats
from teachsim.config.errors import ConfigError, did_you_mean
from teachsim.experiments.atomic import atomic_file, safe_name
from teachsim.experiments.results import Results, open_results

#: fewer paired cases than this and PRIM's boxes are noise
MIN_CASES = 20
#: fewer failures (or successes) than this and there is nothing for PRIM to separate
MIN_OF_INTEREST = 5
#: default density a quoted box must reach (the share of its cases that fail)
MIN_DENSITY = 0.8
#: smallest box PRIM may peel down to, as a share of all cases
MASS_MIN = 0.05
#: share of the box's cases peeled away at each step
PEEL_ALPHA = 0.05

#: a restriction whose quasi-p value is above this on every side it moved is dropped
PRUNE_ALPHA = 0.05

CHOICE_RULE = (
    "the box on PRIM's peeling trajectory with the highest coverage among those that "
    "restrict at least one input and whose density is at least the target (ties: fewer "
    "restricted inputs, then higher density), or, if no box reaches the target, the "
    "densest box (ties: higher coverage); then, one at a time and weakest first, every "
    "restriction whose quasi-p value is above 0.05 on each side it moved is dropped "
    "(Bryant & Lempert 2010), keeping at least one")

#: district conditions read from school_year (first year of the reference arm's run,
#: mean over schools): column -> words for the sentence. They are inputs, not outcomes:
#: drawn when the district is generated (poverty, size, bench) or before the policy has
#: acted (environment and readiness move later, partly because of the policy, so only
#: the first year's values count as conditions).
CONDITIONS: dict[str, str] = {
    "poverty_share": "the schools' mean low-income share",
    "environment": "the schools' mean professional environment (SD)",
    "readiness": "the schools' mean readiness (SD)",
    "leader_bench": "the schools' mean leader bench",
    "students": "the schools' mean enrolment",
}
CONDITION_PREFIX = "schools."
#: columns of a draws table that identify rows rather than hold drawn parameter values
_ID_COLUMNS = {"draw", "run_id", "arm", "point", "replication", "scenario", "seed",
               "weight", "status"}


@dataclass
class Box:
    """PRIM's answer for one set of cases, with the box chosen to quote."""

    #: one row per box PRIM made: box, stage ("peeling" for PRIM's peeling and pasting
    #: trajectory, "pruned" for the chosen box with a weak restriction dropped),
    #: coverage, density, mass, cases, cases_of_interest, restricted_inputs, chosen
    trajectory: pd.DataFrame
    #: index (``box``) of the box quoted: the last one pruned, or the one chosen from the
    #: peeling trajectory when nothing was pruned
    chosen: int
    #: the box the rule picked from the peeling trajectory, before pruning
    peeled: int
    #: one row per restricted input of the chosen box, strongest first: input, low,
    #: high, restricted (which side: low, high, both), range_low, range_high (the input's
    #: range over all cases), qp_low, qp_high (quasi-p values of the moved sides)
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    #: cases in the chosen box, and how many of them are of interest
    n_box: int
    k_box: int
    min_density: float

    @property
    def reached_target(self) -> bool:
        return self.density >= self.min_density - 1e-12


@dataclass
class Discovery:
    """Scenario discovery of one arm against a reference for one outcome."""

    results: Path
    arm: str
    reference: str
    outcome: str
    threshold: float
    #: "fails" (cases where the arm does not improve by more than the threshold) or
    #: "succeeds" (the others)
    target: str
    #: one row per case: point, replication, run ids, every input, difference (arm minus
    #: reference, in the outcome's display units), of_interest
    cases: pd.DataFrame
    #: the inputs PRIM was given (columns of ``cases``)
    inputs: list[str]
    box: Box
    #: share of all cases that are of interest
    base_rate: float
    sentence: str
    #: inputs left out, and why
    notes: list[str] = field(default_factory=list)
    last_years: int | None = None

    @property
    def n_cases(self) -> int:
        return len(self.cases)

    @property
    def n_of_interest(self) -> int:
        return int(self.cases["of_interest"].sum())


# --- PRIM on a table of inputs ---------------------------------------------------------
def find_box(x: pd.DataFrame, y: np.ndarray, min_density: float = MIN_DENSITY,
             mass_min: float = MASS_MIN, peel_alpha: float = PEEL_ALPHA,
             prune_alpha: float | None = PRUNE_ALPHA) -> Box:
    """Run PRIM on inputs ``x`` (one numeric column per input) and ``y`` (True for the
    cases of interest), and choose a box by :data:`CHOICE_RULE`.

    The rule favours coverage once the density is good enough because an analyst quotes
    the box as "the conditions under which it fails": a box that explains most of the
    failures, and mostly holds failures, is the useful statement; the last, smallest
    boxes on the trajectory are denser but describe a handful of cases (and are where
    PRIM overfits). PRIM also trims a little off inputs that do not matter, because each
    trim raises the density by chance; pruning the restrictions a binomial test cannot
    tell from chance leaves the inputs that do (``prune_alpha=None`` keeps them all)."""
    with warnings.catch_warnings():
        # EMA Workbench warns at import about optional parallel back ends it does not need
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    x = x.reset_index(drop=True).astype(float)
    y = np.asarray(y, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecation warnings inside the library
        p = prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
        pbox = p.find_box()
        peeled, _ = _choose(_trajectory(pbox.peeling_trajectory, 0), min_density)
        n_peeling = len(pbox.peeling_trajectory)
        pbox.select(peeled)
        while prune_alpha is not None:
            limits = _limits(pbox.box_lims[pbox._cur_box], pbox.box_lims[0],
                             pbox.p_values[pbox._cur_box])
            weak = limits[limits["qp"] > prune_alpha]
            if len(limits) <= 1 or weak.empty:
                break
            pbox.drop_restriction(str(weak.sort_values("qp").iloc[-1]["input"]))
    chosen = pbox._cur_box
    table = _trajectory(pbox.peeling_trajectory, n_peeling)
    table["chosen"] = table["box"] == chosen
    row = table.iloc[chosen]
    limits = _limits(pbox.box_lims[chosen], pbox.box_lims[0], pbox.p_values[chosen])
    return Box(trajectory=table, chosen=chosen, peeled=peeled,
               limits=limits.sort_values("qp", kind="stable").drop(columns="qp")
               .reset_index(drop=True),
               coverage=float(row["coverage"]), density=float(row["density"]),
               mass=float(row["mass"]), n_box=int(row["cases"]),
               k_box=int(row["cases_of_interest"]), min_density=min_density)


def _trajectory(traj: pd.DataFrame, n_peeling: int) -> pd.DataFrame:
    """EMA Workbench's trajectory as a tidy table; rows from ``n_peeling`` on (when
    positive) are the pruned boxes."""
    traj = traj.reset_index(drop=True)
    stage = np.where(np.arange(len(traj)) < (n_peeling or len(traj)), "peeling", "pruned")
    return pd.DataFrame({
        "box": np.arange(len(traj)),
        "stage": stage,
        "coverage": traj["coverage"].astype(float),
        "density": traj["density"].astype(float),
        "mass": traj["mass"].astype(float),
        "cases": traj["n"].astype(int),
        "cases_of_interest": traj["k"].astype(int),
        "restricted_inputs": traj["res_dim"].astype(int),
    })


def _choose(traj: pd.DataFrame, min_density: float) -> tuple[int, bool]:
    """The box to quote, by :data:`CHOICE_RULE`, and whether it reached the target."""
    traj = traj[traj["stage"] == "peeling"]
    restricted = traj[traj["restricted_inputs"] > 0]
    if restricted.empty:  # PRIM could not raise the density by peeling anything
        return 0, bool(traj["density"].iloc[0] >= min_density)
    good = restricted[restricted["density"] >= min_density - 1e-12]
    if not good.empty:
        best = good.sort_values(["coverage", "restricted_inputs", "density"],
                                ascending=[False, True, False], kind="stable")
        return int(best["box"].iloc[0]), True
    best = restricted.sort_values(["density", "coverage"], ascending=[False, False],
                                  kind="stable")
    return int(best["box"].iloc[0]), False


def _limits(lims: pd.DataFrame, init: pd.DataFrame, qp: dict[str, list[float]]
            ) -> pd.DataFrame:
    """One row per input the box restricts: its limits, which side PRIM moved, the
    input's full range and the quasi-p values of each moved side (Bryant & Lempert 2010:
    a one-sided binomial test of whether dropping that limit would lower the density;
    large values mean the restriction may be chance)."""
    rows = []
    for name in lims.columns:
        low, high = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        r_low, r_high = float(init[name].iloc[0]), float(init[name].iloc[1])
        moved_low, moved_high = low > r_low, high < r_high
        if not (moved_low or moved_high):
            continue
        q = qp.get(name, [-1.0, -1.0])
        rows.append({"input": name, "low": low, "high": high,
                     "restricted": "both" if moved_low and moved_high else (
                         "low" if moved_low else "high"),
                     "range_low": r_low, "range_high": r_high,
                     "qp_low": float(q[0]) if moved_low and q[0] >= 0 else np.nan,
                     "qp_high": float(q[1]) if moved_high and q[1] >= 0 else np.nan})
    out = pd.DataFrame(rows, columns=["input", "low", "high", "restricted", "range_low",
                                      "range_high", "qp_low", "qp_high"])
    # the restriction's strength: its stronger side (a side that is not chance keeps it)
    out["qp"] = out[["qp_low", "qp_high"]].min(axis=1).fillna(0.0)
    return out


# --- cases from a results directory ----------------------------------------------------
def discover(results: str | Path, arm: str | None = None, reference: str | None = None,
             outcome: str = "retention_rate", threshold: float = 0.0,
             succeeds: bool = False, min_density: float = MIN_DENSITY,
             last_years: int | None = None) -> Discovery:
    """Find where ``arm`` fails (or, with ``succeeds``, succeeds) to improve ``outcome``
    on ``reference`` by more than ``threshold``.

    ``threshold`` is in the outcome's units as reports show them: percentage points for
    shares (retention_rate, burnout_prevalence, intending_to_leave_share), dollars for
    cost_per_school, SD for growth and practice. "Improve" follows the outcome's
    direction: more retention is better, less burnout is better. ``reference`` defaults
    to the first arm and ``arm`` to the only other one. ``last_years`` averages each run
    over its last years only (a rollout's effects come late)."""
    path = Path(results)
    res = open_results(path)
    arms = list(res.manifest["arms"])
    if len(arms) < 2:
        raise ConfigError(path, None, f"the experiment has one arm ('{arms[0]}'): there "
                          "is no reference to fail against",
                          "run an experiment with two arms (e.g. the policy and no "
                          "policy) over a sweep; see experiments/rollout_discovery.toml")
    reference = reference or arms[0]
    if arm is None:
        others = [a for a in arms if a != reference]
        if len(others) != 1:
            raise ConfigError(path, "--arm", f"the experiment has {len(arms)} arms; which "
                              "one is judged is not clear", "choose it with --arm, one of: "
                              + ", ".join(others))
        arm = others[0]
    for option, name in (("--arm", arm), ("--reference", reference)):
        if name not in arms:
            raise ConfigError(path, option, f"no arm '{name}' in these results."
                              f"{did_you_mean(name, arms)}",
                              "choose one of the arms: " + ", ".join(arms))
    if arm == reference:
        raise ConfigError(path, "--arm", f"'{arm}' is also the reference: nothing to compare",
                          "choose a different --arm or --reference (arms: "
                          + ", ".join(arms) + ")")
    if outcome not in stats.OUTCOMES:
        raise ConfigError(path, "--outcome", f"no outcome '{outcome}'."
                          f"{did_you_mean(outcome, stats.OUTCOMES)}",
                          "use one of: " + ", ".join(stats.OUTCOMES))
    if "district_year" not in res.tables():
        raise ConfigError(path, None, "holds no district_year table: no outcome to judge",
                          "keep district_year in the experiment's tables and run the sweep")
    outcomes = stats.district_outcomes(res)
    if outcome not in outcomes.columns:
        raise ConfigError(path, "--outcome", f"outcome '{outcome}' is not in these results"
                          + (" (cost per school needs the school_year table)"
                             if outcome == "cost_per_school" else ""),
                          "use one of: " + ", ".join(o for o in stats.OUTCOMES
                                                     if o in outcomes.columns))
    per_run = stats.run_means(outcomes, last_years)
    cases = _pair(per_run, arm, reference, outcome)
    if len(cases) < MIN_CASES:
        raise ConfigError(path, None, f"only {len(cases)} paired runs of '{arm}' and "
                          f"'{reference}' have finished; PRIM needs at least {MIN_CASES} "
                          "(and a few hundred to be trusted)",
                          "sweep more design points or replications (a [sweep] with more "
                          "samples, or teachsim sweep FILE --replications N), or finish "
                          "the sweep by running the same command again")
    inputs, notes = _inputs(res, cases, arm, reference)
    cases = cases.join(inputs)

    _, _, higher_better = stats.OUTCOMES[outcome]
    improvement = cases["difference"] if higher_better else -cases["difference"]
    fails = (improvement <= threshold).to_numpy()
    _check_outcome_varies(path, fails, improvement, threshold, arm, reference, outcome)
    y = ~fails if succeeds else fails
    cases["of_interest"] = y
    target = "succeeds" if succeeds else "fails"
    names = list(inputs.columns)
    if not names:
        raise ConfigError(path, None, "no input varies between the cases: every paired run "
                          "had the same parameters and district conditions, so nothing "
                          "can explain where the arm fails"
                          + (" (" + "; ".join(notes) + ")" if notes else ""),
                          "sweep the parameters or district conditions you suspect matter "
                          "(a [sweep] in the experiment file) and run it again")
    box = find_box(cases[names], y, min_density=min_density)
    base_rate = float(y.mean())
    disc = Discovery(results=path, arm=arm, reference=reference, outcome=outcome,
                     threshold=threshold, target=target, cases=cases.reset_index(),
                     inputs=names, box=box, base_rate=base_rate, sentence="", notes=notes,
                     last_years=last_years)
    disc.sentence = sentence(disc)
    return disc


def _pair(per_run: pd.DataFrame, arm: str, reference: str, outcome: str) -> pd.DataFrame:
    """One row per (point, replication) with both arms finished: the two run ids and the
    difference arm minus reference, in display units (percentage points for shares)."""
    scale = 100.0 if outcome in stats.PERCENT else 1.0
    key = ["point", "replication"]
    a = per_run[per_run["arm"] == arm].set_index(key)[["run_id", outcome]]
    b = per_run[per_run["arm"] == reference].set_index(key)[["run_id", outcome]]
    both = a.merge(b, how="inner", left_index=True, right_index=True,
                   suffixes=("_arm", "_reference")).dropna()
    out = pd.DataFrame({
        "run_id": both["run_id_arm"].astype("int64"),
        "reference_run_id": both["run_id_reference"].astype("int64"),
        "difference": (both[f"{outcome}_arm"] - both[f"{outcome}_reference"]) * scale,
    }, index=both.index)
    return out.sort_index()


def _inputs(res: Results, cases: pd.DataFrame, arm: str, reference: str
            ) -> tuple[pd.DataFrame, list[str]]:
    """Every input of every case (indexed like ``cases``), with the constant ones dropped;
    and notes on what was left out."""
    manifest = res.manifest
    notes: list[str] = []
    runs = res.table("runs").drop_duplicates("run_id").set_index("run_id")
    arm_runs = cases["run_id"].to_numpy()
    cols: dict[str, np.ndarray] = {}

    # (a) swept parameters: one value per design point
    points = manifest["design"].get("points") or []
    for p in manifest["design"].get("parameters") or []:
        name = p["name"]
        if name in runs.columns:
            values = runs.loc[arm_runs, name].to_numpy(dtype=float)
        else:  # results written before the runs table carried them
            values = np.array([float(points[pt][name]) for pt in
                               cases.index.get_level_values("point")])
        if name.rsplit(".", 1)[-1] == "seed":
            if np.unique(values).size > 1:
                notes.append(f"{name} left out: a seed picks a different draw, its value "
                             "means nothing (the conditions it draws are inputs instead)")
            continue
        cols[name] = values

    # (b) parameters drawn from a posterior: the run's draw, joined to the draws table
    if "draws" in res.tables() and "draw" in runs.columns:
        cols.update(_drawn(res, runs.loc[arm_runs, "draw"].to_numpy(), manifest, arm,
                           set(cols), notes))

    # (c) district conditions in the reference run's first year
    if "school_year" in res.tables():
        cond = _conditions(res, reference)
        ref_runs = cases["reference_run_id"].to_numpy()
        for c in cond.columns:
            cols[CONDITION_PREFIX + c] = cond[c].reindex(ref_runs).to_numpy(dtype=float)

    x = pd.DataFrame(cols, index=cases.index)
    missing = [c for c in x.columns if x[c].isna().any()]
    for c in missing:
        notes.append(f"{c} left out: missing for {int(x[c].isna().sum())} cases")
    x = x.drop(columns=missing)
    constant = [c for c in x.columns if x[c].nunique() <= 1]
    return x.drop(columns=constant), notes


def _drawn(res: Results, draw_ids: np.ndarray, manifest: dict[str, Any], arm: str,
           taken: set[str], notes: list[str]) -> dict[str, np.ndarray]:
    """Values of the parameters drawn from a posterior, one per case, by the arm run's
    ``draw``. A run with draw -1 used the scenario's fixed values: those are read from
    the arm's resolved scenario in the manifest, so that it is a case like the others."""
    draws = res.table("draws").drop_duplicates("draw").set_index("draw")
    scenario = manifest["arms"][arm].get("scenario", {})
    # a value an arm sets is the analyst's choice and wins over the draw
    chosen = {k for info in manifest["arms"].values() for k in (info.get("set") or {})}
    out: dict[str, np.ndarray] = {}
    for name in draws.columns:
        if name in _ID_COLUMNS or name in taken or not pd.api.types.is_numeric_dtype(
                draws[name]):
            continue
        if name in chosen:
            notes.append(f"{name} left out: an arm sets it, so the runs did not take the "
                         "drawn values")
            continue
        values = draws[name].reindex(draw_ids).to_numpy(dtype=float, copy=True)
        fixed = draw_ids < 0
        if fixed.any():
            value = _lookup(scenario, name)
            if value is None:
                notes.append(f"{name} left out: runs without a draw have no value for it")
                continue
            values[fixed] = value
        out[name] = values
    return out


def _lookup(tree: dict[str, Any], dotted: str) -> float | None:
    """The number at a dotted key of a resolved scenario, or None."""
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) \
        else None


def _conditions(res: Results, reference: str) -> pd.DataFrame:
    """Per run of ``reference``: the mean over schools of each condition in the run's
    first year, indexed by run_id."""
    present = [c for c in CONDITIONS if c in set(res.sql(
        "SELECT * FROM school_year LIMIT 0").columns)]
    if not present:
        return pd.DataFrame()
    means = ", ".join(f'avg(CAST("{c}" AS DOUBLE)) AS "{c}"' for c in present)
    df = res.sql(f"""
        SELECT run_id, {means} FROM (
            SELECT *, min(year) OVER (PARTITION BY run_id) AS first_year
            FROM school_year WHERE arm = ?)
        WHERE year = first_year GROUP BY run_id""", [reference])
    return df.set_index("run_id")


def _check_outcome_varies(path: Path, fails: np.ndarray, improvement: pd.Series,
                          threshold: float, arm: str, reference: str, outcome: str
                          ) -> None:
    """PRIM looks for where failures gather among successes: with no failures, or no
    successes, there is nothing to find. Say so, and which threshold would split the
    cases."""
    n_fail = int(fails.sum())
    if min(n_fail, len(fails) - n_fail) >= MIN_OF_INTEREST:
        return
    lo, hi = float(improvement.min()), float(improvement.max())
    median = float(np.median(improvement))
    spread = (f"its improvement in {outcome} ranges from {lo:.3g} to {hi:.3g} "
              f"{_unit(outcome)}")
    if n_fail < MIN_OF_INTEREST:
        problem = (f"'{arm}' improves on '{reference}' by more than "
                   f"{_amount(outcome, threshold)} in {_all_but(n_fail, len(fails))} "
                   f"cases ({spread}): with {n_fail} failures PRIM has nothing to find "
                   f"(it needs at least {MIN_OF_INTEREST})")
        fix = (f"raise --threshold into that range, e.g. to the median improvement "
               f"(--threshold {median:.3g}), to ask where the arm helps less than usual; "
               "or sweep conditions wide enough for it to fail")
    else:
        n_ok = len(fails) - n_fail
        problem = (f"'{arm}' fails to improve on '{reference}' by more than "
                   f"{_amount(outcome, threshold)} in {_all_but(n_ok, len(fails))} cases "
                   f"({spread}): with {n_ok} successes PRIM has nothing to set the "
                   f"failures against (it needs at least {MIN_OF_INTEREST})")
        fix = (f"lower --threshold into that range, e.g. to the median improvement "
               f"(--threshold {median:.3g}), to ask where the arm does worse than usual; "
               "or sweep conditions wide enough for it to succeed")
    raise ConfigError(path, "--threshold", problem, fix)


def _all_but(k: int, n: int) -> str:
    return f"all {n}" if k == 0 else f"{n - k} of the {n}"


# --- words -----------------------------------------------------------------------------
def _unit(outcome: str) -> str:
    """The unit a threshold and a difference are given in."""
    if outcome in stats.PERCENT:
        return "percentage points"
    unit = stats.OUTCOMES[outcome][1]
    return "$ a year" if unit.startswith("$") else unit


def _amount(outcome: str, value: float) -> str:
    """``value`` with its unit, as a threshold is quoted."""
    if outcome == "cost_per_school":
        return f"${value:,.0f} a year"
    unit = _unit(outcome)
    if abs(value) == 1 and unit.endswith("points"):
        unit = unit[:-1]
    return f"{value:g} {unit}"


def _pct(v: float) -> str:
    return f"{100 * v:.0f}%"


def input_label(name: str) -> str:
    if name.startswith(CONDITION_PREFIX):
        return CONDITIONS.get(name.removeprefix(CONDITION_PREFIX), name)
    return name


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def condition(row: pd.Series) -> str:
    """One restricted input in words: 'X is at least a', 'at most b' or 'between'."""
    label = input_label(str(row["input"]))
    if row["restricted"] == "both":
        return f"{label} is between {_number(row['low'])} and {_number(row['high'])}"
    if row["restricted"] == "low":
        return f"{label} is at least {_number(row['low'])}"
    return f"{label} is at most {_number(row['high'])}"


def sentence(d: Discovery) -> str:
    """The finding in one sentence an analyst can quote."""
    label, _, higher_better = stats.OUTCOMES[d.outcome]
    what = label[0].lower() + label[1:]
    by = f" by more than {_amount(d.outcome, d.threshold)}" if d.threshold else ""
    if d.target == "fails":
        claim = (f"'{d.arm}' fails to {'raise' if higher_better else 'lower'} {what}{by} "
                 f"against '{d.reference}'")
        noun, verb = "failures", "fail"
    else:
        claim = (f"'{d.arm}' {'raises' if higher_better else 'lowers'} {what}{by} against "
                 f"'{d.reference}'")
        noun, verb = "successes", "succeed"
    box = d.box
    if box.limits.empty:
        return (f"PRIM found no region of the inputs where {claim} more often than "
                f"overall ({_pct(d.base_rate)} of {d.n_cases} cases).")
    when = " and ".join(condition(r) for _, r in box.limits.iterrows())
    text = (f"{claim} when {when} (covers {_pct(box.coverage)} of the {noun}; "
            f"{_pct(box.density)} of the {box.n_box} cases in the box {verb}, vs "
            f"{_pct(d.base_rate)} of all {d.n_cases} cases).")
    if not box.reached_target:
        text += (f" The box's density is below the target of {_pct(box.min_density)}: "
                 "read it as a tendency, not a rule.")
    return text


# --- files -----------------------------------------------------------------------------
def stem(d: Discovery) -> str:
    return (f"discover_{d.outcome}_{safe_name(d.arm)}_vs_{safe_name(d.reference)}"
            + ("_succeeds" if d.target == "succeeds" else ""))


def write(d: Discovery, out_dir: str | Path) -> list[Path]:
    """The box's limits (CSV, one row per restricted input), the peeling trajectory
    (CSV), the cases PRIM saw (CSV), a summary with the sentence (JSON) and the
    coverage-density plot (PNG), each written atomically."""
    from teachsim.analysis import plots

    out_dir = Path(out_dir)
    base = stem(d)
    written: list[Path] = []

    def csv(name: str, frame: pd.DataFrame) -> None:
        path = out_dir / f"{base}_{name}.csv"
        with atomic_file(path) as tmp:
            frame.to_csv(tmp, index=False)
        written.append(path)

    limits = d.box.limits.assign(label=[input_label(n) for n in d.box.limits["input"]])
    csv("box", limits)
    csv("trajectory", d.box.trajectory)
    csv("cases", d.cases)
    summary = {
        "results": str(d.results), "arm": d.arm, "reference": d.reference,
        "outcome": d.outcome, "threshold": d.threshold, "unit": _unit(d.outcome),
        "target": d.target, "last_years": d.last_years, "cases": d.n_cases,
        "cases_of_interest": d.n_of_interest, "base_rate": d.base_rate,
        "coverage": d.box.coverage, "density": d.box.density, "mass": d.box.mass,
        "cases_in_box": d.box.n_box, "box": d.box.chosen, "peeled_box": d.box.peeled,
        "min_density": d.box.min_density, "reached_target": d.box.reached_target,
        "rule": CHOICE_RULE, "inputs": d.inputs, "notes": d.notes, "sentence": d.sentence,
    }
    path = out_dir / f"{base}_summary.json"
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    written.append(path)
    label = stats.OUTCOMES[d.outcome][0]
    fig, _ = plots.discovery_tradeoff(
        d.box.trajectory, d.box.min_density, d.base_rate,
        f"Where '{d.arm}' {d.target} on {label.lower()} vs '{d.reference}': PRIM's "
        "peeling trajectory", picked=d.box.peeled)
    path = out_dir / f"{base}_trajectory.png"
    with atomic_file(path) as tmp:
        plots.save(fig, str(tmp))
    written.append(path)
    return written
