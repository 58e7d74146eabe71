"""Calibration targets (docs/calibration.md) and how the model's tables measure them.

Each :class:`Target` names a published figure, its tolerance and a function that computes
the model's value from the teacher-year table of a traditional-schedule baseline run
(copies of School D) or, for contrasts between schools, from the school-year table of a
generated district with the same schedule (schools drawn across the whole range of
low-income shares).
``calibrate`` runs that baseline and returns model vs target rows; the tests and
``teachsim calibrate`` both use it, so the documented figures are the tested ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from teachsim.model.records import Table
from teachsim.model.scenario import LoadedScenario

Measure = Callable[[Table], float]


@dataclass(frozen=True)
class Target:
    name: str
    target: str
    low: float
    high: float
    measure: Measure
    source: str
    unit: str = ""
    #: which run the measure reads: the copies' teacher-year table, or the generated
    #: district's school-year table
    data: str = "teacher_year"

    def check(self, value: float) -> bool:
        return self.low <= value <= self.high


def _rate(kind: str, lo: float = 0, hi: float = 99) -> Measure:
    def f(t: Table) -> float:
        e = t["experience_years"]
        m = (e >= lo) & (e <= hi)
        exits = t["exit"][m]
        if kind == "leave":  # leavers include retirees, as in NCES
            return float(np.mean((exits == "leave") | (exits == "retire")))
        if kind == "total":
            return float(np.mean(exits != "stay"))
        return float(np.mean(exits == kind))
    return f


def _experience_gain(years: tuple[int, ...]) -> Measure:
    """Mean classroom effectiveness of teachers with these years of experience, less that
    of first-year teachers (a cross-sectional return to experience)."""
    def f(t: Table) -> float:
        e = t["experience_years"]
        eff = t["effectiveness"]
        return float(eff[np.isin(e, years)].mean() - eff[e == 0].mean())
    return f


def _half_by_year_five(t: Table) -> float:
    """Share of the 10-year gain reached by year 5."""
    return _experience_gain((5,))(t) / _experience_gain((10,))(t)


def _poverty_turnover(t: Table, high: float = 0.75, low: float = 0.25) -> tuple[float, float]:
    """Total turnover (moves, leaves, retirements) in high- and low-poverty schools."""
    total = t["movers"] + t["leavers"] + t["retirees"]
    hi, lo = t["poverty_share"] >= high, t["poverty_share"] <= low
    return (float(total[hi].sum() / max(t["teachers"][hi].sum(), 1)),
            float(total[lo].sum() / max(t["teachers"][lo].sum(), 1)))


def poverty_turnover_ratio(t: Table) -> float:
    """High- (75%+ low-income) over low-poverty (25% or less) total turnover."""
    hi, lo = _poverty_turnover(t)
    return hi / lo if lo else float("nan")


#: the generated district the contrasts are measured in: low-income shares across the
#: whole range, environment drawn as in generated districts
POVERTY_RANGE = (0.05, 0.95)
NCES_TURNOVER = "NCES TFS/NTPS: Goldring, Taie & Riddles 2014; Taie & Lewis 2023"
NCES_BANDS = "NCES NTPS/TFS 2021-22"

TARGETS: tuple[Target, ...] = (
    Target("turnover, total", "16% (84% stay)", 0.13, 0.19, _rate("total"), NCES_TURNOVER,
           "share/year"),
    Target("movers", "~8%", 0.065, 0.095, _rate("move"), NCES_TURNOVER, "share/year"),
    Target("leavers (incl. retirees)", "~8%", 0.065, 0.095, _rate("leave"), NCES_TURNOVER,
           "share/year"),
    Target("movers, <=3 years", "13.0%", 0.095, 0.165, _rate("move", 0, 3), NCES_BANDS,
           "share/year"),
    Target("leavers, <=3 years", "7.1%", 0.036, 0.106, _rate("leave", 0, 3), NCES_BANDS,
           "share/year"),
    Target("movers, 4-9 years", "10.1%", 0.066, 0.136, _rate("move", 4, 9), NCES_BANDS,
           "share/year"),
    Target("leavers, 4-9 years", "7.7%", 0.042, 0.112, _rate("leave", 4, 9), NCES_BANDS,
           "share/year"),
    Target("movers, 10-14 years", "7.7%", 0.042, 0.112, _rate("move", 10, 14), NCES_BANDS,
           "share/year"),
    Target("leavers, 10-14 years", "6.3%", 0.028, 0.098, _rate("leave", 10, 14), NCES_BANDS,
           "share/year"),
    Target("movers, 15+ years", "5.6%", 0.021, 0.091, _rate("move", 15), NCES_BANDS,
           "share/year"),
    Target("leavers, 15+ years", "8.8%", 0.053, 0.123, _rate("leave", 15), NCES_BANDS,
           "share/year"),
    Target("weekly hours worked", "52-53 h (+-3 h)", 49.5, 55.5,
           lambda t: float(np.mean(t["weekly_hours"])),
           "NCES NTPS 2020-21; RAND State of the American Teacher 2024", "hours/week"),
    Target("short-term absence", "about 11 days", 9.5, 12.5,
           lambda t: float(np.mean(t["absence_days"])), "NCTQ 2014 Roll Call (check)",
           "days/teacher-year"),
    Target("teachers absent 10+ days", "over 1 in 4", 0.25, 1.0,
           lambda t: float(np.mean(t["absence_days"] >= 10)), "OCR CRDC 2013-14 (check)",
           "share"),
    Target("return to experience, years 1-2", "about +0.05 SD", 0.03, 0.07,
           _experience_gain((1, 2)), "Clotfelter, Ladd & Vigdor 2010; Papay & Kraft 2015",
           "SD"),
    Target("return to experience, years 3-5", "about +0.06 SD", 0.045, 0.085,
           _experience_gain((3, 4, 5)), "Clotfelter, Ladd & Vigdor 2010; Papay & Kraft 2015",
           "SD"),
    Target("share of 10-year gain reached by year 5", "at least half", 0.5, 1.2,
           _half_by_year_five, "Papay & Kraft 2015", "share"),
    Target("teacher quality dispersion (SD)", "0.10-0.20 SD", 0.10, 0.20,
           lambda t: float(np.std(t["effectiveness"])),
           "Rockoff 2004; Hanushek & Rivkin 2010", "SD of student achievement"),
    Target("burnout prevalence", "53-60% (tolerance 45-65%)", 0.45, 0.65,
           lambda t: float(np.mean(t["burned_out"])), "RAND State of the American Teacher "
           "2022-2025", "share"),
    Target("teachers intending to leave", "16-33% (22% in 2024)", 0.16, 0.33,
           lambda t: float(np.mean(t["intends_to_leave"])), "RAND State of the American "
           "Teacher 2022-2025", "share"),
    Target("turnover, high- / low-poverty schools", "21.1% / 14.2% = 1.49", 1.3, 1.7,
           poverty_turnover_ratio, "NCES Condition of Education 2008 (2003-04; 75%+ vs "
           "0-25% eligible for free or reduced-price lunch)", "ratio",
           data="poverty_school_year"),
)


@dataclass(frozen=True)
class CalibrationRow:
    target: Target
    value: float

    @property
    def ok(self) -> bool:
        return self.target.check(self.value)


def baseline_teacher_years(loaded: LoadedScenario, schools: int, seeds: list[int],
                           years: int) -> Table:
    """Teacher-year rows of ``len(seeds)`` runs of a ``schools``-school district."""
    from teachsim.model.run import run_scenario

    district = loaded.replace(district=loaded.scenario.district.model_copy(
        update={"n_schools": schools}))
    tables = [run_scenario(district, seed=s, years=years).tables["teacher_year"]
              for s in seeds]
    return {c: np.concatenate([t[c] for t in tables]) for c in tables[0]}


def poverty_district_school_years(loaded: LoadedScenario, schools: int, seeds: list[int],
                                  years: int) -> Table:
    """School-year rows of a generated district of ``schools`` schools like the
    baseline's, their low-income shares spread over :data:`POVERTY_RANGE`."""
    from teachsim.config.scenario import DistrictGenerator
    from teachsim.model.run import run_scenario

    gen = DistrictGenerator(seed=7, poverty_share=list(POVERTY_RANGE))
    district = loaded.replace(district=loaded.scenario.district.model_copy(
        update={"n_schools": schools, "generate": gen, "roster": None}))
    tables = [run_scenario(district, seed=s, years=years).tables["school_year"]
              for s in seeds]
    return {c: np.concatenate([t[c] for t in tables]) for c in tables[0]}


def evaluate(teacher_year: Table, poverty_school_year: Table | None = None
             ) -> list[CalibrationRow]:
    data = {"teacher_year": teacher_year, "poverty_school_year": poverty_school_year}
    return [CalibrationRow(t, t.measure(data[t.data])) for t in TARGETS
            if data[t.data] is not None]


def calibrate(loaded: LoadedScenario, schools: int = 30, seeds: list[int] | None = None,
              years: int = 10) -> list[CalibrationRow]:
    """Every target: the copies' run of ``schools`` schools, and the generated district
    of four times as many (the contrast needs many schools at both ends)."""
    seeds = seeds if seeds is not None else [1, 2]
    return evaluate(baseline_teacher_years(loaded, schools, seeds, years),
                    poverty_district_school_years(loaded, 4 * schools, seeds, years))


def markdown(rows: list[CalibrationRow], command: str) -> str:
    def fmt(x: float, unit: str) -> str:
        if unit.startswith("share"):
            return f"{100 * x:.1f}%"
        return f"{x:.2f}" if unit == "ratio" else f"{x:.3g}"

    lines = [
        "| target | published | tolerance | model | ok | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        t = r.target
        lines.append(f"| {t.name} | {t.target} | {fmt(t.low, t.unit)} - "
                     f"{fmt(t.high, t.unit)} | {fmt(r.value, t.unit)} | "
                     f"{'yes' if r.ok else '**no**'} | {t.source} |")
    return f"Produced by `{command}`.\n\n" + "\n".join(lines) + "\n"


BEGIN = "<!-- calibration table: generated -->"
END = "<!-- end of generated table -->"


def write_markdown(path: Path, table: str) -> None:
    """Write ``table`` to ``path``; if the file has the generated-table markers, replace
    only the text between them (so docs/calibration.md keeps its prose)."""
    from teachsim.experiments.atomic import write_text

    if path.is_file():
        text = path.read_text()
        if BEGIN in text and END in text:
            head, _, rest = text.partition(BEGIN)
            _, _, tail = rest.partition(END)
            write_text(path, f"{head}{BEGIN}\n{table}{END}{tail}", "--markdown")
            return
    write_text(path, table, "--markdown")
