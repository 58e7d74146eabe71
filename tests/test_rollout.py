"""Rollout plans put the right schools in the right years; the model follows the plan;
districts can differ school by school (generated or from a CSV roster)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from teachsim.config.errors import ConfigError
from teachsim.config.scenario import Rollout, SchoolProfile
from teachsim.model.rollout import NEVER, plan
from teachsim.model.run import run_scenario
from teachsim.model.scenario import LoadedScenario, load_scenario
from tests.conftest import CONFIGS


def schools(n: int) -> list[SchoolProfile]:
    # poverty share rises with the index, leader bench falls with it
    return [SchoolProfile(name=f"S{i}", poverty_share=i / n, leader_bench=1 - i / n)
            for i in range(n)]


def test_fixed_rate_ten_a_year_by_need() -> None:
    adopt = plan(schools(60), Rollout(strategy="fixed_rate", first_year=1, per_year=10,
                                      order="need"), years=10, seed=1)
    # the ten neediest (highest poverty: S59..S50) first, in year 1; then ten a year
    assert sorted(np.flatnonzero(adopt == 1).tolist()) == list(range(50, 60))
    for k, year in enumerate(range(1, 7)):
        assert (adopt == year).sum() == 10
        assert set(np.flatnonzero(adopt == year)) == set(range(50 - 10 * k, 60 - 10 * k))
    assert (adopt == NEVER).sum() == 0


def test_readiness_goes_by_leader_bench() -> None:
    adopt = plan(schools(20), Rollout(strategy="fixed_rate", per_year=5, order="readiness"),
                 years=10, seed=1)
    assert sorted(np.flatnonzero(adopt == 1).tolist()) == [0, 1, 2, 3, 4]


def test_all_at_once_with_a_cap() -> None:
    adopt = plan(schools(45), Rollout(strategy="all_at_once", first_year=2,
                                      cap_per_year=20), years=10, seed=1)
    assert np.bincount(adopt[adopt >= 0]).tolist() == [0, 0, 20, 20, 5]


def test_pilot_then_scale() -> None:
    adopt = plan(schools(30), Rollout(strategy="pilot_then_scale", first_year=1, pilots=3,
                                      pilot_years=2, scale_per_year=10), years=10, seed=1)
    counts = np.bincount(adopt[adopt >= 0], minlength=10).tolist()
    assert counts[:6] == [0, 3, 0, 10, 10, 7]


def test_plan_beyond_the_horizon_is_never() -> None:
    adopt = plan(schools(60), Rollout(strategy="fixed_rate", per_year=10), years=4, seed=1)
    assert (adopt == NEVER).sum() == 30


def test_random_order_is_fixed_by_its_own_seed() -> None:
    r = Rollout(strategy="fixed_rate", per_year=5, order="random", seed=3)
    a = plan(schools(20), r, years=10, seed=3)
    assert np.array_equal(a, plan(schools(20), r, years=10, seed=3))
    assert not np.array_equal(a, plan(schools(20), r, years=10, seed=4))


@pytest.fixture(scope="module")
def district() -> LoadedScenario:
    return load_scenario(CONFIGS / "district_60.toml")


def _keeping(loaded: LoadedScenario) -> LoadedScenario:
    """``loaded`` with no school abandoning the design (the plan holds exactly)."""
    beh = loaded.scenario.behaviour
    return loaded.replace(behaviour=beh.model_copy(update={
        "implementation": beh.implementation.model_copy(update={"abandon_rate": 0.0})}))


def test_model_follows_the_plan(district: LoadedScenario) -> None:
    res = run_scenario(_keeping(district), years=4, seed=1)
    sy = res.tables["school_year"]
    ro = res.tables["rollout"]
    adoption = dict(zip(ro["school_id"].tolist(), ro["adoption_year"].tolist(), strict=True))
    for sid, year, policy, adopted, leaders in zip(sy["school_id"], sy["year"], sy["policy"],
                                                   sy["adopted"], sy["leaders"], strict=True):
        on = adoption[sid] != -1 and year >= adoption[sid]
        assert adopted == on
        assert policy == ("rotating_release" if on else "traditional")
        if not on:
            assert leaders == 0  # schools waiting for their year have no leader posts
    dy = res.tables["district_year"]
    assert dy["schools_adopted"].tolist() == [0, 10, 20, 30]
    assert dy["schools_in_startup"].tolist() == [0, 10, 20, 20]  # two start-up years


def test_generated_district_differs_and_is_fixed(district: LoadedScenario) -> None:
    hpg = [s.homerooms_per_grade for s in district.schools]
    assert len(set(hpg)) > 1
    assert len({s.poverty_share for s in district.schools}) == 60
    again = load_scenario(CONFIGS / "district_60.toml")
    assert [s.model_dump() for s in again.schools] == [s.model_dump()
                                                       for s in district.schools]


def test_movers_within_the_district_are_counted_apart(district: LoadedScenario) -> None:
    res = run_scenario(district, years=3, seed=2)
    sy = res.tables["school_year"]
    within = sy["movers_within_district"].sum()
    out = sy["movers_out_of_district"].sum()
    assert within > 0 and out > 0
    assert within + out == sy["movers"].sum()
    # every mover within the district arrives at another school the next year
    assert sy["arrivals_from_district"][sy["year"] > 2025].sum() == sy[
        "movers_within_district"][sy["year"] < 2027].sum()


def test_roster_csv(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("name,homerooms_per_grade,specials_teachers,poverty_share\n"
                      "North,2,2,0.9\nSouth,4,4,0.2\n")
    scen = tmp_path / "s.toml"
    scen.write_text(f'extends = "{CONFIGS / "school_d_rotating.toml"}"\n'
                    '[district]\nroster = "roster.csv"\n')
    loaded = load_scenario(scen)
    assert [s.name for s in loaded.schools] == ["North", "South"]
    res = run_scenario(loaded, years=1, seed=1)
    # support teachers the roster does not give scale with homerooms (School D: 3 special
    # education, 1 EL, 3 interventionists for 3 homerooms a grade)
    assert res.tables["school_year"]["teachers"].tolist() == [2 * 6 + 2 + 2 + 1 + 2,
                                                               4 * 6 + 4 + 4 + 1 + 4]


@pytest.mark.parametrize(("csv", "expected"), [
    ("name,homerooms\nA,3\n", "unknown roster column. Did you mean 'homerooms_per_grade'?"),
    ("name,homerooms_per_grade\nA,three\n", "line 2, column 'homerooms_per_grade'"),
    ("name,poverty_share\nA,1.5\n", "line 2, column 'poverty_share'"),
    ("name,specials_teachers\nA,1\n", "cannot be staffed at 'A'"),
    ("name\nA\nA\n", "school 'A' is listed twice"),
])
def test_bad_roster(tmp_path: Path, csv: str, expected: str) -> None:
    (tmp_path / "roster.csv").write_text(csv)
    scen = tmp_path / "s.toml"
    scen.write_text(f'extends = "{CONFIGS / "school_d_rotating.toml"}"\n'
                    '[district]\nroster = "roster.csv"\n')
    with pytest.raises(ConfigError) as info:
        load_scenario(scen)
    assert expected in info.value.render()


def test_rollout_table_is_the_plan_the_model_runs() -> None:
    """With the readiness order the plan depends on the implementation parameters
    (bench_weight); the rollout table must use the scenario's, as the model does."""
    loaded = load_scenario(CONFIGS / "district_60.toml").with_overrides(years=5)
    scen = loaded.scenario
    loaded = loaded.replace(
        rollout=scen.rollout.model_copy(update={"order": "readiness"}),
        behaviour=scen.behaviour.model_copy(update={
            "implementation": scen.behaviour.implementation.model_copy(
                update={"bench_weight": 5.0})}))
    res = run_scenario(loaded, seed=2)
    table, sy = res.tables["rollout"], res.tables["school_year"]
    for s, year in zip(table["school_id"], table["adoption_year"], strict=True):
        adopted = sy["year"][(sy["school_id"] == s) & (sy["years_since_adoption"] == 0)
                             & sy["adopted"]]
        assert (adopted.tolist() or [-1])[0] == year
