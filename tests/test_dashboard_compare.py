"""The run-and-compare page: arms built as experiments build them, seeds shared across
arms, runs identical to ``run_batch``, paired differences as a hand computation gives
them, bad combinations refused in the CLI's words; and in a browser, a run with its
progress bar, results, a live page while running, and Cancel."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from teachsim.analysis import report
from teachsim.analysis import stats as tstats
from teachsim.config.errors import ConfigError
from teachsim.config.tomlio import load_with_extends
from teachsim.dashboard import compare
from teachsim.experiments.design import load_experiment, scenario_with
from teachsim.model.run import TABLES, run_batch
from teachsim.model.scenario import load_scenario
from tests.browser import Dashboard, open_page, shot

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
SCHOOL_D = CONFIGS / "school_d.toml"
POLICIES = ["traditional", "rotating_release"]
SEEDS = compare.replication_seeds(20240901, 3)
YEARS = 3


#: the arms, the comparison and the progress it reported
Compared = tuple[list[compare.Arm], compare.Comparison, list[compare.Progress]]


@pytest.fixture(scope="module")
def comparison() -> Compared:
    arms = compare.build_arms(SCHOOL_D, POLICIES)
    heard: list[compare.Progress] = []
    return arms, compare.run_comparison(arms, SEEDS, YEARS, heard.append, 20240901,
                                        keep=TABLES), heard


def _scenario_file(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(f'extends = "{SCHOOL_D.as_posix()}"\nname = "{name}"\n{body}')
    return path


# --- settings and arms ------------------------------------------------------------------
def test_defaults_follow_the_scenario() -> None:
    d = compare.scenario_defaults(SCHOOL_D)
    assert d == compare.Defaults(["traditional", "rotating_release"], 10, 20240901)
    # a scenario with a policy of its own compares it with its baseline
    assert compare.scenario_defaults(CONFIGS / "school_d_coaching.toml").policies == [
        "traditional", "coaching"]
    d60 = compare.scenario_defaults(CONFIGS / "district_60.toml")
    assert d60.policies == ["traditional", "rotating_release"]
    assert d60.years <= compare.MAX_YEARS
    assert set(compare.policy_choices()) >= {"traditional", "rotating_release", "coaching"}


def test_settings_problems_are_named() -> None:
    assert compare.settings_problem(POLICIES, 3, 5, 0) is None
    assert "at least one policy" in str(compare.settings_problem([], 3, 5, 0))
    for reps in (0, 21, None):
        assert "Replications" in str(compare.settings_problem(POLICIES, reps, 5, 0))
    for years in (0, compare.MAX_YEARS + 1, None):
        assert "Years" in str(compare.settings_problem(POLICIES, 3, years, 0))
    assert "seed" in str(compare.settings_problem(POLICIES, 3, 5, -1))


def test_each_policy_is_the_scenario_with_schedule_policy_set() -> None:
    arms = compare.build_arms(SCHOOL_D, ["traditional", "rotating_release", "traditional"])
    assert [a.name for a in arms] == POLICIES  # repeats dropped, order kept
    base = load_scenario(SCHOOL_D)
    for arm in arms:
        assert arm.loaded.policy.name == arm.name
        assert arm.loaded.baseline.name == "traditional"
        assert arm.loaded.scenario.schedule.policy == arm.name
        # nothing else changes: the scenario is the file's with the one key set
        want = base.scenario.model_dump()
        want["schedule"]["policy"] = arm.name
        assert arm.loaded.scenario.model_dump() == want
        assert [s.name for s in arm.loaded.schools] == [s.name for s in base.schools]


def test_an_arm_is_what_an_experiment_set_override_builds() -> None:
    data, origins = load_with_extends(SCHOOL_D)
    direct = scenario_with(data, origins, SCHOOL_D, {"schedule.policy": "coaching"})
    (arm,) = compare.build_arms(SCHOOL_D, ["coaching"])
    assert arm.loaded.scenario == direct.scenario
    assert arm.loaded.policy == direct.policy


def test_seeds_are_spawned_as_experiments_spawn_them() -> None:
    exp = load_experiment(ROOT / "experiments" / "schedule_comparison.toml",
                          point_estimate=True)
    assert compare.replication_seeds(exp.spec.seed, 5) == exp.replication_seeds(5)
    # replication r's seed does not depend on how many are asked for
    assert compare.replication_seeds(7, 5)[:3] == compare.replication_seeds(7, 3)
    assert len(set(compare.replication_seeds(7, 20))) == 20


def test_a_policy_that_does_not_fit_the_school_is_refused_in_the_cli_words(
        tmp_path: Path) -> None:
    # a K-2 school: rotating release assigns grades 3-5, which it does not have
    k2 = _scenario_file(tmp_path, "k2", '[school]\ngrades = ["K", "1", "2"]\n'
                        "specials_teachers = 2\n")
    with pytest.raises(ConfigError) as caught:
        compare.build_arms(k2, POLICIES)
    # what teachsim run/validate would print for that scenario with that policy
    alone = _scenario_file(tmp_path, "k2_rotating", '[school]\ngrades = ["K", "1", "2"]\n'
                           'specials_teachers = 2\n[schedule]\npolicy = "rotating_release"\n')
    with pytest.raises(ConfigError) as cli:
        load_scenario(alone)
    exc = caught.value
    assert exc.problem == f"in arm 'rotating_release': {cli.value.problem}"
    assert (exc.file, exc.key, exc.fix) == (cli.value.file, cli.value.key, cli.value.fix)
    assert "grade '3' is not one of the school's grades" in str(exc)
    assert "\n  fix: " in str(exc)
    # the page shows the message and has no arms to run
    arms, message = compare._prepare(k2, tuple(POLICIES))
    assert arms == [] and message == str(exc)
    # the traditional arm alone fits
    assert [a.name for a in compare.build_arms(k2, ["traditional"])] == ["traditional"]


def test_a_bad_scenario_shows_the_message_teachsim_run_prints(tmp_path: Path) -> None:
    # more leaders per grade than the school's three homerooms per grade
    bad = _scenario_file(tmp_path, "too_many_leaders",
                         "[staffing]\nleaders_per_grade = 4\n")
    with pytest.raises(ConfigError) as cli:
        load_scenario(bad)
    arms, message = compare._prepare(bad, tuple(POLICIES))
    assert arms == []
    assert message == str(cli.value)
    assert "more than the 3 homerooms per grade" in str(message)


# --- running ----------------------------------------------------------------------------
def test_runs_are_run_batch_with_the_shared_seeds(comparison: Compared) -> None:
    arms, c, _ = comparison
    assert c.arms == POLICIES and c.seeds == SEEDS and c.years == YEARS
    assert c.scenario == "school_d" and c.root_seed == 20240901
    for arm in arms:
        got = c.results[arm.name]
        # every arm runs the same seeds: common random numbers
        assert [r.seed for r in got] == SEEDS
        want = run_batch(arm.loaded, SEEDS, YEARS)
        for g, w in zip(got, want, strict=True):
            assert g.policy == arm.name and g.years == YEARS
            for table in TABLES:
                assert list(g.tables[table]) == list(w.tables[table])
                for col in w.tables[table]:
                    np.testing.assert_array_equal(g.tables[table][col], w.tables[table][col],
                                                  err_msg=f"{arm.name} {table}.{col}")


def test_outcomes_are_the_district_year_tables_keyed_like_results(comparison: Compared) -> None:
    from teachsim.money.costs import ledger

    arms, c, _ = comparison
    out = c.outcomes
    assert len(out) == len(arms) * len(SEEDS) * YEARS
    for a_i, arm in enumerate(arms):
        for r, res in enumerate(c.results[arm.name]):
            rows = out[(out["arm"] == arm.name) & (out["replication"] == r)]
            dy = res.tables["district_year"]
            np.testing.assert_array_equal(rows["year"], dy["year"])
            np.testing.assert_allclose(rows["turnover_rate"], dy["turnover_rate"])
            np.testing.assert_allclose(rows["retention_rate"], 1 - dy["turnover_rate"])
            assert set(rows["run_id"]) == {(a_i << 40) | r}
            assert set(rows["seed"]) == {SEEDS[r]}
            # cost per school: the whole ledger of the year over the schools
            led = ledger(res.tables["school_year"], arm.loaded.scenario)
            for year, cost in zip(rows["year"], rows["cost_per_school"], strict=True):
                assert cost == pytest.approx(led["amount"][led["year"] == year].sum())


def test_progress_counts_school_years_to_the_total(comparison: Compared) -> None:
    _, c, heard = comparison
    total = 2 * len(SEEDS) * YEARS * 1  # arms x replications x years x schools
    assert all(p.total == total for p in heard)
    done = [p.done for p in heard]
    assert done == sorted(done) and done[0] == 0 and done[-1] == total
    assert heard[-1].fraction == 1.0 and heard[-1].summing
    running = [p.text for p in heard if not p.summing]
    assert running[0] == "arm 1 of 2 (traditional): year 0 of 3"
    assert "arm 2 of 2 (rotating_release): year 3 of 3" in running
    assert [p.year for p in heard if p.arm == 1] == [0, 1, 2, 3]
    assert c.school_years == total


# --- numbers ----------------------------------------------------------------------------
def _hand_ci(x: np.ndarray) -> tuple[float, float, float]:
    half = sps.t.ppf(0.975, len(x) - 1) * np.std(x, ddof=1) / np.sqrt(len(x))
    return float(np.mean(x)), float(np.mean(x) - half), float(np.mean(x) + half)


@pytest.mark.parametrize("outcome", ["retention_rate", "practice_mean", "cost_per_school"])
def test_paired_differences_equal_a_hand_computation(comparison: Compared, outcome: str
                                                     ) -> None:
    _, c, _ = comparison

    def run_values(arm: str) -> np.ndarray:
        # each run's yearly values averaged, straight from the run's own tables
        if outcome == "cost_per_school":
            rows = c.outcomes[c.outcomes["arm"] == arm]
            return rows.groupby("replication")[outcome].mean().to_numpy()
        col = "turnover_rate" if outcome == "retention_rate" else outcome
        v = np.array([np.mean(r.tables["district_year"][col]) for r in c.results[arm]])
        return 1 - v if outcome == "retention_rate" else v

    ref, other = (run_values(a) for a in POLICIES)
    summary = compare.outcome_summary(compare.per_run(c.outcomes), outcome, "traditional",
                                      c.arms)
    assert list(summary["row"]) == [*POLICIES, "rotating_release \u2212 traditional"]
    assert list(summary["runs"]) == [3, 3, 3]
    for row, values in zip(summary.itertuples(), (ref, other, other - ref), strict=True):
        mean, lo, hi = _hand_ci(values)
        if outcome == "retention_rate" and row.kind == "arm":
            lo, hi = max(lo, 0.0), min(hi, 1.0)
        assert (row.mean, row.ci_low, row.ci_high) == pytest.approx((mean, lo, hi))
    # the table writes them as the report does: shares in percent, differences signed
    table = compare.outcome_table(summary, outcome)
    kind = report.kind_of(outcome)
    mean, lo, hi = _hand_ci(other - ref)
    assert table.iloc[2].to_dict() == {
        "Arm": "rotating_release \u2212 traditional (paired)", "Runs": "3",
        "Mean": report.fmt(mean, kind, True), "95% CI": report.interval(lo, hi, kind, True)}
    assert table.iloc[0]["Mean"] == report.fmt(np.mean(ref), kind)


def test_difference_from_another_reference_and_every_outcome(comparison: Compared) -> None:
    _, c, _ = comparison
    runs = compare.per_run(c.outcomes)
    flipped = compare.outcome_summary(runs, "practice_mean", "rotating_release", c.arms)
    forward = compare.outcome_summary(runs, "practice_mean", "traditional", c.arms)
    assert flipped.iloc[2]["row"] == "traditional \u2212 rotating_release"
    assert flipped.iloc[2]["mean"] == pytest.approx(-forward.iloc[2]["mean"])
    diffs = compare.all_differences(runs, "traditional")
    assert list(diffs["outcome"]) == list(compare.OUTCOMES)
    assert set(diffs["arm"]) == {"rotating_release"} and set(diffs["n"]) == {3}
    one = diffs[diffs["outcome"] == "practice_mean"].iloc[0]
    assert one["mean"] == pytest.approx(forward.iloc[2]["mean"])


def test_one_replication_has_no_interval() -> None:
    arms = compare.build_arms(SCHOOL_D, POLICIES)
    c = compare.run_comparison(arms, SEEDS[:1], 1)
    summary = compare.outcome_summary(compare.per_run(c.outcomes), "burnout_prevalence",
                                      "traditional", c.arms)
    table = compare.outcome_table(summary, "burnout_prevalence")
    assert set(table["95% CI"]) == {report.DASH}
    # by default a comparison does not hold the teachers' rows it does not show
    assert set(c.results["traditional"][0].tables) == set(TABLES) - {"teacher_year"}
    assert all(re.fullmatch(r"[+-]?\d+\.\d\d", m) for m in table["Mean"])


def test_figures_draw_the_bands_and_differences(comparison: Compared) -> None:
    import matplotlib.pyplot as plt

    _, c, _ = comparison
    fig, data = compare.trajectory_figure(c.outcomes, "burnout_prevalence")
    plt.close(fig)
    band = tstats.bands(c.outcomes, "burnout_prevalence")
    np.testing.assert_allclose(data["p50"], band["p50"] * 100)
    first = c.outcomes[(c.outcomes["arm"] == "traditional")
                       & (c.outcomes["year"] == c.outcomes["year"].min())]
    got = data[(data["arm"] == "traditional")]["p50"].iloc[0]
    assert got == pytest.approx(100 * np.median(first["burnout_prevalence"]))
    diffs = compare.all_differences(compare.per_run(c.outcomes), "traditional")
    fig, drawn = compare.paired_figure(diffs)
    plt.close(fig)
    assert len(drawn) == len(compare.OUTCOMES)
    assert isinstance(drawn, pd.DataFrame)


# --- in a browser -----------------------------------------------------------------------
_WATCH_PROGRESS = """() => {
  window.__sawProgress = false;
  const seen = () => { if (document.querySelector('.ts-progress')) window.__sawProgress = true; };
  new MutationObserver(seen).observe(document.body, {childList: true, subtree: true});
  seen();
}"""


def _set_number(page: Any, css: str, value: int) -> None:
    box = page.locator(f"{css} input")
    box.fill(str(value))
    box.press("Enter")
    box.blur()


def _choose(page: Any, css: str, option: str) -> None:
    page.locator(css).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_browser_run_shows_progress_and_paired_differences(dashboard: Dashboard, page: Any) -> None:
    from playwright.sync_api import expect

    open_page(page, dashboard.url + "compare", "Replications")
    expect(page.locator(".ts-scenario")).to_contain_text("school_d")
    expect(page.locator(".ts-policies")).to_contain_text("traditional, rotating_release")
    shot(page, "compare_settings")
    _set_number(page, ".ts-replications", 2)
    _set_number(page, ".ts-years", 2)
    expect(page.locator(".ts-years input")).to_have_value("2")
    page.evaluate(_WATCH_PROGRESS)
    page.locator(".ts-run").click()
    table = page.locator("[data-testid=compare-outcome]")
    table.wait_for(timeout=60_000)
    assert page.evaluate("window.__sawProgress"), "the progress bar never appeared"
    expect(page.locator(".ts-status")).to_contain_text(
        "Done: 2 arm(s) x 2 replication(s) x 2 year(s) of school_d, 8 school-years")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    cells = [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
             for i in range(3)]
    assert [c[0] for c in cells] == ["traditional", "rotating_release",
                                     "rotating_release \u2212 traditional (paired)"]
    for c in cells[:2]:
        assert c[1] == "2" and re.fullmatch(r"\d+\.\d\d", c[2]), c
        assert re.fullmatch(r"\d+\.\d\d to \d+\.\d\d", c[3]), c
    assert re.fullmatch(r"[+-]?\d+\.\d\d", cells[2][2]), cells[2]
    assert re.fullmatch(r"[+-]?\d+\.\d\d to [+-]?\d+\.\d\d", cells[2][3]), cells[2]
    # two figures (trajectories, paired differences) and the tables of every outcome
    expect(page.locator("[data-testid=compare-differences] tbody tr")).to_have_count(
        len(compare.OUTCOMES))
    expect(page.locator("[data-testid=compare-summary] tbody tr")).to_have_count(2)
    expect(page.locator(".ts-results img")).to_have_count(2)
    # another outcome redraws from the same runs, without running again
    _choose(page, ".ts-outcome", "Teachers burned out")
    expect(table.locator("caption")).to_contain_text("Teachers burned out")
    expect(page.locator(".ts-status")).to_contain_text("Done")
    shot(page, "compare_results")


def test_browser_page_stays_live_while_running_and_cancels(dashboard: Dashboard, page: Any) -> None:
    from playwright.sync_api import expect

    open_page(page, dashboard.url + "compare", "Replications")
    # a big run (60 schools x 20 replications x 10 years, two arms: many seconds)
    _choose(page, ".ts-scenario", "district_60")
    expect(page.locator(".ts-policies")).to_contain_text("traditional, rotating_release")
    _set_number(page, ".ts-replications", 20)
    _set_number(page, ".ts-years", 10)
    expect(page.locator(".ts-replications input")).to_have_value("20")
    page.locator(".ts-run").click()
    status = page.locator(".ts-status")
    expect(status).to_contain_text("Running arm 1 of 2", timeout=30_000)
    expect(page.locator(".ts-progress")).to_be_visible()
    t0 = time.perf_counter()
    _choose(page, ".ts-outcome", "Teachers intending to leave")
    # the server answered (it draws this line) while the worker still runs
    expect(page.locator(".ts-showing")).to_contain_text("Teachers intending to leave",
                                                        timeout=5_000)
    assert time.perf_counter() - t0 < 5
    expect(status).to_contain_text("Running")
    shot(page, "compare_running")
    page.locator(".ts-cancel").click()
    expect(status).to_contain_text("Cancelled", timeout=30_000)
    expect(page.locator("[data-testid=compare-outcome]")).to_have_count(0)
    expect(page.locator(".ts-run")).to_be_enabled()
    shot(page, "compare_cancelled")


def test_browser_bad_combination_shows_the_error(dashboard: Dashboard, page: Any) -> None:
    from playwright.sync_api import expect

    # a scenario of the user's own, in ./configs of the dashboard's working directory
    mine = dashboard.cwd / "configs" / "zz_compare_k2.toml"
    mine.parent.mkdir(exist_ok=True)
    mine.write_text(f'extends = "{SCHOOL_D.as_posix()}"\nname = "k2"\n[school]\n'
                    'grades = ["K", "1", "2"]\nspecials_teachers = 2\n')
    try:
        open_page(page, dashboard.url + "compare", "Replications")
        _choose(page, ".ts-scenario", "zz_compare_k2")
        box = page.locator(".ts-error")
        expect(box).to_contain_text("in arm 'rotating_release'")
        expect(box).to_contain_text("grade '3' is not one of the school's grades")
        expect(box).to_contain_text("fix:")
        expect(page.locator(".ts-run")).to_be_disabled()
        shot(page, "compare_error")
    finally:
        mine.unlink()
