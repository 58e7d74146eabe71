"""Commands that judge results: calibration against published figures, the HTML report,
sensitivity indices."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from teachsim.cli.app import err, fail, load, out, usage
from teachsim.config.limits import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS, MAX_YEARS


def calibrate(
    config: Annotated[Path | None, typer.Argument(
        help="baseline scenario (default: Elementary School D, traditional)")] = None,
    schools: Annotated[int, typer.Option(help="schools in the test district", min=1,
                                         max=2000)] = 30,
    seeds: Annotated[str, typer.Option(help="comma-separated seeds")] = "1,2",
    years: Annotated[int, typer.Option(help="school years per run", min=1,
                                       max=MAX_YEARS)] = 10,
    markdown_out: Annotated[Path | None, typer.Option(
        "--markdown", help="also write the table as markdown to this file (in a file with "
        "the generated-table markers, such as docs/calibration.md, only the table is "
        "replaced)")] = None,
) -> None:
    """Run the baseline and compare it with every calibration target."""
    from teachsim.config.paths import default_scenario

    path = config or default_scenario()
    loaded = load(path)
    if markdown_out is not None:
        from teachsim.experiments.atomic import check_file_target

        check_file_target(markdown_out, "--markdown")
    from rich.table import Table

    from teachsim.analysis.calibration import calibrate as run_calibration
    from teachsim.analysis.calibration import markdown, write_markdown

    try:
        seed_list = [int(x) for x in seeds.split(",") if x.strip()]
    except ValueError:
        usage("--seeds", f"{seeds[:80]!r} is not a list of whole numbers",
              "give seeds separated by commas, e.g. --seeds 1,2,3")
    if not seed_list or len(seed_list) > 1000 or any(not 0 <= x <= MAX_SEED
                                                     for x in seed_list):
        usage("--seeds", f"give 1 to 1,000 seeds between 0 and {MAX_SEED}",
              "e.g. --seeds 1,2,3")
    with err.status(f"running {len(seed_list)} x {schools} schools x {years} years"):
        rows = run_calibration(loaded, schools=schools, seeds=seed_list, years=years)
    t = Table(title=f"Calibration of {path.name}: {schools} schools x {years} years x "
              f"seeds {seed_list}", title_justify="left")
    for col in ("target", "published", "model", "tolerance", "ok"):
        t.add_column(col)
    for r in rows:
        share = r.target.unit.startswith("share")
        fmt = (lambda x: f"{100 * x:.1f}%") if share else (lambda x: f"{x:.3g}")
        t.add_row(r.target.name, r.target.target, fmt(r.value),
                  f"{fmt(r.target.low)}-{fmt(r.target.high)}",
                  "[green]yes[/]" if r.ok else "[red]no[/]")
    out.print(t)
    if markdown_out is not None:
        shown = "teachsim calibrate" + (f" {config}" if config else "") + (
            f" --schools {schools} --seeds {seeds} --years {years}")
        write_markdown(markdown_out, markdown(rows, shown))
        out.print(f"wrote {markdown_out}")
    if not all(r.ok for r in rows):
        raise typer.Exit(1)


def report(
    results: Annotated[Path, typer.Argument(help="an experiment's results directory",
                                            show_default=False)],
    out_file: Annotated[Path | None, typer.Option("--out", help="HTML file (default: "
                                                  "RESULTS/report.html)")] = None,
    reference: Annotated[str | None, typer.Option(help="arm the others are compared with "
                                                  "(default: the first)")] = None,
) -> None:
    """One self-contained HTML report (and PNG figures) of an experiment's results."""
    from teachsim.config.errors import ConfigError

    try:
        with err.status("building the report"):
            from teachsim.analysis.report import build_report

            rep = build_report(results, out_file, reference)
    except (ConfigError, ValueError) as exc:
        fail(exc)
    if "uncertainty" in rep.data:
        from teachsim.analysis import stats

        for _, row in rep.data["uncertainty"].iterrows():
            out.print(stats.probability_sentence(row), highlight=False)
    out.print(f"wrote {rep.html} and {len(rep.figures)} figures in "
              f"{next(iter(rep.figures.values())).parent}/" if rep.figures else
              f"wrote {rep.html}", highlight=False)


def sensitivity(
    target: Annotated[Path, typer.Argument(help="an experiment file (run first) or its "
                                           "results directory", show_default=False)],
    outcome: Annotated[str, typer.Option(help="outcome: student_growth_sd, retention_rate, "
                                         "practice_mean, burnout_prevalence, "
                                         "cost_per_school")] = "student_growth_sd",
    out_dir: Annotated[Path | None, typer.Option("--out", help="directory for tables and "
                                                 "plots (default: RESULTS/sensitivity)")
                       ] = None,
    replications: Annotated[int | None, typer.Option(help="when running an experiment file",
                                                     min=1, max=MAX_REPLICATIONS)] = None,
    workers: Annotated[int | None, typer.Option(help="when running an experiment file",
                                                min=1, max=MAX_WORKERS)] = None,
) -> None:
    """Sobol or Morris indices (bootstrap 95% CIs) of the swept parameters for an outcome,
    and the share of its variance explained by the arms; for an experiment that drew
    parameter sets from the posterior (no sweep), first-order indices of every uncertain
    parameter over the posterior, for the reference arm's outcome and each arm's paired
    difference from it."""
    from rich.progress import TaskID
    from rich.table import Table

    from teachsim.cli.display import progress_bar
    from teachsim.config.errors import ConfigError

    # Progress on stderr: the experiment's runs (when given a file), then the analysis'
    # steps (reading the runs, each bootstrap of indices), with counts and time left.
    with progress_bar(err) as bar:
        tasks: dict[str, TaskID] = {}

        def running(done: int, failed: int, total: int) -> None:
            if "runs" not in tasks:
                tasks["runs"] = bar.add_task(f"running {target.stem}", total=total,
                                             unit="runs")
            bar.update(tasks["runs"], completed=done, total=total)

        def analysing(step: str, done: int, total: int) -> None:
            if "steps" not in tasks:
                tasks["steps"] = bar.add_task("sensitivity", total=total, unit="steps")
            bar.update(tasks["steps"], completed=done, total=total,
                       description=f"sensitivity: {step}")

        try:
            results = target
            if target.is_file():
                from teachsim.experiments.api import run_experiment

                results = run_experiment(target, replications=replications,
                                         workers=workers, progress=running).path
            from teachsim.analysis.sensitivity import analyse, write

            s = analyse(results, outcome, progress=analysing)
            written = write(s, out_dir or results / "sensitivity")
        except ConfigError as exc:
            bar.stop()
            fail(exc)
    for arm, table in s.indices.items():
        t = Table(title=f"{s.method} indices of {outcome}, arm '{arm}' (95% CI)",
                  title_justify="left")
        cols = [c for c in table.columns if not c.endswith("_conf") and c != "above_noise"]
        for c in cols:
            t.add_column(c, justify="left" if c == "parameter" else "right")
        # Over the posterior every uncertain parameter has an index: the leaders matter,
        # read against the dummy input's.
        shown = table.head(15) if s.method == "posterior" else table
        for _, r in shown.iterrows():
            cells = [str(r["parameter"]) + (" *" if bool(r.get("above_noise")) else "")]
            for c in cols[1:]:
                conf = r.get(f"{c}_conf")
                cells.append(f"{r[c]:.3f}" + (f" +- {conf:.3f}" if conf is not None
                                              and not math.isnan(conf) else ""))
            t.add_row(*cells)
        out.print(t)
        if s.method == "posterior":
            n_above = int(table["above_noise"].sum())
            out.print(f"* above its noise floor (the index, less its interval, above the "
                      f"index the same data give with the outcome shuffled, plus its "
                      f"interval): {n_above} of {len(table)} parameter(s)", highlight=False)
    if s.categorical is not None:
        c = s.categorical.iloc[0]
        out.print(f"arms ({int(c['levels'])} levels) explain {100 * c['share_of_variance']:.1f}%"
                  f" of the variance of {outcome} across runs (95% CI "
                  f"{100 * c['ci_low']:.1f}-{100 * c['ci_high']:.1f}%)", highlight=False)
    out.print("wrote " + ", ".join(p.name for p in written) + f" in {written[0].parent}/"
              if written else "", highlight=False)


