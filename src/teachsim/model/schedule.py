"""Compile a schedule policy for one school into minutes.

The compiler resolves, for every day of the model year and every *teacher class* (the
homeroom teachers of one grade, that grade's teacher leader, or a specials teacher), which
day template applies, and so the minutes of each activity inside the contract day and the
scheduled minutes beyond it. From that it derives per-role weekly and yearly minutes,
students' yearly instructional minutes and their difference from a baseline policy, and
whether the specials teachers can cover every homeroom whose students are sent to them.

The model uses the same arrays: a teacher's day is one row lookup, array-wide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from teachsim.config.errors import ConfigError
from teachsim.config.policy import ACTIVITIES, DayTemplate, Policy
from teachsim.config.scenario import Scenario, SchoolProfile
from teachsim.model.calendar import DAYS_PER_YEAR, Calendar, DayKind, build_calendar, spread

N_ACT = len(ACTIVITIES)
#: Row 0 of every template table: a day off (no minutes).
OFF_ROW = 0


@dataclass(frozen=True)
class Coverage:
    """Specials coverage on one kind of student day."""

    day: str
    homerooms_with_specials: int
    specials_minutes_needed: int
    specials_minutes_available: int
    largest_slot: str | None
    largest_slot_homerooms: int
    specials_teachers: int
    #: homerooms whose regular specials blocks are spread over the day (not in a slot)
    staggered_homerooms: int = 0
    #: regular blocks one specials teacher can teach that day
    blocks_per_teacher: int = 0
    block_minutes: int = 0

    @property
    def problem(self) -> str | None:
        if self.staggered_homerooms > self.specials_teachers * self.blocks_per_teacher:
            return (f"on {self.day}, {self.staggered_homerooms} homerooms need a "
                    f"{self.block_minutes}-minute specials block but {self.specials_teachers} "
                    f"specials teachers can teach only "
                    f"{self.specials_teachers * self.blocks_per_teacher} such blocks")
        if self.largest_slot_homerooms > self.specials_teachers:
            return (f"on {self.day}, slot '{self.largest_slot}' sends "
                    f"{self.largest_slot_homerooms} homerooms to specials at once but there "
                    f"are only {self.specials_teachers} specials teachers")
        if self.specials_minutes_needed > self.specials_minutes_available:
            return (f"on {self.day}, {self.homerooms_with_specials} homerooms need "
                    f"{self.specials_minutes_needed} minutes of specials teaching but "
                    f"{self.specials_teachers} specials teachers can give "
                    f"{self.specials_minutes_available}")
        return None


@dataclass
class CompiledSchedule:
    """A policy resolved for one school and calendar."""

    policy: Policy
    school: SchoolProfile
    calendar: Calendar
    #: (role, day type) of each template row; row 0 is the day off.
    row_names: list[tuple[str, str]]
    #: minutes of each activity inside the contract day, one row per day template
    templates: np.ndarray
    facilitated: np.ndarray
    structured: np.ndarray
    students_with_specials: np.ndarray
    #: teacher classes: ("homeroom", g), ("leader", g) for each grade, then ("specials", "")
    #: and ("support", "")
    classes: list[tuple[str, str]]
    #: template row for each day of the year and teacher class
    year_rows: np.ndarray
    #: template row for each cycle day and teacher class
    cycle_rows: np.ndarray
    #: scheduled minutes beyond the contract day, per day, class and activity
    beyond: np.ndarray
    coverage: list[Coverage] = field(default_factory=list)
    _cycle_names: tuple = field(default=(), repr=False)

    # --- teacher classes -------------------------------------------------------------
    def class_index(self, role: str, grade: str = "") -> int:
        return self.classes.index((role, grade if role in ("homeroom", "leader") else ""))

    # --- accounting ------------------------------------------------------------------
    def in_day_minutes(self) -> np.ndarray:
        """Minutes inside the contract day: (day, class, activity)."""
        return self.templates[self.year_rows]

    def yearly_by_class(self) -> np.ndarray:
        """(class, activity) minutes a year, inside the contract day."""
        return self.in_day_minutes().sum(axis=0)

    def yearly_beyond_by_class(self) -> np.ndarray:
        return self.beyond.sum(axis=0)

    @property
    def school_weeks(self) -> float:
        """Weeks of school in the year, counted as student days / 5."""
        return self.calendar.n_student_days / 5

    def weekly_in_day_by_class(self) -> np.ndarray:
        """(class, activity) minutes inside the contract day in a typical school week: the
        average day of one rotation cycle, times five (special days such as early release
        are left out of the typical week; the yearly figures include them)."""
        return self.templates[self.cycle_rows].mean(axis=0) * 5

    def weekly_beyond_by_class(self) -> np.ndarray:
        """(class, activity) scheduled minutes beyond the contract day per school week."""
        return self.yearly_beyond_by_class() / self.school_weeks

    def student_minutes_by_grade(self) -> np.ndarray:
        """Students' instructional minutes a year, per grade: homeroom teaching plus time
        with specials teachers."""
        sd = self.calendar.student_days()
        out = np.zeros(len(self.school.grades))
        for g, grade in enumerate(self.school.grades):
            rows = self.year_rows[sd, self.class_index("homeroom", grade)]
            out[g] = (self.templates[rows, 0] + self.students_with_specials[rows]).sum()
        return out

    def feasible(self) -> bool:
        return all(c.problem is None for c in self.coverage)

    def problems(self) -> list[str]:
        return [c.problem for c in self.coverage if c.problem]

    def coverage_for(self, school: SchoolProfile) -> list[Coverage]:
        """Specials coverage of this schedule at another school with the same grades."""
        cyc_day, cyc_slot, row = self._cycle_names
        return _coverage(self.policy, school, cyc_day, cyc_slot, self.templates,
                         self.students_with_specials, row)

    def duty_minutes_supplied(self, school: SchoolProfile | None = None) -> float:
        """Average duty minutes a student day covered by teachers, paraprofessionals and
        other staff at ``school`` (default: the school compiled for)."""
        school = school or self.school
        per_class = self.duty_minutes_per_class
        n = self.teachers_per_class(school)
        return float((per_class * n).sum()
                     + school.paraprofessionals * school.para_duty_minutes_per_day
                     + school.other_staff_duty_minutes_per_day)

    @cached_property
    def duty_minutes_per_class(self) -> np.ndarray:
        """Average duty minutes a student day of one teacher of each class."""
        sd = self.calendar.student_days()
        return self.in_day_minutes()[sd][:, :, ACTIVITIES.index("duties")].mean(axis=0)

    def duty_minutes_uncovered(self, school: SchoolProfile | None = None) -> float:
        school = school or self.school
        return max(0.0, school.duty_minutes_per_day - self.duty_minutes_supplied(school))

    def teachers_per_class(self, school: SchoolProfile | None = None) -> np.ndarray:
        """Teachers in each class at ``school`` (leaders counted with their homerooms)."""
        school = school or self.school
        n = np.zeros(len(self.classes))
        for i, (role, _grade) in enumerate(self.classes):
            if role == "homeroom":
                n[i] = school.homerooms_per_grade
            elif role == "specials":
                n[i] = school.specials_teachers
            elif role == "support":
                n[i] = school.support_teachers
        return n


def standard_support_day(school: SchoolProfile) -> DayTemplate:
    """The day of a support teacher (special education, English learners, intervention)
    when the policy gives none: small-group teaching for most of the students' day less
    an hour, 45 minutes of planning, 45 of duties, 30 of break, the rest other work
    (assumption: like a specials teacher's day)."""
    breaks, planning, duties = 30, 45, 45
    room = school.contract_day_minutes - breaks - planning - duties
    teaching = max(0, min(school.student_day_minutes - 60, room))
    return DayTemplate(teaching=teaching, individual_planning=planning, duties=duties,
                       breaks=breaks, other=room - teaching)


def _template_rows(policy: Policy, teacher_only: DayTemplate, school: SchoolProfile
                   ) -> tuple[list[tuple[str, str]], list[DayTemplate]]:
    names: list[tuple[str, str]] = [("off", "off")]
    temps: list[DayTemplate] = [DayTemplate()]
    for role in ("homeroom", "specials", "leader", "support"):
        days = getattr(policy.roles, role)
        if days is None:
            continue
        for name, t in days.days.items():
            names.append((role, name))
            temps.append(t)
    if policy.roles.support is None:
        names.append(("support", policy.default_support_day))
        temps.append(standard_support_day(school))
    names.append(("all", "teacher_only"))
    temps.append(teacher_only)
    return names, temps


def compile_schedule(scenario: Scenario, policy: Policy) -> CompiledSchedule:
    """Resolve ``policy`` for the scenario's school and calendar."""
    school = scenario.school
    calendar = build_calendar(scenario.calendar)
    tod = scenario.calendar.teacher_only_day
    teacher_only = DayTemplate(pd=tod.pd, individual_planning=tod.individual_planning,
                               breaks=tod.breaks, other=tod.other)
    names, temps = _template_rows(policy, teacher_only, school)
    row = {n: i for i, n in enumerate(names)}
    templates = np.array([[getattr(t, a) for a in ACTIVITIES] for t in temps], dtype=np.int32)
    facilitated = np.array([t.collaboration_facilitated for t in temps])
    structured = np.array([t.practice_share for t in temps], dtype=float)
    with_specials = np.array([t.students_with_specials for t in temps], dtype=np.int32)

    grades = school.grades
    classes = [("homeroom", g) for g in grades] + [("leader", g) for g in grades] + [
        ("specials", ""), ("support", "")]
    leader_role = "leader" if policy.roles.leader is not None else "homeroom"

    # Day type of each grade on each cycle day, and the slot its students are away in.
    cyc_day = [[policy.default_homeroom_day] * len(grades) for _ in range(policy.cycle_days)]
    cyc_slot: list[list[str | None]] = [[None] * len(grades) for _ in range(policy.cycle_days)]
    for a in policy.assign:
        targets = grades if a.grades == "all" else a.grades
        for g in targets:
            gi = grades.index(g)
            cyc_day[a.cycle_day - 1][gi] = a.homeroom_day
            cyc_slot[a.cycle_day - 1][gi] = a.slot

    def rows_for(home_days: list[str], specials_day: str) -> np.ndarray:
        r = [row[("homeroom", d)] for d in home_days]
        r += [row[(leader_role, d)] for d in home_days]
        r.append(row[("specials", specials_day)])
        r.append(row[("support", policy.default_support_day)])
        return np.array(r, dtype=np.int32)

    cycle_rows = np.stack([rows_for(cyc_day[c], policy.default_specials_day)
                           for c in range(policy.cycle_days)])
    special_rows = [rows_for([s.homeroom_day] * len(grades), s.specials_day)
                    for s in policy.special_days]

    year_rows = np.zeros((DAYS_PER_YEAR, len(classes)), dtype=np.int32)
    year_rows[calendar.kind == DayKind.TEACHER_ONLY] = row[("all", "teacher_only")]
    sdays = calendar.student_days()
    n_sd = len(sdays)
    for k, d in enumerate(sdays):
        c = (d % 7) if policy.cycle_follows == "weekday" else (k % policy.cycle_days)
        year_rows[d] = cycle_rows[c]
    # Special days (e.g. early release) replace the rotation on evenly spread student days.
    for s, srows in zip(policy.special_days, special_rows, strict=True):
        offset = policy.special_days.index(s) + 1
        for k in (spread(s.days_per_year, n_sd) + offset).clip(max=n_sd - 1):
            year_rows[sdays[k]] = srows

    beyond = np.zeros((DAYS_PER_YEAR, len(classes), N_ACT), dtype=np.int32)
    for o in policy.outside_day:
        # Leaders are homeroom teachers too: sessions for homeroom teachers include them.
        cls_mask = np.array([r in o.roles or (r == "leader" and "homeroom" in o.roles)
                             for r, _ in classes])
        act = ACTIVITIES.index(o.activity)
        if o.sessions_per_year is not None:
            days = sdays[spread(o.sessions_per_year, n_sd)]
        else:
            weeks = sdays // 7
            days = np.array([d for w in np.unique(weeks)
                             for d in sdays[weeks == w][
                                 spread(o.sessions_per_week, int((weeks == w).sum()))]
                             ] if n_sd else [], dtype=np.int64)
        for d in days:
            beyond[d, cls_mask, act] += o.minutes

    compiled = CompiledSchedule(
        policy=policy, school=school, calendar=calendar, row_names=names,
        templates=templates, facilitated=facilitated, structured=structured,
        students_with_specials=with_specials, classes=classes, year_rows=year_rows,
        cycle_rows=cycle_rows, beyond=beyond)
    compiled._cycle_names = (cyc_day, cyc_slot, row)
    compiled.coverage = compiled.coverage_for(school)
    return compiled


def _coverage(policy: Policy, school: SchoolProfile, cyc_day: list[list[str]],
              cyc_slot: list[list[str | None]], templates: np.ndarray,
              with_specials: np.ndarray, row: dict[tuple[str, str], int]) -> list[Coverage]:
    out = []
    n_sp = school.specials_teachers
    hpg = school.homerooms_per_grade

    def one(label: str, home_days: list[str], slots: list[str | None], sp_day: str) -> Coverage:
        need = sum(hpg * int(with_specials[row[("homeroom", d)]]) for d in home_days)
        n_with = sum(hpg for d in home_days if with_specials[row[("homeroom", d)]] > 0)
        avail = n_sp * int(templates[row[("specials", sp_day)], 0])
        by_slot: dict[str, int] = {}
        for s in slots:
            if s is not None:
                by_slot[s] = by_slot.get(s, 0) + hpg
        big = max(by_slot, key=lambda k: by_slot[k]) if by_slot else None
        # Homerooms not in a slot have their specials block at staggered times; a specials
        # teacher teaches (teaching minutes // block length) such blocks that day.
        blocks_len = [int(with_specials[row[("homeroom", d)]])
                      for d, s in zip(home_days, slots, strict=True) if s is None]
        staggered = hpg * sum(1 for b in blocks_len if b > 0)
        block = max(blocks_len, default=0)
        blocks = int(templates[row[("specials", sp_day)], 0]) // block if block else 0
        return Coverage(label, n_with, need, avail, big, by_slot.get(big, 0) if big else 0,
                        n_sp, staggered, blocks, block)

    for c in range(policy.cycle_days):
        out.append(one(f"cycle day {c + 1}", cyc_day[c], cyc_slot[c],
                       policy.default_specials_day))
    for s in policy.special_days:
        out.append(one(f"{s.name} days", [s.homeroom_day] * len(school.grades),
                       [None] * len(school.grades), s.specials_day))
    return out


def check_fits(scenario: Scenario, policy: Policy, policy_path: Path) -> None:
    """Refuse a policy that does not fit this school's day or grades. (Whether every
    school's specials teachers can cover it is checked by the scenario loader,
    model/scenario.py.)"""
    school = scenario.school
    for role in ("homeroom", "specials", "leader", "support"):
        days = getattr(policy.roles, role)
        if days is None:
            continue
        for name, t in days.days.items():
            key = f"roles.{role}.days.{name}"
            if t.total() < school.contract_day_minutes:
                parts = " + ".join(f"{a} {m}" for a, m in t.minutes().items() if m)
                raise ConfigError(
                    policy_path, key,
                    f"accounts for {t.total()} of the {school.contract_day_minutes}-minute "
                    f"contract day ({parts}); the other "
                    f"{school.contract_day_minutes - t.total()} minutes would count as "
                    "neither work nor rest",
                    f"add {school.contract_day_minutes - t.total()} minutes to an activity "
                    "(e.g. other or breaks), or shorten school.contract_day_minutes in the "
                    "scenario")
            if t.total() > school.contract_day_minutes:
                parts = " + ".join(f"{a} {m}" for a, m in t.minutes().items() if m)
                raise ConfigError(
                    policy_path, key,
                    f"does not fit the day: {parts} = {t.total()} minutes, more than the "
                    f"{school.contract_day_minutes}-minute contract day",
                    "shorten some activities, move work to [[outside_day]], or lengthen "
                    "school.contract_day_minutes in the scenario")
            student_time = t.teaching + (t.students_with_specials if role != "specials" else 0)
            if student_time > school.student_day_minutes:
                raise ConfigError(
                    policy_path, key,
                    f"does not fit the students' day: teaching {t.teaching} + with specials "
                    f"{t.students_with_specials} = {student_time} minutes, more than the "
                    f"{school.student_day_minutes}-minute student day",
                    "reduce teaching or specials minutes, or lengthen "
                    "school.student_day_minutes in the scenario")
            if role == "specials" and t.students_with_specials:
                raise ConfigError(policy_path, f"{key}.students_with_specials",
                                  "only applies to homeroom day types",
                                  "remove it from the specials day type")
    seen: set[tuple[int, str]] = set()
    for i, a in enumerate(policy.assign):
        grades = school.grades if a.grades == "all" else a.grades
        for g in grades:
            if g not in school.grades:
                raise ConfigError(policy_path, f"assign[{i}].grades",
                                  f"grade '{g}' is not one of the school's grades "
                                  f"{school.grades}",
                                  "use the grade names of school.grades in the scenario")
            if (a.cycle_day, g) in seen:
                raise ConfigError(policy_path, f"assign[{i}]",
                                  f"grade '{g}' is assigned twice on cycle day {a.cycle_day}",
                                  "give each grade at most one assignment per cycle day")
            seen.add((a.cycle_day, g))
