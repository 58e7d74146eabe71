"""Run an experiment file from Python: the engine chosen by name, results opened.

    import teachsim

    res = teachsim.run_experiment("experiments/schedule_comparison.toml", replications=20)
    res.sql("SELECT arm, avg(turnover_rate) FROM district_year GROUP BY arm")

The ``teachsim sweep`` command is a thin shell over :func:`run_experiment`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from teachsim.experiments.results import Results


def run_experiment(
    experiment: str | Path,
    *,
    out: str | Path | None = None,
    replications: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    dask_local: bool = False,
    serial: bool = False,
    new: bool = False,
    point_estimate: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> Results:
    """Run (or resume) an experiment and return its results.

    Engine: in this process (``serial``), a Dask cluster (``dask="tcp://host:8786"``), a
    local Dask cluster (``dask_local``), or local processes (default; ``workers`` defaults
    to every core). ``point_estimate`` runs every parameter at its value instead of
    drawing parameter sets from the experiment's ensemble.
    """
    from teachsim.experiments.design import load_experiment
    from teachsim.experiments.runner import Engine, default_workers, sweep

    exp = load_experiment(experiment, point_estimate=point_estimate)
    n = workers or default_workers()
    if serial:
        engine = Engine("serial", 1)
    elif dask:
        engine = Engine("dask", n, dask)
    elif dask_local:
        engine = Engine("dask-local", n)
    else:
        engine = Engine("processes", n)
    from teachsim.experiments.atomic import safe_name

    out_dir = Path(out) if out else Path("results") / safe_name(exp.spec.name)
    report = sweep(exp, out_dir, engine, replications=replications, new=new,
                   progress=progress)
    return Results(out_dir, report)
