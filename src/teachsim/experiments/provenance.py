"""What an output was made from: hashes of fully resolved scenarios, package versions and
the record ``teachsim run`` leaves beside its tables (run.json).

A scenario's hash covers everything a run reads: the merged scenario (base files and
overrides), both schedule policies and every school of the district (so a changed roster
row changes it). Two runs with the same hash, seed and package versions give the same
tables.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from teachsim.model.run import RunResult
    from teachsim.model.scenario import LoadedScenario

PACKAGES = ("teachsim", "mesa", "numpy", "pyarrow", "duckdb", "salib", "distributed")


def resolved(loaded: LoadedScenario) -> dict[str, Any]:
    """Everything a run of ``loaded`` reads, as plain data."""
    return {"scenario": loaded.scenario.model_dump(mode="json"),
            "policy": loaded.policy.model_dump(mode="json"),
            "baseline": loaded.baseline.model_dump(mode="json"),
            "schools": [s.model_dump(mode="json") for s in loaded.schools]}


def scenario_sha256(loaded: LoadedScenario) -> str:
    """SHA-256 of the fully resolved scenario (canonical JSON)."""
    text = json.dumps(resolved(loaded), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def write_run_record(path: Path, loaded: list[LoadedScenario], results: list[RunResult],
                     seconds: float) -> None:
    """run.json of a ``teachsim run`` output: its scenarios with their hashes, seed and
    years, package versions. Also marks the directory as one teachsim may replace."""
    record = {
        "written_by": "teachsim run",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "scenarios": [{"name": ld.scenario.name, "file": str(ld.path),
                       "policy": ld.policy.name, "baseline": ld.baseline.name,
                       "schools": len(ld.schools), "sha256": scenario_sha256(ld),
                       "seed": r.seed, "years": r.years}
                      for ld, r in zip(loaded, results, strict=True)],
        "seconds": round(seconds, 3),
        "versions": versions(),
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
