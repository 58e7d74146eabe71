"""Errors a user can act on.

Every problem with an input file is raised as :class:`ConfigError`, which names the
file, the dotted key and the fix. The CLI prints it in one block and exits with code 2;
nothing else in the package should print tracebacks for bad input.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path


class ConfigError(Exception):
    """An input file that cannot be used, with what to do about it."""

    def __init__(
        self,
        file: str | Path | None,
        key: str | None,
        problem: str,
        fix: str,
    ) -> None:
        self.file = clip(_display_path(file), 300) if file is not None else "<config>"
        self.key = clip(key, 160) if key is not None else None
        self.problem = clip(problem, 700)
        self.fix = clip(fix, 700)
        super().__init__(self.render())

    def render(self) -> str:
        if not self.key:
            where = self.file
        elif self.key.startswith("--"):  # a command-line option, not a key in a file
            where = f"{self.file} (given as {self.key})"
        elif self.key.startswith(("line ", "column ")):  # a place in a CSV file
            where = f"{self.file}, {self.key}"
        else:
            where = f"{self.file}: key '{self.key}'"
        return f"{where}: {self.problem}\n  fix: {self.fix}"


#: longest unbroken stretch of a message kept whole (paths fit; pasted megabytes do not)
_LONGEST = 160
_LONG_RUN = re.compile(r"\S{" + str(_LONGEST + 1) + ",}")


def clip(text: str, most: int | None = None) -> str:
    """``text`` with every unbroken stretch longer than about 160 characters cut down,
    and (given ``most``) the whole cut to about ``most`` characters, so that a bad value
    of megabytes is named, not echoed back."""
    def cut(m: re.Match[str]) -> str:
        run = m.group()
        return f"{run[:60]}...{run[-20:]} ({len(run):,} characters)"

    text = _LONG_RUN.sub(cut, text)
    if most is not None and len(text) > most:
        keep = most - 40
        text = (f"{text[:keep * 3 // 4]} ...{text[-(keep // 4):]} (cut from {len(text):,} "
                "characters)")
    return text


def _display_path(file: str | Path) -> str:
    """The path relative to the working directory when it is inside it (as users type it)."""
    if "://" in str(file):  # an address (a Dask scheduler), not a path
        return str(file)
    path = Path(file)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' Did you mean X?' suffix for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""
