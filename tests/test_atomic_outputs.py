"""Outputs are old or complete, never partial: teachsim run --out killed at random moments,
and the atomic file and directory writers on their own."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from teachsim.config.errors import ConfigError
from teachsim.experiments import atomic
from teachsim.experiments.atomic import atomic_dir, atomic_file, write_text
from tests.conftest import CONFIGS, ROOT

TEACHSIM = Path(sys.executable).parent / "teachsim"
TABLES = {"teacher_year.parquet", "school_year.parquet", "cohort_year.parquet",
          "run_summary.parquet", "rollout.parquet", "district_year.parquet"}


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def command(out: Path, seed: int) -> list[str]:
    return [str(TEACHSIM), "run", str(CONFIGS / "school_d.toml"), "--years", "2", "--seed",
            str(seed), "--out", str(out)]


def test_run_killed_at_random_moments_leaves_old_or_complete(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # the quicker of two runs: one slow spell of the machine must not push every kill
    # past the end of the run
    full = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run(command(out, 1), check=True, capture_output=True, cwd=ROOT)
        full = min(full, time.perf_counter() - started)
    rng = random.Random(20261124)
    outcomes = {"old": 0, "new": 0}
    for attempt in range(8):
        before = tree(out)
        seed = 100 + attempt
        proc = subprocess.Popen(command(out, seed), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # mostly late in the run, where the tables are written
        time.sleep(rng.uniform(0.3, 1.1) * full)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = tree(out)
        if now == before:
            outcomes["old"] += 1
            continue
        record = json.loads((out / "run.json").read_text())
        assert record["scenarios"][0]["seed"] == seed, "a mix of old and new outputs"
        assert set(now) == TABLES | {"run.json"}
        for name in TABLES:
            assert pq.read_table(out / name).num_rows > 0
        outcomes["new"] += 1
    # the next run tidies what the killed ones left beside the directory
    subprocess.run(command(out, 999), check=True, capture_output=True, cwd=ROOT)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sum(outcomes.values()) == 8
    assert outcomes["old"] >= 1  # a kill early in the run cannot have replaced it


def test_a_failed_write_keeps_the_old_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_dir(out, "m.json") as tmp:
        (tmp / "m.json").write_text("1")
        (tmp / "a.txt").write_text("old")
    with pytest.raises(RuntimeError, match="disk on fire"), atomic_dir(out, "m.json") as tmp:
        (tmp / "m.json").write_text("2")
        (tmp / "a.txt").write_text("half")
        raise RuntimeError("disk on fire")
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_without_an_atomic_swap_a_kill_between_renames_is_recovered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    for version in ("1", "2"):
        with atomic_dir(out, "m.json") as tmp:
            (tmp / "m.json").write_text(version)
    assert (out / "m.json").read_text() == "2"
    # a kill between "old aside" and "new in" leaves only the old one, aside
    os.rename(out, tmp_path / ".out.old-4242")
    with atomic_dir(out, "m.json") as tmp:
        assert (out / "m.json").read_text() == "2"  # put back before the new write
        (tmp / "m.json").write_text("3")
    assert (out / "m.json").read_text() == "3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_foreign_directories_and_files_are_never_replaced(tmp_path: Path) -> None:
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious")
    with pytest.raises(ConfigError, match="will not delete files it did not write"), \
            atomic_dir(mine, "m.json"):
        pass
    assert (mine / "chapter1.tex").read_text() == "precious"
    with pytest.raises(ConfigError, match="is a directory"), atomic_file(mine):
        pass


def test_atomic_file_keeps_old_content_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "budget.xlsx"
    write_text(target, "old")
    with pytest.raises(ValueError), atomic_file(target) as tmp:
        tmp.write_text("half")
        raise ValueError
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["budget.xlsx"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"
