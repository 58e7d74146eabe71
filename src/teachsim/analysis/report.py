"""A report people can read: one self-contained HTML file (figures embedded, opens
offline) and the figures as PNG files beside it.

Sections: a summary per arm (headline outcomes with 95% confidence intervals);
trajectories per arm with P10-P90 bands; paired differences from a reference arm with 95%
confidence intervals (using the common random numbers); the rollout timeline (when
schools join the policy during the run); cost-effectiveness; the grant budget with bands;
what was run (manifest).

Every table is written by :func:`fmt` in the units of the figures (shares in percent or
percentage points, growth and practice in SD, money in dollars) under plain headers, and
shows a dash or a short reason where a number is missing.
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

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
td.text, th.text { text-align: left; }
.ci { white-space: nowrap; }
"""


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


#: a missing number in a table (where a reason is known, the table says it instead)
DASH = "\u2014"

#: how a number is written in a table; the unit itself is in the column header or the
#: row's label, so that a cell holds only what an analyst copies
Kind = Literal["share", "percent", "sd", "money", "teachers", "count", "probability",
               "number"]

#: digits of each kind ("number": four significant digits, see :func:`fmt`)
_FORMATS = {"share": "{:.2f}", "percent": "{:.0f}", "sd": "{:.3f}", "money": "{:,.0f}",
            "teachers": "{:.2f}", "count": "{:,.0f}", "probability": "{:.2f}"}

#: table headings of outcomes whose label and unit read badly run together
HEADINGS = {"cost_per_school": ("Cost per school a year, all ledger lines", "$")}


def kind_of(outcome: str) -> Kind:
    """The kind of an outcome's numbers, as in the figures: shares in percent (points),
    money in dollars, growth and practice in SD."""
    if outcome in stats.PERCENT:
        return "share"
    if stats.LABELS.get(outcome, ("", "", True))[1].startswith("$"):
        return "money"
    return "sd"


def heading(outcome: str, difference: bool = False) -> str:
    """An outcome's label with its unit, e.g. "Teacher turnover (% of teachers a year)";
    a difference of shares is in percentage points, not percent."""
    label, unit, _ = stats.LABELS.get(outcome, (outcome.replace("_", " "), "", True))
    label, unit = HEADINGS.get(outcome, (label, unit))
    if difference and outcome in stats.PERCENT:
        unit = "percentage points"
    return f"{label} ({unit})" if unit else label


def fmt(value: object, kind: Kind = "number", signed: bool = False) -> str:
    """One number as the report's tables write it: shares (fractions in the data) as
    percent or percentage points with two decimals (0.0123 -> "1.23"), ``percent`` as a
    whole percentage with a % sign ("83%"), SD with three decimals, teachers and
    probabilities with two, dollars with thousands separators ("$24,750", "-$1,200"),
    counts as integers. ``signed`` writes "+" before a positive number (differences).
    Missing or not finite: a dash, never "nan". Text passes through."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return DASH
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if not np.isfinite(v):
        return DASH
    if kind == "number" and isinstance(value, (int, np.integer)):
        kind = "count"  # whole numbers stay whole ("12,345", not "12350")
    if kind in ("share", "percent"):
        v *= 100.0
    if kind == "number":
        # never scientific notation ("2.475e+04"): four significant digits, positional
        text = np.format_float_positional(abs(v), precision=4, unique=False,
                                          fractional=False, trim="-")
    else:
        text = _FORMATS[kind].format(abs(v))
    # a number that rounds to zero gets no sign: "-0.00" would claim a direction
    sign = ("-" if v < 0 else "+" if signed else "") if any(c in "123456789" for c in text) \
        else ""
    if kind == "money":
        return f"{sign}${text}"
    return f"{sign}{text}{'%' if kind == 'percent' else ''}"


def interval(low: object, high: object, kind: Kind, signed: bool = False) -> str:
    """A confidence interval, "low to high" (a dash when either end is missing)."""
    lo, hi = fmt(low, kind, signed), fmt(high, kind, signed)
    return DASH if DASH in (lo, hi) else f"{lo} to {hi}"


def estimate(mean: object, low: object, high: object, kind: Kind, signed: bool = False
             ) -> str:
    """A mean with its interval in brackets, e.g. "+2.85 (-3.83 to +9.53)"."""
    m = fmt(mean, kind, signed)
    return DASH if m == DASH else f"{m} ({interval(low, high, kind, signed)})"


def _table(df: pd.DataFrame) -> str:
    """An HTML table of ``df``; cells not already written by :func:`fmt` are written by
    it (so a stray float is never "nan" or "2.475e+04"). Columns of numbers are aligned
    right, columns of words left."""
    cells = [[fmt(v) for v in row] for row in df.itertuples(index=False)]
    text = [not all(_NUMBER.match(row[i]) for row in cells) for i in range(len(df.columns))]
    head = "".join(f"<th{_class(t)}>{html.escape(_header(str(c)))}</th>"
                   for c, t in zip(df.columns, text, strict=True))
    rows = "".join("<tr>" + "".join(f"<td{_class(t)}>{_cell(v)}</td>" for v, t in zip(
        row, text, strict=True)) + "</tr>" for row in cells)
    return f"<table><tr>{head}</tr>{rows}</table>"


#: a cell that reads as a number (or a missing one): aligned right
_NUMBER = re.compile(rf"^(?:[+-]?\$?\d|{DASH}$)")
#: an interval "low to high", with or without its brackets
_INTERVAL = re.compile(r"\(?[+-]?\$?[\d,.]+%? to [+-]?\$?[\d,.]+%?\)?")


def _class(text: bool) -> str:
    return ' class="text"' if text else ""


def _cell(text: str) -> str:
    """A cell's text, escaped, with an interval "low to high" kept on one line: a
    narrow column may break after the mean, never inside an interval."""
    return _INTERVAL.sub(lambda m: f'<span class="ci">{m[0]}</span>', html.escape(text))


def _header(column: str) -> str:
    column = column.replace("_", " ")
    return column[:1].upper() + column[1:]


def summary_table(summary: pd.DataFrame, replications: dict[str, int], arms: list[str]
                  ) -> pd.DataFrame:
    """The summary by arm (:func:`stats.arm_summary`) as the report shows it: one row
    per arm, the replications counted in the data, each headline outcome's mean over
    runs with its 95% confidence interval."""
    outcomes = list(dict.fromkeys(summary["outcome"]))
    cells = summary.set_index(["arm", "outcome"])
    rows = []
    for arm in [a for a in arms if a in set(summary["arm"])]:
        row = {"Arm": arm, "Replications": fmt(replications.get(arm), "count")}
        for o in outcomes:
            if (arm, o) in cells.index:
                r = cells.loc[(arm, o)]
                row[heading(o)] = estimate(r["mean"], r["ci_low"], r["ci_high"], kind_of(o))
            else:
                row[heading(o)] = DASH
        rows.append(row)
    return pd.DataFrame(rows)


def differences_table(diffs: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Paired differences (:func:`stats.paired_differences`) in the figures' units."""
    return pd.DataFrame([{
        "Arm": r["arm"], "Outcome (unit)": heading(r["outcome"], difference=True),
        f"Mean difference from '{reference}'": fmt(r["mean"], kind_of(r["outcome"]), True),
        "95% confidence interval": interval(r["ci_low"], r["ci_high"],
                                            kind_of(r["outcome"]), True),
        "Paired runs": fmt(r["n"], "count")} for _, r in diffs.iterrows()])


def cost_table(ce: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Cost-effectiveness (:func:`stats.cost_effectiveness`): mean (95% CI) per arm;
    the ratios per $1,000 only where the arm clearly costs more, otherwise why not."""
    def ratio(r: pd.Series, col: str) -> str:
        if np.isfinite(r[col]):
            return fmt(r[col], "number", True)
        return "saves money" if r["note"] == "saves money" else "no clear extra cost"

    return pd.DataFrame([{
        "Arm": r["arm"],
        "Extra cost per school a year ($)": estimate(
            r["extra_cost_per_school"], r["extra_cost_ci_low"], r["extra_cost_ci_high"],
            "money", True),
        "Extra student growth (SD a year)": estimate(
            r["extra_growth_sd"], r["extra_growth_ci_low"], r["extra_growth_ci_high"],
            "sd", True),
        "Extra teachers retained (per school a year)": estimate(
            r["extra_teachers_retained_per_school"], r["extra_retained_ci_low"],
            r["extra_retained_ci_high"], "teachers", True),
        "Student growth per $1,000 (SD)": ratio(r, "growth_sd_per_1000"),
        "Teachers retained per $1,000": ratio(r, "teachers_retained_per_1000"),
        f"Cost against '{reference}'": r["note"]} for _, r in ce.iterrows()])


def neutrality_table(p: pd.DataFrame) -> pd.DataFrame:
    """Budget neutrality (:func:`stats.probability_neutral`) as percentages of runs."""
    return pd.DataFrame([{
        "Arm": r["arm"], "Year of the run": fmt(r["year_index"], "count"),
        "Every school on the policy budget-neutral (% of runs)": fmt(
            r["p_all_neutral"], "percent"),
        "Schools budget-neutral (average % of those on the policy)": fmt(
            r["share_of_schools_neutral"], "percent"),
        "Lowest to highest over parameter sets (% of runs)": interval(
            r["lowest_draw"], r["highest_draw"], "percent"),
        "Parameter sets": fmt(r["draws"], "count"), "Runs": fmt(r["runs"], "count")}
        for _, r in p.iterrows()])


def grant_table(budgets: list[Any]) -> pd.DataFrame:
    """The grant budgets as one compact table: per arm and fiscal year, schools on the
    policy, one-time start-up, net recurring cost, ask, cumulative ask with its P10-P90
    across replications and the ask's share of the operating budget (years with neither
    an ask nor a net cost left out)."""
    from teachsim.money.grant import compact

    rows = []
    for b in budgets:
        sheets = {s.version: s for s in b.grant.sheets}
        g = compact(sheets["expected"])
        low, high = b.grant.ask_band()
        for i, fy in enumerate(g["fiscal_year"]):
            if g["ask"][i] == 0 and g["net_cost"][i] == 0:
                continue
            rows.append({
                "Arm": b.arm, "Fiscal year": fy,
                # a mean over replications where schools drop the policy in some
                "Schools on the policy": fmt(g["schools"][i], "count")
                if g["schools"][i] == round(g["schools"][i]) else f"{g['schools'][i]:.1f}",
                "Start-up, one-time ($)": fmt(g["one_time"][i], "money"),
                "Net recurring cost ($)": fmt(g["net_recurring"][i], "money"),
                "Philanthropic ask ($)": fmt(g["ask"][i], "money"),
                "Cumulative ask ($)": fmt(g["cumulative_ask"][i], "money"),
                "Cumulative ask, P10 to P90 ($)": interval(low[i], high[i], "money"),
                "Ask, share of the operating budget (%)": f"{100 * g['ask_share'][i]:.3f}%"})
    return pd.DataFrame(rows)


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
            "P(better): probability that the arm improves the outcome. Share from "
            "parameters: the part of the difference's variance that comes from parameter "
            "uncertainty (the rest is chance). See docs/analysis.md.</p><ul>" + sentences + "</ul>"
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
                         "parameter set).</p>" + _table(neutrality_table(p3)))
    return body, unc


def uncertainty_table(unc: pd.DataFrame) -> pd.DataFrame:
    """The uncertainty table in the units of the figures: percentage points for shares,
    dollars for cost, SD for growth and practice."""
    rows = []
    for _, r in unc.iterrows():
        kind = kind_of(r["outcome"])
        rows.append({
            "Arm": r["arm"], "Outcome (unit)": heading(r["outcome"], difference=True),
            "Mean difference": fmt(r["mean"], kind, True),
            "Effect, 90% interval": interval(r["low90"], r["high90"], kind, True),
            "One run, 90% interval": interval(r["predictive_low90"],
                                              r["predictive_high90"], kind, True),
            "P(better)": fmt(r["p_better"], "probability"),
            # NaN here has a reason: no parameter set had two runs
            "Share from parameters": (fmt(r["share_parameters"], "percent")
                                      if np.isfinite(r["share_parameters"]) else
                                      "not separable"),
            "Parameter sets": fmt(r["draws"], "count"),
            "Paired runs": fmt(r["runs"], "count")})
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
    per_run = stats.run_means(outcomes)
    summary = stats.arm_summary(per_run)
    report.data["summary"] = summary
    sections.append(
        "<h2>Summary by arm</h2><p class='note'>Each outcome averaged over a run's years, "
        "then over the runs of the arm: mean and 95% confidence interval (across runs). "
        "Replications: counted in the data.</p>" + _table(summary_table(summary, counts,
                                                                         arms)))
    parts = ["<h2>Trajectories</h2><p class='note'>Median across replications, with the "
             "band from the 10th to the 90th percentile.</p>"]
    for o in present:
        parts.append(figure(f"trajectory_{o}", plots.trajectories(
            stats.bands(outcomes, o), o)))
    sections.append("".join(parts))

    if len(arms) > 1:
        diffs = pd.concat([stats.paired_differences(per_run, o, reference)
                           for o in present], ignore_index=True)
        sections.append(
            "<h2>Differences between arms</h2><p class='note'>Each arm minus "
            f"'{html.escape(reference)}', replication by replication (the arms share their "
            "random numbers), averaged over the run's years: mean and 95% confidence "
            "interval.</p>" + figure("paired_differences", plots.paired(diffs))
            + _table(differences_table(diffs, reference)))
        section, report.data["uncertainty"] = _uncertainty_section(
            res, manifest, per_run, present, reference, figure)
        sections.append(section)
        if "cost_per_school" in per_run and per_run["cost_per_school"].notna().all():
            ce = stats.cost_effectiveness(per_run, reference)
            body = figure("cost_effectiveness", plots.cost_effectiveness(ce)) + _table(
                cost_table(ce, reference))
            sections.append(
                "<h2>Cost-effectiveness</h2><p class='note'>Against "
                f"'{html.escape(reference)}', per school and year: extra cost (design lines, "
                "simulated substitutes and turnover, teacher payroll), extra student growth, "
                "extra "
                "teachers retained, and both per $1,000 where the arm clearly costs more; "
                "each: mean (95% confidence interval).</p>" + body)
    # only when schools join during the run: a school on the policy from the start
    # would draw a flat line that says nothing
    if stats.rolls_out(outcomes):
        adopted = outcomes.groupby(["arm", "year"], as_index=False)["schools_adopted"].median()
        sections.append("<h2>Rollout</h2><p class='note'>Schools on the policy each year, "
                        "per arm: median across replications.</p>"
                        + figure("rollout_timeline", plots.rollout_timeline(adopted)))
    if "school_year" in res.tables():
        budget = grant_table(budget_for_results(res.path))
        report.data["grant_budget"] = budget
        sections.append(
            "<h2>Grant budget</h2><p class='note'>Per arm and fiscal year, for the schools on "
            "the policy: the expected budget (the mean of every line over the "
            "replications, so the columns add up) and the 10th to 90th percentile of the "
            "cumulative ask across replications. Years without an ask or a net cost are "
            "left out. The full budget, with every line, its low and high versions, "
            "neutrality per school and the assumptions: "
            "<code>teachsim budget RESULTS --out budget.xlsx</code>.</p>"
            + (_table(budget) if len(budget) else "<p>No school adopted the policy.</p>"))
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
            # a seed is an identifier, not a quantity: no thousands separator
            {"item": "root seed", "value": str(manifest.get("root_seed", "?"))},
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
