"""The ``teachsim`` command line: a thin shell over the package's functions.

Heavy libraries (Mesa, numpy, pyarrow) are imported inside the commands that use them,
so ``teachsim --help`` and ``teachsim validate`` answer quickly.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    name="teachsim",
    help="Agent-based simulation of how schools organise teachers' time and staff.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
err = Console(stderr=True)
out = Console()

ConfigArg = Annotated[Path, typer.Argument(help="scenario TOML file (see configs/)",
                                           show_default=False)]


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


def _load(path: Path):
    from teachsim.config import load_scenario
    from teachsim.errors import ConfigError

    try:
        return load_scenario(path)
    except ConfigError as exc:
        _fail(exc)


@app.command()
def validate(configs: Annotated[list[Path], typer.Argument(help="scenario TOML files")]
             ) -> None:
    """Check scenario files (and the policies they name); exit 2 on the first bad one."""
    for path in configs:
        loaded = _load(path)
        s = loaded.scenario
        out.print(f"[green]ok[/] {path}: '{s.name}', policy '{loaded.policy.name}', "
                  f"{s.district.n_schools} school(s), {s.run.years} years, seed {s.run.seed}",
                  highlight=False)


@app.command()
def schedule(config: ConfigArg) -> None:
    """Print a scenario's compiled schedule: day templates, rotation, weekly and yearly
    minutes per role, students' minutes against the baseline, specials coverage."""
    loaded = _load(config)
    from teachsim.display import schedule_tables
    from teachsim.schedule import compile_schedule

    comp = compile_schedule(loaded.scenario, loaded.policy)
    base = compile_schedule(loaded.scenario, loaded.baseline)
    out.print(schedule_tables(comp, base))


@app.command()
def schema(
    kind: Annotated[str, typer.Argument(help="'scenario' or 'policy'")] = "scenario",
    output: Annotated[Path | None, typer.Option("--out", help="write to this file")] = None,
) -> None:
    """Print the JSON schema of scenario or policy files (for editor completion)."""
    import json

    if kind == "scenario":
        from teachsim.config import Scenario as model
    elif kind == "policy":
        from teachsim.policy import Policy as model  # type: ignore[assignment]
    else:
        _fail(ValueError(f"unknown schema '{kind}'; use 'scenario' or 'policy'"))
    text = json.dumps(model.model_json_schema(), indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n")
        out.print(f"wrote {output}")


@app.command()
def calibrate(
    config: Annotated[Path | None, typer.Argument(
        help="baseline scenario (default: Elementary School D, traditional)")] = None,
    schools: Annotated[int, typer.Option(help="schools in the test district", min=1)] = 30,
    seeds: Annotated[str, typer.Option(help="comma-separated seeds")] = "1,2",
    years: Annotated[int, typer.Option(help="school years per run", min=1)] = 10,
    markdown_out: Annotated[Path | None, typer.Option(
        "--markdown", help="also write the table as markdown to this file (in a file with "
        "the generated-table markers, such as docs/calibration.md, only the table is "
        "replaced)")] = None,
) -> None:
    """Run the baseline and compare it with every calibration target."""
    from teachsim.paths import default_scenario

    path = config or default_scenario()
    loaded = _load(path)
    from rich.table import Table

    from teachsim.calibration import calibrate as run_calibration
    from teachsim.calibration import markdown, write_markdown

    seed_list = [int(x) for x in seeds.split(",") if x.strip()]
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


@app.command()
def sweep(
    experiment: Annotated[Path, typer.Argument(help="experiment TOML file (see experiments/)",
                                               show_default=False)],
    replications: Annotated[int | None, typer.Option(
        help="replications per arm and point (overrides the file; for quick trials)",
        min=1)] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes (default: all "
                                                "cores)", min=1)] = None,
    dask: Annotated[str | None, typer.Option(help="run on the Dask cluster whose scheduler "
                                             "is at this address (tcp://host:8786)")] = None,
    dask_local: Annotated[bool, typer.Option("--dask-local", help="run on a local Dask "
                                             "cluster")] = False,
    serial: Annotated[bool, typer.Option("--serial", help="run in this process")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="results directory "
                                                 "(default: results/<experiment name>)")
                       ] = None,
    new: Annotated[bool, typer.Option("--new", help="start over when the experiment file "
                                      "changed (old results are kept aside)")] = False,
) -> None:
    """Run an experiment (arms x sweep points x replications); re-running the same command
    resumes where it stopped."""
    from teachsim.errors import ConfigError

    if sum([bool(dask), dask_local, serial]) > 1:
        _fail(ValueError("choose one engine: --dask ADDRESS, --dask-local or --serial"))
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from teachsim.api import run_experiment

    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} runs"),
                  TextColumn("[red]{task.fields[failed]} failed[/]"),
                  TimeRemainingColumn(), console=err) as bar:
        task = bar.add_task(experiment.stem, total=None, failed=0)

        def progress(done: int, failed: int, total: int) -> None:
            bar.update(task, completed=done, total=total, failed=failed)

        try:
            res = run_experiment(experiment, out=out_dir, replications=replications,
                                 workers=workers, dask=dask, dask_local=dask_local,
                                 serial=serial, new=new, progress=progress)
        except ConfigError as exc:
            bar.stop()
            _fail(exc)
        except RuntimeError as exc:
            bar.stop()
            _fail(exc)
    r = res.report
    assert r is not None
    out.print(f"{r.total} runs: {r.skipped} already done, {r.done} run now "
              f"({r.failed} failed) in {r.seconds:.1f} s", highlight=False)
    out.print(f"results: {r.results}/ (manifest.json, parts/, results.duckdb)",
              highlight=False)
    if r.failed:
        out.print("[yellow]some runs failed: SELECT run_id, error FROM runs WHERE status = "
                  "'failed'[/]")


@app.command()
def budget(
    target: Annotated[Path, typer.Argument(help="scenario TOML file, or an experiment's "
                                           "results directory", show_default=False)],
    out_file: Annotated[Path | None, typer.Option(
        "--out", help="write the tables: .xlsx (one sheet per table) or .csv (one file "
        "per table)")] = None,
    arm: Annotated[str | None, typer.Option(help="results directory: only this arm")] = None,
    seed: Annotated[int | None, typer.Option(help="scenario: root seed", min=0)] = None,
    years: Annotated[int | None, typer.Option(help="scenario: school years", min=1)] = None,
) -> None:
    """What a policy costs each school and the district, year by year, and what a
    start-up grant must cover."""
    from teachsim.errors import ConfigError

    if out_file is not None and out_file.suffix not in (".xlsx", ".csv"):
        _fail(ConfigError(out_file, None, "is neither .xlsx nor .csv",
                          "name the output file budget.xlsx or budget.csv"))
    from teachsim.budget import budget_for_results, budget_for_scenario
    from teachsim.display import budget_tables

    try:
        if target.is_dir():
            budgets = budget_for_results(target, arm)
        else:
            loaded = _load(target)
            with err.status("running the scenario"):
                budgets = [budget_for_scenario(loaded, seed=seed, years=years)]
    except ConfigError as exc:
        _fail(exc)
    for b in budgets:
        out.print(budget_tables(b))
    if out_file is not None:
        from teachsim.spreadsheet import write_csv, write_xlsx

        tables = {}
        for b in budgets:
            prefix = "" if len(budgets) == 1 else b.title.split("'")[1] + " "
            tables.update({f"{prefix}{k}"[:31]: v for k, v in b.tables.items()})
        notes = [n for b in budgets for n in [b.title, *b.notes, ""]]
        if out_file.suffix == ".xlsx":
            write_xlsx(tables, out_file, notes)
            out.print(f"wrote {out_file}")
        else:
            written = write_csv(tables, out_file)
            out.print("wrote " + ", ".join(str(p) for p in written), highlight=False)


@app.command()
def report(
    results: Annotated[Path, typer.Argument(help="an experiment's results directory",
                                            show_default=False)],
    out_file: Annotated[Path | None, typer.Option("--out", help="HTML file (default: "
                                                  "RESULTS/report.html)")] = None,
    reference: Annotated[str | None, typer.Option(help="arm the others are compared with "
                                                  "(default: the first)")] = None,
) -> None:
    """One self-contained HTML report (and PNG figures) of an experiment's results."""
    from teachsim.errors import ConfigError

    try:
        with err.status("building the report"):
            from teachsim.report import build_report

            rep = build_report(results, out_file, reference)
    except (ConfigError, ValueError) as exc:
        _fail(exc)
    out.print(f"wrote {rep.html} and {len(rep.figures)} figures in "
              f"{next(iter(rep.figures.values())).parent}/" if rep.figures else
              f"wrote {rep.html}", highlight=False)


@app.command()
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
                                                     min=1)] = None,
    workers: Annotated[int | None, typer.Option(help="when running an experiment file",
                                                min=1)] = None,
) -> None:
    """Sobol or Morris indices (bootstrap 95% CIs) of the swept parameters for an outcome,
    and the share of its variance explained by the arms."""
    from rich.table import Table

    from teachsim.errors import ConfigError

    try:
        results = target
        if target.is_file():
            from teachsim.api import run_experiment

            with err.status(f"running {target.name}"):
                results = run_experiment(target, replications=replications,
                                         workers=workers).path
        from teachsim.sensitivity import analyse, write

        s = analyse(results, outcome)
        written = write(s, out_dir or results / "sensitivity")
    except ConfigError as exc:
        _fail(exc)
    for arm, table in s.indices.items():
        t = Table(title=f"{s.method} indices of {outcome}, arm '{arm}' (95% CI)",
                  title_justify="left")
        cols = [c for c in table.columns if not c.endswith("_conf")]
        for c in cols:
            t.add_column(c, justify="left" if c == "parameter" else "right")
        for _, r in table.iterrows():
            cells = [str(r["parameter"])]
            for c in cols[1:]:
                conf = r.get(f"{c}_conf")
                cells.append(f"{r[c]:.3f}" + (f" +- {conf:.3f}" if conf is not None
                                              and not math.isnan(conf) else ""))
            t.add_row(*cells)
        out.print(t)
    if s.categorical is not None:
        c = s.categorical.iloc[0]
        out.print(f"arms ({int(c['levels'])} levels) explain {100 * c['share_of_variance']:.1f}%"
                  f" of the variance of {outcome} across runs (95% CI "
                  f"{100 * c['ci_low']:.1f}-{100 * c['ci_high']:.1f}%)", highlight=False)
    out.print("wrote " + ", ".join(p.name for p in written) + f" in {written[0].parent}/"
              if written else "", highlight=False)


def _run_many(paths: list[Path], years: int | None, seed: int | None, out_dir: Path,
              csv: bool, title: str) -> None:
    loaded = [_load(p) for p in paths]
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from teachsim.display import summary_table
    from teachsim.output import write_tables
    from teachsim.simulate import concat_results, run_scenario

    total = sum(years or ld.scenario.run.years for ld in loaded)
    results = []
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} school years"),
                  TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task("starting", total=total)
        for ld in loaded:
            bar.update(task, description=f"{ld.scenario.name}")

            def tick(_year: int) -> None:
                bar.advance(task)

            results.append(run_scenario(ld, seed=seed, years=years, progress=tick))
    elapsed = time.perf_counter() - started
    tables = concat_results(results)
    formats = ("parquet", "csv") if csv else ("parquet",)
    written = write_tables(tables, out_dir, formats)
    r0 = results[0]
    out.print(summary_table([r.summary() for r in results],
                            f"{title}: {r0.years} years, seed {r0.seed}"))
    out.print(f"[dim]{len(results)} run(s) in {elapsed:.1f} s; tables written to {out_dir}/: "
              + ", ".join(sorted({p.name for p in written})) + "[/]", highlight=False)


@app.command()
def run(
    configs: Annotated[list[Path] | None, typer.Argument(
        help="scenario TOML file(s); several run side by side with the same seed. "
        "None: the built-in demo (Elementary School D, traditional vs rotating release)",
        show_default=False)] = None,
    years: Annotated[int | None, typer.Option(help="school years to simulate "
                                              "(default: the scenario's)", min=1)] = None,
    seed: Annotated[int | None, typer.Option(help="root random seed (default: the "
                                             "scenario's)", min=0)] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="directory for the tables "
                                                 "(default: out/<scenario>)")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="also write CSV files")] = False,
) -> None:
    """Run scenarios and write teacher-year, school-year, cohort-year and run-summary
    tables as Parquet."""
    if not configs:
        demo(years=years, seed=seed, out_dir=out_dir, csv=csv)
        return
    name = configs[0].stem if len(configs) == 1 else "comparison"
    _run_many(configs, years, seed, out_dir or Path("out") / name, csv, "Run summary")


@app.command()
def demo(
    years: Annotated[int | None, typer.Option(help="school years", min=1)] = None,
    seed: Annotated[int | None, typer.Option(help="root random seed", min=0)] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output directory")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="also write CSV files")] = False,
) -> None:
    """Elementary School D under the traditional and rotating-release schedules."""
    from teachsim.paths import config_dir

    paths = [config_dir() / "school_d.toml", config_dir() / "school_d_rotating.toml"]
    _run_many(paths, years, seed, out_dir or Path("out") / "demo", csv,
              "Elementary School D: traditional vs rotating release")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
