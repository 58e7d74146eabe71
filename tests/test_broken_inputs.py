"""Broken inputs, as a new user would make them: every case in tests/broken/ must end in
one clean error (exit 2, a message naming the file, key or argument and the fix, no
traceback) and leave the case's directory exactly as it was.

A case is a TOML file:

    # what the case tries (free text)
    args = ["run", "{tmp}/s.toml", "--years", "99"]   # teachsim's arguments
    expect = ["--years", "60"]                        # fragments the message must show
    exit = 2                                          # optional; 2 by default
    [files]          # text files written into {tmp} before the command
    "s.toml" = '''extends = "{configs}/school_d.toml"'''
    [hex]            # binary files, as hex
    "r.csv" = "ff fe 00"

``{tmp}`` is the case's own directory, ``{configs}`` the repository's configs/.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from teachsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((Path(__file__).parent / "broken").glob("*.toml"))


def _fill(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp)).replace("{configs}", str(ROOT / "configs"))


def _snapshot(root: Path) -> dict[str, str]:
    """Every file and directory under ``root`` with a hash of its content."""
    snap = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        snap[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return snap


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_broken_input(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tomllib.loads(case.read_text())
    for name, text in spec.get("files", {}).items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_fill(text, tmp_path))
    for name, hexed in spec.get("hex", {}).items():
        (tmp_path / name).write_bytes(bytes.fromhex(hexed))
    for name in spec.get("dirs", []):
        (tmp_path / name).mkdir(parents=True, exist_ok=True)
    before = _snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)  # default output directories land here
    args = [_fill(a, tmp_path) for a in spec["args"]]
    result = CliRunner().invoke(app, args)
    text = result.output
    assert isinstance(result.exception, SystemExit), (
        f"not a clean exit: {result.exception!r}\n{text}")
    assert result.exit_code == spec.get("exit", 2), text
    assert "Traceback" not in text
    assert "error" in text.lower()
    flat = " ".join(text.split())
    for fragment in spec["expect"]:
        assert _fill(fragment, tmp_path) in flat, f"{fragment!r} not in:\n{text}"
    assert "fix:" in text or "--help" in text, text
    assert len(text) < 4000, "the message echoes too much"
    assert _snapshot(tmp_path) == before, "the command left something behind"


BIG = "x" * 3_000_000
SD = ROOT / "configs" / "school_d.toml"
MEGABYTE_CASES = {
    "policy": (f'extends = "{SD}"\n[schedule]\npolicy = "{BIG}"\n', "schedule.policy"),
    "roster": (f'extends = "{SD}"\n[district]\nroster = "{BIG}"\n', "district.roster"),
    "extends": (f'extends = "{BIG}"\n', "extends"),
    "key": (f'extends = "{SD}"\n{BIG} = 1\n', "unknown key"),
    "name": (f'extends = "{SD}"\nname = "{BIG}"\n', "name"),
    "too_large": ("# " + "y" * 11_000_000 + "\n", "too large for a config file"),
}


@pytest.mark.parametrize("kind", MEGABYTE_CASES)
def test_megabyte_values_are_named_not_echoed(kind: str, tmp_path: Path) -> None:
    text, fragment = MEGABYTE_CASES[kind]
    path = tmp_path / "s.toml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert fragment in result.output
    assert "fix:" in result.output
    assert len(result.output) < 2000, result.output[:3000]


def test_a_pipe_named_like_a_config_is_refused_not_read(tmp_path: Path) -> None:
    """Reading a pipe would block for ever."""
    fifo = tmp_path / "s.toml"
    os.mkfifo(fifo)
    result = CliRunner().invoke(app, ["validate", str(fifo)])
    assert result.exit_code == 2 and "not a regular file" in result.output


def test_a_symlinked_output_directory_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    result = CliRunner().invoke(app, ["run", str(SD), "--years", "1", "--out",
                                      str(tmp_path / "link")])
    assert result.exit_code == 2 and "symbolic link" in result.output
