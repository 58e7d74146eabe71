"""Sensitivity analysis of an experiment's results: Sobol or Morris indices (SALib, with
bootstrap confidence intervals) for the swept parameters, and the share of variance
explained by the arms (categorical choices such as policy or rollout strategy)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from teachsim.analysis import stats
from teachsim.config.errors import ConfigError
from teachsim.experiments.atomic import atomic_file, safe_name
from teachsim.experiments.results import Results, open_results


@dataclass
class Sensitivity:
    outcome: str
    method: str
    #: per arm: ranked indices of the swept parameters
    indices: dict[str, pd.DataFrame]
    #: share of variance explained by the arm (categorical factor), with 95% interval
    categorical: pd.DataFrame | None


#: ``progress(step, done, total)``: called as each step of an analysis starts (``done``
#: steps finished) and once more when all ``total`` are
Progress = Callable[[str, int, int], None]


class _Steps:
    """Counts an analysis' steps for a :data:`Progress` callback."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress

    def start(self, step: str) -> None:
        if self.progress:
            self.progress(step, self.done, self.total)

    def finish(self) -> None:
        self.done += 1
        if self.progress and self.done == self.total:
            self.progress("done", self.done, self.total)

    def tick(self, step: str) -> Callable[[], None]:
        """A callback for :func:`indices_with_floor`: finishes the step under way and
        starts ``step``."""
        def next_() -> None:
            self.finish()
            self.start(step)
        return next_


def n_steps(res: Results) -> int:
    """Steps of :func:`analyse` on ``res``: reading its runs; one bootstrap of the indices
    per arm (a Sobol or Morris sweep) or two per arm (over the posterior: the indices and
    their noise floor); one of the arms' share of variance when there are several arms."""
    m = res.manifest
    arms = len(m["arms"])
    method = m["design"].get("method")
    per_arm = (1 if method in ("sobol", "morris") else
               2 if method is None and "draws" in res.tables() else 0)
    return 1 + per_arm * arms + int(arms > 1)


def analyse(results: Path, outcome: str = "student_growth_sd", n_boot: int = 1000,
            progress: Progress | None = None) -> Sensitivity:
    """Indices of ``outcome`` for the results in ``results``; ``progress`` hears of each
    step (:func:`n_steps`): reading the runs, then each bootstrap."""
    res = open_results(results)
    m = res.manifest
    steps = _Steps(n_steps(res), progress)
    steps.start("reading runs")
    outcomes = stats.district_outcomes(res)
    steps.finish()
    if outcome not in outcomes.columns:
        raise ConfigError(results, "outcome", f"no outcome '{outcome}'",
                          "use one of: " + ", ".join(o for o in stats.OUTCOMES
                                                     if o in outcomes.columns))
    per_run = stats.run_means(outcomes)
    design = m["design"]
    method = design.get("method")
    indices: dict[str, pd.DataFrame] = {}
    if method in ("sobol", "morris"):
        params = design["parameters"]
        problem = {"num_vars": len(params), "names": [p["name"] for p in params],
                   "bounds": [[p["low"], p["high"]] for p in params]}
        points = np.array([[pt[p["name"]] for p in params] for pt in design["points"]])
        for arm in m["arms"]:
            # replications averaged per design point: the index is about the parameters
            y = per_run[per_run["arm"] == arm].groupby("point")[outcome].mean()
            if len(y) != len(points):
                raise ConfigError(results, None, f"arm '{arm}' has results for {len(y)} of "
                                  f"{len(points)} design points", "finish the sweep first "
                                  "(run the same teachsim sweep command again)")
            yv = y.sort_index().to_numpy()
            steps.start(f"{method} indices, arm '{arm}'")
            indices[arm] = (stats.sobol(problem, yv, n_boot) if method == "sobol" else
                            stats.morris(problem, points, yv, n_boot))
            steps.finish()
    elif method is None and "draws" in res.tables():
        method = "posterior"
        indices = posterior_indices(res, per_run, outcome, n_boot, steps)
    elif len(m["arms"]) < 2:
        raise ConfigError(results, "sweep.method", f"the experiment's design is "
                          f"'{method}' and it has one arm: nothing to analyse",
                          "use a sobol or morris sweep, or several arms")
    categorical = None
    if len(m["arms"]) > 1:
        steps.start("arms' share of variance")
        est, lo, hi = stats.categorical_index(per_run[outcome].to_numpy(),
                                                 per_run["arm"].to_numpy(), n_boot)
        steps.finish()
        categorical = pd.DataFrame([{"factor": "arm", "levels": len(m["arms"]),
                                     "share_of_variance": est, "ci_low": lo, "ci_high": hi}])
    return Sensitivity(outcome, method or "arms", indices, categorical)


#: fewest parameter sets for given-data indices worth reading (below it, every index
#: is mostly noise)
MIN_DRAWS = 30


def posterior_indices(res: Results, per_run: pd.DataFrame, outcome: str, n_boot: int,
                      steps: _Steps | None = None) -> dict[str, pd.DataFrame]:
    """First-order Sobol indices over the posterior: how much of the outcome's variance
    (for the reference arm) or of each arm's paired difference from it (the other
    arms) each parameter explains, estimated from the runs' parameter sets as given data
    (SALib's delta module; the posterior's parameters are correlated and not a box, so
    Saltelli's design does not apply). Replications that share a parameter set are
    averaged first, which takes most of chance out of the output."""
    draws = res.sql("SELECT * FROM draws ORDER BY draw").set_index("draw")
    keys = [c for c in draws.columns if c.startswith("behaviour.") and draws[c].nunique() > 1]
    if len(draws) < MIN_DRAWS:
        raise ConfigError(res.path, "uncertainty", f"the runs drew {len(draws)} parameter "
                          f"sets; indices over the posterior need at least {MIN_DRAWS}",
                          "run more replications with replications_per_draw = 1 (see "
                          "experiments/posterior_sensitivity.toml)")
    arms = list(res.manifest["arms"])
    reference = arms[0]
    wide = per_run.pivot_table(index=["point", "replication", "draw"], columns="arm",
                               values=outcome).reset_index()
    outputs = {reference: wide.groupby("draw")[reference].mean()}
    for arm in arms[1:]:
        d = wide.assign(diff=wide[arm] - wide[reference]).dropna(subset=["diff"])
        outputs[f"{arm} - {reference}"] = d.groupby("draw")["diff"].mean()
    steps = steps or _Steps(2 * len(outputs), None)
    out = {}
    for name, y in outputs.items():
        y = y.dropna()
        steps.start(f"posterior indices, '{name}'")
        out[name] = indices_with_floor(draws.loc[y.index, keys].to_numpy(float),
                                       y.to_numpy(float), keys, n_boot,
                                       tick=steps.tick(f"noise floor, '{name}'"))
        steps.finish()
    return out


def indices_with_floor(x: np.ndarray, y: np.ndarray, names: list[str], n_boot: int,
                       seed: int = 0, tick: Callable[[], None] | None = None
                       ) -> pd.DataFrame:
    """Given-data first-order indices of each column of ``x`` for ``y``, each with its
    noise floor: the same estimate with ``y`` shuffled (given-data estimates are biased
    upward, more for skewed inputs), plus its interval. ``above_noise``: the index, less
    its interval, is above the floor. ``tick`` is called between the two bootstraps."""
    problem = {"num_vars": len(names), "names": names,
               "bounds": [[float(v.min()), float(v.max())] for v in x.T]}
    table = stats.given_data_sobol(problem, x, y, n_boot)
    if tick:
        tick()
    null = stats.given_data_sobol(problem, x, np.random.default_rng(seed).permutation(y),
                                  n_boot).set_index("parameter")
    floor = (null["S1"] + null["S1_conf"]).reindex(table["parameter"]).to_numpy()
    table["noise_floor"] = floor
    table["above_noise"] = table["S1"] - table["S1_conf"] > floor
    return table


def write(s: Sensitivity, out_dir: Path) -> list[Path]:
    """Ranked tables as CSV and a plot per arm."""
    from teachsim.analysis import plots

    written = []
    for arm, table in s.indices.items():
        stem = f"sensitivity_{s.outcome}_{safe_name(arm)}"
        with atomic_file(out_dir / f"{stem}.csv") as tmp:
            table.to_csv(tmp, index=False)
        value, conf, what = {"sobol": ("ST", "ST_conf", "total index"),
                             "morris": ("mu_star", "mu_star_conf", "mu*"),
                             "posterior": ("S1", "S1_conf", "first-order index over the "
                                           "posterior")}[s.method]
        label = stats.OUTCOMES.get(s.outcome, (s.outcome,))[0]
        shown = table.head(15) if s.method == "posterior" else table
        fig, _ = plots.sensitivity(shown,
                                   value, conf, f"{label}: {s.method} {what}, "
                                   f"{'arm ' if ' - ' not in arm else ''}'{arm}' (95% CI)")
        with atomic_file(out_dir / f"{stem}.png") as tmp:
            plots.save(fig, str(tmp))
        written += [out_dir / f"{stem}.csv", out_dir / f"{stem}.png"]
    if s.categorical is not None:
        csv = out_dir / f"sensitivity_{s.outcome}_arms.csv"
        with atomic_file(csv) as tmp:
            s.categorical.to_csv(tmp, index=False)
        written.append(csv)
    return written
