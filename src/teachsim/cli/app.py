"""The ``teachsim`` command line: the Typer app and what every command shares.

The CLI is a thin shell over the package's functions. Commands are plain functions in
modules by theme (``run``, ``sweep``, ``budget``, ``reports``); ``main.py`` registers them
on :data:`app` in the order ``teachsim --help`` lists them. Heavy libraries (Mesa, numpy,
pyarrow) are imported inside the commands that use them, so ``teachsim --help`` and
``teachsim validate`` answer quickly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from teachsim.model.scenario import LoadedScenario

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


def fail(exc: Exception) -> NoReturn:
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


def load(path: Path) -> LoadedScenario:
    from teachsim.config.errors import ConfigError
    from teachsim.model.scenario import load_scenario

    try:
        return load_scenario(path)
    except ConfigError as exc:
        fail(exc)


