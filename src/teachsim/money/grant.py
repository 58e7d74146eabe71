"""The grant budget of a district rollout: by fiscal year and cohort (the schools that
adopted in the same year), the one-time start-up costs, recurring costs, savings, net,
the philanthropic ask and its running total, and the ask as a share of the district's
operating budget (per-pupil spending x enrolment; seed 002 puts it at about 0.2%).

The ask covers each school's start-up lines during its start-up years (seed 002:
philanthropy covers two years of start-up costs per school); with
``costs.grant_covers_recurring`` it also covers the school's net recurring cost in those
years. From several replications, :func:`bands` gives P10/P50/P90 of every figure.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.scenario import Scenario
from teachsim.model.records import Table
from teachsim.money.costs import INVESTMENT, TRADE_OFF

MONEY = ("one_time_startup", "recurring_costs", "savings", "net", "philanthropic_ask",
         "cumulative_ask", "operating_budget")


def fiscal_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def grant_budget(led: Table, sy: Table, scenario: Scenario) -> Table:
    """Rows per fiscal year and cohort, then a 'total' row per fiscal year."""
    c = scenario.costs
    start = scenario.run.start_year
    adopted = sy["adopted"]
    cohort_of = {(int(y), int(s)): int(y - k) for y, s, k, a in zip(
        sy["year"], sy["school_id"], sy["years_since_adoption"], adopted, strict=True) if a}
    startup_of = {(int(y), int(s)): bool(v) for y, s, v in zip(
        sy["year"], sy["school_id"], sy["in_startup"], strict=True)}
    students = {int(y): float(sy["students"][sy["year"] == y].sum())
                for y in np.unique(sy["year"])}

    cells: dict[tuple[int, int], dict[str, float]] = {}
    for y, s, line, cat, amount in zip(led["year"], led["school_id"], led["line"],
                                       led["category"], led["amount"], strict=True):
        key = (int(y), int(s))
        if key not in cohort_of:
            continue
        cell = cells.setdefault((key[0], cohort_of[key]), {
            "schools": set(), "startup_schools": set(), "one_time_startup": 0.0,
            "recurring_costs": 0.0, "savings": 0.0, "recurring_net_in_startup": 0.0})
        cell["schools"].add(key[1])  # type: ignore[union-attr]
        if startup_of[key]:
            cell["startup_schools"].add(key[1])  # type: ignore[union-attr]
        if cat == INVESTMENT and str(line).startswith("start-up:"):
            cell["one_time_startup"] += amount
        elif cat in (INVESTMENT, TRADE_OFF):
            if amount >= 0:
                cell["recurring_costs"] += amount
            else:
                cell["savings"] -= amount
            if startup_of[key]:
                cell["recurring_net_in_startup"] += amount

    rows: list[dict[str, object]] = []
    years = sorted({y for y, _ in cells} | set(students))
    cumulative = 0.0
    for y in years:
        budget = c.per_pupil_spending * (c.district_students or students.get(y, 0.0)) * (
            1 + c.salary_growth) ** (y - start)
        year_rows = []
        for (yy, cohort), cell in sorted(cells.items()):
            if yy != y:
                continue
            ask = cell["one_time_startup"] + (max(0.0, cell["recurring_net_in_startup"])
                                              if c.grant_covers_recurring else 0.0)
            year_rows.append({
                "fiscal_year": fiscal_year(y), "year": y, "cohort": fiscal_year(cohort),
                "schools": len(cell["schools"]),  # type: ignore[arg-type]
                "schools_in_startup": len(cell["startup_schools"]),  # type: ignore[arg-type]
                "one_time_startup": cell["one_time_startup"],
                "recurring_costs": cell["recurring_costs"], "savings": cell["savings"],
                "net": cell["one_time_startup"] + cell["recurring_costs"] - cell["savings"],
                "philanthropic_ask": ask})
        ask_year = sum(float(r["philanthropic_ask"]) for r in year_rows)  # type: ignore[arg-type]
        cumulative += ask_year
        rows.extend(year_rows)
        total = {"fiscal_year": fiscal_year(y), "year": y, "cohort": "total"}
        for col in ("schools", "schools_in_startup", "one_time_startup", "recurring_costs",
                    "savings", "net", "philanthropic_ask"):
            total[col] = sum(r[col] for r in year_rows)  # type: ignore[misc]
        rows.append(total)
        for r in (*year_rows, total):
            r["cumulative_ask"] = cumulative
            r["operating_budget"] = budget
            r["ask_share_of_budget_pct"] = 100 * float(r["philanthropic_ask"]) / budget \
                if budget else 0.0  # type: ignore[arg-type]
    cols = ["fiscal_year", "year", "cohort", "schools", "schools_in_startup",
            "one_time_startup", "recurring_costs", "savings", "net", "philanthropic_ask",
            "cumulative_ask", "operating_budget", "ask_share_of_budget_pct"]
    return {col: np.array([r.get(col, 0) for r in rows],
                          dtype=object if col in ("fiscal_year", "cohort") else None)
            for col in cols}


def bands(tables: list[Table], quantiles: tuple[float, ...] = (0.1, 0.5, 0.9)) -> Table:
    """P10/P50/P90 of every numeric column across replications, per (fiscal year,
    cohort). Rows missing from a replication count as zero there."""
    keys = sorted({(fy, co) for t in tables for fy, co in zip(t["fiscal_year"], t["cohort"],
                                                                strict=True)},
                  key=lambda k: (k[0], k[1] == "total", k[1]))
    numeric = [c for c in tables[0] if c not in ("fiscal_year", "cohort", "year")]
    out: dict[str, list[object]] = {"fiscal_year": [], "cohort": []}
    for col in numeric:
        for q in quantiles:
            out[f"{col}_p{round(100 * q)}"] = []
    for fy, co in keys:
        out["fiscal_year"].append(fy)
        out["cohort"].append(co)
        for col in numeric:
            values = []
            for t in tables:
                m = (t["fiscal_year"] == fy) & (t["cohort"] == co)
                values.append(float(t[col][m][0]) if m.any() else 0.0)
            for q, v in zip(quantiles, np.quantile(values, quantiles), strict=True):
                out[f"{col}_p{round(100 * q)}"].append(float(v))
    return {k: np.array(v, dtype=object if k in ("fiscal_year", "cohort") else None)
            for k, v in out.items()}
