"""How local worker processes start: from a fork server that has loaded the model.

The server imports ``teachsim.experiments.preload`` (Mesa, numba and the compiled loops:
seconds) once; every worker is forked from it ready to run. ``start`` launches the server
without waiting for it, so the command line can start it first thing and prepare the
sweep while the server loads.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

PRELOAD = ["teachsim.experiments.preload"]


def context() -> BaseContext:
    """The fork server where the platform has one (workers start from a clean process,
    with no threads of ours), else spawn."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() \
        else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start() -> None:
    """Start the fork server now (no-op where there is none, or when it runs)."""
    if context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
