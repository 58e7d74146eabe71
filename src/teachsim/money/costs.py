"""The cost model: a ledger of every line item per school and year, and a
budget-neutrality verdict.

Lines are computed from a run's school-year table (what the simulation produced: leaders,
support staff, substitute days, exits, PD hours) and the scenario's prices (``[costs]``):

- *investment*: teacher-leader stipends, other role stipends (aspiring leaders, mentors,
  pairing partners), payroll tax and retirement on them, start-up lines in a school's
  first years on the policy, teachers hired at adoption (staffing.specials_teachers_change,
  at the average salary), and the policy's programs: coaches, coaching beyond the
  contract day, micro-credential and tuition stipends, residencies. A program the
  baseline policy also runs is a *simulated* operating cost of the schools not on the
  policy;
- *trade-off*: changes in clerk and paraprofessional FTE, and after-school PD no longer
  held, relative to the school before it adopted (negative amounts are savings);
- *simulated*: substitutes (short- and long-term) and turnover (leavers, moves out of and
  within the district) as the model produced them. They are operating costs of every
  school, adopting or not; compare them between arms (or with a baseline run) rather than
  within one run;
- *payroll*: teachers' salaries by experience step, grown each year, times the benefits
  load -- it changes with policy through who stays (experienced teachers cost more).

The verdict compares investments with trade-offs: budget-neutral when the net is at most
``neutral_tolerance``; otherwise it misses by the net. Stipend payroll load has a low and
a high variant (seed 002: 10-20%), carried as ``amount_low`` / ``amount_high``.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.scenario import Scenario
from teachsim.model.records import Table

INVESTMENT, TRADE_OFF, SIMULATED, PAYROLL = "investment", "trade-off", "simulated", "payroll"


#: LPI's three district-size bands (students): where each band's figure applies in full
#: under the smooth rule -- the band's geometric middle (1,000-10,000; 10,000-50,000;
#: 50,000-500,000)
BAND_CENTRES = (10 ** 3.5, (10_000 * 50_000) ** 0.5, (50_000 * 500_000) ** 0.5)
#: where LPI's bands meet, for the rule as published
BAND_EDGES = (10_000, 50_000)


def turnover_cost_per_leaver(students: float | np.ndarray, costs: object) -> np.ndarray:
    """Cost per teacher leaving the district ($, price year) at a district enrolment.

    LPI 2024 gives one figure per size band. The "smooth" rule interpolates them on log
    enrolment between the bands' centres and holds them flat beyond, so that a district
    growing past 10,000 pupils does not see its cost per leaver jump 39%; "bands" applies
    them as published (under 10,000 / 10,000-50,000 / over 50,000).
    """
    figures = np.array([costs.turnover_cost_small, costs.turnover_cost_medium,  # type: ignore[attr-defined]
                        costs.turnover_cost_large])  # type: ignore[attr-defined]
    n = np.maximum(np.asarray(students, dtype=float), 1.0)
    if costs.turnover_cost_by_size == "bands":  # type: ignore[attr-defined]
        return figures[np.searchsorted(BAND_EDGES, n, side="right")
                       - (n == BAND_EDGES[1])]
    return np.interp(np.log(n), np.log(BAND_CENTRES), figures)


def price_index(year: np.ndarray, scenario: Scenario) -> np.ndarray:
    """Dollars of ``year`` per dollar of the price year: every price and salary grows
    by ``costs.salary_growth`` a year from ``costs.price_year`` (default: the run's first
    year), so all money lines share one price basis."""
    c = scenario.costs
    base = scenario.run.start_year if c.price_year is None else c.price_year
    return (1 + c.salary_growth) ** (np.asarray(year, dtype=float) - base)


def ledger(sy: Table, scenario: Scenario) -> Table:
    """Long table: one row per school, year and line item."""
    c = scenario.costs
    sal = scenario.salaries
    n_grades = len(scenario.school.grades)
    year = sy["year"]
    growth = price_index(year, scenario)
    # stipends are priced like salaries unless the district fixes them in dollars
    stipend_growth = growth if c.stipends_follow_salaries else np.ones(len(year))
    students_by_year = {y: sy["students"][year == y].sum() for y in np.unique(year)}
    district = np.array([c.district_students or students_by_year[y] for y in year], float)
    per_leaver = turnover_cost_per_leaver(district, c) * growth
    stipends = sy["stipends"].astype(float) * stipend_growth
    k = np.where(sy["in_startup"], sy["years_since_adoption"] + 1, 0)

    lines: list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(name: str, cat: str, amount: np.ndarray, low: np.ndarray | None = None,
            high: np.ndarray | None = None) -> None:
        amount = np.asarray(amount, dtype=float)
        lines.append((name, cat, amount, amount if low is None else low,
                      amount if high is None else high))

    add("teacher-leader stipends", INVESTMENT, stipends)
    adopted = sy["adopted"]
    on_policy = np.where(adopted, 1.0, 0.0)
    programs = {
        "other stipends (aspiring leaders, mentors, pairing partners)":
            (sy["other_stipends"] * stipend_growth, True),
        "instructional coaches": (sy["coach_salaries"] * growth * c.benefits_teacher, False),
        "coaching beyond the contract day":
            (sy["coaching_hours_beyond_contract"] * c.pd_hourly_rate * growth, False),
        "micro-credential and tuition stipends": (sy["pd_stipends"] * stipend_growth,
                                                  False),
        "teacher residencies": (sy["residency_costs"] * growth, False),
    }
    loaded_stipends = stipends.copy()
    for name, (amount, payroll) in programs.items():
        amount = np.asarray(amount, dtype=float)
        if not amount.any():
            continue
        add(name, INVESTMENT, amount * on_policy)
        if (amount * (1 - on_policy)).any():
            add(f"{name} (baseline policy)", SIMULATED, amount * (1 - on_policy))
        if payroll:
            loaded_stipends = loaded_stipends + amount * on_policy
    add("payroll tax and retirement on stipends", INVESTMENT,
        loaded_stipends * c.stipend_payroll_load, loaded_stipends * c.stipend_payroll_load_low,
        loaded_stipends * c.stipend_payroll_load_high)
    leader_posts = np.where(sy["adopted"], scenario.staffing.leaders_per_grade * n_grades, 0)
    for line in c.startup:
        units = {"school": np.ones(len(year)), "leader": leader_posts,
                 "teacher": sy["teachers"]}[line.per]
        add(f"start-up: {line.name}", INVESTMENT,
            np.where(np.isin(k, line.years), line.amount * units * growth, 0.0))
    if np.any(sy["teachers_added_at_adoption"]):
        # teachers hired at adoption (a science special): priced at the average salary;
        # their actual pay is also in the payroll line, which the verdict leaves out
        add("teachers added at adoption", INVESTMENT,
            sy["teachers_added_at_adoption"] * sal.teacher_average * growth
            * c.benefits_teacher)
    add("clerk FTE change", TRADE_OFF,
        (sy["clerks_fte"] - sy["clerks_fte_before"]) * sal.clerk * growth * c.benefits_office)
    add("paraprofessional FTE change", TRADE_OFF,
        (sy["paras_fte"] - sy["paras_fte_before"]) * sal.paraprofessional * growth
        * c.benefits_office)
    add("after-school PD", TRADE_OFF,
        (sy["pd_hours_beyond_contract"] - sy["baseline_pd_hours_beyond_contract"])
        * c.pd_hourly_rate * growth
        + (sy["pd_sessions_beyond_contract"] - sy["baseline_pd_sessions_beyond_contract"])
        * c.pd_session_cost * growth)
    add("teacher salaries and benefits", PAYROLL,
        sy["teacher_salaries"] * growth * c.benefits_teacher)
    add("short-term substitutes", SIMULATED,
        sy["substitute_days_short_term"] * c.substitute_daily_rate * growth)
    add("long-term substitutes (vacancies)", SIMULATED,
        sy["substitute_days_long_term"] * c.long_term_substitute_daily_rate * growth)
    add("turnover: teachers leaving the district", SIMULATED,
        (sy["leavers"] + sy["retirees"] + sy["movers_out_of_district"]) * per_leaver)
    add("turnover: moves within the district", SIMULATED,
        sy["movers_within_district"] * per_leaver * c.in_district_move_cost_share)

    n = len(year)
    return {
        "scenario": np.repeat(sy["scenario"], len(lines)) if "scenario" in sy else
        np.full(n * len(lines), scenario.name, dtype=object),
        "year": np.repeat(year, len(lines)),
        "school_id": np.repeat(sy["school_id"], len(lines)),
        "school": np.repeat(sy["school"], len(lines)),
        "line": np.tile(np.array([ln[0] for ln in lines], dtype=object), n),
        "category": np.tile(np.array([ln[1] for ln in lines], dtype=object), n),
        "amount": np.stack([ln[2] for ln in lines], axis=1).ravel(),
        "amount_low": np.stack([ln[3] for ln in lines], axis=1).ravel(),
        "amount_high": np.stack([ln[4] for ln in lines], axis=1).ravel(),
    }


def verdicts(led: Table, sy: Table, scenario: Scenario) -> Table:
    """Per school and year: investments, trade-offs, net (low/expected/high) and the
    budget-neutrality verdict (for schools on the policy)."""
    keys = np.stack([led["year"], led["school_id"]], axis=1)
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.ravel()

    def total(cat: str, col: str = "amount") -> np.ndarray:
        return np.bincount(inv, weights=np.where(led["category"] == cat, led[col], 0.0),
                           minlength=len(uniq))

    investments = total(INVESTMENT)
    trade_offs = total(TRADE_OFF)
    net = investments + trade_offs
    net_low = total(INVESTMENT, "amount_low") + total(TRADE_OFF, "amount_low")
    net_high = total(INVESTMENT, "amount_high") + total(TRADE_OFF, "amount_high")
    simulated = total(SIMULATED)
    payroll = total(PAYROLL)
    order = np.lexsort((sy["school_id"], sy["year"]))
    adopted = sy["adopted"][order]
    tol = scenario.costs.neutral_tolerance
    verdict = np.where(~adopted, "not on the policy",
                       np.where(net <= tol, "budget-neutral", "misses"))
    return {
        "year": uniq[:, 0],
        "school_id": uniq[:, 1],
        "school": sy["school"][order],
        "adopted": adopted,
        "in_startup": sy["in_startup"][order],
        "investments": investments,
        "trade_offs": trade_offs,
        "net_impact": net,
        "net_impact_low": net_low,
        "net_impact_high": net_high,
        "verdict": verdict.astype(object),
        "misses_by": np.where(adopted & (net > tol), net, 0.0),
        "simulated_operating_costs": simulated,
        "teacher_payroll": payroll,
    }
