"""A run is a function of (scenario, seed): same pair, same tables; in another process too."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from teachsim.model.run import RunResult, run_scenario
from teachsim.model.scenario import LoadedScenario, load_scenario
from tests.conftest import CONFIGS


def _equal(a: RunResult, b: RunResult) -> bool:
    for name, table in a.tables.items():
        other = b.tables[name]
        if list(table) != list(other):
            return False
        for col in table:
            if not np.array_equal(table[col], other[col]):
                return False
    return True


def _run_in_child(seed: int) -> RunResult:
    return run_scenario(load_scenario(CONFIGS / "school_d_rotating.toml"), seed=seed, years=3)


def test_same_seed_same_tables(rotating: LoadedScenario) -> None:
    assert _equal(run_scenario(rotating, seed=7, years=3), run_scenario(rotating, seed=7,
                                                                         years=3))


def test_different_seed_different_staff(rotating: LoadedScenario) -> None:
    a = run_scenario(rotating, seed=1, years=1).tables["teacher_year"]["experience_years"]
    b = run_scenario(rotating, seed=2, years=1).tables["teacher_year"]["experience_years"]
    assert not np.array_equal(a, b)


def test_same_result_in_another_process(rotating: LoadedScenario) -> None:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        child = pool.submit(_run_in_child, 11).result()
    assert _equal(child, run_scenario(rotating, seed=11, years=3))


def test_policy_arms_share_draws(rotating: LoadedScenario, traditional: LoadedScenario
                                 ) -> None:
    """Common random numbers: the starting staff is the same under both policies."""
    a = run_scenario(rotating, seed=5, years=1).tables["teacher_year"]
    b = run_scenario(traditional, seed=5, years=1).tables["teacher_year"]
    assert np.array_equal(a["experience_years"], b["experience_years"])
