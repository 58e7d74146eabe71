"""Figures (seaborn/matplotlib). The only module that imports plotting libraries; every
function returns the figure and the exact data it draws, so tests can compare a figure
with the numbers it shows."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from teachsim.analysis.stats import OUTCOMES, PERCENT

sns.set_theme(style="whitegrid", context="notebook")


def _scale(col: str) -> float:
    return 100.0 if col in PERCENT else 1.0


def _money_axis(axis: matplotlib.axis.Axis) -> None:
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, _pos: f"-${-v:,.0f}" if v < 0 else f"${v:,.0f}"))


def _legend_outside(ax: plt.Axes, title: str = "arm") -> None:
    ax.legend(title=title, frameon=False, fontsize=9, loc="upper left",
              bbox_to_anchor=(1.01, 1.0))


def trajectories(band: pd.DataFrame, outcome: str) -> tuple[Figure, pd.DataFrame]:
    """Median over replications per arm and year, with the P10-P90 band."""
    label, unit, better_high = OUTCOMES[outcome]
    k = _scale(outcome)
    data = band.assign(p10=band["p10"] * k, p50=band["p50"] * k, p90=band["p90"] * k)
    fig, ax = plt.subplots(figsize=(9.5, 4.5))
    palette = sns.color_palette("colorblind", n_colors=data["arm"].nunique())
    for color, (arm, g) in zip(palette, data.groupby("arm", sort=True), strict=True):
        ax.fill_between(g["year"], g["p10"], g["p90"], color=color, alpha=0.15, lw=0)
        ax.plot(g["year"], g["p50"], color=color, lw=2, marker="o", ms=3, label=arm)
    ax.set_title(f"{label} ({'higher' if better_high else 'lower'} is better): median and "
                 "P10-P90 across replications", fontsize=11)
    ax.set_xlabel("school year (starting)")
    ax.set_ylabel(unit)
    if unit.startswith("$"):
        _money_axis(ax.yaxis)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _legend_outside(ax)
    fig.tight_layout()
    return fig, data


def paired(diffs: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Paired differences (arm - reference) with 95% confidence intervals, one panel per
    outcome."""
    outcomes = [o for o in OUTCOMES if o in set(diffs["outcome"])]
    data = diffs.copy()
    for col in ("mean", "ci_low", "ci_high"):
        data[col] = data[col] * data["outcome"].map(_scale)
    ncols = min(3, len(outcomes))
    nrows = -(-len(outcomes) // ncols)
    n_arms = data["arm"].nunique()
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, nrows * (1.3 + 0.4 * n_arms)
                                                    + 0.6), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        if i >= len(outcomes):
            ax.set_visible(False)
            continue
        outcome = outcomes[i]
        d = data[data["outcome"] == outcome].sort_values("arm")
        y = np.arange(len(d))
        ax.errorbar(d["mean"], y, xerr=[d["mean"] - d["ci_low"], d["ci_high"] - d["mean"]],
                    fmt="o", color="#1f4e79", capsize=3)
        ax.axvline(0, color="grey", lw=1)
        ax.set_yticks(y, d["arm"] if i % ncols == 0 else [""] * len(d))
        ax.set_ylim(-0.6, len(d) - 0.4)
        label, unit, better_high = OUTCOMES[outcome]
        ax.set_title(f"{label}\n({'higher' if better_high else 'lower'} is better)",
                     fontsize=10)
        ax.set_xlabel(unit.replace("% of teachers a year", "percentage points").replace(
            "% of teachers", "percentage points"), fontsize=9)
        if unit.startswith("$"):
            _money_axis(ax.xaxis)
            ax.tick_params(axis="x", labelrotation=30)
    ref = data["reference"].iloc[0] if len(data) else ""
    fig.suptitle(f"Difference from '{ref}', paired by replication (mean and 95% CI)",
                 fontsize=12)
    fig.tight_layout()
    return fig, data


def rollout_timeline(adopted: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Schools on the policy each year, per arm (median across replications)."""
    fig, ax = plt.subplots(figsize=(9.5, 4))
    sns.lineplot(data=adopted, x="year", y="schools_adopted", hue="arm", style="arm",
                 markers=True, dashes=True, ax=ax, palette="colorblind", errorbar=None)
    ax.set_title("Rollout: schools running the new schedule (arms with the same pace "
                 "overlap)", fontsize=11)
    ax.set_xlabel("school year (starting)")
    ax.set_ylabel("schools on the policy")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _legend_outside(ax)
    fig.tight_layout()
    return fig, adopted


def cost_effectiveness(ce: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """The cost-effectiveness plane: extra cost per school against extra student growth
    and against extra teachers retained, each arm with 95% CIs on both axes."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    palette = sns.color_palette("colorblind", n_colors=len(ce))
    for ax, y, lo, hi, label in (
            (axes[0], "extra_growth_sd", "extra_growth_ci_low", "extra_growth_ci_high",
             "extra student growth (SD a year)"),
            (axes[1], "extra_teachers_retained_per_school", "extra_retained_ci_low",
             "extra_retained_ci_high", "extra teachers retained (per school a year)")):
        for color, (_, r) in zip(palette, ce.iterrows(), strict=True):
            ax.errorbar(r["extra_cost_per_school"], r[y],
                        xerr=[[r["extra_cost_per_school"] - r["extra_cost_ci_low"]],
                              [r["extra_cost_ci_high"] - r["extra_cost_per_school"]]],
                        yerr=[[r[y] - r[lo]], [r[hi] - r[y]]], fmt="o", color=color,
                        capsize=3, label=r["arm"])
        ax.axhline(0, color="grey", lw=1)
        ax.axvline(0, color="grey", lw=1)
        ax.set_xlabel("extra cost per school ($ a year)")
        ax.set_ylabel(label)
        _money_axis(ax.xaxis)
        ax.tick_params(axis="x", labelrotation=30)
    axes[1].legend(title="arm", frameon=False, fontsize=9, loc="upper left",
                   bbox_to_anchor=(1.01, 1.0))
    ref = ce["reference"].iloc[0] if len(ce) else ""
    fig.suptitle(f"Cost-effectiveness against '{ref}': up and left is better (mean and 95% "
                 "CI)", fontsize=12)
    fig.tight_layout()
    return fig, ce


def sensitivity(indices: pd.DataFrame, value: str, conf: str, title: str
                ) -> tuple[Figure, pd.DataFrame]:
    """Ranked sensitivity indices with their confidence intervals."""
    data = indices.sort_values(value, ascending=True)
    labels = [p.removeprefix("behaviour.") for p in data["parameter"]]
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.45 * len(data)))
    ax.barh(labels, data[value], xerr=data[conf], color="#4c72b0", capsize=3)
    ax.axvline(0, color="grey", lw=1)
    ax.set_xlabel(f"{value.replace('_', ' ')} (bars: 95% bootstrap interval)")
    title_main, _, title_rest = title.partition(": ")
    ax.set_title(f"{title_main}\n{title_rest}" if title_rest else title, fontsize=11)
    fig.tight_layout()
    return fig, data


def _grid(n: int, width: float = 3.3, height: float = 2.4) -> tuple[Figure, np.ndarray]:
    ncols = min(4, max(n, 1))
    nrows = -(-max(n, 1) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def prior_posterior(panels: list[dict]) -> tuple[Figure, pd.DataFrame]:
    """One panel per parameter: the prior density (line) and the weighted posterior
    (histogram). Each panel dict has key, x (grid), prior (density), values, weights."""
    fig, axes = _grid(len(panels))
    rows = []
    for ax, p in zip(axes, panels, strict=False):
        ax.hist(p["values"], bins=25, weights=p["weights"], density=True,
                color=sns.color_palette("colorblind")[0], alpha=0.6, label="posterior")
        ax.plot(p["x"], p["prior"], color="black", lw=1.2, label="prior")
        ax.set_title(p["key"].removeprefix("behaviour."), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
        rows.append({"parameter": p["key"], "posterior_mean": float(
            np.average(p["values"], weights=p["weights"]))})
    axes[0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig, pd.DataFrame(rows)


def predictive(panels: list[dict]) -> tuple[Figure, pd.DataFrame]:
    """One panel per target: the weighted distribution of the accepted simulations'
    figure, the tolerance band (shaded) and its centre. Each panel dict has name, low,
    high, values, weights."""
    fig, axes = _grid(len(panels), 3.4, 2.3)
    rows = []
    for ax, p in zip(axes, panels, strict=False):
        ok = np.isfinite(p["values"])
        ax.axvspan(p["low"], p["high"], color="#2a9d8f", alpha=0.18, lw=0,
                   label="target tolerance")
        ax.hist(p["values"][ok], bins=25, weights=p["weights"][ok],
                color=sns.color_palette("colorblind")[0], alpha=0.7,
                label="posterior predictive")
        ax.set_title(p["name"], fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
        rows.append({"target": p["name"], "low": p["low"], "high": p["high"]})
    axes[0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig, pd.DataFrame(rows)


def epsilons(gens: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Acceptance threshold by generation (1 = every target at the edge of its
    tolerance)."""
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(gens["t"], gens["epsilon"], marker="o")
    ax.axhline(1.0, color="grey", lw=1, ls="--")
    ax.set_yscale("log")
    ax.set_xlabel("generation")
    ax.set_ylabel("threshold (half-tolerances)")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    fig.tight_layout()
    return fig, gens


def acceptability(curves: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Cost-effectiveness acceptability curves: probability that each arm is cost-
    effective against the willingness to pay, one panel per effect."""
    effects = list(dict.fromkeys(curves["effect"]))
    fig, axes = plt.subplots(1, len(effects), figsize=(5.2 * len(effects), 3.6),
                             squeeze=False)
    labels = {"student_growth_sd": "willingness to pay per SD of student growth, per "
              "school a year", "retention_rate": "willingness to pay per teacher retained"}
    palette = sns.color_palette("colorblind", n_colors=curves["arm"].nunique())
    for ax, effect in zip(axes[0], effects, strict=True):
        d = curves[curves["effect"] == effect]
        for color, (arm, g) in zip(palette, d.groupby("arm", sort=True), strict=False):
            ax.plot(g["willingness_to_pay"], g["p_cost_effective"], color=color, lw=2,
                    label=arm)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(labels.get(effect, effect), fontsize=9)
        ax.set_ylabel("probability cost-effective")
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
        _money_axis(ax.xaxis)
        ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    _legend_outside(axes[0][-1])
    fig.tight_layout()
    return fig, curves


def save(fig: Figure, path: str) -> None:
    fig.savefig(path, dpi=120)
    plt.close(fig)


def discovery_tradeoff(trajectory: pd.DataFrame, min_density: float, base_rate: float,
                       title: str, picked: int | None = None) -> tuple[Figure, pd.DataFrame]:
    """PRIM's peeling trajectory: coverage against density of each box, coloured by the
    number of inputs it restricts; the box first picked from it (``picked``) circled, the
    boxes pruned from that one (``stage`` is "pruned") as open squares, the quoted box
    (``chosen``) starred; the target density and the share of all cases that are of
    interest (the density of the whole box)."""
    import textwrap

    data = trajectory.sort_values("box")
    peeling = data[data["stage"] == "peeling"]
    pruned = data[data["stage"] == "pruned"]
    fig, ax = plt.subplots(figsize=(8, 6.5))
    ax.plot(peeling["coverage"], peeling["density"], color="grey", lw=1, zorder=1)
    top = max(int(data["restricted_inputs"].max()), 1)
    cmap = plt.get_cmap("viridis", top + 1)
    points = ax.scatter(peeling["coverage"], peeling["density"],
                        c=peeling["restricted_inputs"], cmap=cmap, vmin=-0.5,
                        vmax=top + 0.5, s=28, zorder=2)
    bar = fig.colorbar(points, ax=ax, ticks=range(top + 1))
    bar.set_label("inputs restricted")
    if not pruned.empty:
        ax.scatter(pruned["coverage"], pruned["density"], marker="s", s=40,
                   facecolor="none", edgecolor="black", zorder=2,
                   label="picked box with weak restrictions dropped")
    if picked is not None and not pruned.empty:
        row = data[data["box"] == picked].iloc[0]
        ax.scatter([row["coverage"]], [row["density"]], marker="o", s=130,
                   facecolor="none", edgecolor="black", lw=1.2, zorder=3,
                   label=f"picked from the trajectory ({int(row['restricted_inputs'])} "
                   "restricted)")
    chosen = data[data["chosen"]]
    if not chosen.empty:
        row = chosen.iloc[0]
        ax.scatter([row["coverage"]], [row["density"]], marker="*", s=320,
                   facecolor="none", edgecolor="#c44e52", lw=2, zorder=3,
                   label=f"quoted box: coverage {100 * row['coverage']:.0f}%, density "
                   f"{100 * row['density']:.0f}%, {int(row['restricted_inputs'])} "
                   "restricted")
    ax.axhline(min_density, color="#c44e52", ls="--", lw=1,
               label=f"target density {100 * min_density:.0f}%")
    ax.axhline(base_rate, color="grey", ls=":", lw=1,
               label=f"all cases {100 * base_rate:.0f}%")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(max(0.0, min(base_rate, float(data["density"].min())) - 0.05), 1.02)
    ax.set_xlabel("coverage: share of all cases of interest inside the box")
    ax.set_ylabel("density: share of the box's cases that are of interest")
    ax.set_title("\n".join(textwrap.wrap(title, 80)), fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper center", ncols=2,
              bbox_to_anchor=(0.5, -0.13))
    fig.tight_layout()
    return fig, data
