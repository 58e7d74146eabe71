"""Entry point of the ``teachsim`` command: registers the commands on the app, in the
order ``teachsim --help`` lists them, and runs it."""

from __future__ import annotations

import sys

from teachsim.cli import budget, dashboard, discover, fit, reports, run, sweep
from teachsim.cli.app import app, err, guarded

#: every command, in the order of ``teachsim --help``
COMMANDS = (run.run, run.demo, run.validate, run.schedule, run.schema, reports.calibrate,
            sweep.sweep, budget.budget, reports.report, reports.sensitivity, fit.fit,
            discover.discover, dashboard.dashboard)
for command in COMMANDS:
    app.command()(guarded(command))

__all__ = ["app", "main"]


def _local_sweep(args: list[str]) -> bool:
    """Whether the command line asks for a sweep on local worker processes."""
    return bool(args) and args[0] == "sweep" and not any(
        a in ("--serial", "--dask-local", "--help") or a.startswith("--dask")
        for a in args[1:])


def main() -> None:
    if _local_sweep(sys.argv[1:]):
        # The workers' fork server loads the model (seconds) while the command line is
        # parsed and the sweep prepared; the sweep command would start it otherwise.
        from teachsim.experiments.forkserver import start

        start()
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
