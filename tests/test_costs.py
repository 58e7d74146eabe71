"""Costs and budgets: seed 002 by hand, ledger identities, verdicts, grant budget, bands."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from teachsim.cli import app
from teachsim.model.run import run_scenario
from teachsim.model.scenario import LoadedScenario, load_scenario
from teachsim.money.budget import budget_for_results, budget_for_scenario
from teachsim.money.costs import INVESTMENT, PAYROLL, SIMULATED, TRADE_OFF, ledger, verdicts
from teachsim.money.grant import (
    OFFSETS,
    ONE_TIME,
    RECURRING,
    GrantSheet,
    budget_years,
    grant_budget,
    replication,
)
from tests.conftest import CONFIGS


@pytest.fixture(scope="module")
def half() -> LoadedScenario:
    return load_scenario(CONFIGS / "school_d_rotating.toml")


@pytest.fixture(scope="module")
def full() -> LoadedScenario:
    return load_scenario(CONFIGS / "school_d_rotating_1fte.toml")


def first_year_lines(loaded: LoadedScenario) -> dict[str, tuple[float, float, float]]:
    sy = run_scenario(loaded, years=1, seed=3).tables["school_year"]
    led = ledger(sy, loaded.scenario)
    return {str(n): (a, lo, hi) for n, a, lo, hi in zip(
        led["line"], led["amount"], led["amount_low"], led["amount_high"], strict=True)}


def test_seed_002_by_hand(half: LoadedScenario, full: LoadedScenario) -> None:
    lines = first_year_lines(half)
    # 6 x $9,000 = $54,000 of stipends
    assert lines["teacher-leader stipends"][0] == 6 * 9000 == 54000
    # with the 10-20% payroll load: $59,400 - $64,800
    stip, load = lines["teacher-leader stipends"], lines[
        "payroll tax and retirement on stipends"]
    assert (stip[0] + load[1], stip[0] + load[2]) == (59400, 64800)
    assert stip[0] + load[0] == pytest.approx(54000 * 1.15)  # 62,100
    # a clerk: $44,000 x 1.74 benefits load; 0.5 FTE vs 1.0 FTE
    assert lines["clerk FTE change"][0] == pytest.approx(-0.5 * 44000 * 1.74)  # -38,280
    assert first_year_lines(full)["clerk FTE change"][0] == pytest.approx(-44000 * 1.74)
    # after-school PD no longer held: 9 x 1.5 h for 28 teachers at $35, + 9 sessions x $500
    assert lines["after-school PD"][0] == pytest.approx(-(9 * 1.5 * 28 * 35 + 9 * 500))


def test_neutrality_verdicts(half: LoadedScenario, full: LoadedScenario) -> None:
    """0.5 FTE misses by $54,000 + $8,100 - $38,280 - $17,730 = $6,090 in price-year
    dollars (after start-up), every line grown 3% a year alike; 1.0 FTE pays for the
    stipends with $32,190 to spare."""
    for loaded, verdict in ((half, "misses"), (full, "budget-neutral")):
        sy = run_scenario(loaded, years=3, seed=3).tables["school_year"]
        v = verdicts(ledger(sy, loaded.scenario), sy, loaded.scenario)
        assert v["verdict"][2] == verdict  # year 3: start-up over
    sy = run_scenario(half, years=3, seed=3).tables["school_year"]
    v = verdicts(ledger(sy, half.scenario), sy, half.scenario)
    growth = 1.03 ** 2
    expected = (54000 + 8100 - 0.5 * 44000 * 1.74 - (9 * 1.5 * 28 * 35 + 9 * 500)) * growth
    assert v["misses_by"][2] == pytest.approx(expected) == pytest.approx(6090 * 1.0609)
    assert v["net_impact_low"][2] < v["net_impact"][2] < v["net_impact_high"][2]


def test_traditional_schools_are_not_judged(traditional: LoadedScenario) -> None:
    sy = run_scenario(traditional, years=2, seed=1).tables["school_year"]
    led = ledger(sy, traditional.scenario)
    v = verdicts(led, sy, traditional.scenario)
    assert set(v["verdict"]) == {"not on the policy"}
    assert np.all(led["amount"][~np.isin(led["category"], [SIMULATED, PAYROLL])] == 0)


def test_ledger_lines_sum_to_totals(half: LoadedScenario) -> None:
    sy = run_scenario(half, years=3, seed=2).tables["school_year"]
    led = ledger(sy, half.scenario)
    v = verdicts(led, sy, half.scenario)
    for i in range(len(v["year"])):
        m = (led["year"] == v["year"][i]) & (led["school_id"] == v["school_id"][i])
        inv = led["amount"][m & (led["category"] == INVESTMENT)].sum()
        trade = led["amount"][m & (led["category"] == TRADE_OFF)].sum()
        assert v["investments"][i] == pytest.approx(inv)
        assert v["trade_offs"][i] == pytest.approx(trade)
        assert v["net_impact"][i] == pytest.approx(inv + trade)
        assert v["simulated_operating_costs"][i] == pytest.approx(
            led["amount"][m & (led["category"] == SIMULATED)].sum())
    # payroll: salaries by experience step, grown 3% a year, x 1.54 benefits (BLS)
    pay = led["amount"][led["line"] == "teacher salaries and benefits"]
    np.testing.assert_allclose(pay, sy["teacher_salaries"] * 1.54 * 1.03 ** (sy["year"]
                                                                            - 2025))
    assert np.all(v["teacher_payroll"] == pay)
    # substitutes are priced from the simulated days
    subs = led["amount"][led["line"] == "short-term substitutes"]
    np.testing.assert_allclose(subs, sy["substitute_days_short_term"] * 143
                               * 1.03 ** (sy["year"] - 2025))


@pytest.fixture(scope="module")
def district() -> tuple[LoadedScenario, dict, dict, GrantSheet]:
    loaded = load_scenario(CONFIGS / "district_60.toml").with_overrides(years=8)
    sy = run_scenario(loaded, seed=4).tables["school_year"]
    led = ledger(sy, loaded.scenario)
    years = budget_years([sy])
    g = grant_budget([replication(led, sy, loaded.scenario, years)], loaded.scenario,
                     years, "district")
    return loaded, sy, led, g.sheets[0]


def test_grant_budget_adds_up(district: tuple) -> None:
    _, sy, led, g = district
    rows = {r.label: r for r in g.rows}
    # the first fiscal year is the first with a school on the policy (the plan: year 2)
    assert g.years[0] == 2026 and g.fiscal_years[0] == "2026-27"
    for sub, section in (("Total one-time start-up costs", ONE_TIME),
                         ("Total recurring costs", RECURRING),
                         ("Total savings and trade-offs", OFFSETS)):
        lines = [g.rows[i] for i in rows[sub].parts]
        assert lines and all(r.kind == "line" for r in lines)
        assert g.rows[rows[sub].parts[0] - 1].label == section  # the section's heading
        np.testing.assert_allclose(rows[sub].values, np.sum([r.values for r in lines], 0))
    np.testing.assert_allclose(rows["Net recurring cost"].values,
                               rows["Total recurring costs"].values
                               + rows["Total savings and trade-offs"].values)
    np.testing.assert_allclose(rows["Net cost of the design"].values,
                               rows["Total one-time start-up costs"].values
                               + rows["Net recurring cost"].values)
    ask = rows["Philanthropic ask"].values
    np.testing.assert_allclose(ask, rows["Total one-time start-up costs"].values)
    np.testing.assert_allclose(rows["Cumulative ask"].values, np.cumsum(ask))
    # one-time costs are the ledger's start-up lines; the design's lines are the
    # investments and trade-offs of schools on the policy (a school that dropped the
    # design keeps its clerk cut in the ledger, but is out of the grant budget); payroll
    # and simulated lines stay out
    line = led["line"].astype(str)
    startup = led["amount"][np.char.startswith(line, "start-up:")].sum()
    assert rows["Total one-time start-up costs"].total == pytest.approx(startup)
    on = np.repeat(sy["adopted"], len(line) // len(sy["year"]))
    design = np.isin(led["category"], [INVESTMENT, TRADE_OFF]) & on
    assert rows["Net cost of the design"].total == pytest.approx(led["amount"][design].sum())
    assert not {"teacher salaries and benefits", "short-term substitutes"} & set(rows)
    # schools on the model: 10 more a year from the second year; some drop it later
    on = [int(sy["adopted"][sy["year"] == y].sum()) for y in g.years]
    assert rows["Schools on the model"].values.tolist() == on
    assert on[0] == 10 and np.all(np.diff(on[:5]) > 0)
    assert rows["Schools starting this year"].values[:3].tolist() == [10, 10, 10]


def test_ask_is_a_small_share_of_the_operating_budget(district: tuple) -> None:
    _, sy, _, g = district
    share = g.row("Ask as a share of the operating budget").values
    assert 0 < share.max() < 0.005  # seed 002: "around 0.2%"
    y = g.years[0]
    assert g.row("District operating budget").values[0] == pytest.approx(
        16990 * sy["students"][sy["year"] == y].sum() * 1.03)
    np.testing.assert_allclose(share, g.row("Philanthropic ask").values
                               / g.row("District operating budget").values)


def test_grant_covers_recurring_adds_a_line_to_the_ask(half: LoadedScenario) -> None:
    costs = half.scenario.costs.model_copy(update={"grant_covers_recurring": True})
    loaded = half.replace(costs=costs)
    b = budget_for_scenario(loaded, years=3, seed=1)
    g = b.grant.sheets[0]
    covered = g.row("Net recurring cost of schools in start-up years").values
    # the school is in its start-up years in years 1-2; its net recurring cost is
    # positive with the 0.5 FTE clerk cut, so the grant covers it, then stops
    net = g.row("Net recurring cost").values
    np.testing.assert_allclose(covered, [net[0], net[1], 0.0])
    np.testing.assert_allclose(g.row("Philanthropic ask").values,
                               g.row("Total one-time start-up costs").values + covered)


def test_attrition_makes_savings_lag(half: LoadedScenario) -> None:
    scen = half.scenario
    slow = LoadedScenario(scen.model_copy(update={"staffing": scen.staffing.model_copy(
        update={"support_change_mode": "attrition"})}), half.policy, half.baseline,
        half.path, half.policy_path)
    never = LoadedScenario(scen.model_copy(update={"staffing": scen.staffing.model_copy(
        update={"support_change_mode": "attrition", "support_attrition_rate": 0.0})}),
        half.policy, half.baseline, half.path, half.policy_path)
    first = [run_scenario(slow, years=1, seed=s).tables["school_year"]["clerks_fte"][0]
             for s in range(20)]
    assert np.mean(first) > 1.5  # an immediate cut would be 1.5 in year one
    assert min(first) == 1.5  # ... but some schools lose a clerk that summer
    assert set(run_scenario(never, years=3, seed=1).tables["school_year"]["clerks_fte"]
               ) == {2.0}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from teachsim.experiments.api import run_experiment

    tmp = tmp_path_factory.mktemp("budget_results")
    exp = tmp / "e.toml"
    exp.write_text(f"""
name = "bands"
base = "{CONFIGS / 'district_60.toml'}"
replications = 7
seed = 1
years = 4
tables = ["school_year"]
[[arm]]
name = "attrition"
set = {{ "staffing.support_change_mode" = "attrition", "district.n_schools" = 12, \
"rollout.per_year" = 4 }}
""")
    run_experiment(exp, out=tmp / "res", serial=True)
    return tmp / "res"


def test_versions_are_whole_replications_at_percentiles(results: Path) -> None:
    """Low and high are the replications at the 10th and 90th percentiles of the net cost
    over the run (with the low and high payroll load); expected is the mean of every
    line, so its totals are the means of the replications' totals."""
    (b,) = budget_for_results(results)
    sheets = {s.version: s for s in b.grant.sheets}
    reps = b.tables["replications"]
    assert len(reps["run_id"]) == 7
    for version, q in (("low", 0.1), ("high", 0.9)):
        totals = reps[f"net_cost_{version}"]
        net = sheets[version].row("Net cost of the design").total
        assert net == pytest.approx(np.quantile(totals, q, method="inverted_cdf"))
        assert sheets[version].replication in reps["run_id"].tolist()
    expected = sheets["expected"]
    assert expected.row("Net cost of the design").total == pytest.approx(
        reps["net_cost_expected"].mean())
    assert expected.row("Philanthropic ask").total == pytest.approx(
        reps["philanthropic_ask"].mean())
    assert sheets["low"].row("Net cost of the design").total <= expected.row(
        "Net cost of the design").total <= sheets["high"].row("Net cost of the design").total
    # the cumulative ask's band: per year, quantiles of the replications' running totals
    lo, hi = b.grant.ask_band()
    paths = b.grant.cumulative_asks
    assert paths.shape == (7, len(expected.years))
    np.testing.assert_allclose(paths[:, -1], reps["philanthropic_ask"])
    np.testing.assert_allclose(lo, np.quantile(paths, 0.1, axis=0))
    np.testing.assert_allclose(hi, np.quantile(paths, 0.9, axis=0))
    assert np.all(lo <= hi)
    # clerk cuts by attrition arrive in different years in different replications
    assert np.ptp(reps["net_cost_expected"]) > 0
    # neutrality: every school-year on the policy, with the share of replications neutral
    v = b.tables["neutrality"]
    assert np.all(v["replications_on_policy"] >= 1) and np.all(v["replications_on_policy"] <= 7)
    assert np.all((v["share_budget_neutral"] >= 0) & (v["share_budget_neutral"] <= 1))
    assert np.all(v["net_impact_low"] <= v["net_impact"] + 1e-6)
    assert np.all(v["net_impact"] <= v["net_impact_high"] + 1e-6)


def test_spreadsheet_formulas_equal_the_sums(results: Path, tmp_path: Path) -> None:
    """Every formula in the workbook, evaluated from the cells, equals its cached value
    and the budget's own figure; subtotals sum exactly their section's lines."""
    from teachsim.money.spreadsheet import FIRST, write_csv, write_xlsx
    from tests.xlsx_cells import evaluate, read_book

    budgets = budget_for_results(results)
    path = write_xlsx(budgets, tmp_path / "b.xlsx")
    book = read_book(path)
    assert list(book)[:3] == ["budget expected", "budget low", "budget high"]
    assert {"neutrality", "replications", "assumptions", "notes"} <= set(book)
    formulas = 0
    for version, sheet in zip(("expected", "low", "high"), list(book.values())[:3],
                              strict=True):
        g = next(s for s in budgets[0].grant.sheets if s.version == version)
        for ref, (value, formula) in sheet.items():
            if formula is not None:
                formulas += 1
                assert evaluate(formula, sheet) == pytest.approx(value, abs=1e-6), ref
        for i, row in enumerate(g.rows):
            r = FIRST + 2 + i
            assert sheet[f"A{r}"][0].lower() == row.label.lower()
            if row.kind == "heading":
                continue
            for j, v in enumerate(row.values):
                assert sheet[f"{chr(66 + j)}{r}"][0] == pytest.approx(v)
        total = g.rows.index(g.row("Total recurring costs"))
        parts = g.row("Total recurring costs").parts
        assert sheet[f"B{FIRST + 2 + total}"][1] == f"SUM(B{FIRST + 2 + parts[0]}:B" \
            f"{FIRST + 2 + parts[-1]})"
    assert formulas > 100
    # the CSV export: the same layout and the assumptions
    files = write_csv(budgets, tmp_path / "b.csv")
    names = [f.name for f in files]
    assert names[:3] == ["b_budget_expected.csv", "b_budget_low.csv", "b_budget_high.csv"]
    assert "b_assumptions.csv" in names
    head = (tmp_path / "b_budget_expected.csv").read_text().splitlines()
    assert head[0].startswith("line,kind,2026-27,2027-28,2028-29,total")


def test_budget_cli_writes_spreadsheet_and_csv(tmp_path: Path) -> None:
    from tests.xlsx_cells import read_book

    runner = CliRunner()
    xlsx = tmp_path / "b.xlsx"
    r = runner.invoke(app, ["budget", str(CONFIGS / "school_d_rotating.toml"), "--years", "3",
                            "--out", str(xlsx)], env={"COLUMNS": "150"})
    assert r.exit_code == 0, r.output
    assert "Grant budget" in r.output and "$54,000" in r.output
    book = read_book(xlsx)
    assert list(book) == ["budget expected", "budget low", "budget high", "neutrality",
                          "budget by year", "assumptions", "notes"]
    # the assumptions list every price with its source
    cells = book["assumptions"]
    keys = {v for (v, _) in cells.values() if isinstance(v, str)}
    assert {"costs.substitute_daily_rate", "salaries.clerk", "staffing.leader_stipend",
            "LPI 2024 calculator, districts under 10,000 students"} <= keys
    r = runner.invoke(app, ["budget", str(CONFIGS / "school_d_rotating.toml"), "--years", "2",
                            "--out", str(tmp_path / "b.csv")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "b_budget_expected.csv").read_text().startswith("line,kind,2025-26")
    assert (tmp_path / "b_ledger.csv").read_text().startswith("scenario,year,school_id")
    r = runner.invoke(app, ["budget", str(CONFIGS / "school_d.toml"), "--out",
                            str(tmp_path / "b.pdf")])
    assert r.exit_code == 2 and "neither .xlsx nor .csv" in r.output


def test_budget_for_scenario_tables(half: LoadedScenario) -> None:
    b = budget_for_scenario(half, years=2, seed=1)
    assert set(b.tables) == {"neutrality", "budget by year", "ledger", "assumptions"}
    assert [s.version for s in b.grant.sheets] == ["expected", "low", "high"]
    assert any("10-20%" in n for n in b.notes)


def test_teachers_added_at_adoption_are_an_investment(half: LoadedScenario) -> None:
    staffing = half.scenario.staffing.model_copy(update={"specials_teachers_change": 1})
    loaded = half.replace(staffing=staffing)
    sy = run_scenario(loaded, years=1, seed=3).tables["school_year"]
    led = ledger(sy, loaded.scenario)
    line = led["line"] == "teachers added at adoption"
    assert led["category"][line].tolist() == [INVESTMENT]
    # one science special at the average salary times the benefits load
    assert led["amount"][line][0] == pytest.approx(72030 * 1.54)


def test_turnover_cost_changes_smoothly_with_district_size() -> None:
    """LPI's three figures hold at their bands' centres (on log enrolment) and are
    interpolated between: no 39% jump at 10,000 pupils."""
    from teachsim.config.parameters import Costs
    from teachsim.money.costs import turnover_cost_per_leaver

    c = Costs()
    # flat below the small band's centre (3,162) and above the large band's (158,114)
    np.testing.assert_allclose(turnover_cost_per_leaver(np.array([500, 3000, 200_000]), c),
                               [11860, 11860, 24930])
    # at 10,000: 11,860 + ln(10,000 / 3,162.3) / ln(22,360.7 / 3,162.3) x 4,590 = 14,561.7
    assert float(turnover_cost_per_leaver(10_000, c)) == pytest.approx(14561.7, abs=0.5)
    assert float(turnover_cost_per_leaver(22_360.68, c)) == pytest.approx(16450, abs=0.5)
    sizes = 1_000 * 1.01 ** np.arange(600)  # 1,000 to 390,000 pupils, 1% apart
    cost = turnover_cost_per_leaver(sizes, c)
    # 1% more pupils never costs more than 0.3% more per leaver (the bands: 39%)
    assert np.all(np.diff(cost) >= 0) and np.max(cost[1:] / cost[:-1]) < 1.003
    # the published bands, on request: the jump is at exactly 10,000 and above 50,000
    bands = c.model_copy(update={"turnover_cost_by_size": "bands"})
    np.testing.assert_allclose(turnover_cost_per_leaver(
        np.array([9_999, 10_000, 50_000, 50_001]), bands), [11860, 16450, 16450, 24930])


def test_every_line_shares_one_price_basis(half: LoadedScenario) -> None:
    """Stipends, start-up lines, PD sessions and turnover grow with salaries from the
    price year; a district that fixes stipends in dollars keeps them flat."""
    sy = run_scenario(half, years=2, seed=3).tables["school_year"]
    led = ledger(sy, half.scenario)

    def line(name: str, table: dict = led) -> np.ndarray:
        return table["amount"][table["line"] == name]

    np.testing.assert_allclose(line("teacher-leader stipends"), [54000, 54000 * 1.03])
    np.testing.assert_allclose(line("start-up: teacher-leader training"),
                               [6 * 2500, 6 * 2500 * 1.03])
    np.testing.assert_allclose(line("turnover: teachers leaving the district") / np.maximum(
        sy["leavers"] + sy["retirees"] + sy["movers_out_of_district"], 1),
        np.where(sy["leavers"] + sy["retirees"] + sy["movers_out_of_district"] > 0,
                 11860 * np.array([1, 1.03]), 0))
    fixed = half.replace(costs=half.scenario.costs.model_copy(
        update={"stipends_follow_salaries": False}))
    flat = ledger(sy, fixed.scenario)
    np.testing.assert_allclose(line("teacher-leader stipends", flat), [54000, 54000])
    np.testing.assert_allclose(line("clerk FTE change", flat), line("clerk FTE change"))
    # prices stated in 2024 dollars: the first run year (2025) is already 3% up
    older = half.replace(costs=half.scenario.costs.model_copy(update={"price_year": 2024}))
    np.testing.assert_allclose(ledger(sy, older.scenario)["amount"], led["amount"] * 1.03)


def test_added_teachers_enter_the_verdict_and_payroll_stays_out(
        half: LoadedScenario) -> None:
    """A science special hired at adoption is an investment in the verdict ($72,030 x
    1.54 = $110,926 more net); teacher payroll never is."""
    staffing = half.scenario.staffing.model_copy(update={"specials_teachers_change": 1})
    plus = half.replace(staffing=staffing)
    nets = []
    for loaded in (half, plus):
        sy = run_scenario(loaded, years=1, seed=3).tables["school_year"]
        led = ledger(sy, loaded.scenario)
        v = verdicts(led, sy, loaded.scenario)
        inv = led["amount"][led["category"] == INVESTMENT].sum()
        assert v["investments"][0] == pytest.approx(inv)
        assert v["teacher_payroll"][0] > 0
        assert v["net_impact"][0] == pytest.approx(
            inv + led["amount"][led["category"] == TRADE_OFF].sum())
        nets.append(v["net_impact"][0])
    # per-teacher lines move too: transition cover (+$429) and the after-school PD the
    # new teacher no longer attends (9 sessions x 1.5 h x $35 = -$472.50)
    assert nets[1] - nets[0] == pytest.approx(72030 * 1.54 + 429 - 9 * 1.5 * 35)


def _family(values: np.ndarray) -> str:
    """The data-dictionary type family of a budget column, from its values."""
    kinds = {type(v.item() if isinstance(v, np.generic) else v) for v in values
             if v is not None}
    if kinds <= {bool}:
        return "bool"
    if kinds <= {int}:
        return "int64"
    if kinds <= {int, float}:
        return "float64"
    return "string"


def test_data_dictionary_covers_every_budget_table(results: Path,
                                                   half: LoadedScenario) -> None:
    from teachsim.experiments.dictionary import problems, tables

    budgets = [budget_for_scenario(half, years=2, seed=1), *budget_for_results(results)]
    seen = set()
    for b in budgets:
        written = {"budget": b.grant.sheets[0].table(), **b.tables,
                   "notes": {"note": np.array(b.notes, dtype=object)}}
        for name, table in written.items():
            key = name.replace(" ", "_")
            seen.add(key)
            actual = {c: _family(np.asarray(v)) for c, v in table.items()}
            if key == "assumptions":
                actual["value"] = "string"  # numbers and words in one column
            assert problems(key, actual) == [], key
    assert seen == {"budget", "neutrality", "assumptions", "budget_by_year", "ledger",
                    "replications", "notes"}
    assert seen <= set(tables())


def test_budget_walkthrough_figures_are_current() -> None:
    """docs/budget.md's figures are what `teachsim budget` gives with the default seeds:
    regenerate with `uv run python -m teachsim.money.walkthrough docs/budget.md`."""
    from teachsim.money.walkthrough import blocks, update

    page = (CONFIGS.parent / "docs" / "budget.md").read_text()
    assert update(page, blocks()) == page
    with pytest.raises(KeyError, match="lacks the blocks"):
        update("no blocks here", {"school-ledger": "x"})
