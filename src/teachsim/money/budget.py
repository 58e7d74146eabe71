"""Budgets from a scenario run or from an experiment's results.

``budget_for_scenario`` runs the scenario once and returns its ledger, verdicts, yearly
totals and grant budget. ``budget_for_results`` computes the grant budget of every
replication of an experiment arm and returns P10/P50/P90 bands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from teachsim.config.errors import ConfigError
from teachsim.config.scenario import Scenario
from teachsim.config.validation import quote
from teachsim.model.records import Table
from teachsim.model.scenario import LoadedScenario
from teachsim.money.costs import ledger, verdicts
from teachsim.money.grant import bands, grant_budget


@dataclass
class Budget:
    title: str
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


def notes(scenario: Scenario) -> list[str]:
    c = scenario.costs
    st = scenario.staffing
    return [
        f"Scenario: {scenario.name}. Nominal dollars; salaries grow {100 * c.salary_growth:.1f}% "
        f"a year from {scenario.run.start_year}.",
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
        "and exits; compare them between arms rather than within one run.",
        "Payroll: teachers' salaries by experience step (start "
        f"${scenario.salaries.teacher_start:,.0f}, average "
        f"${scenario.salaries.teacher_average:,.0f}) grown yearly, x "
        f"{c.benefits_teacher} benefits load (BLS ECEC).",
        "Philanthropic ask: start-up lines of schools in their start-up years"
        + (" plus their net recurring cost." if c.grant_covers_recurring else "."),
        f"Operating budget: ${c.per_pupil_spending:,.0f} per pupil (NEA 2023-24) x enrolment.",
    ]


def budget_for_scenario(loaded: LoadedScenario, seed: int | None = None,
                        years: int | None = None) -> Budget:
    from teachsim.model.run import run_scenario

    res = run_scenario(loaded, seed=seed, years=years)
    sy = res.tables["school_year"]
    scen = loaded.scenario
    led = ledger(sy, scen)
    return Budget(
        title=f"{scen.name} (seed {res.seed}, {res.years} years)",
        tables={"grant budget": grant_budget(led, sy, scen), "budget by year": by_year(led),
                "verdicts": verdicts(led, sy, scen), "ledger": led},
        notes=notes(scen))


def budget_for_results(path: Path, arm: str | None = None) -> list[Budget]:
    """P10/P50/P90 grant budgets of each arm (or one) of an experiment's results."""
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
        scen = Scenario.model_validate(manifest["arms"][name]["scenario"], strict=False)
        df = res.sql("SELECT * FROM school_year WHERE arm = ? ORDER BY run_id, year, "
                     "school_id", [name])
        grants, neutral = [], []
        for _, g in df.groupby("run_id", sort=True):
            sy = {c: g[c].to_numpy() for c in g.columns}
            led = ledger(sy, scen)
            grants.append(grant_budget(led, sy, scen))
            v = verdicts(led, sy, scen)
            on = v["adopted"]
            neutral.append(float(np.mean(v["verdict"][on] == "budget-neutral")) if on.any()
                           else np.nan)
        if not grants:
            continue
        b = bands(grants)
        out.append(Budget(
            title=f"{manifest['experiment']}: arm '{name}', {len(grants)} replications "
                  "(P10 / P50 / P90)",
            tables={"grant budget bands": b}, arm=name,
            notes=[*notes(scen), f"Share of school-years on the policy that are "
                   f"budget-neutral: median {np.nanmedian(neutral):.0%} across replications."
                   if not np.all(np.isnan(neutral)) else "No school adopted the policy."]))
    return out
