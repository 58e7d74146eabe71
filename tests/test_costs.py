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
from teachsim.money.grant import MONEY, grant_budget
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
    """0.5 FTE misses by $54,000 + $8,100 - $38,280 - $17,730 (+ start-up); 1.0 FTE
    pays for the stipends with $32,190 to spare (after start-up)."""
    for loaded, verdict in ((half, "misses"), (full, "budget-neutral")):
        sy = run_scenario(loaded, years=3, seed=3).tables["school_year"]
        v = verdicts(ledger(sy, loaded.scenario), sy, loaded.scenario)
        assert v["verdict"][2] == verdict  # year 3: start-up over
    sy = run_scenario(half, years=3, seed=3).tables["school_year"]
    v = verdicts(ledger(sy, half.scenario), sy, half.scenario)
    growth = 1.03 ** 2
    expected = 54000 + 8100 - 0.5 * 44000 * 1.74 * growth - (9 * 1.5 * 28 * 35 * growth
                                                             + 9 * 500)
    assert v["misses_by"][2] == pytest.approx(expected)
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
def district() -> tuple[LoadedScenario, dict, dict, dict]:
    loaded = load_scenario(CONFIGS / "district_60.toml").with_overrides(years=8)
    sy = run_scenario(loaded, seed=4).tables["school_year"]
    led = ledger(sy, loaded.scenario)
    return loaded, sy, led, grant_budget(led, sy, loaded.scenario)


def test_grant_rows_sum_to_district_totals(district: tuple) -> None:
    _, _, led, g = district
    for fy in np.unique(g["fiscal_year"]):
        rows = (g["fiscal_year"] == fy) & (g["cohort"] != "total")
        total = (g["fiscal_year"] == fy) & (g["cohort"] == "total")
        for col in ("schools", "one_time_startup", "recurring_costs", "savings", "net",
                    "philanthropic_ask"):
            assert g[col][rows].sum() == pytest.approx(g[col][total].sum())
    totals = g["cohort"] == "total"
    assert g["cumulative_ask"][totals][-1] == pytest.approx(g["philanthropic_ask"][
        totals].sum())
    # one-time costs are the ledger's start-up lines
    startup = led["amount"][np.char.startswith(led["line"].astype(str), "start-up:")].sum()
    assert g["one_time_startup"][totals].sum() == pytest.approx(startup)
    # cohorts: 10 schools adopt each year from the second year (the plan); some drop
    # the design later, and the budget counts the schools on it
    _, sy, _, _ = district
    on = [int(sy["adopted"][sy["year"] == y].sum()) for y in np.unique(sy["year"])]
    assert g["schools"][totals].tolist() == on
    assert on[:2] == [0, 10] and np.all(np.diff(on[1:6]) > 0)
    np.testing.assert_allclose(g["net"], g["one_time_startup"] + g["recurring_costs"]
                               - g["savings"])


def test_ask_is_a_small_share_of_the_operating_budget(district: tuple) -> None:
    _, sy, _, g = district
    totals = g["cohort"] == "total"
    share = g["ask_share_of_budget_pct"][totals]
    assert 0 < share.max() < 0.5  # seed 002: "around 0.2%"
    y = g["year"][totals][1]
    assert g["operating_budget"][totals][1] == pytest.approx(
        16990 * sy["students"][sy["year"] == y].sum() * 1.03)


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


def test_bands_are_ordered(tmp_path: Path) -> None:
    from teachsim.experiments.api import run_experiment

    exp = tmp_path / "e.toml"
    exp.write_text(f"""
name = "bands"
base = "{CONFIGS / 'district_60.toml'}"
replications = 5
seed = 1
years = 4
tables = ["school_year"]
[[arm]]
name = "attrition"
set = {{ "staffing.support_change_mode" = "attrition", "district.n_schools" = 12, \
"rollout.per_year" = 4 }}
""")
    run_experiment(exp, out=tmp_path / "res", serial=True)
    (b,) = budget_for_results(tmp_path / "res")
    t = b.tables["grant budget bands"]
    for col in MONEY:
        assert np.all(t[f"{col}_p10"] <= t[f"{col}_p50"] + 1e-9)
        assert np.all(t[f"{col}_p50"] <= t[f"{col}_p90"] + 1e-9)
    savings = t["savings_p90"] - t["savings_p10"]
    assert savings.max() > 0  # clerk cuts by attrition differ between replications


def test_budget_cli_writes_spreadsheet_and_csv(tmp_path: Path) -> None:
    import zipfile

    runner = CliRunner()
    xlsx = tmp_path / "b.xlsx"
    r = runner.invoke(app, ["budget", str(CONFIGS / "school_d_rotating.toml"), "--years", "3",
                            "--out", str(xlsx)], env={"COLUMNS": "150"})
    assert r.exit_code == 0, r.output
    assert "Grant budget" in r.output and "$54,000" in r.output
    with zipfile.ZipFile(xlsx) as z:
        book = z.read("xl/workbook.xml").decode()
    for sheet in ("grant budget", "budget by year", "verdicts", "ledger", "notes"):
        assert f'name="{sheet}"' in book
    r = runner.invoke(app, ["budget", str(CONFIGS / "school_d_rotating.toml"), "--years", "2",
                            "--out", str(tmp_path / "b.csv")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "b_grant_budget.csv").read_text().startswith("fiscal_year,year,cohort")
    r = runner.invoke(app, ["budget", str(CONFIGS / "school_d.toml"), "--out",
                            str(tmp_path / "b.pdf")])
    assert r.exit_code == 2 and "neither .xlsx nor .csv" in r.output


def test_budget_for_scenario_tables(half: LoadedScenario) -> None:
    b = budget_for_scenario(half, years=2, seed=1)
    assert set(b.tables) == {"grant budget", "budget by year", "verdicts", "ledger"}
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
