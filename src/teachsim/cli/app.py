"""The ``teachsim`` command line: the Typer app and what every command shares.

The CLI is a thin shell over the package's functions. Commands are plain functions in
modules by theme (``run``, ``sweep``, ``budget``, ``reports``); ``main.py`` registers them
on :data:`app` in the order ``teachsim --help`` lists them. Heavy libraries (Mesa, numpy,
pyarrow) are imported inside the commands that use them, so ``teachsim --help`` and
``teachsim validate`` answer quickly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

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
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True,
              soft_wrap=True)
    raise typer.Exit(2)


def usage(option: str, problem: str, fix: str) -> NoReturn:
    """Refuse a command line: what is wrong with ``option`` and what to do."""
    fail(ValueError(f"{option}: {problem}\n  fix: {fix}"))


def guarded(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with every error a user can act on turned into one message and exit
    code 2 (never a traceback): bad inputs (ConfigError), files that cannot be read or
    written, inputs too large or deep to process."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from teachsim.config.errors import ConfigError, clip

        try:
            command(*args, **kwargs)
        except ConfigError as exc:
            fail(exc)
        except OSError as exc:
            where = clip(str(exc.filename or "a file"))
            fail(ValueError(f"{where}: {exc.strerror or exc}\n  fix: check the path, its "
                            "permissions and the free space, then run the command again"))
        except (MemoryError, RecursionError) as exc:
            fail(ValueError(f"the input is too large or too deeply nested to process "
                            f"({type(exc).__name__})\n  fix: use smaller inputs "
                            "(fewer schools, years, runs or nesting levels)"))

    return wrapper


def load(path: Path) -> LoadedScenario:
    from teachsim.config.errors import ConfigError
    from teachsim.model.scenario import load_scenario

    try:
        return load_scenario(path)
    except ConfigError as exc:
        fail(exc)


