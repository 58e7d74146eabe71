"""``teachsim discover``: scenario discovery on a sweep's results -- the region of inputs
where an arm fails to improve an outcome on a reference arm (PRIM). The work is done by
:mod:`teachsim.analysis.discover`; this is the shell that prints and exits."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from teachsim.cli.app import err, out


def discover(
    results: Annotated[Path, typer.Argument(help="an experiment's results directory "
                                            "(a sweep with arms)", show_default=False)],
    arm: Annotated[str | None, typer.Option(help="the arm judged (default: the only arm "
                                            "other than the reference)")] = None,
    reference: Annotated[str | None, typer.Option(help="the arm it is compared with, "
                                                  "paired run by run (default: the first)")
                         ] = None,
    outcome: Annotated[str, typer.Option(help="retention_rate, practice_mean, "
                                         "burnout_prevalence, intending_to_leave_share, "
                                         "student_growth_sd or cost_per_school")
                       ] = "retention_rate",
    threshold: Annotated[float, typer.Option(
        help="a case fails when the arm improves on the reference by no more than this, in "
        "the outcome's units (percentage points for shares, $ for cost)")] = 0.0,
    succeeds: Annotated[bool, typer.Option(
        "--succeeds", help="look for where the arm succeeds instead")] = False,
    min_density: Annotated[float, typer.Option(
        help="share of a quoted box's cases that must be of interest", min=0.05,
        max=1.0)] = 0.8,
    last_years: Annotated[int | None, typer.Option(
        help="average each run over its last N years only", min=1, max=60)] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="directory for the box, "
                                                 "trajectory and cases (CSV), summary "
                                                 "(JSON) and plot (PNG) (default: "
                                                 "RESULTS/discover)")] = None,
) -> None:
    """Where does an arm fail? Scenario discovery with PRIM over the swept parameters,
    drawn parameters and district conditions of paired runs."""
    from rich.markup import escape
    from rich.table import Table

    from teachsim.config.errors import ConfigError

    if not math.isfinite(threshold):
        raise ConfigError(results, "--threshold", f"{threshold} is not a number",
                          "give a finite number, e.g. --threshold 0")
    with err.status("finding where the arm fails" if not succeeds else
                    "finding where the arm succeeds"):
        from teachsim.analysis.discover import discover as run_discovery
        from teachsim.analysis.discover import input_label, write

        d = run_discovery(results, arm=arm, reference=reference, outcome=outcome,
                          threshold=threshold, succeeds=succeeds, min_density=min_density,
                          last_years=last_years)
        written = write(d, out_dir or results / "discover")
    out.print(escape(d.sentence), highlight=False, soft_wrap=True)
    box = d.box
    t = Table(title=f"The box (number {box.chosen} on the trajectory): coverage "
              f"{100 * box.coverage:.0f}%, density {100 * box.density:.0f}%, mass "
              f"{100 * box.mass:.0f}% ({box.n_box} of {d.n_cases} cases; "
              f"{d.n_of_interest} {'fail' if d.target == 'fails' else 'succeed'} overall)",
              title_justify="left")
    for col in ("input", "low", "high", "full range", "quasi-p"):
        t.add_column(col, justify="left" if col == "input" else "right")
    for _, r in box.limits.iterrows():
        qp = [q for q in (r["qp_low"], r["qp_high"]) if not math.isnan(q)]
        t.add_row(escape(input_label(str(r["input"]))),
                  f"{r['low']:.4g}" if r["restricted"] in ("low", "both") else "",
                  f"{r['high']:.4g}" if r["restricted"] in ("high", "both") else "",
                  f"{r['range_low']:.4g} - {r['range_high']:.4g}",
                  ", ".join(f"{q:.2g}" for q in qp))
    if len(box.limits):
        out.print(t)
    for note in d.notes:
        out.print(f"note: {escape(note)}", highlight=False)
    out.print("wrote " + ", ".join(p.name for p in written) + f" in {written[0].parent}/",
              highlight=False)
