"""The report's tables are quotable: plain headers with units, numbers in the figures'
units (percentage points, SD, dollars with separators), a dash or a reason where a number
is missing, a summary by arm near the top, and a rollout chart only when schools join the
policy during the run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from teachsim.analysis import stats
from teachsim.analysis.report import (
    DASH,
    Report,
    build_report,
    cost_table,
    estimate,
    fmt,
    heading,
    interval,
    summary_table,
    uncertainty_table,
)
from teachsim.experiments.api import run_experiment
from teachsim.experiments.results import open_results

# the rollout experiment of test_analysis (8 schools, 3 a year join the policy), reused
from tests.test_analysis import results  # noqa: F401
from tests.test_results_dir import experiment

#: t quantile for a 95% interval with two degrees of freedom (three runs), from tables
T_975_2DF = 4.302652729749462


# --- the formatter -----------------------------------------------------------------------
def test_fmt_on_hand_checked_values() -> None:
    assert fmt(0.0123, "share", signed=True) == "+1.23"  # a share difference, in points
    assert fmt(-0.0123, "share", signed=True) == "-1.23"
    assert fmt(0.1421, "share") == "14.21"  # a level, in percent
    assert fmt(24750.0, "money") == "$24,750"
    assert fmt(-1200.0, "money") == "-$1,200"
    assert fmt(-1200.0, "money", signed=True) == "-$1,200"
    assert fmt(24750.0, "money", signed=True) == "+$24,750"
    assert fmt(0.01963, "sd", signed=True) == "+0.020"
    assert fmt(0.797, "teachers", signed=True) == "+0.80"
    assert fmt(0.83, "percent") == "83%"
    assert fmt(0.8333, "probability") == "0.83"
    assert fmt(12345) == "12,345"  # whole numbers stay whole
    assert fmt(np.int64(3), "count") == "3"
    # no scientific notation for any size
    assert fmt(24750.0) == "24750" and fmt(0.00002475) == "0.00002475"
    # rounding to zero shows no direction
    assert fmt(-0.00001, "share", signed=True) == "0.00"
    assert fmt(0.0, "money", signed=True) == "$0"


@pytest.mark.parametrize("missing", [float("nan"), np.nan, np.inf, -np.inf, None, pd.NA])
def test_missing_is_a_dash(missing: object) -> None:
    for kind in ("share", "sd", "money", "count", "percent", "number"):
        assert fmt(missing, kind) == DASH  # type: ignore[arg-type]
    assert interval(0.01, missing, "share") == DASH
    assert estimate(missing, 0.0, 1.0, "sd") == DASH
    assert estimate(0.1, missing, missing, "share") == f"10.00 ({DASH})"


def test_headings_and_intervals() -> None:
    assert heading("turnover_rate") == "Teacher turnover (% of teachers a year)"
    assert heading("retention_rate", difference=True) == (
        "Teachers staying in their school (percentage points)")
    assert heading("student_growth_sd", difference=True) == (
        "Student growth (SD a year, vs novice-taught)")
    assert heading("cost_per_school") == "Cost per school a year, all ledger lines ($)"
    assert interval(-0.0383, 0.0953, "share", signed=True) == "-3.83 to +9.53"
    assert estimate(24750.0, -1200.0, 50700.0, "money", signed=True) == (
        "+$24,750 (-$1,200 to +$50,700)")


def test_cost_table_gives_reasons_not_nan() -> None:
    nan = float("nan")
    ce = pd.DataFrame([
        {"arm": "cheap", "extra_cost_per_school": -1200.0, "extra_cost_ci_low": -2000.0,
         "extra_cost_ci_high": -400.0, "extra_growth_sd": 0.01, "extra_growth_ci_low": 0.0,
         "extra_growth_ci_high": 0.02, "extra_teachers_retained_per_school": 0.5,
         "extra_retained_ci_low": 0.1, "extra_retained_ci_high": 0.9,
         "growth_sd_per_1000": nan, "teachers_retained_per_1000": nan,
         "note": "saves money"},
        {"arm": "unclear", "extra_cost_per_school": 24750.0, "extra_cost_ci_low": -5000.0,
         "extra_cost_ci_high": 54500.0, "extra_growth_sd": 0.02,
         "extra_growth_ci_low": nan, "extra_growth_ci_high": nan,
         "extra_teachers_retained_per_school": 0.5, "extra_retained_ci_low": 0.1,
         "extra_retained_ci_high": 0.9, "growth_sd_per_1000": nan,
         "teachers_retained_per_1000": nan,
         "note": "cost difference not distinguishable from zero"},
        {"arm": "dear", "extra_cost_per_school": 20000.0, "extra_cost_ci_low": 10000.0,
         "extra_cost_ci_high": 30000.0, "extra_growth_sd": 0.02,
         "extra_growth_ci_low": 0.01, "extra_growth_ci_high": 0.03,
         "extra_teachers_retained_per_school": 0.5, "extra_retained_ci_low": 0.1,
         "extra_retained_ci_high": 0.9, "growth_sd_per_1000": 0.001,
         "teachers_retained_per_1000": 0.025, "note": "costs more"}])
    t = cost_table(ce, "base").set_index("Arm")
    assert t.loc["cheap", "Extra cost per school a year ($)"] == (
        "-$1,200 (-$2,000 to -$400)")
    assert t.loc["cheap", "Student growth per $1,000 (SD)"] == "saves money"
    assert t.loc["unclear", "Teachers retained per $1,000"] == "no clear extra cost"
    assert t.loc["unclear", "Extra student growth (SD a year)"] == f"+0.020 ({DASH})"
    assert t.loc["dear", "Student growth per $1,000 (SD)"] == "+0.001"
    assert t.loc["dear", "Teachers retained per $1,000"] == "+0.025"
    assert t.loc["dear", "Cost against 'base'"] == "costs more"


def test_uncertainty_table_says_why_the_split_is_missing() -> None:
    unc = pd.DataFrame([{"arm": "b", "outcome": "burnout_prevalence", "mean": -0.0382,
                         "low90": -0.1042, "high90": 0.0278, "predictive_low90": -0.168,
                         "predictive_high90": 0.0916, "p_better": 0.83,
                         "share_parameters": float("nan"), "draws": 3, "runs": 3}])
    row = uncertainty_table(unc).iloc[0]
    assert row["Outcome (unit)"] == "Teachers burned out (percentage points)"
    assert row["Mean difference"] == "-3.82"
    assert row["Effect, 90% interval"] == "-10.42 to +2.78"
    assert row["Share from parameters"] == "not separable"


# --- the summary by arm --------------------------------------------------------------------
def test_arm_summary_by_hand() -> None:
    per_run = pd.DataFrame({
        "run_id": range(5), "arm": ["a", "a", "a", "b", "b"], "point": 0,
        "replication": [0, 1, 2, 0, 1],
        "retention_rate": [0.9, 0.8, 0.85, 0.95, np.nan],
        "burnout_prevalence": [0.02, 0.98, 0.5, 0.4, 0.5],
        "student_growth_sd": [0.01, 0.02, 0.06, 0.05, 0.07],
        "cost_per_school": [100.0, 200.0, 300.0, 50.0, 150.0]})
    s = stats.arm_summary(per_run).set_index(["arm", "outcome"])
    # only the headline outcomes with data, turnover from retention
    assert list(dict.fromkeys(s.index.get_level_values("outcome"))) == [
        "turnover_rate", "burnout_prevalence", "student_growth_sd", "cost_per_school"]
    # a's turnover: 0.1, 0.2, 0.15 -> mean 0.15, SD 0.05
    half = T_975_2DF * 0.05 / np.sqrt(3)
    assert s.loc[("a", "turnover_rate"), ["mean", "ci_low", "ci_high"]].tolist() == (
        pytest.approx([0.15, 0.15 - half, 0.15 + half]))
    assert s.loc[("a", "turnover_rate"), "runs"] == 3
    # a's burnout: 0.02, 0.98, 0.5 -> mean 0.5 +- 4.30 x 0.48 / sqrt(3) = 1.19: a share's
    # interval stops at 0% and 100%
    assert s.loc[("a", "burnout_prevalence"), ["mean", "ci_low", "ci_high"]].tolist() == (
        pytest.approx([0.5, 0.0, 1.0]))
    # a's growth: 0.01, 0.02, 0.06 -> mean 0.03, SD sqrt(((0.02)^2 + 0.01^2 + 0.03^2) / 2)
    sd = np.sqrt((0.02 ** 2 + 0.01 ** 2 + 0.03 ** 2) / 2)
    assert s.loc[("a", "student_growth_sd"), "ci_high"] == pytest.approx(
        0.03 + T_975_2DF * sd / np.sqrt(3))
    # a's cost: 100, 200, 300 -> mean 200, SD 100
    assert s.loc[("a", "cost_per_school"), "ci_low"] == pytest.approx(
        200 - T_975_2DF * 100 / np.sqrt(3))
    # b has one run with retention: a mean, no interval
    b = s.loc[("b", "turnover_rate")]
    assert b["mean"] == pytest.approx(0.05) and b["runs"] == 1
    assert np.isnan(b["ci_low"]) and np.isnan(b["ci_high"])
    assert s.loc[("b", "cost_per_school"), "mean"] == pytest.approx(100.0)

    shown = summary_table(stats.arm_summary(per_run), {"a": 3, "b": 2}, ["b", "a"])
    assert shown["Arm"].tolist() == ["b", "a"]  # the manifest's order
    assert shown.columns.tolist() == [
        "Arm", "Replications", "Teacher turnover (% of teachers a year)",
        "Teachers burned out (% of teachers)", "Student growth (SD a year, vs novice-taught)",
        "Cost per school a year, all ledger lines ($)"]
    a = shown.set_index("Arm").loc["a"]
    assert a["Replications"] == "3"
    assert a["Teacher turnover (% of teachers a year)"] == (
        f"15.00 ({100 * (0.15 - half):.2f} to {100 * (0.15 + half):.2f})")
    assert a["Teachers burned out (% of teachers)"] == "50.00 (0.00 to 100.00)"
    assert a["Cost per school a year, all ledger lines ($)"] == "$200 (-$48 to $448)"
    assert shown.set_index("Arm").loc["b", "Teacher turnover (% of teachers a year)"] == (
        f"5.00 ({DASH})")


def test_rolls_out_only_when_schools_join() -> None:
    def frame(adopted: dict[int, list[int]]) -> pd.DataFrame:
        return pd.DataFrame([{"run_id": r, "year": 2025 + i, "schools_adopted": n}
                             for r, ns in adopted.items() for i, n in enumerate(ns)])

    assert not stats.rolls_out(frame({0: [1, 1, 1], 1: [0, 0, 0]}))  # on from the start
    assert not stats.rolls_out(frame({0: [1, 0, 0]}))  # abandoned: no rollout
    assert stats.rolls_out(frame({0: [0, 0, 0], 1: [3, 6, 8]}))
    assert stats.rolls_out(frame({0: [0, 1, 1]}))  # one school, joining in year two
    assert not stats.rolls_out(pd.DataFrame({"run_id": [0], "year": [2025]}))


# --- built reports -------------------------------------------------------------------------
@dataclass
class Page:
    """What a reader sees of a report: headings, tables and text (images left out)."""

    h2: list[str] = field(default_factory=list)
    #: each table: its header cells and its rows of cells
    tables: list[tuple[list[str], list[list[str]]]] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._tag = ""
        self._cell: list[str] | None = None
        self._row: list[str] = []
        self._texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag = tag
        if tag == "table":
            self.page.tables.append(([], []))
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self.page.tables:
            head, rows = self.page.tables[-1]
            if not head:
                head.extend(self._row)
            else:
                rows.append(self._row)
        self._tag = ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._tag == "h2":
            self.page.h2.append(data)
        if self._tag not in ("style", "title"):
            self._texts.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = " ".join(self._texts)


def read_page(path: Path) -> Page:
    reader = _Reader()  # an <img>'s base64 data is an attribute, so never in the text
    reader.feed(path.read_text())
    reader.close()
    return reader.page


def assert_quotable(page: Page) -> None:
    assert page.tables
    assert not re.search(r"\bnan\b", page.text, re.IGNORECASE)
    assert not re.search(r"\d[eE][+-]\d", page.text)  # no scientific notation
    for head, rows in page.tables:
        for h in head:
            assert not re.search(r"[a-z0-9]_[a-z0-9]", h), f"raw column name {h!r}"
        for row in rows:
            assert len(row) == len(head)
            assert all(cell.strip() for cell in row)  # empty is not a way to say missing


def summary_of(page: Page) -> pd.DataFrame:
    head, rows = page.tables[0]
    return pd.DataFrame(rows, columns=head).set_index("Arm")


@pytest.fixture(scope="module")
def one_school(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    """test_results_dir's one-school comparison (an arm whose name has quotes, the
    school on the rotating release from the start) run for three years."""
    tmp = tmp_path_factory.mktemp("one")
    exp = experiment(tmp, reps=3)
    exp.write_text(exp.read_text().replace("years = 1\n", "years = 3\n"))
    run_experiment(exp, out=tmp / "res", serial=True)
    return build_report(tmp / "res"), tmp / "res"


def test_one_school_report_tables(one_school: tuple[Report, Path]) -> None:
    rep, res_dir = one_school
    page = read_page(rep.html)
    assert_quotable(page)
    assert page.h2[0] == "Summary by arm"  # near the top, before the figures
    assert "Rollout" not in page.h2 and "rollout_timeline" not in rep.figures
    # an interval never breaks across lines
    assert '<span class="ci">(' in rep.html.read_text()
    summary = summary_of(page)
    arms = ["traditional", "o'brien \"[1]\""]
    assert summary.index.tolist() == arms
    assert summary["Replications"].tolist() == ["3", "3"]
    assert list(summary.columns) == [
        "Replications", "Teacher turnover (% of teachers a year)",
        "Teachers burned out (% of teachers)",
        "Student growth (SD a year, vs novice-taught)",
        "Teacher practice (SD of student achievement)",
        "Cost per school a year, all ledger lines ($)"]
    res = open_results(res_dir)
    # the school is on the policy (so `schools_adopted.max() > 0`) but joins at the start
    adopted = res.sql("SELECT year, min(schools_adopted) AS lo, max(schools_adopted) AS hi "
                      "FROM district_year WHERE arm <> 'traditional' GROUP BY year "
                      "ORDER BY year")
    assert adopted["hi"].iloc[0] == 1 and adopted["lo"].iloc[0] == 1
    # the summary's turnover is the runs' mean turnover, as DuckDB computes it
    by_sql = res.sql("SELECT arm, avg(t) AS m FROM (SELECT arm, run_id, "
                     "avg(turnover_rate) AS t FROM district_year GROUP BY arm, run_id) "
                     "GROUP BY arm").set_index("arm")["m"]
    for arm in arms:
        cell = summary.loc[arm, "Teacher turnover (% of teachers a year)"]
        assert cell.startswith(f"{100 * by_sql[arm]:.2f} (")
        cost = summary.loc[arm, "Cost per school a year, all ledger lines ($)"]
        assert re.fullmatch(r"\$\d{1,3}(,\d{3})* \(\$\d{1,3}(,\d{3})* to \$\d{1,3}(,\d{3})*\)",
                            cost), cost
    data = rep.data["summary"]
    assert set(data["outcome"]) == {"turnover_rate", "burnout_prevalence",
                                    "student_growth_sd", "practice_mean", "cost_per_school"}
    # differences: percentage points, signed, against the reference named in the header
    diffs = next(t for t in page.tables if "Mean difference from 'traditional'" in t[0])
    head, rows = diffs
    frame = pd.DataFrame(rows, columns=head).set_index("Outcome (unit)")
    assert "Teachers staying in their school (percentage points)" in frame.index
    assert re.fullmatch(r"[+-]?\d+\.\d\d", frame.loc[
        "Teachers staying in their school (percentage points)",
        "Mean difference from 'traditional'"])
    assert re.fullmatch(r"[+-]?\$[\d,]+", frame.loc[
        "Cost per school a year, all ledger lines ($)", "Mean difference from 'traditional'"])


def test_rollout_report_has_its_timeline(results: Path) -> None:  # noqa: F811
    rep = build_report(results, results.parent / "tables.html")
    page = read_page(rep.html)
    assert_quotable(page)
    assert "Rollout" in page.h2 and "rollout_timeline" in rep.figures
    summary = summary_of(page)
    assert summary.index.tolist() == ["no_rollout", "fixed_rate"]
    assert summary["Replications"].tolist() == ["4", "4"]
    ce = next(t for t in page.tables if "Extra cost per school a year ($)" in t[0])
    assert len(ce[1]) == 1
