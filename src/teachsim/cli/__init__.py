"""The ``teachsim`` command line (Typer): ``main`` is the console script."""

from teachsim.cli.main import app, main

__all__ = ["app", "main"]
