"""Commands on one scenario: run it (or the demo), validate it, show its schedule, print
the config schema."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from teachsim.cli.app import ConfigArg, err, load, out, usage
from teachsim.config.limits import MAX_SEED, MAX_YEARS

#: marks a directory written by ``teachsim run`` (and records how it was made)
RUN_MARKER = "run.json"

YearsOpt = Annotated[int | None, typer.Option(
    help="school years to simulate (default: the scenario's)", min=1, max=MAX_YEARS)]
SeedOpt = Annotated[int | None, typer.Option(
    help="root random seed (default: the scenario's)", min=0, max=MAX_SEED)]


def validate(configs: Annotated[list[Path], typer.Argument(help="scenario TOML files")]
             ) -> None:
    """Check scenario files (and the policies they name); exit 2 on the first bad one."""
    for path in configs:
        loaded = load(path)
        s = loaded.scenario
        out.print(f"[green]ok[/] {path}: '{s.name}', policy '{loaded.policy.name}', "
                  f"{len(loaded.schools)} school(s), {s.run.years} years, seed {s.run.seed}",
                  highlight=False)


def schedule(config: ConfigArg) -> None:
    """Print a scenario's compiled schedule: day templates, rotation, weekly and yearly
    minutes per role, students' minutes against the baseline, specials coverage."""
    loaded = load(config)
    from teachsim.cli.display import schedule_tables
    from teachsim.model.schedule import compile_schedule

    comp = compile_schedule(loaded.scenario, loaded.policy)
    base = compile_schedule(loaded.scenario, loaded.baseline)
    out.print(schedule_tables(comp, base))


def schema(
    kind: Annotated[str, typer.Argument(help="'scenario' or 'policy'")] = "scenario",
    output: Annotated[Path | None, typer.Option("--out", help="write to this file")] = None,
) -> None:
    """Print the JSON schema of scenario or policy files (for editor completion)."""
    import json

    if kind == "scenario":
        from teachsim.config.scenario import Scenario as model
    elif kind == "policy":
        from teachsim.config.policy import Policy as model  # type: ignore[assignment]
    else:
        usage("KIND", f"unknown schema '{kind[:80]}'", "use 'scenario' or 'policy'")
    text = json.dumps(model.model_json_schema(), indent=2)
    if output is None:
        print(text)
    else:
        from teachsim.experiments.atomic import write_text

        write_text(output, text + "\n")
        out.print(f"wrote {output}")


def _is_old_run_output(path: Path) -> bool:
    """A directory written by teachsim run before it left a run.json: only table files."""
    from teachsim.model.run import TABLES

    names = {f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")}
    return all(p.name in names for p in path.iterdir())


def _run_many(paths: list[Path], years: int | None, seed: int | None, out_dir: Path,
              csv: bool, title: str) -> None:
    from teachsim.experiments.atomic import check_dir_target

    loaded = [load(p) for p in paths]
    # Refuse a bad --out before the runs, not after them.
    if not (out_dir.is_dir() and _is_old_run_output(out_dir)):
        check_dir_target(out_dir, RUN_MARKER, what="teachsim run output")
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from teachsim.cli.display import summary_table
    from teachsim.experiments.atomic import atomic_dir
    from teachsim.experiments.provenance import write_run_record
    from teachsim.experiments.tables import write_tables
    from teachsim.model.run import concat_results, run_scenario

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
    with atomic_dir(out_dir, RUN_MARKER, what="teachsim run output") as tmp:
        written = write_tables(tables, tmp, formats)
        write_run_record(tmp / RUN_MARKER, loaded, results, elapsed)
    r0 = results[0]
    out.print(summary_table([r.summary() for r in results],
                            f"{title}: {r0.years} years, seed {r0.seed}"))
    out.print(f"[dim]{len(results)} run(s) in {elapsed:.1f} s; tables written to {out_dir}/: "
              + ", ".join(sorted({p.name for p in written}))
              + f" (and {RUN_MARKER}: what was run)[/]", highlight=False)


def run(
    configs: Annotated[list[Path] | None, typer.Argument(
        help="scenario TOML file(s); several run side by side with the same seed. "
        "None: the built-in demo (Elementary School D, traditional vs rotating release)",
        show_default=False)] = None,
    years: YearsOpt = None,
    seed: SeedOpt = None,
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


def demo(
    years: YearsOpt = None,
    seed: SeedOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output directory")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="also write CSV files")] = False,
) -> None:
    """Elementary School D under the traditional and rotating-release schedules."""
    from teachsim.config.paths import config_dir

    paths = [config_dir() / "school_d.toml", config_dir() / "school_d_rotating.toml"]
    _run_many(paths, years, seed, out_dir or Path("out") / "demo", csv,
              "Elementary School D: traditional vs rotating release")


