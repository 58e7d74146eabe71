"""The Mesa model: agents, the calendar of days and years, and what it records."""

from __future__ import annotations

import numpy as np
import pytest

from teachsim.config.policy import ACTIVITIES
from teachsim.model.agents import Clerk, Paraprofessional, School, StudentCohort, Teacher
from teachsim.model.calendar import DAYS_PER_YEAR
from teachsim.model.model import TeachSimModel
from teachsim.model.run import run_scenario
from teachsim.model.scenario import LoadedScenario
from teachsim.model.schedule import compile_schedule


def _district(loaded: LoadedScenario, n: int) -> LoadedScenario:
    scen = loaded.scenario.model_copy(update={
        "district": loaded.scenario.district.model_copy(update={"n_schools": n})})
    return LoadedScenario(scen, loaded.policy, loaded.baseline, loaded.path, loaded.policy_path)


def test_agents_of_every_kind(rotating: LoadedScenario) -> None:
    m = TeachSimModel(_district(rotating, 3))
    by_type = m.agents_by_type
    assert len(by_type[School]) == 3
    # 18 homeroom, 3 specials, 3 special education, 1 EL teacher, 3 interventionists
    assert len(by_type[Teacher]) == 3 * 28
    roles = [t.role for t in by_type[Teacher] if t.school.index == 0]
    assert {r: roles.count(r) for r in set(roles)} == {
        "homeroom": 18, "specials": 3, "special_education": 3, "english_learners": 1,
        "interventionist": 3}
    assert len(by_type[Clerk]) == 3 * 2
    assert len(by_type[Paraprofessional]) == 3 * 4
    assert len(by_type[StudentCohort]) == 3 * 6
    assert sum(c.n_students for c in by_type[StudentCohort]) == 3 * 450
    leaders = [t for t in by_type[Teacher] if t.is_leader]
    assert len(leaders) == 3 * 6
    assert {(t.school.index, t.grade) for t in leaders} == {
        (s, g) for s in range(3) for g in m.profile.grades}


def test_model_minutes_equal_compiled_schedule(rotating: LoadedScenario) -> None:
    """Stepping day by day gives each teacher the compiled year, less the days absent and
    the release time used for appointments (with every absence filled, so that no one
    covers a colleague's class or loses a block)."""
    full = rotating.replace(district=rotating.scenario.district.model_copy(
        update={"substitute_fill_rate": 1.0}))
    res = run_scenario(full, years=1)
    ty = res.tables["teacher_year"]
    assert ty["minutes_covering_colleagues"].sum() == 0 and ty["blocks_cancelled"].sum() == 0
    comp = compile_schedule(rotating.scenario, rotating.policy)
    yearly = comp.yearly_by_class()
    beyond = comp.yearly_beyond_by_class().sum(axis=1)
    n_exact = 0
    for i in range(len(ty["teacher_id"])):
        role = "leader" if ty["leader"][i] else ty["role"][i]
        if role not in ("homeroom", "leader", "specials"):
            role = "support"
        k = comp.class_index(role, ty["grade"][i])
        got = np.array([ty[f"minutes_{a}"][i] for a in ACTIVITIES])
        assert np.all(got <= yearly[k])
        away = ty["minutes_absent"][i] + ty["minutes_appointments"][i]
        assert got.sum() + away == yearly[k].sum()
        assert ty["minutes_beyond_contract"][i] <= beyond[k]
        if ty["absence_days"][i] == 0 and ty["appointments_in_release_time"][i] == 0:
            assert got.tolist() == yearly[k].tolist()
            assert ty["minutes_beyond_contract"][i] == beyond[k]
            n_exact += 1
    assert n_exact > 0


def test_minutes_add_up_to_contract_days(traditional: LoadedScenario) -> None:
    res = run_scenario(traditional, years=3)
    ty = res.tables["teacher_year"]
    total = sum(ty[f"minutes_{a}"] for a in ACTIVITIES)
    total = total + ty["minutes_absent"] + ty["minutes_appointments"]
    day = traditional.scenario.school.contract_day_minutes
    assert np.all(total == ty["contract_days"] * day)
    # each absence day on a student day takes a full contract day
    assert np.all(ty["minutes_absent"] == ty["absence_days"] * day)
    # traditional has no release blocks, so no appointments move into release time
    assert ty["appointments_in_release_time"].sum() == 0
    # monthly after-school PD: 9 sessions of 90 minutes, less sessions missed when absent
    assert np.all(ty["minutes_beyond_contract"] <= 810)
    assert np.all(ty["minutes_beyond_contract"] % 90 == 0)


def test_stipends_54000(rotating: LoadedScenario) -> None:
    res = run_scenario(rotating, years=3)
    sy = res.tables["school_year"]
    assert sy["leaders"].tolist() == [6, 6, 6]
    assert sy["stipends"].tolist() == [54000.0] * 3
    assert res.tables["teacher_year"]["stipend"].sum() == 3 * 6 * 9000


def test_years_and_events(traditional: LoadedScenario) -> None:
    m = TeachSimModel(traditional)
    m.run_years(3)
    assert m.time == 3 * DAYS_PER_YEAR
    assert m.steps == 3  # one Mesa step is a school year of days (compiled.py)
    assert m.year_index == 3
    sy = m.records.tables()["school_year"]
    assert sy["year"].tolist() == [2025, 2026, 2027]


def test_cohorts_enter_at_k_and_leave_after_grade_5(traditional: LoadedScenario) -> None:
    res = run_scenario(traditional, years=8)
    cy = res.tables["cohort_year"]
    # every year: one cohort per grade, 75 students each
    for year in range(2025, 2033):
        rows = cy["year"] == year
        assert sorted(cy["grade"][rows].tolist()) == ["1", "2", "3", "4", "5", "K"]
        assert np.all(cy["students"][rows] == 75)
    # the cohort entering K in 2025 appears six years (K..5) and then is gone
    ent = cy["entry_year"] == 2025
    assert cy["year"][ent].tolist() == list(range(2025, 2031))
    assert cy["grade"][ent].tolist() == ["K", "1", "2", "3", "4", "5"]
    assert len(set(cy["cohort_id"][ent].tolist())) == 1


def test_experience_grows_one_year_per_year(traditional: LoadedScenario) -> None:
    res = run_scenario(traditional, years=3)
    ty = res.tables["teacher_year"]
    for tid in np.unique(ty["teacher_id"]):
        exp = ty["experience_years"][ty["teacher_id"] == tid]
        assert np.all(np.diff(exp) == 1)


@pytest.mark.parametrize("n", [1, 4])
def test_district_tables_have_one_row_per_school_year(rotating: LoadedScenario,
                                                      n: int) -> None:
    res = run_scenario(_district(rotating, n), years=2)
    assert len(res.tables["school_year"]["school_id"]) == 2 * n
    assert len(res.tables["teacher_year"]["teacher_id"]) == 2 * n * 28
    assert len(res.tables["run_summary"]["policy"]) == 1
