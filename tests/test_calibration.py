"""The traditional baseline reproduces every "Target" row of the calibration figures
(docs/calibration.md) within tolerance: a 30-school district, 10 years, two seeds
(about 12,000 teacher-years)."""

from __future__ import annotations

import pytest

from teachsim.analysis.calibration import TARGETS, CalibrationRow, calibrate
from teachsim.model.scenario import LoadedScenario


@pytest.fixture(scope="module")
def rows(traditional: LoadedScenario) -> dict[str, CalibrationRow]:
    return {r.target.name: r for r in calibrate(traditional, schools=30, seeds=[1, 2])}


@pytest.mark.parametrize("name", [t.name for t in TARGETS])
def test_target_within_tolerance(rows: dict[str, CalibrationRow], name: str) -> None:
    row = rows[name]
    t = row.target
    assert t.low <= row.value <= t.high, f"{name}: model {row.value:.4f}, target {t.target}"


def test_mover_rate_falls_with_experience(rows: dict[str, CalibrationRow]) -> None:
    movers = [rows[f"movers, {b}"].value for b in ("<=3 years", "4-9 years", "10-14 years",
                                                   "15+ years")]
    assert movers == sorted(movers, reverse=True)


def test_leaver_rate_rises_late_in_career(rows: dict[str, CalibrationRow]) -> None:
    assert rows["leavers, 15+ years"].value > rows["leavers, 10-14 years"].value


def test_returns_to_experience_are_concave(rows: dict[str, CalibrationRow]) -> None:
    early = rows["return to experience, years 1-2"].value
    mid = rows["return to experience, years 3-5"].value
    assert 0 < early < mid
    assert mid - early < early  # flattening: the second step is smaller than the first


def test_docs_show_these_figures(rows: dict[str, CalibrationRow]) -> None:
    from teachsim.analysis.calibration import markdown
    from tests.conftest import ROOT

    table = markdown(list(rows.values()),
                     "teachsim calibrate --schools 30 --seeds 1,2 --years 10")
    doc = (ROOT / "docs" / "calibration.md").read_text()
    assert table in doc, ("docs/calibration.md is stale: run  uv run teachsim calibrate "
                          "--markdown /tmp/c.md  and paste the table")
