"""``teachsim sweep``: run or resume an experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from teachsim.cli.app import err, fail, out


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
    from teachsim.config.errors import ConfigError

    if sum([bool(dask), dask_local, serial]) > 1:
        fail(ValueError("choose one engine: --dask ADDRESS, --dask-local or --serial"))
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from teachsim.experiments.api import run_experiment

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
        except (ConfigError, RuntimeError) as exc:
            bar.stop()
            fail(exc)
    r = res.report
    assert r is not None
    out.print(f"{r.total} runs: {r.skipped} already done, {r.done} run now "
              f"({r.failed} failed) in {r.seconds:.1f} s", highlight=False)
    out.print(f"results: {r.results}/ (manifest.json, parts/, results.duckdb)",
              highlight=False)
    if r.failed:
        out.print("[yellow]some runs failed: SELECT run_id, error FROM runs WHERE status = "
                  "'failed'[/]")


