"""Seed 002's accounting and the traditional week, checked on the compiled schedules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teachsim.config.policy import ACTIVITIES
from teachsim.model.calendar import DayKind
from teachsim.model.scenario import LoadedScenario
from teachsim.model.schedule import compile_schedule

TEACH = ACTIVITIES.index("teaching")
PLAN = ACTIVITIES.index("individual_planning")
COLLAB = ACTIVITIES.index("collaboration")
DUTY = ACTIVITIES.index("duties")
PD = ACTIVITIES.index("pd")


def test_rotating_release_teaching_330_330_185(rotating: LoadedScenario) -> None:
    comp = compile_schedule(rotating.scenario, rotating.policy)
    for grade in comp.school.grades:
        k = comp.class_index("homeroom", grade)
        teaching = sorted(comp.templates[comp.cycle_rows[:, k], TEACH].tolist())
        assert teaching == [185, 330, 330]


def test_150_minute_block_every_third_student_day(rotating: LoadedScenario) -> None:
    comp = compile_schedule(rotating.scenario, rotating.policy)
    sdays = comp.calendar.student_days()
    for grade in comp.school.grades:
        k = comp.class_index("homeroom", grade)
        collab = comp.templates[comp.year_rows[sdays, k], COLLAB]
        release = np.flatnonzero(collab > 0)
        assert set(collab[release].tolist()) == {150}
        assert np.all(np.diff(release) == 3)  # exactly every third student day
        assert len(release) == 60  # 180 student days / 3
        # Students are with specials for the whole block.
        rows = comp.year_rows[sdays[release], k]
        assert np.all(comp.students_with_specials[rows] == 150)


def test_two_grade_teams_released_each_day_one_morning_one_afternoon(
        rotating: LoadedScenario) -> None:
    comp = compile_schedule(rotating.scenario, rotating.policy)
    for c in range(3):
        released = [a for a in rotating.policy.assign if a.cycle_day == c + 1]
        assert sorted(a.slot for a in released) == ["afternoon", "morning"]
        homes = [comp.class_index("homeroom", g) for g in comp.school.grades]
        n_release = int((comp.templates[comp.cycle_rows[c, homes], COLLAB] == 150).sum())
        assert n_release == 2


def test_students_minutes_within_one_percent_of_traditional(
        rotating: LoadedScenario, traditional: LoadedScenario) -> None:
    rot = compile_schedule(rotating.scenario, rotating.policy).student_minutes_by_grade()
    trad = compile_schedule(traditional.scenario, traditional.policy).student_minutes_by_grade()
    assert np.all(np.abs(rot / trad - 1) < 0.01)
    # and the numbers themselves: 180 days x 330, and 60 x (330 + 330 + 335)
    assert trad.tolist() == [59400.0] * 6
    assert rot.tolist() == [59700.0] * 6


def test_specials_cover_school_d(rotating: LoadedScenario) -> None:
    comp = compile_schedule(rotating.scenario, rotating.policy)
    assert comp.feasible()
    assert all(c.largest_slot_homerooms == 3 for c in comp.coverage)


def test_specials_refused_with_two_specials_teachers(rotating: LoadedScenario) -> None:
    school = rotating.scenario.school.model_copy(update={"specials_teachers": 2})
    scen = rotating.scenario.model_copy(update={"school": school})
    comp = compile_schedule(scen, rotating.policy)
    assert not comp.feasible()
    assert "only 2 specials teachers" in comp.problems()[0]


def test_traditional_weekly_minutes(traditional: LoadedScenario) -> None:
    comp = compile_schedule(traditional.scenario, traditional.policy)
    week = comp.weekly_in_day_by_class()[comp.class_index("homeroom", "K")]
    assert week[TEACH] == 5 * 280
    assert week[PLAN] == 4 * 45
    assert week[COLLAB] == 45
    assert week[DUTY] == 5 * 45
    assert week.sum() == 5 * traditional.scenario.school.contract_day_minutes
    # Monthly 90-minute after-school PD: 9 x 90 minutes over 36 school weeks.
    beyond = comp.weekly_beyond_by_class()[comp.class_index("homeroom", "K")]
    assert beyond[PD] == pytest.approx(9 * 90 / 36)
    # about 38.4 contract hours a week (NCES NTPS 2020-21)
    assert week.sum() / 60 == pytest.approx(38.4, abs=0.2)


def test_traditional_team_block_is_friday(traditional: LoadedScenario) -> None:
    comp = compile_schedule(traditional.scenario, traditional.policy)
    k = comp.class_index("homeroom", "3")
    sdays = comp.calendar.student_days()
    collab_days = sdays[comp.templates[comp.year_rows[sdays, k], COLLAB] > 0]
    assert set((collab_days % 7).tolist()) == {4}


def test_early_release_students_lose_minutes(traditional: LoadedScenario) -> None:
    from teachsim.config.paths import config_dir
    from teachsim.config.policy import load_policy

    pol = load_policy(config_dir() / "policies" / "early_release_monthly.toml")
    comp = compile_schedule(traditional.scenario, pol)
    base = compile_schedule(traditional.scenario, traditional.policy)
    diff = comp.student_minutes_by_grade() - base.student_minutes_by_grade()
    assert diff.tolist() == [-9 * 120] * 6
    assert comp.feasible()


def test_every_template_fills_exactly_the_contract_day(
        traditional: LoadedScenario) -> None:
    from teachsim.config.paths import config_dir
    from teachsim.config.policy import load_policy

    minutes = traditional.scenario.school.contract_day_minutes
    for path in sorted((config_dir() / "policies").glob("*.toml")):
        comp = compile_schedule(traditional.scenario, load_policy(path))
        totals = comp.templates[1:].sum(axis=1)  # row 0 is the day off
        assert np.all(totals == minutes), path.name


def test_yearly_minutes_add_up(rotating: LoadedScenario) -> None:
    """Year = sum over contract days; every contract day is a full contract day."""
    comp = compile_schedule(rotating.scenario, rotating.policy)
    yearly = comp.yearly_by_class()
    day = rotating.scenario.school.contract_day_minutes
    assert np.all(yearly.sum(axis=1) == comp.calendar.n_contract_days * day)
    off = ~np.isin(comp.calendar.kind, (DayKind.STUDENT, DayKind.TEACHER_ONLY))
    assert np.all(comp.year_rows[off] == 0)


@settings(max_examples=40, deadline=None)
@given(homerooms=st.integers(1, 6), specials=st.integers(0, 8))
def test_feasibility_matches_slot_arithmetic(rotating: LoadedScenario, homerooms: int,
                                             specials: int) -> None:
    """Rotating release is coverable iff a released grade's homerooms each get a specials
    teacher at once, and two 150-minute blocks fit the specials teachers' 300 minutes."""
    school = rotating.scenario.school.model_copy(
        update={"homerooms_per_grade": homerooms, "specials_teachers": specials})
    scen = rotating.scenario.model_copy(update={"school": school})
    comp = compile_schedule(scen, rotating.policy)
    expected = specials >= homerooms and 2 * homerooms * 150 <= specials * 300
    assert comp.feasible() == expected
