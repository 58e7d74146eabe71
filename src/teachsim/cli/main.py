"""Entry point of the ``teachsim`` command: registers the commands on the app, in the
order ``teachsim --help`` lists them, and runs it."""

from __future__ import annotations

import sys

from teachsim.cli import budget, reports, run, sweep
from teachsim.cli.app import app, err, guarded

#: every command, in the order of ``teachsim --help``
COMMANDS = (run.run, run.demo, run.validate, run.schedule, run.schema, reports.calibrate,
            sweep.sweep, budget.budget, reports.report, reports.sensitivity)
for command in COMMANDS:
    app.command()(guarded(command))

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
