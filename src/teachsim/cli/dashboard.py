"""``teachsim dashboard``: the Solara app in a browser, served on 127.0.0.1 only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from teachsim.cli.app import fail, out


def dashboard(
    results: Annotated[Path | None, typer.Argument(
        help="an experiment's results directory to open in the budget what-if and the "
        "results explorer (default: pick one on the page)", show_default=False)] = None,
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0: any free port)", min=0,
                                      max=65535)] = 8765,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="do not open a browser "
                                             "tab")] = False,
) -> None:
    """Budget what-ifs, schedule designer, run and compare, results explorer: an
    interactive dashboard in the browser, on this machine only (127.0.0.1)."""
    from teachsim.config.errors import ConfigError
    from teachsim.dashboard.server import serve

    def announce(url: str) -> None:
        out.print(f"teachsim dashboard: [bold]{url}[/] (this machine only; Ctrl+C stops "
                  "it)", highlight=False)

    try:
        serve(results, port=port, open_browser=not no_browser, announce=announce)
    except ConfigError as exc:
        fail(exc)
