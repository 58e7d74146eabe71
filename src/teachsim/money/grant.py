"""The grant budget of a policy: budget lines as rows, fiscal years as columns, the way a
proposal's budget is laid out.

For the schools on the policy each year it shows the one-time start-up costs line by
line, the recurring costs (stipends, their payroll load, programmes, teachers added), the
offsetting savings and trade-offs (support-staff FTE, after-school PD no longer held),
their subtotals, the net cost, the philanthropic ask, its running total and the ask as a
share of the district's operating budget (per-pupil spending x enrolment; seed 002 puts
it at about 0.2%).

A school counts in the years it is on the policy: one that drops the design leaves the
budget that year (a clerk cut it made stays in the ledger as a trade-off).

The ask covers each school's start-up lines during its start-up years (seed 002:
philanthropy covers two years of start-up costs per school); with
``costs.grant_covers_recurring`` it also covers each school's net recurring cost in those
years, when positive.

From several replications, :func:`grant_budget` gives three versions, each of which adds
up: *expected*, the mean of every line across replications (means add, so its subtotals
are the means of the subtotals); *low* and *high*, one whole replication each -- the one
whose total net cost over the run, priced with the low (high) stipend payroll load, is
the 10th (90th) percentile of those totals. A version is never a sum of per-line
percentiles, which would not be a percentile of anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from teachsim.config.scenario import Scenario
from teachsim.model.records import Table
from teachsim.money.costs import INVESTMENT, TRADE_OFF, price_index

Kind = Literal["heading", "count", "line", "subtotal", "net", "ask", "cumulative", "budget",
               "share"]
#: rows whose total over the years means something (money that flows each year)
SUMMED = ("line", "subtotal", "net", "ask")
#: the sections of the budget and the ledger lines each takes
ONE_TIME, RECURRING, OFFSETS = ("One-time start-up costs", "Recurring costs",
                                "Offsetting savings and trade-offs (negative = saving)")
#: the quantiles and payroll-load variants of the low and high versions
VERSIONS = {"expected": (None, "amount"), "low": (0.1, "amount_low"),
            "high": (0.9, "amount_high")}


def fiscal_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


@dataclass
class Row:
    """One row of the grant budget.

    ``parts`` are the indices of the rows it is computed from: a subtotal, net or ask is
    their sum; a cumulative row adds the ask row ``parts[0]`` year after year; a share is
    ``parts[0] / parts[1]``. The spreadsheet writes these rows as formulas.
    """

    label: str
    kind: Kind
    values: np.ndarray
    parts: tuple[int, ...] = ()
    note: str = ""

    @property
    def total(self) -> float | None:
        """Sum over the years, for rows where a sum means something."""
        return float(self.values.sum()) if self.kind in SUMMED else None


@dataclass
class GrantSheet:
    """One version (expected, low or high) of the grant budget."""

    version: str
    title: str
    #: how the version was computed, in words
    basis: str
    years: list[int]
    rows: list[Row]
    #: the replication it is (low and high), or None (expected: a mean)
    replication: int | None = None

    @property
    def fiscal_years(self) -> list[str]:
        return [fiscal_year(y) for y in self.years]

    def row(self, label: str) -> Row:
        for r in self.rows:
            if r.label == label:
                return r
        raise KeyError(label)

    def table(self) -> Table:
        """The sheet as a table: a row per budget line, a column per fiscal year and a
        total (blank where a total means nothing); headings have no figures."""
        out: dict[str, list[object]] = {"line": [], "kind": []}
        for fy in self.fiscal_years:
            out[fy] = []
        out["total"] = []
        for r in self.rows:
            out["line"].append(r.label)
            out["kind"].append(r.kind)
            for j, fy in enumerate(self.fiscal_years):
                out[fy].append(None if r.kind == "heading" else float(r.values[j]))
            out["total"].append(r.total)
        return {k: np.array(v, dtype=object) for k, v in out.items()}


@dataclass
class Replication:
    """What one run contributes to the grant budget: per line, the yearly amounts of the
    schools on the policy in each payroll-load variant, and the yearly context."""

    #: (section, line) -> variant -> yearly amounts
    lines: dict[tuple[str, str], dict[str, np.ndarray]]
    schools: np.ndarray
    joining: np.ndarray
    in_startup: np.ndarray
    #: variant -> net recurring cost the grant covers (schools in start-up years)
    covered: dict[str, np.ndarray]
    operating_budget: np.ndarray
    run_id: int = -1


def replication(led: Table, sy: Table, scenario: Scenario, years: list[int],
                run_id: int = -1) -> Replication:
    """One run's grant-budget figures over ``years`` (years missing from the run are
    zero)."""
    n_sy = len(sy["year"])
    n_lines = len(led["line"]) // max(n_sy, 1)
    # the ledger is school-year major: school-year i's lines are rows i*L .. i*L+L-1
    assert n_lines * n_sy == len(led["line"]) and np.array_equal(
        np.asarray(led["year"]).reshape(n_sy, n_lines)[:, 0], sy["year"])
    index = {y: j for j, y in enumerate(years)}
    col = np.array([index.get(int(y), -1) for y in sy["year"]])
    on = np.asarray(sy["adopted"], dtype=bool) & (col >= 0)
    n_years = len(years)

    def per_year(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(col[mask], weights=np.asarray(values, float)[mask],
                           minlength=n_years)

    names = np.asarray(led["line"]).reshape(n_sy, n_lines)[0]
    cats = np.asarray(led["category"]).reshape(n_sy, n_lines)[0]
    lines: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    startup_school = on & np.asarray(sy["in_startup"], dtype=bool)
    covered = {v: np.zeros(n_years) for _, v in VERSIONS.values()}
    for _, variant in VERSIONS.values():
        amounts = np.asarray(led[variant], dtype=float).reshape(n_sy, n_lines)
        recurring_net = np.zeros(n_sy)
        for j, (name, cat) in enumerate(zip(names, cats, strict=True)):
            if cat not in (INVESTMENT, TRADE_OFF):
                continue
            one_time = cat == INVESTMENT and str(name).startswith("start-up:")
            section = ONE_TIME if one_time else RECURRING if cat == INVESTMENT else OFFSETS
            label = str(name).removeprefix("start-up: ")
            lines.setdefault((section, label), {})[variant] = per_year(amounts[:, j], on)
            if not one_time:
                recurring_net += amounts[:, j]
        covered[variant] = per_year(np.maximum(recurring_net, 0.0), startup_school)
    c = scenario.costs
    students = per_year(sy["students"], col >= 0)
    enrolment = np.full(n_years, float(c.district_students)) if c.district_students \
        else students
    return Replication(
        lines=lines, schools=per_year(np.ones(n_sy), on),
        joining=per_year(np.ones(n_sy), on & (np.asarray(sy["years_since_adoption"]) == 0)),
        in_startup=per_year(np.ones(n_sy), startup_school), covered=covered,
        operating_budget=c.per_pupil_spending * enrolment * price_index(np.array(
            years), scenario),
        run_id=run_id)


def _rows(lines: dict[tuple[str, str], np.ndarray], schools: np.ndarray,
          joining: np.ndarray, in_startup: np.ndarray, covered: np.ndarray | None,
          budget: np.ndarray) -> list[Row]:
    """The budget's rows, in order, with the subtotals and the ask computed."""
    rows: list[Row] = [Row("Schools", "heading", np.array([])),
                       Row("Schools on the model", "count", schools),
                       Row("Schools starting this year", "count", joining),
                       Row("Schools in their start-up years", "count", in_startup)]
    subtotals: dict[str, int] = {}
    for section, subtotal in ((ONE_TIME, "Total one-time start-up costs"),
                              (RECURRING, "Total recurring costs"),
                              (OFFSETS, "Total savings and trade-offs")):
        rows.append(Row(section, "heading", np.array([])))
        first = len(rows)
        for (sec, label), values in lines.items():
            if sec == section:
                rows.append(Row(label, "line", values))
        parts = tuple(range(first, len(rows)))
        subtotals[section] = len(rows)
        rows.append(Row(subtotal, "subtotal", sum((rows[i].values for i in parts),
                                                  np.zeros(len(budget))), parts))
    one, rec, off = (subtotals[s] for s in (ONE_TIME, RECURRING, OFFSETS))
    rows.append(Row("Net recurring cost", "net", rows[rec].values + rows[off].values,
                    (rec, off), "recurring costs + savings and trade-offs"))
    net_rec = len(rows) - 1
    rows.append(Row("Net cost of the design", "net", rows[one].values + rows[net_rec].values,
                    (one, net_rec), "one-time + net recurring"))
    rows.append(Row("The grant", "heading", np.array([])))
    ask_parts = [one]
    if covered is not None:
        rows.append(Row("Net recurring cost of schools in start-up years", "line", covered,
                        note="covered by the grant (costs.grant_covers_recurring)"))
        ask_parts.append(len(rows) - 1)
    ask = len(rows)
    rows.append(Row("Philanthropic ask", "ask", sum((rows[i].values for i in ask_parts),
                                                    np.zeros(len(budget))),
                    tuple(ask_parts)))
    rows.append(Row("Cumulative ask", "cumulative", np.cumsum(rows[ask].values), (ask,)))
    rows.append(Row("District operating budget", "budget", budget,
                    note="per-pupil spending x enrolment"))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(budget > 0, rows[ask].values / np.where(budget > 0, budget, 1), 0.0)
    rows.append(Row("Ask as a share of the operating budget", "share", share,
                    (ask, len(rows) - 1)))
    return rows


def _sheet(version: str, title: str, basis: str, years: list[int],
           reps: list[Replication], variant: str, covers: bool,
           chosen: int | None = None) -> GrantSheet:
    """A version from one replication (``chosen``) or the mean of all."""
    picked = reps if chosen is None else [reps[chosen]]
    keys = list(dict.fromkeys(k for r in reps for k in r.lines))
    zero = np.zeros(len(years))

    def mean(get: object) -> np.ndarray:
        return np.mean([get(r) for r in picked], axis=0)  # type: ignore[operator]

    lines = {k: mean(lambda r, k=k: r.lines.get(k, {}).get(variant, zero)) for k in keys}
    # a line that is zero in every year and replication (a programme the policy does not
    # run) stays out of the budget
    lines = {k: v for k, v in lines.items() if any(
        np.any(r.lines.get(k, {}).get(variant, zero)) for r in reps)}
    return GrantSheet(
        version=version, title=title, basis=basis, years=years,
        rows=_rows(lines, mean(lambda r: r.schools), mean(lambda r: r.joining),
                   mean(lambda r: r.in_startup),
                   mean(lambda r: r.covered[variant]) if covers else None,
                   mean(lambda r: r.operating_budget)),
        replication=None if chosen is None else reps[chosen].run_id)


def net_cost_totals(reps: list[Replication], variant: str) -> np.ndarray:
    """Each replication's net cost of the design over all years (one-time + recurring +
    savings and trade-offs) in a payroll-load variant."""
    return np.array([sum(float(v[variant].sum()) for v in r.lines.values()) for r in reps])


@dataclass
class GrantBudget:
    """The three versions of a grant budget and what they were computed from."""

    sheets: list[GrantSheet]
    #: per replication: its totals over the run, for checking the low and high versions
    totals: Table = field(default_factory=dict)
    #: per replication (rows) and year (columns): the cumulative ask
    cumulative_asks: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def ask_band(self, q: tuple[float, float] = (0.1, 0.9)) -> tuple[np.ndarray, np.ndarray]:
        """Per year, the ``q`` quantiles of the cumulative ask across replications: a
        band of each year's figure (the low and high versions are ranked by the net cost
        over the run, so their cumulative asks need not bracket it)."""
        lo, hi = np.quantile(self.cumulative_asks, q, axis=0)
        return lo, hi


def grant_budget(reps: list[Replication], scenario: Scenario, years: list[int],
                 name: str) -> GrantBudget:
    """Expected, low and high grant budgets of ``reps`` (see the module's docstring)."""
    covers = scenario.costs.grant_covers_recurring
    n = len(reps)
    net_costs = {v: net_cost_totals(reps, variant) for v, (_, variant) in VERSIONS.items()}
    sheets = [_sheet("expected", f"Grant budget, expected: {name}",
                     "Expected: the mean of every line over "
                     + (f"{n} replications" if n > 1 else "the run")
                     + f", with the {100 * scenario.costs.stipend_payroll_load:.0f}% stipend "
                     "payroll load.", years, reps, "amount", covers)]
    for version in ("low", "high"):
        q, variant = VERSIONS[version]
        load = getattr(scenario.costs, f"stipend_payroll_load_{version}")
        totals = net_costs[version]
        target = float(np.quantile(totals, q, method="inverted_cdf"))  # type: ignore[arg-type]
        chosen = int(np.flatnonzero(totals == target)[0])
        basis = (f"{version.capitalize()}: replication {reps[chosen].run_id} of {n}, whose "
                 f"net cost over {fiscal_year(years[0])} to {fiscal_year(years[-1])} is the "
                 f"{round(100 * q)}th percentile of the replications' ({target:,.0f} $)"
                 if n > 1 else f"{version.capitalize()}: the run")
        sheets.append(_sheet(version, f"Grant budget, {version}: {name}",
                             basis + f", with the {100 * load:.0f}% stipend payroll load.",
                             years, reps, variant, covers, chosen))
    asks = np.array([sum((x["amount"] for (sec, _), x in r.lines.items() if sec == ONE_TIME),
                         np.zeros(len(years))) + (r.covered["amount"] if covers else 0.0)
                     for r in reps])
    totals = {"run_id": np.array([r.run_id for r in reps]),
              **{f"net_cost_{v}": net_costs[v] for v in VERSIONS},
              "philanthropic_ask": asks.sum(axis=1)}
    return GrantBudget(sheets, totals, np.cumsum(asks, axis=1))


def budget_years(sy_tables: list[Table]) -> list[int]:
    """The fiscal years a grant budget shows: from the first year any school is on the
    policy in any replication to the last year of the runs (all years when none is)."""
    years = sorted({int(y) for sy in sy_tables for y in np.unique(sy["year"])})
    first = [int(sy["year"][np.asarray(sy["adopted"], bool)].min()) for sy in sy_tables
             if np.any(sy["adopted"])]
    return [y for y in years if y >= min(first)] if first else years


def compact(sheet: GrantSheet) -> Table:
    """Fiscal years as rows: schools on the model, one-time, net recurring, net cost,
    ask, cumulative ask, operating budget and the ask's share (report and terminal)."""
    pick = {"schools": "Schools on the model", "one_time": "Total one-time start-up costs",
            "net_recurring": "Net recurring cost", "net_cost": "Net cost of the design",
            "ask": "Philanthropic ask", "cumulative_ask": "Cumulative ask",
            "operating_budget": "District operating budget",
            "ask_share": "Ask as a share of the operating budget"}
    out: Table = {"fiscal_year": np.array(sheet.fiscal_years, dtype=object)}
    for key, label in pick.items():
        out[key] = sheet.row(label).values.astype(float)
    return out
