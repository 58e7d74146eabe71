"""``teachsim sweep``: run or resume an experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from teachsim.cli.app import err, fail, out, usage
from teachsim.config.limits import MAX_REPLICATIONS, MAX_WORKERS

#: exit code of a sweep that finished but where some runs failed (documented in
#: docs/experiments.md; 2 is bad input, 130 an interrupt)
SOME_RUNS_FAILED = 3


def sweep(
    experiment: Annotated[Path, typer.Argument(help="experiment TOML file (see experiments/)",
                                               show_default=False)],
    replications: Annotated[int | None, typer.Option(
        help="replications per arm and point (overrides the file; for quick trials)",
        min=1, max=MAX_REPLICATIONS)] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes (default: all "
                                                "cores)", min=1, max=MAX_WORKERS)] = None,
    dask: Annotated[str | None, typer.Option(help="run on the Dask cluster whose scheduler "
                                             "is at this address (tcp://host:8786)")] = None,
    dask_local: Annotated[bool, typer.Option("--dask-local", help="run on a local Dask "
                                             "cluster")] = False,
    serial: Annotated[bool, typer.Option("--serial", help="run in this process")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="results directory "
                                                 "(default: results/<experiment name>)")
                       ] = None,
    new: Annotated[bool, typer.Option("--new", help="start over when the experiment file, "
                                      "or a scenario, policy or roster it reads, changed "
                                      "(old results are kept aside)")] = False,
    point_estimate: Annotated[bool, typer.Option(
        "--point-estimate", help="run every parameter at its value (no parameter "
        "uncertainty: bands are chance alone) instead of drawing parameter sets from the "
        "posterior ensemble")] = False,
) -> None:
    """Run an experiment (arms x sweep points x replications); re-running the same command
    resumes where it stopped. Exit code 0: every run succeeded; 3: the sweep finished but
    some runs failed (run again to retry them); 2: bad input; 130: interrupted."""
    from teachsim.config.errors import ConfigError

    if sum([bool(dask), dask_local, serial]) > 1:
        usage("--dask/--dask-local/--serial", "more than one engine given",
              "choose one engine: --dask ADDRESS, --dask-local or --serial")
    from rich.progress import TaskID, TextColumn

    from teachsim.cli.display import progress_bar
    from teachsim.experiments.api import run_experiment

    with progress_bar(err, TextColumn("[red]{task.fields[failed]} failed[/]")) as bar:
        tasks: list[TaskID] = []

        def progress(done: int, failed: int, total: int) -> None:
            # The bar appears with the first runs, not before the inputs are checked.
            if not tasks:
                tasks.append(bar.add_task(experiment.stem, total=total, failed=0,
                                          unit="runs"))
            bar.update(tasks[0], completed=done, total=total, failed=failed)

        try:
            res = run_experiment(experiment, out=out_dir, replications=replications,
                                 workers=workers, dask=dask, dask_local=dask_local,
                                 serial=serial, new=new,
                                 point_estimate=point_estimate, progress=progress)
        except (ConfigError, RuntimeError) as exc:
            bar.stop()
            fail(exc)
    r = res.report
    assert r is not None
    out.print(f"{r.total} runs: {r.skipped} already done, {r.done} run now "
              f"({r.failed} failed) in {r.seconds:.1f} s", highlight=False)
    out.print(f"results: {r.results}/ (manifest.json, parts/, results.duckdb)",
              highlight=False)
    failed = res.manifest.get("runs_failed", r.failed)
    if failed:
        err.print(f"[yellow]{failed} run(s) failed; their errors: SELECT run_id, arm, error "
                  "FROM runs WHERE status = 'failed' (teachsim.open_results(...).sql); "
                  "run the same command again to retry them[/]", highlight=False)
        raise typer.Exit(SOME_RUNS_FAILED)


