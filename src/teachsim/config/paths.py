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
