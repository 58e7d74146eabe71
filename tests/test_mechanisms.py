"""Each mechanism on its own: bounds, monotonicity and hand-checkable numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teachsim.config.parameters import (
    Absence,
    Burnout,
    Collaboration,
    Hiring,
    Leadership,
    Practice,
    Retention,
    TimeUse,
)
from teachsim.mechanisms import (
    absence,
    burnout,
    collaboration,
    hiring,
    leadership,
    practice,
    retention,
)
from teachsim.mechanisms.timeuse import after_hours_minutes
from teachsim.model.streams import stream

minutes = st.floats(0, 900, allow_nan=False)
unit = st.floats(0, 1, allow_nan=False)


@given(st.lists(st.tuples(st.booleans(), minutes), min_size=1, max_size=60), unit)
def test_burnout_stays_between_zero_and_one(days: list[tuple[bool, float]], b0: float
                                            ) -> None:
    p = Burnout()
    b = np.array([b0])
    for work, load in days:
        if work:
            target = burnout.logistic(burnout.strain_logit(np.array([load]), p))
            b = burnout.work_day(b, target, p.rate_work)
        else:
            b = burnout.rest_days(b, p.rate_rest)
        assert 0.0 <= b[0] <= 1.0


@given(minutes, minutes)
def test_more_work_means_no_less_burnout(a: float, extra: float) -> None:
    p = Burnout()
    b = np.array([0.3])
    lo = burnout.work_day(b, burnout.logistic(burnout.strain_logit(np.array([a]), p)),
                          p.rate_work)
    hi = burnout.work_day(b, burnout.logistic(burnout.strain_logit(np.array([a + extra]),
                                                                   p)), p.rate_work)
    assert hi[0] >= lo[0]


def test_rest_recovers_geometrically() -> None:
    assert burnout.rest_days(np.array([0.5]), 0.04, days=2)[0] == 0.5 * 0.96 ** 2


@given(unit, unit)
def test_absence_rises_with_burnout(b1: float, b2: float) -> None:
    p = Absence()
    prop = np.array([1.0])
    lo, hi = sorted([b1, b2])
    assert absence.probability(prop, np.array([lo]), p) <= absence.probability(
        prop, np.array([hi]), p)


def test_appointments_only_move_where_schedule_has_release_blocks() -> None:
    p = Absence()
    u = np.linspace(0, 0.2, 2001)
    prob = np.full_like(u, 0.1)
    absent_trad, moved_trad = absence.draw(u, prob, np.zeros_like(u, bool), p)
    absent_rot, moved_rot = absence.draw(u, prob, np.ones_like(u, bool), p)
    assert not moved_trad.any()
    assert (absent_trad.sum() - absent_rot.sum()) == moved_rot.sum() > 0
    # share moved = appointment share x move share
    assert abs(moved_rot.sum() / absent_trad.sum() - 0.25 * 0.8) < 0.01


def test_absence_propensities_have_mean_one() -> None:
    x = absence.propensities(stream(1, "t"), 200_000, Absence())
    assert abs(x.mean() - 1) < 0.01


@settings(max_examples=60)
@given(st.floats(0, 45), unit, unit, st.booleans())
def test_retention_probabilities(years: float, b: float, support: float, leader: bool
                                 ) -> None:
    p = Retention()
    probs = retention.probabilities(np.array([years]), np.array([b]), np.array([support]),
                                    p, -0.3 * leader)[0]
    assert np.all(probs >= 0)
    assert abs(probs.sum() - 1) < 1e-12
    worse = retention.probabilities(np.array([years]), np.array([min(1.0, b + 0.2)]),
                                    np.array([support]), p, -0.3 * leader)[0]
    assert worse[retention.MOVE] >= probs[retention.MOVE] - 1e-12
    assert worse[retention.LEAVE] >= probs[retention.LEAVE] - 1e-12


def test_retention_at_reference_gives_the_nces_rates() -> None:
    p = Retention()
    years = np.array([1.0, 6.0, 12.0, 20.0])
    probs = retention.probabilities(years, np.full(4, p.burnout_reference),
                                    np.full(4, p.support_reference), p)
    retire = retention.retire_probability(years, p)
    np.testing.assert_allclose(probs[:, retention.MOVE] / (1 - retire), p.move_rates)
    np.testing.assert_allclose(probs[:, retention.LEAVE] / (1 - retire), p.leave_rates)


def test_decide_follows_cumulative_probabilities() -> None:
    probs = np.array([[0.7, 0.1, 0.15, 0.05]] * 4)
    u = np.array([0.0, 0.75, 0.9, 0.99])
    assert retention.decide(u, probs).tolist() == [0, 1, 2, 3]


def test_experience_curve_is_concave_and_increasing() -> None:
    p = Practice()
    e = np.arange(0, 31, dtype=float)
    curve = practice.experience_curve(e, p)
    steps = np.diff(curve)
    assert np.all(steps > 0)
    assert np.all(np.diff(steps) <= 1e-12)
    assert curve[2] - curve[0] > 0.5 * (curve[10] - curve[0])


@given(st.floats(0, 20000), st.floats(0, 20000))
def test_more_effective_collaboration_no_less_growth(c1: float, c2: float) -> None:
    p = Practice()
    lo, hi = sorted([c1, c2])
    args = (np.array([3.0]), np.array([1.0]))
    stock, b = np.array([0.01]), np.array([0.4])
    g_lo = sum(practice.yearly_growth(*args, np.array([lo]), stock, b, p))
    g_hi = sum(practice.yearly_growth(*args, np.array([hi]), stock, b, p))
    assert g_hi[0] >= g_lo[0]


def test_burnout_drags_growth() -> None:
    p = Practice()
    args = (np.array([2.0]), np.array([1.0]), np.array([3000.0]), np.array([0.0]))
    assert sum(practice.yearly_growth(*args, np.array([0.9]), p))[0] < sum(
        practice.yearly_growth(*args, np.array([0.1]), p))[0]


@given(st.floats(0, 0.2))
def test_collaboration_gains_stop_at_the_ceiling(stock: float) -> None:
    p = Practice()
    _, gain = practice.yearly_growth(np.array([5.0]), np.array([1.0]),
                                     np.array([1e6]), np.array([stock]), np.array([0.0]), p)
    assert 0 <= gain[0] <= p.collab_gain_max
    assert stock + gain[0] <= max(stock, p.collab_ceiling) + 1e-12


def test_growth_rates_differ_two_to_three_fold() -> None:
    _, rate = practice.initial(stream(3, "t"), np.zeros(100_000), Practice())
    p10, p90 = np.percentile(rate, [10, 90])
    assert 2.0 <= p90 / p10 <= 3.0
    assert abs(rate.mean() - 1) < 0.01


def test_structured_facilitated_collaboration_is_worth_more() -> None:
    p = Collaboration()
    structured = collaboration.structure_quality(np.array([True, False]), p)
    assert structured[0] > structured[1]
    fac = collaboration.facilitation(np.array([0.0, 1.0, 0.5]),
                                     np.array([True, True, False]), p)
    assert fac[2] < fac[0] < fac[1]  # missing leader < weakest leader < strongest


@given(minutes, minutes, minutes, st.floats(0, 300))
def test_after_hours_work(teaching: float, planning: float, collab: float, more: float
                          ) -> None:
    p = TimeUse()
    base = after_hours_minutes(np.array([teaching]), np.array([planning]),
                               np.array([collab]), np.array([True]), 1.0, p)[0]
    assert base >= 0
    more_planning = after_hours_minutes(np.array([teaching]), np.array([planning + more]),
                                        np.array([collab]), np.array([True]), 1.0, p)[0]
    more_teaching = after_hours_minutes(np.array([teaching + more]), np.array([planning]),
                                        np.array([collab]), np.array([True]), 1.0, p)[0]
    assert more_planning <= base <= more_teaching


def test_after_hours_by_hand() -> None:
    p = TimeUse()  # 0.5 min of prep per teaching minute, 90 min of admin
    got = after_hours_minutes(np.array([280.0]), np.array([45.0]), np.array([0.0]),
                              np.array([False]), 1.0, p)
    assert got[0] == 0.5 * 280 + 90 - 45


def test_hiring_unfilled_share() -> None:
    p = Hiring()
    novice, unfilled = hiring.school_rates(np.array([0.5]), np.zeros(1), 0.5, p)
    assert novice[0] == pytest.approx(0.45) and unfilled[0] == pytest.approx(0.04)
    n = 100_000
    filled, years = hiring.fill(stream(5, "t"), np.full(n, novice[0]), np.full(n, unfilled[0]),
                                p)
    assert abs((~filled).mean() - 0.04) < 0.005
    assert abs((years == 0).mean() - 0.45) < 0.01


def test_poorer_schools_and_worse_environments_hire_more_novices_and_fill_fewer_posts(
        ) -> None:
    p = Hiring()
    # at 100% vs 0% low-income: odds x e^(1.0 * 0.5) and e^(-1.0 * 0.5) around 0.45
    novice, unfilled = hiring.school_rates(np.array([1.0, 0.0, 0.5, 0.5]),
                                           np.array([0.0, 0.0, -1.0, 1.0]), 0.5, p)
    odds = novice / (1 - novice)
    assert odds[0] / odds[1] == pytest.approx(np.exp(p.novice_poverty_effect))
    assert odds[2] / odds[3] == pytest.approx(np.exp(2 * p.novice_environment_effect))
    assert unfilled[0] > unfilled[2] > 0.04 > unfilled[3] > unfilled[1]


def test_leaders_are_the_best_judged_eligible_teachers_of_each_team() -> None:
    # Two teams of three; team 0 has one post, team 1 two. Row 1 is team 0's best judged
    # but not eligible; row 5 is eligible but below rows 3 and 4.
    judged = np.array([0.2, 0.9, 0.5, 0.3, 0.7, 0.1])
    eligible = np.array([True, False, True, True, True, True])
    team = np.array([0, 0, 0, 1, 1, 1])
    posts = np.array([1, 1, 1, 2, 2, 2])
    assert sorted(leadership.choose(judged, eligible, team, posts)) == [2, 3, 4]
    assert leadership.choose(judged, np.zeros(6, dtype=bool), team, posts).size == 0


def test_leader_eligibility_needs_every_condition() -> None:
    p = Leadership(min_willingness=0.5)
    yes = np.ones(5, dtype=bool)
    got = leadership.eligible(yes, np.array([3.0, 2.0, 5.0, 5.0, 5.0]),
                              np.array([0.6, 0.9, 0.4, 0.9, 0.9]), yes,
                              np.array([True, True, True, True, False]), 3, p)
    assert got.tolist() == [True, False, False, True, False]


def test_team_skill_is_the_mean_of_its_leaders_percentile_ranks() -> None:
    practice = np.array([0.0, 0.1, 0.2, 0.3])
    skill = leadership.skill(practice, np.array([2, 3]))
    assert skill.tolist() == [0.5, 0.75]
    mean, has = leadership.team_skill(np.array([1, 1]), skill, 3)
    assert mean.tolist() == [0.0, 0.625, 0.0] and has.tolist() == [False, True, False]
