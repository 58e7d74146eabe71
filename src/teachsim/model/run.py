"""One model run: a function of (scenario, seed) returning tidy tables.

``run_scenario`` builds a fresh model every time and runs it; nothing is shared between
runs, so runs are reproducible and safe to execute in parallel processes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from teachsim.model.records import Table
from teachsim.model.scenario import LoadedScenario

TABLES = ("teacher_year", "school_year", "district_year", "cohort_year", "rollout",
          "run_summary")


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
    """One row of headline figures, averaged over the run's school-years."""
    sy = tables["school_year"]
    ty = tables["teacher_year"]
    home = ty["role"] == "homeroom"
    exit_ = ty["exit"]
    n_schools = len(loaded.schools)  # a roster's rows, whatever n_schools says

    def one(value: float | int | str) -> np.ndarray:
        return np.array([value], dtype=object if isinstance(value, str) else None)

    def mean(col: str) -> np.ndarray:
        return one(float(np.mean(sy[col])))

    def teacher_mean(col: str, mask: np.ndarray | None = None) -> np.ndarray:
        values = ty[col] if mask is None else ty[col][mask]
        return one(float(np.mean(values)))

    return {
        "policy": one(loaded.policy.name),
        "baseline_policy": one(loaded.baseline.name),
        "years": one(years),
        "schools": one(n_schools),
        "teachers": one(round(np.mean(sy["teachers"]) * n_schools)),
        "students": one(round(np.mean(sy["students"]) * n_schools)),
        "leaders_per_school": mean("leaders"),
        # with a design that differs from the baseline: the share of school-years run
        # on it (schools wait for their rollout year, or abandon it)
        "share_of_school_years_on_policy": mean("adopted"),
        "substitute_fill_rate": one(float(np.sum(sy["substitute_days_short_term"])
                                          / max(np.sum(sy["substitute_days_short_term"]
                                                       + sy["absences_unfilled"]), 1))),
        "stipends_per_school_year": mean("stipends"),
        "homeroom_teaching_minutes_per_year": teacher_mean("minutes_teaching", home),
        "homeroom_planning_minutes_per_year": teacher_mean("minutes_individual_planning",
                                                           home),
        "homeroom_collaboration_minutes_per_year": teacher_mean("minutes_collaboration",
                                                                home),
        "effective_collaboration_minutes_per_year": teacher_mean(
            "effective_collaboration_minutes", home),
        "weekly_hours": teacher_mean("weekly_hours"),
        "burnout_prevalence": teacher_mean("burned_out"),
        "intending_to_leave_share": teacher_mean("intends_to_leave"),
        "absence_days_per_teacher": teacher_mean("absence_days"),
        "substitute_days_per_school_year": one(float(np.mean(
            sy["substitute_days_short_term"] + sy["substitute_days_long_term"]))),
        "turnover_rate": one(float(np.mean(exit_ != "stay"))),
        "mover_rate": one(float(np.mean(exit_ == "move"))),
        "leaver_rate": one(float(np.mean(exit_ == "leave"))),
        "retiree_rate": one(float(np.mean(exit_ == "retire"))),
        "vacancies_per_school_year": mean("vacancies"),
        "returners_per_school_year": mean("returners"),
        "coaches_fte_per_school": mean("coaches_fte"),
        "practice_mean": teacher_mean("practice"),
        "practice_gain_from_programs_per_year": teacher_mean("practice_gain_programs"),
        "student_growth_sd": mean("student_growth_sd"),
        "instructional_minutes_per_student_year": mean("instructional_minutes_per_student"),
        "instructional_minutes_vs_baseline_pct": mean(
            "instructional_minutes_vs_baseline_pct"),
        "duty_minutes_uncovered_per_day": mean("duty_minutes_uncovered_per_day"),
    }


def district_year(sy: Table) -> Table:
    """School-year rows summed (counts) or averaged (rates, weighted) over the district."""
    years = np.unique(sy["year"])
    idx = np.searchsorted(years, sy["year"])

    def total(col: str) -> np.ndarray:
        return np.bincount(idx, weights=sy[col].astype(float), minlength=len(years))

    teachers = total("teachers")
    students = total("students")

    def by_teachers(col: str) -> np.ndarray:
        return total_w(col, sy["teachers"]) / np.maximum(teachers, 1)

    def by_students(col: str) -> np.ndarray:
        return total_w(col, sy["students"]) / np.maximum(students, 1)

    def total_w(col: str, w: np.ndarray) -> np.ndarray:
        return np.bincount(idx, weights=sy[col] * w, minlength=len(years))

    exits = total("movers") + total("leavers") + total("retirees")
    return {
        "year": years,
        "schools": np.bincount(idx, minlength=len(years)).astype(np.int64),
        "schools_adopted": total("adopted").astype(np.int64),
        "schools_in_startup": total("in_startup").astype(np.int64),
        "teachers": teachers.astype(np.int64),
        "students": students.astype(np.int64),
        "leaders": total("leaders").astype(np.int64),
        "stipends": total("stipends"),
        "teacher_salaries": total("teacher_salaries"),
        "vacancies": total("vacancies").astype(np.int64),
        "movers_within_district": total("movers_within_district").astype(np.int64),
        "movers_out_of_district": total("movers_out_of_district").astype(np.int64),
        "leavers": total("leavers").astype(np.int64),
        "retirees": total("retirees").astype(np.int64),
        "new_teachers": total("new_teachers").astype(np.int64),
        "turnover_rate": exits / np.maximum(teachers, 1),
        "district_exit_rate": (total("movers_out_of_district") + total("leavers")
                               + total("retirees")) / np.maximum(teachers, 1),
        "burnout_prevalence": by_teachers("burnout_prevalence"),
        "intending_to_leave_share": by_teachers("intending_to_leave_share"),
        "returners": total("returners").astype(np.int64),
        "teachers_coached": total("teachers_coached").astype(np.int64),
        "coaches_fte": total("coaches_fte"),
        "mentored_novices": total("mentored_novices").astype(np.int64),
        "aspiring_leaders": total("aspiring_leaders").astype(np.int64),
        "weekly_hours": by_teachers("weekly_hours"),
        "absence_days_per_teacher": by_teachers("absence_days_per_teacher"),
        "substitute_days_short_term": total("substitute_days_short_term"),
        "substitute_days_long_term": total("substitute_days_long_term"),
        "practice_mean": by_teachers("practice_mean"),
        "student_growth_sd": by_students("student_growth_sd"),
    }


def rollout_table(loaded: LoadedScenario, years: int) -> Table:
    """The adoption plan: one row per school."""
    from teachsim.model.rollout import NEVER, plan

    r = loaded.scenario.rollout
    # the model plans with the scenario's implementation parameters (readiness order)
    adopt = plan(loaded.schools, r, years, r.seed, loaded.scenario.behaviour.implementation)
    start = loaded.scenario.run.start_year
    waves = np.unique(adopt[adopt != NEVER])
    return {
        "school_id": np.arange(len(adopt), dtype=np.int64),
        "school": np.array([s.name for s in loaded.schools], dtype=object),
        "strategy": np.full(len(adopt), r.strategy, dtype=object),
        "adoption_year": np.where(adopt != NEVER, start + adopt, -1).astype(np.int64),
        "wave": np.where(adopt != NEVER, np.searchsorted(waves, adopt) + 1, 0).astype(
            np.int64),
        "poverty_share": np.array([s.poverty_share for s in loaded.schools]),
        "leader_bench": np.array([s.leader_bench for s in loaded.schools]),
    }


def run_scenario(
    loaded: LoadedScenario,
    seed: int | None = None,
    years: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Run ``loaded`` for ``years`` (default: the scenario's) with ``seed`` (default: the
    scenario's) and return its tables, each keyed by scenario name and seed."""
    loaded = loaded.with_overrides(seed=seed, years=years)
    return run_batch(loaded, [loaded.scenario.run.seed], progress=progress)[0]


def run_batch(
    loaded: LoadedScenario,
    seeds: list[int],
    years: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[RunResult]:
    """Run one replication of ``loaded`` per seed, side by side in one model (model.py),
    and return each replication's tables: the same tables, to the last bit, as
    ``run_scenario`` gives for that seed alone."""
    from teachsim.model.model import TeachSimModel

    loaded = loaded.with_overrides(years=years)
    n_years = loaded.scenario.run.years
    model = TeachSimModel(loaded, seeds=list(seeds))
    model.run_years(n_years, progress=progress)
    name = loaded.scenario.name
    plan = rollout_table(loaded, n_years)
    out = []
    for seed, tables in zip(model.seeds, model.tables(), strict=True):
        tables["district_year"] = district_year(tables["school_year"])
        tables["rollout"] = plan
        tables["run_summary"] = run_summary(tables, loaded, n_years)
        keyed = {k: _with_keys(tables[k], name, seed) for k in TABLES}
        out.append(RunResult(name, loaded.policy.name, seed, n_years, keyed))
    return out


def concat_results(results: list[RunResult]) -> dict[str, Table]:
    """Stack the tables of several runs (same columns) into one set of tables."""
    out: dict[str, Table] = {}
    for name in TABLES:
        cols = list(results[0].tables[name])
        out[name] = {c: np.concatenate([r.tables[name][c] for r in results]) for c in cols}
    return out
