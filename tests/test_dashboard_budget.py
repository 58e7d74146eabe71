"""The budget what-if page: its re-pricing agrees with the money layer to the dollar, its
levers stay inside what the configuration accepts, and in a real browser a slider moves
the figures, a staffing change re-runs the model and the spreadsheet downloads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from teachsim.config.errors import ConfigError
from teachsim.config.scenario import Scenario
from teachsim.config.tomlio import load_with_extends
from teachsim.dashboard import budget as B
from teachsim.experiments.design import scenario_with
from teachsim.model.run import run_batch
from teachsim.money.budget import budget_of_runs
from teachsim.money.grant import compact
from tests.browser import open_page, shot

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
DISTRICT = CONFIGS / "district_60.toml"
SCHOOL = CONFIGS / "school_d_rotating.toml"


@pytest.fixture(scope="module")
def district() -> B.Source:
    return B.simulate(DISTRICT, {}, 2, years=5)


def total(b: object, row: str, version: str = "expected") -> float:
    sheet = {s.version: s for s in b.grant.sheets}[version]  # type: ignore[attr-defined]
    return float(np.sum(sheet.row(row).values))


def test_the_simulation_never_reads_prices() -> None:
    """Why prices re-price stored school years instead of re-running: the same seed with
    other prices simulates the same school years, bit for bit."""
    data, origins = load_with_extends(SCHOOL)
    a = scenario_with(data, origins, SCHOOL, {"run.years": 2})
    b = scenario_with(data, origins, SCHOOL, {
        "run.years": 2, "costs.substitute_daily_rate": 250.0, "costs.salary_growth": 0.07,
        "costs.stipend_payroll_load": 0.18, "costs.per_pupil_spending": 22000.0})
    ta = run_batch(a, [5])[0].tables["school_year"]
    tb = run_batch(b, [5])[0].tables["school_year"]
    assert list(ta) == list(tb)
    for col in ta:
        assert np.array_equal(ta[col], tb[col]), col


def test_repricing_equals_the_money_layer(district: B.Source) -> None:
    prices = {"costs.substitute_daily_rate": 180.0, "costs.startup.0.amount": 4000.0}
    got = B.budget(district, prices)
    scen = district.scenario.model_copy(update={"costs": district.scenario.costs.model_copy(
        update={"substitute_daily_rate": 180.0, "startup": [
            line.model_copy(update={"amount": 4000.0}) if i == 0 else line
            for i, line in enumerate(district.scenario.costs.startup)]})})
    want = budget_of_runs(district.title, district.name, scen, district.policy,
                          district.runs)
    for version in ("expected", "low", "high"):
        g = compact({s.version: s for s in got.grant.sheets}[version])
        w = compact({s.version: s for s in want.grant.sheets}[version])
        for key in ("net_cost", "ask", "ask_share"):
            assert np.allclose(g[key], w[key]), (version, key)


def test_payroll_load_scales_its_line_and_nothing_else(district: B.Source) -> None:
    """Doubling the payroll load doubles the payroll line; the net cost moves by exactly
    that line's change."""
    line = "payroll tax and retirement on stipends"
    lo = B.budget(district, {"costs.stipend_payroll_load": 0.10})
    hi = B.budget(district, {"costs.stipend_payroll_load": 0.20})
    assert total(lo, line) > 0
    assert total(hi, line) == pytest.approx(2 * total(lo, line))
    assert (B.headline(hi).net_cost - B.headline(lo).net_cost
            == pytest.approx(total(hi, line) - total(lo, line)))


def test_startup_line_adds_its_amount_per_adoption(district: B.Source) -> None:
    """With prices flat, $1,000 more on a per-school line of start-up year 1 adds $1,000
    to the ask for each school that adopts, averaged over the replications."""
    flat = {"costs.salary_growth": 0.0}
    line = district.scenario.costs.startup[1]
    assert (line.per, line.years) == ("school", [1])
    before = B.headline(B.budget(district, flat)).ask
    after = B.headline(B.budget(district, {**flat, B.startup_key(1): line.amount + 1000})).ask
    starts = np.mean([(t["adopted"] & (t["years_since_adoption"] == 0)).sum()
                      for _, t in district.runs])
    assert starts >= 10
    assert after - before == pytest.approx(1000 * starts)


def test_payroll_load_outside_its_range_widens_the_range(district: B.Source) -> None:
    scen = B.priced(district.scenario, {"costs.stipend_payroll_load": 0.3}, DISTRICT)
    c = scen.costs
    assert (c.stipend_payroll_load_low, c.stipend_payroll_load, c.stipend_payroll_load_high
            ) == (district.scenario.costs.stipend_payroll_load_low, 0.3, 0.3)


def test_a_bad_price_gets_the_configuration_message(district: B.Source) -> None:
    with pytest.raises(ConfigError) as exc:
        B.budget(district, {B.startup_key(0): -5.0})
    text = str(exc.value)
    assert "district_60.toml: key 'costs.startup[0].amount': is out of range" in text
    assert "fix:" in text


def test_staffing_changes_rerun_the_model() -> None:
    """A clerk cut is a trade-off the model simulates (clerk time moves to teachers), so
    the page re-runs; its saving shows in the budget as a negative trade-off."""
    keep = B.budget(B.simulate(SCHOOL, {"staffing.clerk_fte_change": 0.0}, 1, years=3), {})
    cut = B.budget(B.simulate(SCHOOL, {"staffing.clerk_fte_change": -1.0}, 1, years=3), {})
    assert B.headline(cut).net_cost < B.headline(keep).net_cost
    with pytest.raises(ConfigError) as exc:
        B.simulate(SCHOOL, {"staffing.clerk_fte_change": -9.0}, 1, years=1)
    assert "staffing.clerk_fte_change" in str(exc.value)


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.toml")), ids=lambda p: p.stem)
def test_levers_fit_every_builtin_scenario(path: Path) -> None:
    """Each lever's range is one the configuration accepts, and each built-in scenario's
    value sits on the slider's grid (a slider snaps an off-grid value, which would change
    a price nobody touched)."""
    from teachsim.config.scenario import read_scenario

    scen, _ = read_scenario(path)
    for lever in B.LEVERS.values():
        value = B.get(scen, lever.key)
        if lever.kind in ("bool", "choice"):
            if lever.kind == "choice":
                assert value in lever.choices or lever.key == "rollout.strategy"
            continue
        for end in (lever.low, lever.high):
            B.priced(scen, {lever.key: end}, path) if lever.key.startswith("costs") else (
                Scenario.model_validate(_with(scen, lever.key, end)))
        k = (float(value) - lever.low) / lever.step
        assert lever.low <= value <= lever.high, (lever.key, value)
        assert abs(k - round(k)) < 1e-6, (lever.key, value)


def _with(scen: Scenario, key: str, value: float) -> dict[str, object]:
    data = scen.model_dump()
    table, leaf = key.split(".")
    data[table][leaf] = int(value) if float(value).is_integer() else value
    return data


def test_tables_and_headline_agree(district: B.Source) -> None:
    b = B.budget(district, {})
    h = B.headline(b)
    g = B.grant_frame(b)
    n = B.neutrality_frame(b)
    assert g["Cumulative ask ($)"].iloc[-1] == B.dollars(h.ask)
    v = b.tables["neutrality"]
    assert n["Schools on the policy"].sum() == len(v["verdict"])
    assert h.neutral == f"{n['Budget-neutral'].sum()} of {len(v['verdict'])}"
    book = zipfile.ZipFile(io.BytesIO(B.spreadsheet(b)))
    assert "xl/workbook.xml" in book.namelist()


# --- in the browser ------------------------------------------------------------------


def figure(page: object, name: str) -> str:
    return page.locator(f"[data-testid={name}]").inner_text()  # type: ignore[attr-defined]


def test_browser_slider_moves_the_budget(dashboard: object, page: object) -> None:
    open_page(page, dashboard.url, "Grant budget by fiscal year")  # type: ignore[attr-defined]
    before = figure(page, "net-cost-of-the-design-total")
    ask_before = figure(page, "philanthropic-ask-total")
    slider = page.locator(  # type: ignore[attr-defined]
        ".lever-costs-stipend_payroll_load [role=slider]")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    value = page.locator("[data-testid='value-costs.stipend_payroll_load']")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector(\"[data-testid='value-costs.stipend_payroll_load']\")"
        ".innerText == '20'")
    assert value.inner_text() == "20"
    page.wait_for_function(  # type: ignore[attr-defined]
        "b => document.querySelector('[data-testid=net-cost-of-the-design-total]')"
        ".innerText != b", arg=before)
    after = figure(page, "net-cost-of-the-design-total")
    money = lambda t: float(t.replace("$", "").replace(",", ""))  # noqa: E731
    assert money(after) > money(before)  # more payroll load on the same stipends
    # start-up lines are paid by the grant; the payroll load is recurring, not asked for
    assert figure(page, "philanthropic-ask-total") == ask_before
    shot(page, "budget_payroll_load")


def test_browser_staffing_reruns_and_downloads(dashboard: object, page: object) -> None:
    open_page(page, dashboard.url, "Grant budget by fiscal year")  # type: ignore[attr-defined]
    ask_before = figure(page, "philanthropic-ask-total")
    per_year = page.locator(".lever-rollout-per_year [role=slider]")  # type: ignore[attr-defined]
    per_year.focus()
    for _ in range(5):
        per_year.press("ArrowLeft")  # 10 -> 5 schools a year
    page.get_by_text("Simulating").first.wait_for()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector(\"[data-testid='value-rollout.per_year']\")"
        "?.innerText == '5'")
    page.locator("[data-testid=grant-table]").wait_for()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "b => document.querySelector('[data-testid=philanthropic-ask-total]')?.innerText "
        "!= b", arg=ask_before)
    money = lambda t: float(t.replace("$", "").replace(",", ""))  # noqa: E731
    # half as many schools start each year: less start-up within the same ten years
    assert money(figure(page, "philanthropic-ask-total")) < money(ask_before)
    shot(page, "budget_rollout_5_a_year")
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_text("Download the grant spreadsheet").click()  # type: ignore[attr-defined]
    path = info.value.path()
    book = zipfile.ZipFile(path)
    assert any("worksheets/sheet" in n for n in book.namelist())
    assert info.value.suggested_filename == "grant_budget.xlsx"
