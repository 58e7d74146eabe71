"""Schools as environments: the professional environment, poverty acting only through
mechanisms, implementation over time, substitutes and cover, support teachers and
collaboration practices -- each mechanism on cases checkable by hand, then in the
model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from teachsim.config.parameters import (
    Collaboration,
    Coverage,
    Environment,
    Implementation,
    Retention,
)
from teachsim.config.policy import PRACTICES, DayTemplate, load_policy
from teachsim.config.scenario import SchoolProfile
from teachsim.mechanisms import (
    burnout,
    collaboration,
    coverage,
    environment,
    implementation,
    retention,
)
from teachsim.model.run import run_scenario
from teachsim.model.scenario import LoadedScenario
from tests.conftest import CONFIGS

# --- the environment -------------------------------------------------------------------


def test_environment_index_is_the_mean_of_its_factors() -> None:
    school = SchoolProfile(leadership=1.0, collegiality=0.5, expectations=-0.5, safety=0.2)
    assert school.environment == pytest.approx(0.3)
    assert environment.index(np.array([[1.0, 0.5, -0.5, 0.2]]))[0] == pytest.approx(0.3)


def test_better_environment_speeds_growth_by_the_published_rate() -> None:
    p = Environment()
    # Kraft & Papay 2014: 38% more improvement at the 75th than the 25th percentile,
    # 1.35 SD apart
    up, down = environment.growth_multiplier(np.array([0.675, -0.675]), p)
    assert up / down - 1 == pytest.approx(0.38, abs=0.06)
    assert environment.growth_multiplier(np.array([-100.0]), p)[0] == 0.1  # never reverses


def test_better_environment_cuts_moves_more_than_leaves() -> None:
    p = Environment()
    r = Retention()
    years = np.full(2, 5.0)
    b = np.full(2, r.burnout_reference)
    s = np.full(2, r.support_reference)
    env = np.array([0.0, 1.0])
    move, leave = environment.exit_shifts(env, p)
    probs = retention.probabilities(years, b, s, r, 0.0, move, leave)
    moves_cut = 1 - probs[1, retention.MOVE] / probs[0, retention.MOVE]
    leaves_cut = 1 - probs[1, retention.LEAVE] / probs[0, retention.LEAVE]
    assert moves_cut > 2 * leaves_cut > 0
    # the reference school keeps the published base rates
    assert probs[0, retention.MOVE] == pytest.approx(
        r.move_rates[1] * (1 - probs[0, retention.RETIRE]), rel=1e-9)


def test_environment_relieves_strain_and_draws_movers() -> None:
    p = Environment()
    assert environment.strain_relief(np.array([1.0]), p)[0] == pytest.approx(p.strain_buffer)
    w = environment.destination_weights(np.array([0.0, 1.0]), p)
    assert w[1] / w[0] == pytest.approx(np.exp(p.destination_preference))


def test_environment_moves_with_principals_support_and_turnover() -> None:
    p = Environment()
    f = np.zeros((3, 4))
    anchor = np.zeros((3, 4))
    new_principal = np.array([True, False, False])
    out, anchor2 = environment.update(
        f, anchor, new_principal, np.array([2.0, 2.0, 2.0]),
        support_gap=np.array([0.0, 0.4, 0.0]), new_share=np.array([0.16, 0.16, 0.5]),
        leader_fill=np.array([0.0, 1.0, 0.0]), p=p)
    # a new principal brings new leadership (0.5 SD x draw 2); others keep theirs
    assert anchor2[0, environment.LEADERSHIP] == pytest.approx(1.0)
    assert out[0, environment.LEADERSHIP] == pytest.approx(1.0)
    # filled leader posts add distributed leadership; expectations follow leadership
    assert out[1, environment.LEADERSHIP] == pytest.approx(p.teacher_leader_effect)
    assert out[1, environment.EXPECTATIONS] == pytest.approx(
        p.adjust_rate * p.expectations_leadership_effect * p.teacher_leader_effect)
    # good collaboration builds collegiality; heavy turnover erodes it
    assert out[1, environment.COLLEGIALITY] == pytest.approx(
        p.adjust_rate * p.collegiality_support_effect * 0.4)
    assert out[2, environment.COLLEGIALITY] == pytest.approx(
        -p.adjust_rate * p.collegiality_turnover_effect * (0.5 - 0.16))
    assert np.all(out[:, environment.SAFETY] == 0)


def test_generated_environments_are_worse_where_poverty_is_higher() -> None:
    from teachsim.model.streams import stream

    pov = np.linspace(0.05, 0.95, 4000)
    f = environment.draw(stream(1, "t"), pov, -1.5, 0.7, 0.5, 0.5)
    idx = environment.index(f)
    slope = np.polyfit(pov, idx, 1)[0]
    assert slope == pytest.approx(-1.5, abs=0.1)
    assert np.corrcoef(pov, idx)[0, 1] < -0.3


# --- poverty acts only through mechanisms ------------------------------------------------


def test_poverty_has_no_direct_exit_term() -> None:
    assert not [k for k in Retention.model_fields if "poverty" in k or "conditions" in k]


def test_poverty_raises_turnover_mostly_through_moves(traditional: LoadedScenario) -> None:
    from teachsim.analysis.calibration import _poverty_turnover, poverty_district_school_years

    sy = poverty_district_school_years(traditional, 120, [1], 6)
    hi, lo = _poverty_turnover(sy)
    assert 1.2 < hi / lo < 1.8
    high, low = sy["poverty_share"] >= 0.75, sy["poverty_share"] <= 0.25

    def rate(col: str, m: np.ndarray) -> float:
        return float(sy[col][m].sum() / sy["teachers"][m].sum())

    move_gap = rate("movers", high) - rate("movers", low)
    leave_gap = (rate("leavers", high) + rate("retirees", high)
                 - rate("leavers", low) - rate("retirees", low))
    assert move_gap > 2 * max(leave_gap, 0.0)  # NCES: 10.6% vs 6.4% movers, 2003-04
    # poorer schools also have worse environments and less substitute cover
    assert sy["environment"][high].mean() < sy["environment"][low].mean()
    assert sy["substitute_fill_rate"][high].mean() < sy["substitute_fill_rate"][low].mean()


def test_better_environment_in_the_model_raises_growth_and_cuts_moves_more_than_leaves(
        traditional: LoadedScenario) -> None:
    def run(level: float) -> dict[str, np.ndarray]:
        school = traditional.scenario.school.model_copy(update={
            f: level for f in environment.FACTORS})
        loaded = traditional.replace(school=school, district=traditional.scenario.district
                                     .model_copy(update={"n_schools": 20}))
        return run_scenario(loaded, seed=3, years=5).tables["school_year"]

    good, poor = run(1.0), run(-1.0)

    def rate(t: dict[str, np.ndarray], col: str) -> float:
        return float(t[col].sum() / t["teachers"].sum())

    assert good["practice_mean"].mean() > poor["practice_mean"].mean()
    moves = rate(poor, "movers") - rate(good, "movers")
    leaves = rate(poor, "leavers") - rate(good, "leavers")
    assert moves > 0 and moves > leaves
    assert good["burnout_prevalence"].mean() < poor["burnout_prevalence"].mean()


# --- implementation over time ---------------------------------------------------------


def test_fidelity_rises_with_readiness_support_and_volunteering() -> None:
    p = Implementation()
    zero = np.zeros(1, dtype=bool)
    one = np.ones(1, dtype=bool)
    base = implementation.fidelity(np.zeros(1), zero, zero, zero, p)[0]
    assert base == pytest.approx(1 / (1 + np.exp(-p.fidelity_base)))
    assert implementation.fidelity(np.ones(1), zero, zero, zero, p)[0] > base
    assert implementation.fidelity(np.zeros(1), one, zero, zero, p)[0] > base
    assert implementation.fidelity(np.zeros(1), zero, one, zero, p)[0] > base
    assert implementation.fidelity(np.zeros(1), zero, zero, one, p)[0] < base
    ready = implementation.readiness(np.array([1.0]), np.array([0.0]), np.array([0.85]), p)
    assert ready[0] == pytest.approx(0.5 + p.bench_weight * 0.2)


def test_maturity_follows_the_ramp_and_loses_ground_on_setbacks() -> None:
    p = Implementation()
    m = np.array([p.maturity_start])
    path = [m[0]]
    for _ in range(6):
        m = implementation.mature(m, p)
        path.append(m[0])
    assert np.all(np.diff(path) > 0) and path[-1] < 1
    # effect(t) = 1 - (1 - m0) exp(-t / tau)
    assert path[3] == pytest.approx(1 - (1 - p.maturity_start) * np.exp(-3 / p.maturity_years))
    hit = implementation.setback(np.array([0.8]), np.array([1.0]), np.array([0.1]), p)[0]
    assert hit == pytest.approx(0.8 * (1 - p.leader_loss_setback) * (1 - p.cancel_setback * 0.1))


@given(fid=st.floats(0, 1), mat=st.floats(0, 1), share=st.floats(0, 1))
def test_quality_is_between_unstructured_and_structured(fid: float, mat: float,
                                                         share: float) -> None:
    p = Collaboration()
    ss = implementation.structured_share(np.array([fid]), np.array([mat]), Implementation())
    q = collaboration.structure_quality(np.array([share]), p, ss)[0]
    assert p.quality_unstructured - 1e-12 <= q <= p.quality_structured + 1e-12


def test_each_practice_adds_a_fifth_and_the_urgent_takes_its_share() -> None:
    p = Collaboration()
    t = DayTemplate(collaboration=60, collaboration_practices=list(PRACTICES[:2]))
    assert t.practice_share == pytest.approx(0.4)
    assert DayTemplate(collaboration_structured=True).practice_share == 1.0
    q = collaboration.structure_quality(np.array([0.4]), p, 0.5)[0]
    assert q == pytest.approx(0.4 + 0.6 * 0.4 * 0.5)


def test_abandonment_falls_with_fidelity_and_rises_when_support_ends() -> None:
    p = Implementation()
    ref = implementation.reference_fidelity(p)
    h = implementation.abandon_hazard(np.array([ref, 0.95, ref]),
                                      np.array([True, True, False]), p)
    assert h[0] == pytest.approx(p.abandon_rate)
    assert h[1] < h[0] < h[2] == pytest.approx(p.abandon_rate * p.abandon_funding_end)


def _school_d(base: LoadedScenario, n: int = 8, **impl: Any) -> LoadedScenario:
    beh = base.scenario.behaviour
    return base.replace(
        district=base.scenario.district.model_copy(update={"n_schools": n}),
        behaviour=beh.model_copy(update={"implementation": beh.implementation.model_copy(
            update={"abandon_rate": 0.0, **impl})}))


def test_collaboration_quality_rises_over_the_first_years(rotating: LoadedScenario) -> None:
    sy = run_scenario(_school_d(rotating), seed=2, years=4).tables["school_year"]
    share = [sy["structured_time_share"][sy["year"] == y].mean() for y in np.unique(sy["year"])]
    assert np.all(np.diff(share) > 0)
    eff = [sy["effective_collaboration_minutes"][sy["year"] == y].mean()
           for y in np.unique(sy["year"])]
    assert eff[-1] > eff[0] * 1.2


def test_fidelity_below_one_shrinks_the_policy_effect(traditional: LoadedScenario,
                                                       rotating: LoadedScenario) -> None:
    base = run_scenario(_school_d(traditional), seed=5, years=4).tables["run_summary"]

    def effect(fidelity_base: float) -> dict[str, float]:
        r = run_scenario(_school_d(rotating, fidelity_base=fidelity_base, support_effect=0.0,
                                   readiness_effect=0.0), seed=5, years=4)
        s = r.tables["run_summary"]
        fid = float(r.tables["school_year"]["fidelity"].mean())
        return {"fidelity": fid, **{k: float(s[k][0] - base[k][0])
                                    for k in ("burnout_prevalence", "practice_mean")}}

    high, low = effect(6.0), effect(-1.0)
    assert high["fidelity"] > 0.99 and 0.2 < low["fidelity"] < 0.35
    # the design lowers burnout and raises practice; less with low fidelity
    assert high["burnout_prevalence"] < low["burnout_prevalence"] < 0.02
    assert high["practice_mean"] > low["practice_mean"]


def test_schools_abandon_at_about_the_published_rate(rotating: LoadedScenario) -> None:
    loaded = rotating.replace(district=rotating.scenario.district.model_copy(
        update={"n_schools": 200}))
    sy = run_scenario(loaded, seed=1, years=3).tables["school_year"]
    dropped = sy["abandons"].reshape(3, -1).any(axis=0).mean()
    # CRPE 2006 / Taylor 2006: about a third dropped a reform model within three years
    assert 0.15 < dropped < 0.45
    # a school that abandons runs the baseline again the next year
    y = np.unique(sy["year"])
    gone = sy["abandons"][sy["year"] == y[0]]
    assert not sy["adopted"][sy["year"] == y[1]][gone].any()


def test_pilots_volunteer_and_readiness_order_puts_ready_schools_first() -> None:
    from teachsim.config.scenario import Rollout
    from teachsim.model import rollout

    schools = [SchoolProfile(name=f"S{i}", leader_bench=b, leadership=lead,
                             poverty_share=pov)
               for i, (b, lead, pov) in enumerate([(0.4, -1.0, 0.9), (0.9, 0.5, 0.2),
                                                   (0.6, 1.5, 0.5)])]
    order = rollout.order(schools, "readiness", 1, Implementation())
    assert order.tolist() == [1, 2, 0]  # readiness 1.88, 0.6, -1.1
    assert rollout.order(schools, "need", 1).tolist() == [0, 2, 1]
    r = Rollout(strategy="pilot_then_scale", pilots=1, pilot_years=1, scale_per_year=2,
                order="readiness")
    adopt = rollout.plan(schools, r, 4, 1, Implementation())
    assert rollout.volunteers(schools, r, adopt).tolist() == [False, True, False]


def test_stipends_that_end_thin_the_leader_bench(rotating: LoadedScenario) -> None:
    thin = rotating.scenario.school.model_copy(update={"leader_bench": 0.4})

    def unfilled(stipend_years: int) -> float:
        loaded = _school_d(rotating.replace(
            school=thin, staffing=rotating.scenario.staffing.model_copy(
                update={"stipend_years": stipend_years})), n=10)
        sy = run_scenario(loaded, seed=4, years=6).tables["school_year"]
        late = sy["year"] >= sy["year"].min() + 3
        assert stipend_years == 0 or sy["stipends"][late].sum() == 0
        return float(sy["leader_posts_unfilled"][late].mean())

    assert unfilled(2) > unfilled(0)


# --- substitutes and cover ---------------------------------------------------------


def test_fill_rate_falls_with_poverty_and_unfilled_absences_split() -> None:
    p = Coverage()
    rate = coverage.fill_rate(0.82, np.array([0.1, 0.5, 0.9]), 0.5, p)
    assert rate.tolist() == pytest.approx([0.92, 0.82, 0.72])
    covered, lost = coverage.split_unfilled(np.array([300.0]), p)
    assert covered[0] == pytest.approx(180.0) and lost[0] == pytest.approx(60.0)
    assert coverage.homerooms_per_specials_teacher(np.array([18, 6]), np.array([3, 3])
                                                   ).tolist() == [6, 2]


def test_a_substitute_shortage_raises_colleagues_load(rotating: LoadedScenario) -> None:
    def run(fill: float) -> dict[str, np.ndarray]:
        loaded = _school_d(rotating, n=6).replace(
            district=rotating.scenario.district.model_copy(
                update={"n_schools": 6, "substitute_fill_rate": fill}))
        return run_scenario(loaded, seed=7, years=3).tables

    short, ample = run(0.5), run(0.95)
    ts, ta = short["teacher_year"], ample["teacher_year"]
    ss, sa = short["school_year"], ample["school_year"]
    assert ss["substitute_fill_rate"].mean() == pytest.approx(0.5, abs=0.05)
    assert sa["substitute_fill_rate"].mean() == pytest.approx(0.95, abs=0.03)
    assert ts["minutes_covering_colleagues"].mean() > 5 * ta["minutes_covering_colleagues"].mean()
    assert ss["blocks_cancelled"].sum() > 5 * max(sa["blocks_cancelled"].sum(), 1)
    assert ss["collaboration_minutes_cancelled"].sum() > sa["collaboration_minutes_cancelled"].sum()
    assert ts["minutes_after_hours"].mean() > ta["minutes_after_hours"].mean()
    assert (ss["instruction_minutes_lost_combined"].sum()
            > sa["instruction_minutes_lost_combined"].sum())
    # unfilled absences cost no substitute
    assert ss["substitute_days_short_term"].sum() < sa["substitute_days_short_term"].sum()


def test_every_absence_is_filled_or_not(traditional: LoadedScenario) -> None:
    ty = run_scenario(traditional, seed=2, years=2).tables["teacher_year"]
    np.testing.assert_array_equal(ty["substitute_days"] + ty["absences_unfilled"],
                                  ty["absence_days"])


# --- staffing as it is ----------------------------------------------------------------


def test_school_d_pupils_per_teacher_is_in_the_national_range(
        traditional: LoadedScenario) -> None:
    school = traditional.scenario.school
    assert school.teachers == 28
    # NCES Digest: 15.0 (2021, elementary) to 15.8 (2019); School D's homerooms of 25
    # (national self-contained average 21) put it a little above
    assert 15.0 <= school.students / school.teachers <= 16.5
    sy = run_scenario(traditional, seed=1, years=2).tables["school_year"]
    assert np.all((sy["pupils_per_teacher"] >= 15.0) & (sy["pupils_per_teacher"] <= 17.0))


def test_breaks_relieve_strain() -> None:
    from teachsim.config.parameters import Burnout

    p = Burnout()
    work = np.array([450.0])
    plain = burnout.strain_logit(work, p, 0.0)[0]
    rest = burnout.strain_logit(work, p, 30.0)[0]
    assert rest == pytest.approx(plain - 3 * p.break_relief)


def test_duties_consume_para_time_or_buy_it(rotating: LoadedScenario) -> None:
    sy = run_scenario(rotating, seed=1, years=1).tables["school_year"]
    # rotating release moves duties off teachers: paraprofessionals take what other staff
    # and support teachers do not (810 needed - 210 other staff - 7 x 45 support)
    assert sy["para_duty_minutes_per_day"][0] == pytest.approx(810 - 210 - 7 * 45)
    short = rotating.scenario.school.model_copy(update={"paraprofessionals": 1.0})
    staffing = rotating.scenario.staffing.model_copy(update={"duty_cover": "hire_paras"})
    bought = run_scenario(rotating.replace(school=short, staffing=staffing), seed=1,
                          years=1).tables["school_year"]
    # 285 minutes a day, 150 of them taken by the one para: 0.9 FTE more at 150 each
    assert bought["paras_fte"][0] == pytest.approx(1.0 + 0.9)
    assert bought["duty_minutes_uncovered_per_day"][0] == 0


def test_a_science_special_hires_specials_teachers_at_adoption(
        rotating: LoadedScenario) -> None:
    staffing = rotating.scenario.staffing.model_copy(update={"specials_teachers_change": 1})
    sy = run_scenario(rotating.replace(staffing=staffing), seed=1, years=2
                      ).tables["school_year"]
    assert sy["specials_teachers"].tolist() == [4, 4]
    assert sy["teachers_added_at_adoption"].tolist() == [1, 1]


def test_roster_takes_enrolment_and_environment(tmp_path: Any) -> None:
    from teachsim.model.scenario import load_scenario

    (tmp_path / "r.csv").write_text("name,enrolment,poverty_share,leadership,safety\n"
                                    "A,300,0.8,-0.5,-1\nB,600,0.2,0.5,0.4\n")
    (tmp_path / "s.toml").write_text(f'extends = "{CONFIGS / "school_d.toml"}"\n'
                                     '[district]\nroster = "r.csv"\n')
    a, b = load_scenario(tmp_path / "s.toml").schools
    assert (a.homerooms_per_grade, b.homerooms_per_grade) == (2, 4)
    assert (a.leadership, a.safety, a.environment) == (-0.5, -1.0, -0.375)
    assert b.sped_teachers == 4 and a.specials_teachers == 2


def test_policy_days_must_fill_the_contract_day(tmp_path: Any) -> None:
    from teachsim.config.errors import ConfigError
    from teachsim.model.scenario import load_scenario

    pol = load_policy(CONFIGS / "policies" / "traditional.toml")
    assert pol.roles.homeroom.days["planning"].total() == 460
    text = (CONFIGS / "policies" / "traditional.toml").read_text().replace(
        "other = 60\nstudents_with_specials = 50", "other = 30\nstudents_with_specials = 50", 1)
    (tmp_path / "short.toml").write_text(text)
    (tmp_path / "s.toml").write_text(f'extends = "{CONFIGS / "school_d.toml"}"\n'
                                     '[schedule]\npolicy = "short.toml"\n')
    with pytest.raises(ConfigError) as err:
        load_scenario(tmp_path / "s.toml")
    msg = str(err.value)
    assert "roles.homeroom.days.planning" in msg and "430 of the 460-minute" in msg
    assert "add 30 minutes" in msg
