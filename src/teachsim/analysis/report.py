"""A report people can read: one self-contained HTML file (figures embedded, opens
offline) and the figures as PNG files beside it.

Sections: trajectories per arm with P10-P90 bands; paired differences from a reference
arm with 95% confidence intervals (using the common random numbers); the rollout
timeline; cost-effectiveness; the grant budget with bands; what was run (manifest).
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from teachsim.analysis import stats
from teachsim.config.errors import ConfigError
from teachsim.config.validation import quote
from teachsim.experiments.atomic import (
    atomic_dir,
    check_dir_target,
    check_file_target,
    write_text,
)
from teachsim.experiments.results import Results, open_results

#: marks the directory of a report's figures
FIGURES_MARKER = "figures.json"


@dataclass
class Report:
    html: Path
    figures: dict[str, Path] = field(default_factory=dict)
    #: the exact data drawn in each figure
    data: dict[str, pd.DataFrame] = field(default_factory=dict)


CSS = """
body { font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
img { max-width: 100%; border: 1px solid #eee; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th { background: #eef3f8; } td:first-child, th:first-child { text-align: left; }
.note { color: #555; font-size: 0.9em; }
"""


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _table(df: pd.DataFrame, money: tuple[str, ...] = (), digits: int = 4) -> str:
    def fmt(col: str, v: object) -> str:
        if isinstance(v, float):
            if col in money:
                return f"${v:,.0f}"
            return f"{v:.{digits}g}"
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{fmt(c, v)}</td>" for c, v in zip(
        df.columns, row, strict=True)) + "</tr>" for row in df.itertuples(index=False))
    return f"<table><tr>{head}</tr>{rows}</table>"


def build_report(results: Path, out: Path | None = None, reference: str | None = None
                 ) -> Report:
    """Write the report of ``results`` (HTML, and its figures beside it as PNG), each
    output atomically."""
    from teachsim.money.budget import budget_for_results

    res = open_results(results)
    manifest = res.manifest
    out = out or results / "report.html"
    fig_dir = out.parent / f"{out.stem}_figures"
    check_file_target(out)
    check_dir_target(fig_dir, FIGURES_MARKER, what="report figures")
    arms = list(manifest["arms"])
    reference = reference or arms[0]
    if reference not in arms:
        raise ConfigError(results, "--reference", f"no arm {quote(reference)}",
                          f"choose one of the arms: {', '.join(arms)}")
    with atomic_dir(fig_dir, FIGURES_MARKER, what="report figures") as tmp:
        report = _build(res, manifest, out, fig_dir, tmp, reference, budget_for_results)
        (tmp / FIGURES_MARKER).write_text(json.dumps(
            {"report": out.name, "results": str(results), "figures": sorted(report.figures)},
            indent=2) + "\n")
    return report


#: willingness-to-pay grids of the acceptability curves: dollars per SD of student growth
#: (per school a year) and per teacher retained
WTP_GROWTH = np.linspace(0, 2_000_000, 81)
WTP_TEACHER = np.linspace(0, 200_000, 81)


def uncertainty_note(manifest: dict[str, Any]) -> str:
    """Where the runs' parameter values came from, in words."""
    u = manifest.get("uncertainty") or {"parameters": "point"}
    if u.get("parameters", "point") == "point" or not u.get("ensemble_size"):
        return ("Every parameter was held at its value (--point-estimate or an experiment "
                "without an ensemble): the spread below is chance alone, not what we do "
                "not know about the parameters.")
    rec = u.get("ensemble_record") or {}
    kind = rec.get("kind", "ensemble")
    return (f"Each group of {u.get('replications_per_draw')} replications drew one "
            f"parameter set from the {kind} ensemble {Path(str(u.get('ensemble'))).name} "
            f"({u.get('ensemble_size')} sets"
            + (f", fitted by {rec.get('method')} to {len(rec.get('targets', []))} "
               "published targets" if rec.get("method") else "") + ")"
            + ("; the parameters the fit left to their priors were drawn afresh for each "
               "set" if u.get("others") == "prior" and rec.get("prior_only") else "")
            + "; every arm used the same parameter set in replication r, so differences "
            "stay paired.")


def _uncertainty_section(res: Results, manifest: dict[str, Any], per_run: pd.DataFrame,
                         present: list[str], reference: str, figure: Any
                         ) -> tuple[str, pd.DataFrame]:
    """The report's section on chance and parameter uncertainty, and its table."""
    from teachsim.analysis import plots

    unc = pd.concat([stats.uncertain_differences(per_run, o, reference) for o in present],
                    ignore_index=True)
    sentences = "".join(f"<li>{html.escape(stats.probability_sentence(r))}</li>"
                        for _, r in unc.iterrows())
    shown = uncertainty_table(unc)
    body = (f"<h2>How sure: chance and parameter uncertainty</h2><p class='note'>"
            f"{html.escape(uncertainty_note(manifest))} The effect's 90% interval is where "
            "the expected difference lies given what we know about the parameters; the "
            "predictive interval adds chance (one school's or district's run). "
            "p better: probability that the arm improves the outcome. share parameters: "
            "the part of the difference's variance that comes from parameter uncertainty "
            "(the rest is chance). See docs/analysis.md.</p><ul>" + sentences + "</ul>"
            + _table(shown))
    res_tables = res.tables()
    if "cost_per_school" in per_run and per_run["cost_per_school"].notna().all():
        curves = pd.concat([
            stats.acceptability(per_run, reference, "student_growth_sd", WTP_GROWTH),
            stats.acceptability(per_run, reference, "retention_rate", WTP_TEACHER,
                                per_teacher=True)], ignore_index=True)
        body += ("<h3>Cost-effectiveness acceptability</h3><p class='note'>Probability that "
                 "each arm's net benefit over the reference (willingness to pay x extra "
                 "effect - extra cost, per school a year) is positive.</p>"
                 + figure("acceptability", plots.acceptability(curves)))
    if "school_year" in res_tables:
        neutral = stats.neutrality(res)
        if len(neutral):
            p3 = stats.probability_neutral(neutral, 3)
            if len(p3):
                body += ("<h3>Budget neutrality</h3><p class='note'>Probability that every "
                         "school on the policy is budget-neutral in the third year of the "
                         "run (share of runs; lowest and highest: the share within one "
                         "parameter set).</p>" + _table(p3))
    return body, unc


def uncertainty_table(unc: pd.DataFrame) -> pd.DataFrame:
    """The uncertainty table in the units of the figures: percentage points for shares,
    dollars for cost, SD for growth and practice."""
    rows = []
    for _, r in unc.iterrows():
        label, unit, _ = stats.OUTCOMES.get(r["outcome"], (r["outcome"], "", True))
        k = 100.0 if r["outcome"] in stats.PERCENT else 1.0
        fmt: Any
        if r["outcome"] in stats.PERCENT:
            unit, fmt = "percentage points", "{:+.2f}".format
        elif unit.startswith("$"):
            def fmt(v: float) -> str:
                return f"{'-' if v < 0 else '+'}${abs(v):,.0f}"
        else:
            fmt = "{:+.3f}".format

        def span(lo: float, hi: float, k: float = k, fmt: Any = fmt) -> str:
            return f"{fmt(k * lo)} to {fmt(k * hi)}"

        rows.append({
            "arm": r["arm"], "outcome": label, "unit": unit,
            "mean difference": fmt(k * r["mean"]),
            "effect, 90% interval": span(r["low90"], r["high90"]),
            "one run, 90% interval": span(r["predictive_low90"], r["predictive_high90"]),
            "P(better)": f"{r['p_better']:.2f}",
            "share from parameters": (f"{100 * r['share_parameters']:.0f}%"
                                      if np.isfinite(r["share_parameters"]) else
                                      "not separable"),
            "parameter sets": int(r["draws"]), "paired runs": int(r["runs"])})
    return pd.DataFrame(rows)


def _build(res: Results, manifest: dict[str, Any], out: Path, fig_dir: Path, tmp: Path,
           reference: str, budget_for_results: Any) -> Report:
    from teachsim.analysis import plots

    arms = list(manifest["arms"])
    # counted in the run records: a sweep killed part-way, or resumed with a different
    # --replications, shows what is really there
    counts = res.replications()
    reps = (str(next(iter(counts.values()))) if len(set(counts.values())) == 1
            else ", ".join(f"{a}: {n}" for a, n in counts.items()))
    report = Report(html=out)
    sections: list[str] = []

    def figure(name: str, made: tuple) -> str:  # type: ignore[type-arg]
        fig, data = made
        path = tmp / f"{name}.png"
        plots.save(fig, str(path))
        report.figures[name] = fig_dir / path.name
        report.data[name] = data
        return _img(path)

    outcomes = stats.district_outcomes(res)
    present = [o for o in stats.OUTCOMES if o in outcomes.columns
               and outcomes[o].notna().any()]
    parts = ["<h2>Trajectories</h2><p class='note'>Median across replications, with the "
             "band from the 10th to the 90th percentile.</p>"]
    for o in present:
        parts.append(figure(f"trajectory_{o}", plots.trajectories(
            stats.bands(outcomes, o), o)))
    sections.append("".join(parts))

    per_run = stats.run_means(outcomes)
    if len(arms) > 1:
        diffs = pd.concat([stats.paired_differences(per_run, o, reference)
                           for o in present], ignore_index=True)
        sections.append(
            "<h2>Differences between arms</h2><p class='note'>Each arm minus "
            f"'{html.escape(reference)}', replication by replication (the arms share their "
            "random numbers), averaged over the run's years: mean and 95% confidence "
            "interval.</p>" + figure("paired_differences", plots.paired(diffs))
            + _table(diffs[["arm", "outcome", "mean", "ci_low", "ci_high", "n"]]))
        section, report.data["uncertainty"] = _uncertainty_section(
            res, manifest, per_run, present, reference, figure)
        sections.append(section)
        if "cost_per_school" in per_run and per_run["cost_per_school"].notna().all():
            ce = stats.cost_effectiveness(per_run, reference)
            shown = ce[["arm", "extra_cost_per_school", "extra_growth_sd",
                        "extra_teachers_retained_per_school", "growth_sd_per_1000",
                        "teachers_retained_per_1000", "note"]]
            body = figure("cost_effectiveness", plots.cost_effectiveness(ce)) + _table(
                shown, money=("extra_cost_per_school",))
            sections.append(
                "<h2>Cost-effectiveness</h2><p class='note'>Against "
                f"'{html.escape(reference)}', per school and year: extra cost (design lines, "
                "simulated substitutes and turnover, teacher payroll), extra student growth, "
                "extra "
                "teachers retained, and both per $1,000 where the arm clearly costs more."
                "</p>" + body)
    if "schools_adopted" in outcomes and outcomes["schools_adopted"].max() > 0:
        adopted = outcomes.groupby(["arm", "year"], as_index=False)["schools_adopted"].median()
        sections.append("<h2>Rollout</h2>" + figure("rollout_timeline",
                                                    plots.rollout_timeline(adopted)))
    if "school_year" in res.tables():
        rows = []
        for b in budget_for_results(res.path):
            t = pd.DataFrame(b.tables["grant budget bands"])
            t = t[t["cohort"] == "total"]
            arm = b.arm
            for _, r in t.iterrows():
                rows.append({"arm": arm, "fiscal year": r["fiscal_year"], **{
                    label: f"${r[f'{col}_p50']:,.0f} (${r[f'{col}_p10']:,.0f}-"
                           f"${r[f'{col}_p90']:,.0f})"
                    for col, label in (("one_time_startup", "start-up"),
                                       ("net", "net"), ("philanthropic_ask", "ask"),
                                       ("cumulative_ask", "cumulative ask"))}})
        budget = pd.DataFrame(rows)
        budget = budget[budget["ask"] != "$0 ($0-$0)"] if len(budget) else budget
        report.data["grant_budget"] = budget
        sections.append("<h2>Grant budget</h2><p class='note'>Totals per fiscal year: "
                        "median (P10-P90) across replications. Full tables: "
                        "<code>teachsim budget RESULTS --out budget.xlsx</code>.</p>"
                        + (_table(budget) if len(budget) else "<p>No school adopted.</p>"))
    runs = res.sql("SELECT status, count(*) AS runs FROM runs GROUP BY status")
    versions = ", ".join(f"{k} {v}" for k, v in manifest["versions"].items())
    sections.append(
        "<h2>What was run</h2>" + _table(pd.DataFrame([
            {"item": "experiment", "value": manifest["experiment"]},
            {"item": "file", "value": manifest["experiment_file"]},
            {"item": "file SHA-256", "value": manifest["experiment_sha256"][:16] + "..."},
            {"item": "arms", "value": ", ".join(arms)},
            {"item": "design points", "value": len(manifest["design"]["points"])},
            {"item": "replications finished (from the data)", "value": reps},
            {"item": "root seed", "value": manifest.get("root_seed", "?")},
            {"item": "runs", "value": ", ".join(f"{s}: {n}" for s, n in runs.itertuples(
                index=False))},
            {"item": "versions", "value": versions},
            {"item": "sessions", "value": "; ".join(
                f"{s['started_at']} {s['engine']} ({s.get('runs_done', '?')} runs)"
                for s in manifest["sessions"])},
        ])))
    title = f"teachsim report: {manifest['experiment']}"
    doc = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
           f"</title><style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>"
           f"<p class='note'>{html.escape(str(manifest.get('experiment_file')))}; "
           f"{html.escape(reps)} replications per arm; figures also saved in "
           f"{html.escape(fig_dir.name)}/.</p>" + "".join(sections) + "</body></html>")
    write_text(out, doc)
    return report
