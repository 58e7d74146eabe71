"""Outputs that are either old or complete, never half-written.

Every file teachsim writes goes to a temporary name beside its target and is renamed
into place; every output directory is built under a temporary name and swapped in. A
rename within one file system is atomic, so a reader (or a process killed at any moment)
sees the old output or the complete new one. Targets are checked before any work starts:
an existing file where a directory is wanted, a directory where a file is wanted, a
parent that is a file or cannot be written are refused with a :class:`ConfigError` that
names the path and the fix.

Replacing a directory that already exists uses Linux's ``renameat2(RENAME_EXCHANGE)``,
which swaps two paths in one step; elsewhere the old directory is renamed aside and the
new one renamed in (two steps: a kill between them leaves the old directory beside the
target under a ``.<name>.old-*`` name, which the next write puts back).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from teachsim.config.errors import ConfigError

_TMP = ".tmp-"
_OLD = ".old-"


def safe_name(name: str) -> str:
    """``name`` fit for a file name on any system: letters, digits, '-', '_' and '.'
    kept, anything else (quotes, slashes, spaces) replaced by '_'."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:100] or "unnamed"


def _writable_parent(path: Path, option: str) -> None:
    parent = path.parent
    probe = parent
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise ConfigError(path, option, f"cannot be created: '{probe}' is a file, not a "
                          "directory", "choose a path inside a directory")
    if probe.exists():
        # Try it: permissions alone do not tell (root, read-only mounts, /proc).
        try:
            shutil.rmtree(tempfile.mkdtemp(prefix=".teachsim-probe-", dir=probe))
        except OSError as exc:
            raise ConfigError(path, option, f"cannot be written: nothing can be created in "
                              f"'{probe}' ({exc.strerror or exc})",
                              "choose a location you can write to") from None


def _plain_name(path: Path, option: str) -> None:
    if path.name in ("", ".", "..") or path.resolve() == Path.cwd().resolve():
        raise ConfigError(path, option, "names the current or a parent directory, not an "
                          "output", "give a new name, e.g. out/run1")
    if path.is_symlink():
        raise ConfigError(path, option, "is a symbolic link", "give the real path "
                          f"({path.resolve()}) or a new name")


def check_file_target(path: Path, option: str = "--out") -> None:
    """Refuse a file target that is a directory, a device or other special file, or whose
    parent cannot hold it."""
    _plain_name(path, option)
    if path.is_dir():
        raise ConfigError(path, option, "is a directory, where a file is wanted",
                          "give a file name, e.g. " + str(path / "out.xlsx"))
    if path.exists() and not path.is_file():
        raise ConfigError(path, option, "is a device or other special file, not a regular "
                          "file", "give the name of a regular file")
    _writable_parent(path, option)


def check_dir_target(path: Path, marker: str, option: str = "--out",
                     what: str = "teachsim output") -> None:
    """Refuse a directory target that is a file, or a directory holding anything but a
    previous output of the same kind (recognised by its ``marker`` file): replacing it
    would delete someone's files."""
    _plain_name(path, option)
    if path.exists() and not path.is_dir():
        raise ConfigError(path, option, "is a file, where a directory is wanted",
                          "give a directory name that is new or holds a previous output")
    if path.is_dir() and any(path.iterdir()) and not (path / marker).exists():
        raise ConfigError(path, option, f"holds other files and is not a {what} "
                          f"directory (it has no {marker})", "choose a new directory, or "
                          "empty this one first; teachsim replaces its output directories "
                          "whole and will not delete files it did not write")
    _writable_parent(path, option)


def _mkdir(path: Path, option: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(path, option, f"cannot be created ({exc.strerror or exc})",
                          "choose a location you can write to") from None


@contextmanager
def atomic_file(path: Path, option: str = "--out") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``."""
    check_file_target(path, option)
    _mkdir(path.parent, option)
    # the suffix is kept: some writers (matplotlib) choose the format by it
    fd, name = tempfile.mkstemp(prefix=f".{path.name}{_TMP}", suffix=path.suffix,
                                dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; outputs are meant to be shared
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str, option: str = "--out") -> Path:
    """Write ``text`` to ``path`` atomically."""
    with atomic_file(path, option) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


@contextmanager
def atomic_dir(path: Path, marker: str, option: str = "--out",
               what: str = "teachsim output") -> Iterator[Path]:
    """Yield an empty temporary directory beside ``path``; on success it takes the place
    of ``path`` (whose old contents are then deleted). The caller must write ``marker``
    into it, so that the next write recognises the directory as its own."""
    check_dir_target(path, marker, option, what)
    _mkdir(path.parent, option)
    _recover(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}{_TMP}", dir=path.parent))
    try:
        yield tmp
        if not (tmp / marker).exists():
            raise RuntimeError(f"output directory written without its marker {marker}")
        os.chmod(tmp, 0o755)
        if path.exists():
            if _exchange(tmp, path):
                shutil.rmtree(tmp)  # now holds the old output
            else:
                aside = path.with_name(f".{path.name}{_OLD}{os.getpid()}")
                os.rename(path, aside)
                os.rename(tmp, path)
                shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _recover(path: Path) -> None:
    """Tidy what an earlier, killed write left beside ``path``: its temporary directory,
    and (after a kill between the two renames of the fallback) the old output."""
    for stale in path.parent.glob(f".{path.name}{_TMP}*"):
        shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink()
    for old in path.parent.glob(f".{path.name}{_OLD}*"):
        if not path.exists():
            os.rename(old, path)
        else:
            shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: file system cannot swap
        return False
    raise OSError(errno, os.strerror(errno), str(b))
