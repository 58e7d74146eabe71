"""The results explorer page: its numbers are the report's numbers for the chosen arms
and years (checked against DuckDB over the results and a hand computation), a path that
is no results directory gets the words ``teachsim report`` prints, and the page in a
browser opens a directory, switches outcome and shows the differences and manifest."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import solara
from scipy import stats as sp
from typer.testing import CliRunner

from teachsim.analysis import report, stats
from teachsim.cli import app
from teachsim.config.errors import ConfigError
from teachsim.dashboard import explorer as E
from teachsim.dashboard.server import RESULTS_ENV
from teachsim.experiments.api import run_experiment
from teachsim.experiments.results import open_results
from tests.browser import open_page, shot
from tests.conftest import CONFIGS

ARMS = ["traditional", "rotating", "weekly_plc"]
YEARS = 3
REPLICATIONS = 2


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished experiment: three arms, two replications, three school years."""
    tmp = tmp_path_factory.mktemp("explorer")
    exp = tmp / "small_explorer.toml"
    exp.write_text(f"""
name = "small_explorer"
base = "{CONFIGS / 'school_d.toml'}"
replications = 5
seed = 7
years = {YEARS}
tables = ["school_year", "district_year", "run_summary"]
[[arm]]
name = "traditional"
[[arm]]
name = "rotating"
set = {{ "schedule.policy" = "rotating_release", "staffing.leaders_per_grade" = 1 }}
[[arm]]
name = "weekly_plc"
set = {{ "schedule.policy" = "weekly_plc" }}
""")
    out = tmp / "small_explorer"
    run_experiment(exp, out=out, replications=REPLICATIONS, serial=True)
    return out


@pytest.fixture(scope="module")
def loaded(results: Path) -> E.Loaded:
    return E.load(results)


def query(results: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    """DuckDB straight over the directory's parquet chunks (not through Results)."""
    files = str(results / "parts" / "chunk-*" / "district_year.parquet")
    with duckdb.connect() as con:
        con.execute(f"CREATE VIEW district_year AS SELECT * FROM read_parquet('{files}')")
        return con.execute(sql, params or []).df()


def test_load_reads_what_the_report_reads(results: Path) -> None:
    seen: list[tuple[float, str]] = []
    got = E.load(results, lambda p, what: seen.append((p, what)))
    pd.testing.assert_frame_equal(got.outcomes, stats.district_outcomes(open_results(results)))
    assert got.arms == ARMS
    assert got.present == list(stats.OUTCOMES)  # every outcome, cost included
    first = int(query(results, "SELECT min(year) AS y FROM district_year")["y"][0])
    assert got.years == (first, first + YEARS - 1)
    assert got.replications == {a: REPLICATIONS for a in ARMS}
    assert (got.finished, got.failed) == (len(ARMS) * REPLICATIONS, 0)
    # progress only rises, names each arm it prices and ends at 100
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    for arm in ARMS:
        assert any(f"arm '{arm}'" in what for _, what in seen)


@pytest.mark.parametrize("outcome, column", [
    ("retention_rate", "1 - turnover_rate"), ("practice_mean", "practice_mean")])
def test_bands_equal_duckdb_over_the_chosen_arms_and_years(results: Path, loaded: E.Loaded,
                                                           outcome: str, column: str) -> None:
    arms = ["weekly_plc", "traditional"]
    years = (loaded.years[0] + 1, loaded.years[1])
    band = E.outcome_bands(loaded.outcomes, outcome, arms, years)
    want = query(results, f"""
        SELECT arm, year, quantile_cont({column}, 0.1) AS p10,
               quantile_cont({column}, 0.5) AS p50, quantile_cont({column}, 0.9) AS p90,
               avg({column}) AS mean, count(*) AS replications
        FROM district_year WHERE arm IN ('weekly_plc', 'traditional')
          AND year BETWEEN ? AND ? GROUP BY arm, year""", list(years))
    # the arms in the order chosen, the years in the range only
    assert list(dict.fromkeys(band["arm"])) == arms
    assert sorted(set(band["year"])) == list(range(years[0], years[1] + 1))
    merged = band.merge(want, on=["arm", "year"], suffixes=("", "_db"))
    assert len(merged) == len(band) == len(want) == 2 * (YEARS - 1)
    for col in ("p10", "p50", "p90", "mean"):
        np.testing.assert_allclose(merged[col], merged[f"{col}_db"], rtol=1e-12)
    assert (merged["replications"] == REPLICATIONS).all()

    table = E.bands_table(band, outcome, arms)
    assert list(table.columns) == ["School year", *arms]
    kind = report.kind_of(outcome)
    for _, r in want.iterrows():
        cell = table.loc[table["School year"] == str(r["year"]), r["arm"]].item()
        assert cell == (f"{report.fmt(r['p50'], kind)} "
                        f"({report.fmt(r['p10'], kind)} to {report.fmt(r['p90'], kind)})")


def hand_differences(results: Path, column: str, reference: str, years: tuple[int, int]
                     ) -> dict[str, tuple[float, float, float, int]]:
    """Each arm minus the reference by hand: a run's mean over the years, paired by
    replication, the mean difference and its t interval."""
    runs = query(results, f"""SELECT arm, replication, avg({column}) AS v FROM district_year
                              WHERE year BETWEEN ? AND ? GROUP BY arm, replication""",
                 list(years)).pivot(index="replication", columns="arm", values="v")
    out = {}
    for arm in ARMS:
        if arm == reference:
            continue
        d = (runs[arm] - runs[reference]).to_numpy()
        n = len(d)
        half = sp.t.ppf(0.975, n - 1) * d.std(ddof=1) / np.sqrt(n)
        out[arm] = (d.mean(), d.mean() - half, d.mean() + half, n)
    return out


@pytest.mark.parametrize("outcome, column", [
    ("practice_mean", "practice_mean"), ("retention_rate", "1 - turnover_rate")])
@pytest.mark.parametrize("reference", ["traditional", "rotating"])
@pytest.mark.parametrize("which", ["all years", "first year", "last two"])
def test_paired_differences_equal_a_hand_computation(results: Path, loaded: E.Loaded,
                                                     outcome: str, column: str,
                                                     reference: str, which: str) -> None:
    lo, hi = loaded.years
    years = {"all years": (lo, hi), "first year": (lo, lo), "last two": (hi - 1, hi)}[which]
    diffs = E.differences(loaded.outcomes, outcome, ARMS, reference, years)
    want = hand_differences(results, column, reference, years)
    assert list(diffs["arm"]) == [a for a in ARMS if a != reference]
    for _, r in diffs.iterrows():
        np.testing.assert_allclose([r["mean"], r["ci_low"], r["ci_high"]],
                                   want[r["arm"]][:3], rtol=1e-9)
        assert r["n"] == REPLICATIONS and r["reference"] == reference

    table = report.differences_table(diffs, reference)
    kind = report.kind_of(outcome)
    for _, r in table.iterrows():
        mean, low, high, n = want[r["Arm"]]
        assert r[f"Mean difference from '{reference}'"] == report.fmt(mean, kind, True)
        assert r["95% confidence interval"] == (f"{report.fmt(low, kind, True)} to "
                                                f"{report.fmt(high, kind, True)}")
        assert r["Paired runs"] == str(n)


def test_the_years_change_the_differences(loaded: E.Loaded) -> None:
    lo, hi = loaded.years
    first = E.differences(loaded.outcomes, "retention_rate", ARMS, "traditional", (lo, lo))
    every = E.differences(loaded.outcomes, "retention_rate", ARMS, "traditional", (lo, hi))
    assert not np.allclose(first["mean"], every["mean"])


def test_the_arms_filter_is_honoured(loaded: E.Loaded) -> None:
    years = loaded.years
    one = E.differences(loaded.outcomes, "cost_per_school", ["weekly_plc"], "traditional",
                        years)
    assert list(one["arm"]) == ["weekly_plc"]
    # the same pairs as with every arm chosen: the filter drops rows, not pairs
    every = E.differences(loaded.outcomes, "cost_per_school", ARMS, "traditional", years)
    cols = ["mean", "ci_low", "ci_high", "n"]
    assert one[cols].to_numpy().tolist() == every.loc[every["arm"] == "weekly_plc", cols
                                                      ].to_numpy().tolist()
    assert E.differences(loaded.outcomes, "cost_per_school", ["traditional"], "traditional",
                         years).empty
    band = E.outcome_bands(loaded.outcomes, "cost_per_school", ["rotating"], years)
    assert set(band["arm"]) == {"rotating"}


def test_manifest_and_settings_tables(results: Path, loaded: E.Loaded) -> None:
    manifest = json.loads((results / "manifest.json").read_text())
    table = dict(E.manifest_table(loaded).itertuples(index=False))
    assert table["Experiment"] == "small_explorer"
    assert table["Experiment file"] == manifest["experiment_file"]
    assert table["Created"] == manifest["created_at"]
    assert table["Updated"] == manifest["updated_at"]
    assert table["Replications finished, by arm (from the data)"] == \
        "traditional: 2, rotating: 2, weekly_plc: 2"
    assert table["Runs finished / failed"] == "6 finished, 0 failed (of 6 planned)"
    assert table["Root seed"] == "7"
    assert table["Parameter uncertainty"] == report.uncertainty_note(manifest)
    assert f"teachsim {manifest['versions']['teachsim']}" in table["Versions"]
    settings = E.settings_table(manifest)
    assert list(settings.itertuples(index=False, name=None)) == [
        ("traditional", "(none: the base scenario as it is)", report.DASH),
        ("rotating", "schedule.policy", "rotating_release"),
        ("rotating", "staffing.leaders_per_grade", "1"),
        ("weekly_plc", "schedule.policy", "weekly_plc")]


def cli_error(path: Path) -> str:
    result = CliRunner().invoke(app, ["report", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    return result.output.removeprefix("error: ").rstrip("\n")


def test_a_path_that_is_no_results_directory_gets_the_cli_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    for bad in (tmp_path / "nowhere", tmp_path, broken):
        with pytest.raises(ConfigError) as opened:
            open_results(bad)
        with pytest.raises(ConfigError) as loading:
            E.load(E.resolve(f"  {bad}  "))
        assert str(loading.value) == str(opened.value) == cli_error(bad)
        assert E.error_text(loading.value) == str(opened.value)


def html_of(rc: object, test_id: str) -> str:
    """The HTML of the Table with ``test_id`` in a rendered component."""
    found = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML  # type: ignore[attr-defined]
                                                  ).widgets
             if f'data-testid="{test_id}"' in (w.unsafe_innerHTML or "")]
    assert len(found) == 1, test_id
    return found[0]


def test_the_page_body_shows_the_tables(loaded: E.Loaded) -> None:
    _box, rc = solara.render(E.Explorer(loaded), handle_error=False)
    try:
        diffs = E.differences(loaded.outcomes, loaded.present[0], ARMS, "traditional",
                              loaded.years)
        shown = report.differences_table(diffs, "traditional")
        body = html_of(rc, "results-differences")
        for value in shown.to_numpy().ravel():
            assert f">{value}<" in body.replace("&#x27;", "'")
        assert ">small_explorer<" in html_of(rc, "results-manifest")
        assert ">staffing.leaders_per_grade<" in html_of(rc, "results-settings")
        assert "results-bands" in html_of(rc, "results-bands")
    finally:
        rc.close()


def test_the_results_given_on_the_command_line_open_by_themselves(
        results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RESULTS_ENV, str(results))
    monkeypatch.setattr(E.source, "value", "")
    _box, rc = solara.render(E.Page(), handle_error=False)
    try:
        # read in the task's worker thread, then drawn
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
                "results-manifest" in (w.unsafe_innerHTML or "")
                for w in rc.find(solara.widgets.HTML).widgets):  # type: ignore[attr-defined]
            time.sleep(0.1)
        assert E.source.value == str(results)
        assert not E.open_task.error
        assert ">small_explorer<" in html_of(rc, "results-manifest")
    finally:
        rc.close()


# --- in the browser -----------------------------------------------------------------------
def choose(page: object, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.get_by_label(label, exact=True).click(force=True)  # type: ignore[attr-defined]
    page.locator(".menuable__content__active .v-list-item",  # type: ignore[attr-defined]
                 has_text=option).first.click()


def rows(page: object, test_id: str) -> list[list[str]]:
    table = page.locator(f"[data-testid={test_id}]")  # type: ignore[attr-defined]
    return [[c.strip() for c in r.split("\t")] for r in
            table.locator("tbody tr").all_inner_texts()]


def test_browser_opens_results_and_shows_differences(dashboard, page, results: Path,  # type: ignore[no-untyped-def]
                                                     loaded: E.Loaded) -> None:
    target = dashboard.cwd / "results" / "small_explorer"
    if not target.exists():
        shutil.copytree(results, target)
    open_page(page, dashboard.url + "results", "Results explorer")
    choose(page, "Results directory", "small_explorer")
    page.locator("[data-testid=results-differences]").wait_for()
    choose(page, "Outcome", report.heading("practice_mean"))
    page.get_by_text("Paired differences from 'traditional'").wait_for()
    page.locator("[data-testid=results-bands] caption",
                 has_text=report.heading("practice_mean")).wait_for()
    diffs = E.differences(loaded.outcomes, "practice_mean", ARMS, "traditional",
                          loaded.years)
    want = report.differences_table(diffs, "traditional").to_numpy().tolist()
    assert rows(page, "results-differences") == want
    assert all(re.search(r"\d", cell) for row in want for cell in row[2:])
    manifest = dict(tuple(r) for r in rows(page, "results-manifest"))
    assert manifest["Experiment"] == "small_explorer"
    assert manifest["Replications finished, by arm (from the data)"] == \
        "traditional: 2, rotating: 2, weekly_plc: 2"
    assert ["rotating", "staffing.leaders_per_grade", "1"] in rows(page, "results-settings")
    page.set_viewport_size({"width": 1400, "height": 3000})  # the page scrolls inside
    shot(page, "results_practice")
    page.set_viewport_size({"width": 1400, "height": 1000})

    bad = dashboard.cwd.parent / "no_such_results"
    box = page.get_by_label("Or type a path, then press Enter")
    box.fill(str(bad))
    box.press("Enter")
    error = page.locator(".ts-error")
    error.wait_for()
    with pytest.raises(ConfigError) as opened:
        open_results(bad)
    assert error.inner_text().strip() == str(opened.value)
    shot(page, "results_bad_path")

