"""The diagnostics page of a fit (``diagnostics.html``): what was fitted to what, prior
vs posterior for each fitted parameter, and the posterior-predictive check of every
target, as figures and tables."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from teachsim.experiments.atomic import atomic_file, write_text
from teachsim.experiments.ensemble import Ensemble, prior_density


def write_page(out: Path, fit: Any, ens: Ensemble, targets: pd.DataFrame,
               params: pd.DataFrame, gens: list[Any], stats: list[dict[str, Any]]
               ) -> list[Path]:
    """``fit``: the analysis.fit.Fit; ``gens``: its Generations (this module is below
    fit.py and does not import it)."""
    from teachsim.analysis import plots
    from teachsim.analysis.report import CSS, _img, _table
    from teachsim.config.parameters import all_priors

    priors = all_priors()
    w = ens.weights
    panels = []
    for j, k in enumerate(ens.keys):
        if k not in fit.setup.fitted:
            continue
        p = priors[k]
        x = np.linspace(p.low, p.high, 200)
        panels.append({"key": k, "x": x, "prior": prior_density(p, x), "values": ens.values[:, j],
                       "weights": w})
    figs = [("prior_posterior", plots.prior_posterior(panels)[0])]
    figs.append(("predictive", plots.predictive([
        {"name": t.target.name, "low": t.target.low, "high": t.target.high,
         "values": np.array([s[t.target.name] for s in stats], float), "weights": w}
        for t in fit.setup.targets])[0]))
    figs.append(("epsilon", plots.epsilons(pd.DataFrame([g.__dict__ for g in gens]))[0]))
    files = []
    imgs = {}
    for name, fig in figs:
        path = out / f"fit_{name}.png"
        with atomic_file(path) as tmp:
            plots.save(fig, str(tmp))
        files.append(path)
        imgs[name] = _img(path)
    covered = int(targets["covered"].sum())
    last = gens[-1]
    fitted = params[params["fitted"]]
    shown = fitted[["parameter", "unit", "prior", "default", "posterior_mean",
                    "posterior_p5", "posterior_p95", "narrowing"]]
    moves = (f"; the last generation was resampled and moved {fit.spec.moves} times by "
             "ABC-MCMC (acceptance " + ", ".join(f"{a:.0%}" for a in
                                                ens.meta.get("move_acceptance", [])) + ")"
             if fit.spec.moves else "")
    poverty = (f" and a generated district of {fit.spec.poverty_schools} schools"
               if fit.spec.poverty_schools else "")
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>teachsim fit: {html.escape(fit.spec.name)}</title><style>{CSS}</style></head><body>
<h1>Fit: {html.escape(fit.spec.name)}</h1>
<p>{html.escape(fit.spec.description)}</p>
<p>ABC-SMC (pyabc) of {len(fit.setup.fitted)} parameter(s) against {len(targets)}
target(s); {len(fit.setup.others)} other parameter(s) drawn from their priors in every
simulation. Each simulation: {fit.spec.schools} copies of the base school
({html.escape(fit.spec.base)}){poverty},
{fit.spec.years} years. {len(gens)} generation(s), {ens.meta.get("simulations", 0):,}
simulations; final threshold {last.epsilon:.3g} half-tolerances (1 = every target at the
edge of its tolerance); {len(ens)} parameter sets
({ens.meta.get("distinct_sets", len(ens))} distinct), effective sample size
{ens.ess():.0f}{moves}.</p>
<h2>Posterior-predictive check</h2>
<p class="note">The figure each accepted simulation gives, weighted, against the target's
tolerance (shaded). {covered} of {len(targets)} targets have their band overlapped by the
central 90% of the predictive distribution.</p>
{imgs["predictive"]}
{_table(targets.drop(columns=["source"]))}
<h2>Prior and posterior</h2>
<p class="note">Line: the prior. Bars: the posterior. "narrowing" is 1 - posterior SD /
prior SD: 0 means the targets said nothing about the parameter.</p>
{imgs["prior_posterior"]}
{_table(shown)}
<h2>Generations</h2>
{imgs["epsilon"]}
{_table(pd.DataFrame([g.__dict__ for g in gens]))}
<p class="note">Files: ensemble.csv (the posterior ensemble: draw, weight, one column per
parameter), targets.csv, parameters.csv, generations.csv, fit.db (pyabc's history; run
the same command again to continue).</p>
</body></html>
"""
    write_text(out / "diagnostics.html", page)
    return [*files, out / "diagnostics.html"]
