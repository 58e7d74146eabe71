"""``teachsim fit``: calibrate uncertain parameters to published figures (ABC-SMC) and
write a posterior ensemble with diagnostics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from teachsim.cli.app import err, fail, out
from teachsim.config.limits import MAX_WORKERS


def fit(
    fit_file: Annotated[Path, typer.Argument(help="fit TOML file (see "
                                             "experiments/fit_baseline.toml)",
                                             show_default=False)],
    workers: Annotated[int | None, typer.Option(help="worker processes (default: all "
                                                "cores; 1 runs in this process and is "
                                                "reproducible bit for bit)", min=1,
                                                max=MAX_WORKERS)] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output directory "
                                                 "(default: results/fit/<name>)")] = None,
    new: Annotated[bool, typer.Option("--new", help="start again instead of continuing "
                                      "the fit in --out")] = False,
) -> None:
    """Fit the parameters a fit file names to the calibration targets (and any targets
    file) by ABC-SMC; write the posterior ensemble (ensemble.csv), prior-vs-posterior and
    posterior-predictive tables and diagnostics.html. Re-running the same command
    continues from the last finished generation."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from teachsim.analysis.fit import Generation, load_fit, run_fit
    from teachsim.config.errors import ConfigError
    from teachsim.experiments.runner import default_workers

    try:
        spec = load_fit(fit_file)
    except ConfigError as exc:
        fail(exc)
    target = out_dir or Path("results") / "fit" / spec.spec.name
    n = workers or default_workers()
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"),
                  TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                  console=err) as bar:
        tasks: list[TaskID] = [bar.add_task(f"fit {spec.spec.name}",
                                            total=spec.spec.generations, status="")]

        def progress(g: Generation, total: int) -> None:
            bar.update(tasks[0], completed=g.t + 1, total=total,
                       status=f"threshold {g.epsilon:.3g}, {g.simulations:,} simulations, "
                       f"acceptance {g.acceptance:.0%}")

        def moving(step: int, steps: int, acceptance: float) -> None:
            if len(tasks) == 1:
                tasks.append(bar.add_task("ABC-MCMC moves", total=steps, status=""))
            bar.update(tasks[1], completed=step, status=f"acceptance {acceptance:.0%}")

        try:
            result = run_fit(spec, target, workers=n, new=new, progress=progress,
                             moving=moving)
        except (ConfigError, RuntimeError) as exc:
            bar.stop()
            fail(exc)
    last = result.generations[-1]
    covered = int(result.targets["covered"].sum())
    out.print(f"{len(result.generations)} generation(s), "
              f"{result.ensemble.meta['simulations']:,} simulations; final "
              f"threshold {last.epsilon:.3g} half-tolerances; {len(result.ensemble)} "
              f"parameter sets ({result.ensemble.meta['distinct_sets']} distinct, "
              f"effective sample size {result.ensemble.ess():.0f})", highlight=False)
    out.print(f"posterior predictive covers {covered} of {len(result.targets)} targets",
              highlight=False)
    out.print(f"results: {target}/ (ensemble.csv, diagnostics.html, targets.csv, "
              "parameters.csv)", highlight=False)
