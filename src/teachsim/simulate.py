"""One model run: a function of (scenario, seed) returning tidy tables.

``run_scenario`` builds a fresh model every time and runs it; nothing is shared between
runs, so runs are reproducible and safe to execute in parallel processes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from teachsim.config import LoadedScenario
from teachsim.records import Table

TABLES = ("teacher_year", "school_year", "cohort_year", "run_summary")


@dataclass
class RunResult:
    scenario: str
    policy: str
    seed: int
    years: int
    tables: dict[str, Table]

    def summary(self) -> dict[str, object]:
        """The run-summary row as plain Python values."""
        return {k: v[0].item() if hasattr(v[0], "item") else v[0]
                for k, v in self.tables["run_summary"].items()}


def _with_keys(table: Table, scenario: str, seed: int) -> Table:
    n = len(next(iter(table.values())))
    return {"scenario": np.full(n, scenario, dtype=object),
            "seed": np.full(n, seed, dtype=np.int64), **table}


def run_summary(tables: dict[str, Table], loaded: LoadedScenario, years: int) -> Table:
    sy = tables["school_year"]
    ty = tables["teacher_year"]
    home = ty["role"] == "homeroom"
    n_years = years

    def mean(col: str) -> float:
        return float(np.mean(sy[col]))

    return {
        "policy": np.array([loaded.policy.name], dtype=object),
        "baseline_policy": np.array([loaded.baseline.name], dtype=object),
        "years": np.array([n_years]),
        "schools": np.array([loaded.scenario.district.n_schools]),
        "teachers": np.array([int(np.mean(sy["teachers"]) * loaded.scenario.district.n_schools)]),
        "students": np.array([int(np.mean(sy["students"]) * loaded.scenario.district.n_schools)]),
        "leaders_per_school": np.array([mean("leaders")]),
        "stipends_per_school_year": np.array([mean("stipends")]),
        "homeroom_teaching_minutes_per_year": np.array(
            [float(np.mean(ty["minutes_teaching"][home]))]),
        "homeroom_planning_minutes_per_year": np.array(
            [float(np.mean(ty["minutes_individual_planning"][home]))]),
        "homeroom_collaboration_minutes_per_year": np.array(
            [float(np.mean(ty["minutes_collaboration"][home]))]),
        "homeroom_weekly_hours_scheduled": np.array([mean("homeroom_weekly_hours_scheduled")]),
        "instructional_minutes_per_student_year": np.array(
            [mean("instructional_minutes_per_student")]),
        "instructional_minutes_vs_baseline_pct": np.array(
            [mean("instructional_minutes_vs_baseline_pct")]),
        "duty_minutes_uncovered_per_day": np.array([mean("duty_minutes_uncovered_per_day")]),
    }


def run_scenario(
    loaded: LoadedScenario,
    seed: int | None = None,
    years: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Run ``loaded`` for ``years`` (default: the scenario's) with ``seed`` (default: the
    scenario's) and return its tables, each keyed by scenario name and seed."""
    from teachsim.model import TeachSimModel

    loaded = loaded.with_overrides(seed=seed, years=years)
    run = loaded.scenario.run
    model = TeachSimModel(loaded, seed=run.seed)
    model.run_years(run.years, progress=progress)
    tables = model.records.tables()
    tables["run_summary"] = run_summary(tables, loaded, run.years)
    name = loaded.scenario.name
    keyed = {k: _with_keys(tables[k], name, run.seed) for k in TABLES}
    return RunResult(name, loaded.policy.name, run.seed, run.years, keyed)


def concat_results(results: list[RunResult]) -> dict[str, Table]:
    """Stack the tables of several runs (same columns) into one set of tables."""
    out: dict[str, Table] = {}
    for name in TABLES:
        cols = list(results[0].tables[name])
        out[name] = {c: np.concatenate([r.tables[name][c] for r in results]) for c in cols}
    return out
