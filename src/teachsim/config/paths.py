"""Where the built-in configs live.

In a source checkout (editable install) they are the repository's ``configs/``; a wheel
carries a copy as ``teachsim/_configs``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def config_dir() -> Path:
    packaged = Path(__file__).resolve().parents[1] / "_configs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "configs"


def default_scenario() -> Path:
    return config_dir() / "school_d.toml"


# Path tests that answer False for a path the system cannot even look up (a name too long,
# a NUL byte): such a path is "not found", and the caller's message names the key.
def exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False
