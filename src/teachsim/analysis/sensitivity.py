"""Sensitivity analysis of an experiment's results: Sobol or Morris indices (SALib, with
bootstrap confidence intervals) for the swept parameters, and the share of variance
explained by the arms (categorical choices such as policy or rollout strategy)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from teachsim.analysis import stats
from teachsim.config.errors import ConfigError
from teachsim.experiments.atomic import atomic_file, safe_name
from teachsim.experiments.results import open_results


@dataclass
class Sensitivity:
    outcome: str
    method: str
    #: per arm: ranked indices of the swept parameters
    indices: dict[str, pd.DataFrame]
    #: share of variance explained by the arm (categorical factor), with 95% interval
    categorical: pd.DataFrame | None


def analyse(results: Path, outcome: str = "student_growth_sd", n_boot: int = 1000
            ) -> Sensitivity:
    res = open_results(results)
    m = res.manifest
    outcomes = stats.district_outcomes(res)
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
            indices[arm] = (stats.sobol(problem, yv, n_boot) if method == "sobol" else
                            stats.morris(problem, points, yv, n_boot))
    elif len(m["arms"]) < 2:
        raise ConfigError(results, "sweep.method", f"the experiment's design is "
                          f"'{method}' and it has one arm: nothing to analyse",
                          "use a sobol or morris sweep, or several arms")
    categorical = None
    if len(m["arms"]) > 1:
        est, lo, hi = stats.categorical_index(per_run[outcome].to_numpy(),
                                                 per_run["arm"].to_numpy(), n_boot)
        categorical = pd.DataFrame([{"factor": "arm", "levels": len(m["arms"]),
                                     "share_of_variance": est, "ci_low": lo, "ci_high": hi}])
    return Sensitivity(outcome, method or "arms", indices, categorical)


def write(s: Sensitivity, out_dir: Path) -> list[Path]:
    """Ranked tables as CSV and a plot per arm."""
    from teachsim.analysis import plots

    written = []
    for arm, table in s.indices.items():
        stem = f"sensitivity_{s.outcome}_{safe_name(arm)}"
        with atomic_file(out_dir / f"{stem}.csv") as tmp:
            table.to_csv(tmp, index=False)
        value, conf = ("ST", "ST_conf") if s.method == "sobol" else ("mu_star",
                                                                     "mu_star_conf")
        label = stats.OUTCOMES.get(s.outcome, (s.outcome,))[0]
        fig, _ = plots.sensitivity(table, value, conf, f"{label}: {s.method} "
                                   f"{'total index' if s.method == 'sobol' else 'mu*'}, "
                                   f"arm '{arm}' (95% CI)")
        with atomic_file(out_dir / f"{stem}.png") as tmp:
            plots.save(fig, str(tmp))
        written += [out_dir / f"{stem}.csv", out_dir / f"{stem}.png"]
    if s.categorical is not None:
        csv = out_dir / f"sensitivity_{s.outcome}_arms.csv"
        with atomic_file(csv) as tmp:
            s.categorical.to_csv(tmp, index=False)
        written.append(csv)
    return written
