"""Replications run side by side in one model (``run_batch``) give each replication the
tables it has alone, to the last bit: every policy design, a district with movers and
returners, staggered rollouts, and the sweep's batching of chunks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from teachsim.experiments import runner
from teachsim.experiments.design import load_experiment
from teachsim.model.run import RunResult, run_batch, run_scenario
from teachsim.model.scenario import LoadedScenario

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [3, 7, 11]


def _same(a: RunResult, b: RunResult) -> None:
    assert a.tables.keys() == b.tables.keys()
    for name, table in b.tables.items():
        assert list(a.tables[name]) == list(table), name
        for col, want in table.items():
            got = a.tables[name][col]
            assert got.dtype == want.dtype, (name, col)
            assert got.shape == want.shape, (name, col)
            assert np.array_equal(got, want, equal_nan=want.dtype.kind == "f"), (name, col)


def _check(loaded: LoadedScenario, years: int) -> list[RunResult]:
    batch = run_batch(loaded, SEEDS, years=years)
    assert [r.seed for r in batch] == SEEDS
    for got, seed in zip(batch, SEEDS, strict=True):
        _same(got, run_scenario(loaded, seed=seed, years=years))
    return batch


@pytest.mark.parametrize("arm", ["traditional", "coaching", "rotating_release",
                                 "seed000_paired_learning", "seed001_growing_teachers",
                                 "seed002_career_ladder", "seed003_pd_choice"])
def test_batched_replications_equal_single_runs_under_every_design(arm: str) -> None:
    exp = load_experiment(ROOT / "experiments" / "learning_and_careers.toml")
    batch = _check(exp.arms[arm], years=4)
    # the replications really differ: batching did not copy one into the others
    burnout = [r.tables["teacher_year"]["burnout_mean"].sum() for r in batch]
    assert len(set(burnout)) == len(SEEDS)


@pytest.mark.parametrize("arm", ["fixed_rate_need", "pilot_then_scale"])
def test_batched_districts_equal_single_runs(arm: str) -> None:
    """A 12-school district: movers between schools, returners, rollout waves and
    abandonment stay within each replication's own district."""
    exp = load_experiment(ROOT / "experiments" / "rollout_strategies.toml")
    loaded = exp.arms[arm]
    loaded = loaded.replace(district=loaded.scenario.district.model_copy(
        update={"n_schools": 12}))
    batch = _check(loaded, years=5)
    moved = sum(int((r.tables["teacher_year"]["move_destination"] == "within_district").sum())
                for r in batch)
    back = sum(int(r.tables["school_year"]["returners"].sum()) for r in batch)
    assert moved > 0 and back > 0  # the cases exercise what could leak between districts
    for r in batch:
        assert set(r.tables["school_year"]["school_id"]) == set(range(12))
        ids = r.tables["teacher_year"]["teacher_id"]
        assert ids.min() >= 1  # ids are counted within the replication, from 1


@pytest.mark.parametrize(("point_estimate", "batches"), [
    (True, [3, 3]),  # one batch per arm
    (False, [2, 1, 2, 1]),  # one per arm and parameter set (two replications per draw)
])
def test_sweep_chunks_run_as_batches_with_the_same_tables(
        monkeypatch: pytest.MonkeyPatch, point_estimate: bool, batches: list[int]) -> None:
    exp = load_experiment(ROOT / "experiments" / "schedule_comparison.toml",
                          point_estimate=point_estimate)
    specs = [s for s in exp.run_specs(3) if s.arm != "weekly_plc"]
    specs = [replace(s, years=3) for s in specs]
    calls: list[int] = []
    real = runner.run_batch

    def counting(batch: list) -> list:
        calls.append(len(batch))
        return real(batch)

    monkeypatch.setattr(runner, "run_batch", counting)
    batched = runner.run_chunk(specs)
    assert calls == batches
    alone = runner.Packed.of([runner.run_one(s) for s in specs])
    assert [r["run_id"] for r in batched.records] == [r["run_id"] for r in alone.records]
    assert {r["status"] for r in batched.records} == {"ok"}
    assert batched.tables.keys() == alone.tables.keys()
    for name, table in alone.tables.items():
        assert batched.tables[name].equals(table), name


def test_a_failing_batch_falls_back_to_runs_one_by_one(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    import teachsim.model.run as run_module

    exp = load_experiment(ROOT / "experiments" / "schedule_comparison.toml")
    specs = [replace(s, years=2) for s in exp.run_specs(2)[:2]]
    real = run_module.run_batch

    def broken(loaded: LoadedScenario, seeds: list[int], **kwargs: object) -> list:
        if len(seeds) > 1:
            raise RuntimeError("batch broke")
        return real(loaded, seeds, **kwargs)

    monkeypatch.setattr(run_module, "run_batch", broken)
    out = runner.run_chunk(specs)
    assert [r["status"] for r in out.records] == ["ok", "ok"]
    assert [r["run_id"] for r in out.records] == [s.run_id for s in specs]
