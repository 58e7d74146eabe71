"""The schools of a district: copies of the school profile, drawn from ranges, or read from
a CSV roster (one row per school).

Every school shares the profile's grades (the schedule's rotation is by grade); anything
else -- enrolment, specials, support teachers and support staff, share of low-income
students, professional environment, depth of the leader bench -- may differ. A roster may
give ``enrolment`` (students) instead of ``homerooms_per_grade``; staff counts a roster
does not give scale with the school's homerooms as in generated districts. With a roster
the district has one school per row, so ``district.n_schools`` may be left out
(docs/rosters.md).
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from teachsim.config.errors import ConfigError, did_you_mean
from teachsim.config.limits import MAX_SCHOOLS
from teachsim.config.parameters import Implementation
from teachsim.config.paths import exists, is_file
from teachsim.config.scenario import Scenario, SchoolProfile
from teachsim.config.validation import quote
from teachsim.mechanisms import environment, implementation
from teachsim.model.streams import stream

#: Columns a roster may have: the school-profile keys (grades excepted) and enrolment.
ROSTER_COLUMNS = (*(k for k in SchoolProfile.model_fields if k != "grades"), "enrolment")
#: staff counts that scale with enrolment (homerooms) unless a roster gives them
SCALED = ("specials_teachers", "sped_teachers", "el_teachers", "interventionists",
          "paraprofessionals", "duty_minutes_per_day", "other_staff_duty_minutes_per_day")
_INT = {k for k, f in SchoolProfile.model_fields.items() if f.annotation is int} | {
    "enrolment"}
_FLOAT = {k for k, f in SchoolProfile.model_fields.items() if f.annotation is float}


def _upper(key: str) -> Any:
    """The upper bound (``le``) of a school-profile field, or None."""
    return next((m.le for m in SchoolProfile.model_fields[key].metadata
                 if getattr(m, "le", None) is not None), None)


#: most homerooms per grade and most students per homeroom a school profile allows
_MAX_HPG, _MAX_CLASS = _upper("homerooms_per_grade"), _upper("class_size")
#: columns that are shares (0-1), which spreadsheets like to show as percentages
_SHARES = {k for k in _FLOAT if _upper(k) == 1}


def build_schools(scenario: Scenario, scenario_file: Path) -> list[SchoolProfile]:
    """One profile per school of the district."""
    d = scenario.district
    base = scenario.school
    if d.roster is not None:
        return read_roster(scenario_file.parent / d.roster, base, d.n_schools, scenario_file)
    if d.generate is None:
        if d.n_schools == 1:
            return [base]
        return [base.model_copy(update={"name": f"{base.name} #{i + 1}"})
                for i in range(d.n_schools)]
    return generate(base, d.n_schools, d.generate,
                    scenario.behaviour.environment.poverty_reference)


def scaled_staff(base: SchoolProfile, homerooms_per_grade: int) -> dict[str, Any]:
    """Staff of :data:`SCALED` for a school with ``homerooms_per_grade``, scaled from the
    profile's in proportion to homerooms: paraprofessional FTE to two decimals, the rest
    to whole numbers (Python's round: an exact half goes to the even number); specials
    teachers at least one per homeroom of a grade."""
    scale = homerooms_per_grade / base.homerooms_per_grade
    out: dict[str, Any] = {
        "specials_teachers": max(homerooms_per_grade, round(base.specials_teachers * scale)),
        "paraprofessionals": round(base.paraprofessionals * scale, 2)}
    for key in ("sped_teachers", "el_teachers", "interventionists",
                "duty_minutes_per_day", "other_staff_duty_minutes_per_day"):
        out[key] = round(getattr(base, key) * scale)
    return out


def generate(base: SchoolProfile, n: int, g: Any, poverty_reference: float = 0.5
             ) -> list[SchoolProfile]:
    """Draw ``n`` schools (uniform within each range); staff scale with enrolment like
    School D's; the environment's factors are drawn correlated with the low-income share
    (environment.py)."""
    rng = stream(g.seed, "district.generate")
    hpg = rng.integers(g.homerooms_per_grade[0], g.homerooms_per_grade[1] + 1, size=n)
    poverty = rng.uniform(*g.poverty_share, size=n)
    bench = rng.uniform(*g.leader_bench, size=n)
    env = environment.draw(stream(g.seed, "district.environment"), poverty,
                           g.environment_poverty_slope, g.environment_sd,
                           g.environment_factor_sd, poverty_reference)
    env = np.clip(env, -5, 5)
    return [base.model_copy(update={
        "name": f"School {i + 1:03d}",
        "homerooms_per_grade": int(hpg[i]),
        **scaled_staff(base, int(hpg[i])),
        "poverty_share": round(float(poverty[i]), 4),
        **{f: round(float(env[i, k]), 4) for k, f in enumerate(environment.FACTORS)},
        "leader_bench": round(float(bench[i]), 4),
    }) for i in range(n)]


def read_roster(path: Path, base: SchoolProfile, n_schools: int, referrer: Path
                ) -> list[SchoolProfile]:
    """Read a roster CSV; each row's columns override the profile for that school.

    A row that gives ``enrolment`` gets the homerooms per grade it makes
    (:func:`homerooms_for`); a row with a size (enrolment or homerooms) gets the staff of
    :data:`SCALED` it leaves empty scaled from the profile (:func:`scaled_staff`). The
    district has ``len(rows)`` schools; ``n_schools`` is 1 (not set) or must match."""
    if not exists(path):
        raise ConfigError(referrer, "district.roster", f"roster file '{path}' not found",
                          "fix the path (relative to the scenario file)")
    if not is_file(path):
        raise ConfigError(referrer, "district.roster", f"'{path}' is not a file",
                          "give the path of a CSV file, one row per school")
    size = path.stat().st_size
    if size > 50_000_000:
        raise ConfigError(path, None, f"is {size:,} bytes, too large for a roster of at most "
                          f"{MAX_SCHOOLS:,} schools", "give one row per school")
    raw = path.read_bytes()
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark, which means nothing
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(path, None, f"is not UTF-8 text (byte {raw[exc.start]:#04x} on line "
                          f"{line}; Latin-1 or a binary file?)", "save the roster as CSV "
                          "UTF-8 (in Excel: Save As, 'CSV UTF-8')") from None
    if "\x00" in text:
        raise ConfigError(path, None, "holds NUL bytes, so it is not a CSV text file",
                          "save the roster as CSV UTF-8")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ConfigError(path, None, f"is not a CSV file teachsim can read ({exc})",
                          "save the roster as CSV UTF-8, one school per row") from None
    header = [h.strip() for h in rows[0]] if rows else []
    for col in header:
        if col not in ROSTER_COLUMNS:
            raise ConfigError(path, f"column {quote(col)}", "unknown roster column."
                              + did_you_mean(col, ROSTER_COLUMNS),
                              "separate columns with commas and use school-profile keys: "
                              + ", ".join(ROSTER_COLUMNS))
    dup = next((c for c in header if header.count(c) > 1), None)
    if dup:
        raise ConfigError(path, f"column '{dup}'", "appears twice in the header",
                          "keep one column per key")
    if "name" not in header:
        raise ConfigError(path, None, "the roster has no 'name' column",
                          "add a first column 'name' with one school name per row")
    if len(rows) - 1 > MAX_SCHOOLS:
        raise ConfigError(path, None, f"has {len(rows) - 1:,} rows; a district has at most "
                          f"{MAX_SCHOOLS:,} schools", "split the district into several "
                          "scenarios")
    schools = []
    for i, cells in enumerate(rows[1:], start=2):  # line 1 is the header
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            raise ConfigError(path, f"line {i}", f"has {len(cells)} cells but the header has "
                              f"{len(header)}", "give every row one cell per column (leave "
                              "a cell empty to use the scenario's value)")
        values: dict[str, Any] = {}
        for col, cell in zip(header, cells, strict=True):
            cell = cell.strip()
            if cell == "":
                if col == "name":
                    raise ConfigError(path, f"line {i}, column 'name'", "is empty",
                                      "give every school a name")
                continue
            try:
                values[col] = (int(cell) if col in _INT else
                               float(cell) if col in _FLOAT else cell)
            except ValueError:
                kind = "a whole number" if col in _INT else "a number"
                fix = (f"write {col} as a fraction without the % sign (0.81 for 81%)"
                       if col in _SHARES and cell.endswith("%") else f"write {col} as {kind}")
                raise ConfigError(path, f"line {i}, column '{col}'",
                                  f"{quote(cell)} is not {kind}", fix) from None
        if "enrolment" in values:
            if "homerooms_per_grade" in values:
                raise ConfigError(path, f"line {i}", "gives both enrolment and "
                                  "homerooms_per_grade", "give one of them (homerooms per "
                                  "grade follow from enrolment and class size)")
            hpg = homerooms_for(values.pop("enrolment"), values.get("class_size",
                                                                     base.class_size),
                                len(base.grades), path, i)
            if hpg is not None:
                values["homerooms_per_grade"] = hpg
        if "homerooms_per_grade" in values:
            # staff the roster does not give scale with the school's size
            values = {**{k: v for k, v in scaled_staff(base, values["homerooms_per_grade"])
                         .items() if k not in values}, **values}
        try:
            schools.append(SchoolProfile.model_validate({**base.model_dump(), **values}))
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            col = ".".join(str(x) for x in err["loc"])
            raise ConfigError(path, f"line {i}, column '{col}'",
                              f"{err['msg']} (got {quote(err.get('input'))})",
                              f"correct {col} on line {i}") from None
    if not schools:
        raise ConfigError(path, None, "the roster has no schools", "add one row per school")
    names = [s.name for s in schools]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup:
        raise ConfigError(path, "column 'name'", f"school '{dup}' is listed twice",
                          "give every school a distinct name")
    if n_schools not in (1, len(schools)):
        raise ConfigError(referrer, "district.n_schools",
                          f"is {n_schools} but the roster has {len(schools)} schools",
                          "remove district.n_schools or make it match the roster")
    return schools


def homerooms_for(enrolment: int, class_size: int, grades: int, path: Path, line: int
                  ) -> int | None:
    """Homerooms per grade of a school of ``enrolment`` students: enrolment over
    (grades x class size), rounded to the nearest whole number (an exact half to the even
    one), at least 1. None when the class size is itself out of range (the school
    profile's check then reports it)."""
    where = f"line {line}, column 'enrolment'"
    if enrolment < 1:
        raise ConfigError(path, where, f"is {enrolment}; a school has at least one student",
                          "give the school's number of students, or leave the cell empty "
                          "to keep the scenario's size")
    if not 1 <= class_size <= _MAX_CLASS:
        return None
    hpg = max(1, round(Fraction(enrolment, grades * class_size)))  # exact: no overflow
    if hpg > _MAX_HPG:
        raise ConfigError(path, where, f"{enrolment:,} students make {hpg} homerooms per "
                          f"grade ({grades} grades of {class_size} students a homeroom); a "
                          f"school has at most {_MAX_HPG}",
                          "give the school's students (not the district's), or a larger "
                          "class_size")
    return hpg


def need_score(schools: list[SchoolProfile]) -> np.ndarray:
    """Expected turnover pressure: more low-income students, then a worse environment."""
    return np.array([s.poverty_share - 0.01 * s.environment for s in schools])


def readiness_score(schools: list[SchoolProfile], p: Implementation) -> np.ndarray:
    """Readiness to run a new design (implementation.py), in SD."""
    return implementation.readiness(np.array([s.leadership for s in schools]),
                                    np.array([s.collegiality for s in schools]),
                                    np.array([s.leader_bench for s in schools]), p)
