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
from teachsim.config.paths import exists, is_dir, is_file

Origins = dict[str, Path]

#: most files in one ``extends`` chain (the shipped configs use two)
MAX_EXTENDS = 16
#: largest config file read, in bytes (the shipped ones are under 10 kB)
MAX_BYTES = 10_000_000
_BOMS = {b"\xef\xbb\xbf": "UTF-8 with a byte-order mark", b"\xff\xfe": "UTF-16",
         b"\xfe\xff": "UTF-16"}


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning every failure into a ConfigError."""
    if not exists(path):
        raise ConfigError(path, None, "file not found", "check the path; it is relative to "
                          "the current directory (or, for 'extends', to the extending file)")
    if is_dir(path):
        raise ConfigError(path, None, "is a directory, not a TOML file",
                          "give the path of a .toml file")
    if not is_file(path):  # a pipe or device: reading it could block for ever
        raise ConfigError(path, None, "is not a regular file (a pipe or a device?)",
                          "give the path of a .toml file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(path, None, f"is {size:,} bytes, too large for a config file "
                              f"(at most {MAX_BYTES:,})", "give a scenario or experiment "
                              "file; put long lists of schools in a roster CSV")
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, None, f"cannot be read ({exc.strerror or exc})",
                          "check the path and its permissions") from None
    # A byte-order mark is what some Windows editors write at the start of UTF-8; it
    # carries no meaning, so it is dropped rather than refused.
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    for mark, encoding in _BOMS.items():
        if raw.startswith(mark):
            raise ConfigError(path, None, f"is saved as {encoding}, not UTF-8",
                              "save the file as UTF-8 (in most editors: Save As, "
                              "encoding UTF-8)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(path, None, f"is not UTF-8 text (byte {raw[exc.start]:#04x} on "
                          f"line {line}; Latin-1 or a binary file?)",
                          "save the file as UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"is not valid TOML ({exc})",
                          "correct the syntax at the line and column given") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise ConfigError(path, None, f"holds a value too large to read ({str(exc)[:120]})",
                          "use ordinary numbers (no config value needs more than a few "
                          "digits)") from None
    except RecursionError:
        raise ConfigError(path, None, "nests arrays or tables too deeply to read",
                          "flatten the nesting; no config key needs more than a few "
                          "levels") from None


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
    path = path.resolve() if exists(path) else path
    if len(_chain) >= MAX_EXTENDS:
        raise ConfigError(_chain[0], "extends", f"the 'extends' chain is longer than "
                          f"{MAX_EXTENDS} files (at {path.name})",
                          "extend a base file directly instead of through a long chain")
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise ConfigError(_chain[-1], "extends", f"circular 'extends' chain ({cycle})",
                          "remove 'extends' from one of these files so the chain ends")
    data = read_toml(path)
    origins: Origins = {}
    base_ref = data.pop("extends", None)
    merged: dict[str, Any] = {}
    if base_ref is not None:
        if not isinstance(base_ref, str) or not base_ref.strip():
            got = "is empty" if isinstance(base_ref, str) else "is not a text path"
            raise ConfigError(path, "extends", f"{got}: it must name a base TOML file",
                              'write extends = "base.toml" (relative to this file), or '
                              "remove the line")
        base_path = (path.parent / base_ref)
        if is_dir(base_path):
            raise ConfigError(path, "extends", f"'{base_ref}' is a directory",
                              "name a .toml file (relative to this file)")
        if not exists(base_path):
            raise ConfigError(path, "extends", f"base file '{base_ref}' not found "
                              f"(looked at {base_path})",
                              "fix the path; it is relative to the extending file")
        merged, origins = load_with_extends(base_path, (*_chain, path))
    _record_origins(data, path, "", origins)
    return _merge(merged, data), origins
