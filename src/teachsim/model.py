"""The district model: schools, staff and students living through school days and years.

Time is measured in days; one model year is 364 days (52 weeks, see calendar.py). Mesa's
default step runs every day at times 1, 2, ...; the step at time ``t`` is day ``t - 1``.
Sparse events use Mesa's event list: scheduled work beyond the contract day (monthly PD
workshops, a leader's weekly session) as one-off events on their days, and the end of
each school year as a recurring event every 364 days, run after that day's step.

Process order within a day: (1) the daily step (time use of every teacher, students'
instructional minutes), (2) that day's outside-the-day sessions, (3) on the last day of
the model year, the end-of-year event (records, then year transitions).
"""

from __future__ import annotations

import numpy as np
from mesa import Model
from mesa.time import Priority, Schedule

from teachsim.agents import Clerk, Paraprofessional, School, StudentCohort, Teacher
from teachsim.calendar import DAYS_PER_YEAR, DayKind
from teachsim.config import LoadedScenario
from teachsim.pay import teacher_salary
from teachsim.policy import ACTIVITIES
from teachsim.records import Records
from teachsim.schedule import CompiledSchedule, compile_schedule
from teachsim.staff import ROLE_NAMES, Staff
from teachsim.streams import stream

_CONTRACT_KINDS = (DayKind.STUDENT, DayKind.TEACHER_ONLY)


def _fte_units(total: float) -> list[float]:
    """Split an FTE total into people: whole posts, then one part-time post."""
    whole = int(total)
    units = [1.0] * whole
    if total - whole > 1e-9:
        units.append(round(total - whole, 6))
    return units


class TeachSimModel(Model):
    """A district of schools run under schedule policies for ``scenario.run.years`` years."""

    def __init__(self, loaded: LoadedScenario, seed: int | None = None) -> None:
        scenario = loaded.scenario
        self.seed = scenario.run.seed if seed is None else int(seed)
        super().__init__(rng=stream(self.seed, "mesa"))
        self.config = scenario
        self.profile = scenario.school
        self.start_year = scenario.run.start_year
        self.year_index = 0
        self.compiled: list[CompiledSchedule] = [compile_schedule(scenario, loaded.policy)]
        self.baseline = compile_schedule(scenario, loaded.baseline)
        self._stack_schedules()
        self.staff = Staff(capacity=64)
        self.records = Records()
        self.schools: list[School] = []
        n_schools = scenario.district.n_schools
        for i in range(n_schools):
            name = self.profile.name if n_schools == 1 else f"{self.profile.name} #{i + 1}"
            self.schools.append(School(self, i, name, sched=0))
        for school in self.schools:
            self._staff_school(school)
            self._enrol_school(school)
        self._refresh_indices()
        self._select_leaders()
        self.schedule_recurring(self._end_of_year, Schedule(interval=DAYS_PER_YEAR,
                                                            start=DAYS_PER_YEAR),
                                priority=Priority.LOW)
        self._schedule_outside_day_sessions()

    # --- set-up ------------------------------------------------------------------
    def _stack_schedules(self) -> None:
        """Concatenate every compiled schedule's templates so that one gather finds any
        teacher's minutes, whatever their school's policy."""
        offsets = np.cumsum([0] + [len(c.templates) for c in self.compiled[:-1]])
        self.templates = np.concatenate([c.templates for c in self.compiled]).astype(float)
        self.year_rows = np.stack([c.year_rows + off for c, off in
                                   zip(self.compiled, offsets, strict=True)])
        self.beyond = np.stack([c.beyond for c in self.compiled]).astype(float)
        self.calendar = self.compiled[0].calendar
        # Students' instructional minutes per (schedule, day, grade).
        n_g = len(self.profile.grades)
        sm = np.zeros((len(self.compiled), DAYS_PER_YEAR, n_g))
        for s, c in enumerate(self.compiled):
            rows = c.year_rows[:, :n_g]  # homeroom classes come first, one per grade
            sm[s] = c.templates[rows, 0] + c.students_with_specials[rows]
            sm[s, c.calendar.kind != DayKind.STUDENT] = 0.0
        self.student_minutes = sm
        self._outside_days = np.flatnonzero(self.beyond.sum(axis=(0, 2, 3)) > 0)

    def _new_teacher(self, school: School, role: str, grade: str, experience: float) -> Teacher:
        comp = self.compiled[school.sched]
        gi = self.profile.grades.index(grade) if role == "homeroom" else -1
        row = self.staff.add(school=school.index, role=role, grade=gi,
                             cls=comp.class_index(role, grade), sched=school.sched,
                             experience=experience, agent_id=-1)
        t = Teacher(self, school, role, grade, row)
        self.staff.agent_id[row] = t.unique_id
        return t

    def _initial_experience(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Years of experience of a starting staff: gamma(shape 2) with the configured mean,
        capped (assumption; the people-dynamics issue calibrates the distribution)."""
        b = self.config.behaviour
        exp = rng.gamma(2.0, b.initial_experience_mean / 2.0, size=n)
        return np.floor(np.minimum(exp, b.initial_experience_max))

    def _staff_school(self, school: School) -> None:
        p = self.profile
        rng = stream(self.seed, "staff.initial", school.index)
        n_home = p.homerooms
        exp = self._initial_experience(rng, n_home + p.specials_teachers)
        k = 0
        for grade in p.grades:
            for _ in range(p.homerooms_per_grade):
                self._new_teacher(school, "homeroom", grade, float(exp[k]))
                k += 1
        for _ in range(p.specials_teachers):
            self._new_teacher(school, "specials", "", float(exp[k]))
            k += 1
        for fte in _fte_units(p.clerks):
            Clerk(self, school, fte)
        for fte in _fte_units(p.paraprofessionals):
            Paraprofessional(self, school, fte)

    def _enrol_school(self, school: School) -> None:
        n = self.profile.homerooms_per_grade * self.profile.class_size
        for g in range(len(self.profile.grades)):
            StudentCohort(self, school, entry_year=self.start_year - g, grade=g, n_students=n)

    def _refresh_indices(self) -> None:
        """Cache the rows the daily step gathers over (only changes at year end)."""
        s = self.staff
        self._rows = s.active_rows()
        self._row_sched = s.sched[self._rows].astype(np.intp)
        self._row_cls = s.cls[self._rows].astype(np.intp)
        self._school_sched = np.array([sc.sched for sc in self.schools], dtype=np.intp)
        self._grade_minutes = np.zeros((len(self.schools), len(self.profile.grades)))

    def _select_leaders(self) -> None:
        """Each year, each grade team's leader posts go to eligible homeroom teachers,
        drawn at random among those with enough experience; posts with no eligible
        teacher stay empty."""
        s = self.staff
        s.leader[: s.n] = False
        per_grade = self.config.staffing.leaders_per_grade
        self.leader_posts_unfilled = np.zeros(len(self.schools), dtype=np.int64)
        if per_grade:
            rng = stream(self.seed, "leaders.select", self.year_index)
            min_exp = self.config.staffing.leader_min_experience
            rows = self._rows
            for school in self.schools:
                for gi, grade in enumerate(self.profile.grades):
                    team = rows[(s.school[rows] == school.index) & (s.grade[rows] == gi)
                                & (s.role[rows] == 0)]
                    eligible = team[s.experience[team] >= min_exp]
                    k = min(per_grade, len(eligible))
                    chosen = rng.choice(eligible, size=k, replace=False) if k else []
                    s.leader[chosen] = True
                    self.leader_posts_unfilled[school.index] += per_grade - k
                    comp = self.compiled[school.sched]
                    s.cls[team] = comp.class_index("homeroom", grade)
                    s.cls[chosen] = comp.class_index("leader", grade)
        self._row_cls = s.cls[self._rows].astype(np.intp)

    def _schedule_outside_day_sessions(self) -> None:
        base = self.year_index * DAYS_PER_YEAR
        for d in self._outside_days:
            self.schedule_event(self._outside_day_work, at=base + int(d) + 1)

    # --- time --------------------------------------------------------------------
    @property
    def day_of_year(self) -> int:
        return (int(self.time) - 1) % DAYS_PER_YEAR

    def step(self) -> None:
        """One day: every teacher's minutes by activity, students' instructional minutes."""
        d = self.day_of_year
        kind = self.calendar.kind[d]
        if kind not in _CONTRACT_KINDS:
            return
        rows = self._rows
        trow = self.year_rows[self._row_sched, d, self._row_cls]
        self.staff.minutes[rows] += self.templates[trow]
        self.staff.contract_days[rows] += 1
        if kind == DayKind.STUDENT:
            self._grade_minutes += self.student_minutes[self._school_sched, d]

    def _outside_day_work(self) -> None:
        """Scheduled sessions beyond the contract day (e.g. after-school PD)."""
        d = self.day_of_year
        self.staff.beyond[self._rows] += self.beyond[self._row_sched, d, self._row_cls]

    def _end_of_year(self) -> None:
        self._record_year()
        self._advance_year()

    # --- year end ----------------------------------------------------------------
    def _record_year(self) -> None:
        s = self.staff
        rows = self._rows
        year = self.start_year + self.year_index
        stipend = self.config.staffing.leader_stipend
        sal = self.config.salaries
        salary = teacher_salary(s.experience[rows], sal.teacher_start, sal.teacher_average)
        is_leader = s.leader[rows]
        grade_names = np.array([*self.profile.grades, ""], dtype=object)
        teacher = {
            "year": np.full(len(rows), year),
            "school_id": s.school[rows].astype(np.int64),
            "teacher_id": s.agent_id[rows],
            "role": np.array(ROLE_NAMES, dtype=object)[s.role[rows]],
            "grade": grade_names[s.grade[rows]],
            "leader": is_leader.copy(),
            "experience_years": s.experience[rows].copy(),
            "salary": salary,
            "stipend": np.where(is_leader, stipend, 0.0),
            "contract_days": s.contract_days[rows].astype(np.int64),
        }
        for a, act in enumerate(ACTIVITIES):
            teacher[f"minutes_{act}"] = s.minutes[rows, a].copy()
        teacher["minutes_beyond_contract"] = s.beyond[rows].sum(axis=1)
        self.records.add("teacher_year", teacher)

        n_sch = len(self.schools)
        school_of = s.school[rows]
        home = s.role[rows] == 0
        counts = np.bincount(school_of, minlength=n_sch)
        n_home = np.bincount(school_of[home], minlength=n_sch)
        n_lead = np.bincount(school_of[is_leader], minlength=n_sch)

        def per_home_teacher(col: np.ndarray) -> np.ndarray:
            tot = np.bincount(school_of[home], weights=col[home], minlength=n_sch)
            return tot / np.maximum(n_home, 1)

        act = {a: s.minutes[rows, i] for i, a in enumerate(ACTIVITIES)}
        base_minutes = self.baseline.student_minutes_by_grade().mean()
        stu_min = self._grade_minutes.mean(axis=1)
        weeks = self.calendar.n_student_days / 5
        in_day = s.minutes[rows].sum(axis=1)
        beyond = s.beyond[rows].sum(axis=1)
        school = {
            "year": np.full(n_sch, year),
            "school_id": np.arange(n_sch, dtype=np.int64),
            "school": np.array([sc.name for sc in self.schools], dtype=object),
            "policy": np.array([self.compiled[sc.sched].policy.name for sc in self.schools],
                               dtype=object),
            "teachers": counts.astype(np.int64),
            "homeroom_teachers": n_home.astype(np.int64),
            "specials_teachers": (counts - n_home).astype(np.int64),
            "leaders": n_lead.astype(np.int64),
            "leader_posts_unfilled": self.leader_posts_unfilled.copy(),
            "clerks_fte": np.array([sum(c.fte for c in sc.clerks) for sc in self.schools]),
            "paras_fte": np.array([sum(p.fte for p in sc.paras) for sc in self.schools]),
            "students": np.array([sum(c.n_students for c in sc.cohorts)
                                  for sc in self.schools], dtype=np.int64),
            "stipends": n_lead * stipend,
            "teacher_salaries": np.bincount(school_of, weights=salary, minlength=n_sch),
            "homeroom_teaching_minutes": per_home_teacher(act["teaching"]),
            "homeroom_planning_minutes": per_home_teacher(act["individual_planning"]),
            "homeroom_collaboration_minutes": per_home_teacher(act["collaboration"]),
            "homeroom_weekly_hours_scheduled": per_home_teacher(in_day + beyond) / weeks / 60,
            "minutes_beyond_contract_per_teacher": (
                np.bincount(school_of, weights=beyond, minlength=n_sch) / np.maximum(counts, 1)),
            "instructional_minutes_per_student": stu_min,
            "instructional_minutes_vs_baseline_pct": 100 * (stu_min / base_minutes - 1),
            "duty_minutes_uncovered_per_day": np.array(
                [self.compiled[sc.sched].duty_minutes_uncovered() for sc in self.schools]),
        }
        self.records.add("school_year", school)

        cohorts = [c for sc in self.schools for c in sc.cohorts]
        gm = self._grade_minutes
        self.records.add("cohort_year", {
            "year": np.full(len(cohorts), year),
            "school_id": np.array([c.school.index for c in cohorts], dtype=np.int64),
            "cohort_id": np.array([c.unique_id for c in cohorts], dtype=np.int64),
            "entry_year": np.array([c.entry_year for c in cohorts], dtype=np.int64),
            "grade": np.array([self.profile.grades[c.grade] for c in cohorts], dtype=object),
            "students": np.array([c.n_students for c in cohorts], dtype=np.int64),
            "instructional_minutes": np.array([gm[c.school.index, c.grade] for c in cohorts]),
        })

    def _advance_year(self) -> None:
        s = self.staff
        s.experience[self._rows] += 1
        s.reset_year()
        last = len(self.profile.grades) - 1
        n_new = self.profile.homerooms_per_grade * self.profile.class_size
        for school in self.schools:
            for c in list(school.cohorts):
                if c.grade == last:
                    school.cohorts.remove(c)
                    c.remove()
                else:
                    c.grade += 1
            StudentCohort(self, school, entry_year=self.start_year + self.year_index + 1,
                          grade=0, n_students=n_new)
        self.year_index += 1
        self._refresh_indices()
        self._select_leaders()
        self._schedule_outside_day_sessions()

    # --- running -----------------------------------------------------------------
    def run_years(self, years: int, progress: object | None = None) -> None:
        """Run ``years`` school years; ``progress(year_done)`` is called after each."""
        for _ in range(years):
            self.run_for(DAYS_PER_YEAR)
            if callable(progress):
                progress(self.year_index)
