"""Budgets from a scenario run or from an experiment's results.

``budget_for_scenario`` runs the scenario once; ``budget_for_results`` reads every
replication of an experiment's arms. Either gives a :class:`Budget`: the grant budget's
expected, low and high versions (:mod:`teachsim.money.grant`), the neutrality verdicts per
school and year, the assumptions with their sources, and the ledger (one run) or each
replication's totals (several).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from teachsim.config.errors import ConfigError
from teachsim.config.policy import Policy
from teachsim.config.scenario import Scenario
from teachsim.config.validation import quote
from teachsim.model.records import Table
from teachsim.model.scenario import LoadedScenario
from teachsim.money.assumptions import assumptions
from teachsim.money.costs import ledger, verdicts
from teachsim.money.grant import GrantBudget, budget_years, grant_budget, replication
from teachsim.money.neutrality import neutrality


@dataclass
class Budget:
    title: str
    #: the grant budget's expected, low and high versions
    grant: GrantBudget
    #: tidy tables: neutrality, assumptions, and per run the ledger or per replication
    #: the totals
    tables: dict[str, Table]
    notes: list[str] = field(default_factory=list)
    #: the experiment arm it belongs to ("" for a single scenario)
    arm: str = ""


def by_year(led: Table) -> Table:
    """Ledger lines summed over schools, one row per year and line."""
    # keep the ledger's line order within each year
    keys = sorted(dict.fromkeys((int(y), str(ln), str(c)) for y, ln, c in zip(
        led["year"], led["line"], led["category"], strict=True)), key=lambda k: k[0])
    cols: dict[str, list[object]] = {"year": [], "category": [], "line": [], "amount": [],
                                     "amount_low": [], "amount_high": []}
    index = {k: i for i, k in enumerate(keys)}
    sums = np.zeros((len(keys), 3))
    for y, ln, c, a, lo, hi in zip(led["year"], led["line"], led["category"], led["amount"],
                                   led["amount_low"], led["amount_high"], strict=True):
        sums[index[(int(y), str(ln), str(c))]] += (a, lo, hi)
    for (y, ln, c), (a, lo, hi) in zip(keys, sums, strict=True):
        cols["year"].append(y)
        cols["category"].append(c)
        cols["line"].append(ln)
        cols["amount"].append(a)
        cols["amount_low"].append(lo)
        cols["amount_high"].append(hi)
    return {k: np.array(v, dtype=object if k in ("category", "line") else None)
            for k, v in cols.items()}


def dollars(x: float) -> str:
    """Whole dollars with separators, "-$1,200" for a saving ("$0", never "-$0")."""
    return f"-${-x:,.0f}" if round(x) < 0 else f"${x:,.0f}"


def ledger_cells(by_year_table: Table, years: list[int]) -> list[tuple[str, str, list[str]]]:
    """(line, category, one cell per year) of the ledger by year, for the lines with an
    amount in one of ``years``: the amount, with the stipend payroll-load range where a
    line has one ("$8,100 ($5,400-$10,800)")."""
    t = by_year_table
    rows = []
    for line, cat in dict.fromkeys(zip(t["line"].tolist(), t["category"].tolist(),
                                       strict=True)):
        cells = []
        for y in years:
            m = (t["year"] == y) & (t["line"] == line)
            a, lo, hi = (float(t[c][m].sum()) for c in ("amount", "amount_low",
                                                        "amount_high"))
            cells.append(dollars(a) + (f" ({dollars(lo)}-{dollars(hi)})" if lo != hi else ""))
        if any(c != "$0" for c in cells):
            rows.append((line, cat, cells))
    return rows


def notes(scenario: Scenario) -> list[str]:
    c = scenario.costs
    st = scenario.staffing
    return [
        f"Scenario: {scenario.name}. Nominal dollars of each fiscal year: prices and "
        f"salaries are in {c.price_year or scenario.run.start_year} dollars and every line "
        f"grows {100 * c.salary_growth:.1f}% a year from then"
        + ("" if c.stipends_follow_salaries else ", except stipends, fixed in dollars")
        + ".",
        f"Teacher-leader stipends: {st.leaders_per_grade} per grade x "
        f"${st.leader_stipend:,.0f}; payroll tax and retirement "
        f"{100 * c.stipend_payroll_load:.0f}% (low {100 * c.stipend_payroll_load_low:.0f}%, "
        f"high {100 * c.stipend_payroll_load_high:.0f}%; seed 002: 10-20%).",
        f"Clerk FTE change at adoption: {st.clerk_fte_change:+.2f} "
        f"({st.support_change_mode}); clerk salary ${scenario.salaries.clerk:,.0f} x "
        f"{c.benefits_office} benefits load (BLS ECEC).",
        "Investments: stipends, payroll load, start-up lines. Trade-offs: support-staff FTE "
        "changes and after-school PD no longer held (negative = savings). Net impact = "
        "investments + trade-offs; budget-neutral when at most "
        f"${c.neutral_tolerance:,.0f}.",
        "Simulated lines (substitutes, turnover) come from the model's absences, vacancies "
        "and exits; compare them between arms rather than within one run. Cost per leaver "
        + ("interpolated on log district enrolment between LPI 2024's size bands."
           if c.turnover_cost_by_size == "smooth" else "by LPI 2024's size bands."),
        "Payroll: teachers' salaries by experience step (start "
        f"${scenario.salaries.teacher_start:,.0f}, average "
        f"${scenario.salaries.teacher_average:,.0f}) grown yearly, x "
        f"{c.benefits_teacher} benefits load (BLS ECEC).",
        "Philanthropic ask: start-up lines of schools in their start-up years"
        + (" plus their net recurring cost." if c.grant_covers_recurring else "."),
        f"Operating budget: ${c.per_pupil_spending:,.0f} per pupil (NEA 2023-24) x enrolment.",
    ]


def budget_of_runs(title: str, name: str, scenario: Scenario, policy: Policy | None,
            runs: list[tuple[int, Table]], arm: str = "") -> Budget:
    """The budget of ``runs`` (run id, school-year table) of one scenario."""
    leds = [ledger(sy, scenario) for _, sy in runs]
    years = budget_years([sy for _, sy in runs])
    reps = [replication(led, sy, scenario, years, run_id) for led, (run_id, sy) in zip(
        leds, runs, strict=True)]
    grant = grant_budget(reps, scenario, years, name)
    tables: dict[str, Table] = {
        "neutrality": neutrality([verdicts(led, sy, scenario) for led, (_, sy) in zip(
            leds, runs, strict=True)], scenario.costs.neutral_tolerance)}
    if len(runs) == 1:
        tables["budget by year"] = by_year(leds[0])
        tables["ledger"] = leds[0]
    else:
        tables["replications"] = grant.totals
    tables["assumptions"] = assumptions(scenario, policy)
    return Budget(title=title, grant=grant, tables=tables, notes=notes(scenario), arm=arm)


def budget_for_scenario(loaded: LoadedScenario, seed: int | None = None,
                        years: int | None = None) -> Budget:
    """Run the scenario once and budget it."""
    from teachsim.model.run import run_scenario

    res = run_scenario(loaded, seed=seed, years=years)
    scen = loaded.scenario
    return budget_of_runs(f"{scen.name} (seed {res.seed}, {res.years} years)", scen.name, scen,
                   loaded.policy, [(0, res.tables["school_year"])])


@dataclass
class ArmRuns:
    """One experiment arm's stored school years, ready to budget (again, at other
    prices)."""

    title: str
    name: str
    scenario: Scenario
    policy: Policy | None
    #: (run id, school-year table) of each replication
    runs: list[tuple[int, Table]]
    arm: str


def results_runs(path: Path, arm: str | None = None) -> list[ArmRuns]:
    """The school-year tables of each arm (or one) of an experiment's results, with the
    scenario each arm ran."""
    from teachsim.experiments.results import open_results

    res = open_results(path)
    manifest = res.manifest
    if "school_year" not in res.tables():
        raise ConfigError(path, "tables", "the experiment did not keep the school_year table, "
                          "which budgets need", 'add "school_year" to tables in the '
                          "experiment file and run it again (with --new)")
    arms = list(manifest["arms"]) if arm is None else [arm]
    out = []
    for name in arms:
        if name not in manifest["arms"]:
            raise ConfigError(path, "--arm", f"no arm {quote(name)}",
                              f"use one of: {', '.join(manifest['arms'])}")
        info = manifest["arms"][name]
        scen = Scenario.model_validate(info["scenario"], strict=False)
        policy = (Policy.model_validate(info["policy"], strict=False)
                  if isinstance(info.get("policy"), dict) else None)
        df = res.sql("SELECT * FROM school_year WHERE arm = ? ORDER BY run_id, year, "
                     "school_id", [name])
        runs = [(int(run_id), {c: g[c].to_numpy() for c in g.columns})
                for run_id, g in df.groupby("run_id", sort=True)]
        if runs:
            out.append(ArmRuns(f"{manifest['experiment']}: arm '{name}', {len(runs)} "
                               "replications", f"{manifest['experiment']}, {name}", scen,
                               policy, runs, name))
    return out


def budget_for_results(path: Path, arm: str | None = None) -> list[Budget]:
    """The budget of each arm (or one) of an experiment's results, over its
    replications."""
    return [budget_of_runs(a.title, a.name, a.scenario, a.policy, a.runs, arm=a.arm)
            for a in results_runs(path, arm)]
