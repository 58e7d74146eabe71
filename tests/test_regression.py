"""Regression baseline: the default runs give byte-identical tables to the stored hashes.

The hashes in ``tests/regression/baseline.json`` were written by this file run as a script
(``uv run python tests/test_regression.py --refresh``). Refresh them only on purpose, when a
change is meant to alter outputs, and say so under "Regression information" in the
CHANGELOG. A refactor (such as moving modules) must leave every hash as it is.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "regression" / "baseline.json"

#: name -> the ``teachsim run`` arguments; the first is the README's default job
RUNS: dict[str, list[str]] = {
    "demo": [],
    "district_60": ["configs/district_60.toml", "--years", "4"],
}


def machine() -> str:
    """What byte-identity of floats depends on: the architecture and whether numpy uses
    its AVX-512 kernels (their exp and log differ from libm's in the last bit)."""
    from numpy._core._multiarray_umath import __cpu_features__

    return platform.machine() + ("+avx512f" if __cpu_features__.get("AVX512F") else "")


def table_hashes(out: Path, args: list[str]) -> dict[str, str]:
    """Run ``teachsim run ARGS --out OUT --csv`` and hash every file it writes."""
    teachsim = Path(sys.executable).parent / "teachsim"
    subprocess.run([str(teachsim), "run", *args, "--out", str(out), "--csv"], cwd=ROOT,
                   check=True, capture_output=True)
    # run.json records when and with which versions: it is meant to differ
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.iterdir()) if p.name != "run.json"}


def test_default_runs_unchanged(tmp_path: Path) -> None:
    baseline = json.loads(BASELINE.read_text())
    if baseline["machine"] != machine():
        pytest.skip(f"hashes were made on {baseline['machine']}, this is {machine()}: "
                    "floats need not agree to the last bit across them")
    for name, args in RUNS.items():
        got = table_hashes(tmp_path / name, args)
        changed = sorted(k for k in baseline[name] if got.get(k) != baseline[name][k])
        assert set(got) == set(baseline[name]), f"{name}: tables differ in name"
        assert not changed, (f"{name}: {', '.join(changed)} changed; if on purpose, run "
                             "tests/test_regression.py --refresh and note it in the CHANGELOG")


if __name__ == "__main__":
    import tempfile

    if "--refresh" not in sys.argv:
        sys.exit("usage: python tests/test_regression.py --refresh")
    with tempfile.TemporaryDirectory() as tmp:
        hashes: dict[str, object] = {name: table_hashes(Path(tmp) / name, args)
                                     for name, args in RUNS.items()}
    hashes["machine"] = machine()
    BASELINE.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
    print(f"wrote {BASELINE}")
