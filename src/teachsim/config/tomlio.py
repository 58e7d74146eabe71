"""Reading TOML files that may extend a base file.

A file may say ``extends = "base.toml"`` (a path relative to itself). The base is read
first and the file's keys are merged over it, table by table; arrays and values replace
the base's. Alongside the merged data we keep, for every dotted key, the file it came
from, so that validation errors can name the file the user has to edit.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from teachsim.config.errors import ConfigError

Origins = dict[str, Path]


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning every failure into a ConfigError."""
    if not path.exists():
        raise ConfigError(path, None, "file not found", "check the path; it is relative to "
                          "the current directory (or, for 'extends', to the extending file)")
    if path.is_dir():
        raise ConfigError(path, None, "is a directory, not a TOML file",
                          "give the path of a .toml file")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"is not valid TOML ({exc})",
                          "correct the syntax at the line and column given") from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "is not UTF-8 text", "save the file as UTF-8") from None


def _record_origins(data: dict[str, Any], path: Path, prefix: str, origins: Origins) -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        origins[dotted] = path
        if isinstance(value, dict):
            _record_origins(value, path, dotted + ".", origins)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_with_extends(path: Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], Origins]:
    """Load ``path`` with its chain of base files merged under it.

    Returns the merged mapping (without the ``extends`` key) and the origin of every key.
    """
    path = path.resolve() if path.exists() else path
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise ConfigError(_chain[-1], "extends", f"circular 'extends' chain ({cycle})",
                          "remove 'extends' from one of these files so the chain ends")
    data = read_toml(path)
    origins: Origins = {}
    base_ref = data.pop("extends", None)
    merged: dict[str, Any] = {}
    if base_ref is not None:
        if not isinstance(base_ref, str):
            raise ConfigError(path, "extends", "must be a string path to a base TOML file",
                              'write extends = "base.toml" (relative to this file)')
        base_path = (path.parent / base_ref)
        if not base_path.exists():
            raise ConfigError(path, "extends", f"base file '{base_ref}' not found "
                              f"(looked at {base_path})",
                              "fix the path; it is relative to the extending file")
        merged, origins = load_with_extends(base_path, (*_chain, path))
    _record_origins(data, path, "", origins)
    return _merge(merged, data), origins
