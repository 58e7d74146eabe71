"""The district model: schools, staff and students living through school days and years.

Time is measured in days; one model year is 364 days (52 weeks, see calendar.py). One Mesa
step is a school year of days, run at the year's first day by a compiled loop
(compiled.py: absences, burnout, sessions beyond the contract day, day by day); the end
of each school year is a recurring event on Mesa's event list every 364 days, run after
the year's last day.

Process order: (1) the days of the year -- on student days absences and burnout; on
teacher-only days burnout; on days off recovery; sessions beyond the contract day for
those present; (2) on the last day of the model year, the end-of-year event: substitutes
and cover, student growth, practice growth, stay/move/leave/retire decisions,
abandonment of the design, records, the schools' environment and implementation, then
the new year (experience, cohorts, hiring, adoption, leaders, fidelity).
See docs/model.md for the full description.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from itertools import compress
from typing import Any

import numpy as np
from mesa.time import Priority, Schedule

from teachsim.config.policy import ACTIVITIES, CoachingProgram, ObservationProgram, Policy
from teachsim.mechanisms import (
    absence,
    burnout,
    careers,
    coaching,
    collaboration,
    coverage,
    environment,
    hiring,
    implementation,
    induction,
    intentions,
    leadership,
    observation,
    pairing,
    practice,
    professional_learning,
    retention,
    returners,
    students,
)
from teachsim.mechanisms.pay import teacher_salary
from teachsim.mechanisms.timeuse import (
    after_hours_minutes,
    clerical_minutes_per_teacher,
    duty_minutes_per_teacher,
    student_need_minutes,
    weekly_hours,
)
from teachsim.model import compiled, rollout
from teachsim.model.agents import (
    Clerk,
    Paraprofessional,
    School,
    StaffedModel,
    StudentCohort,
    Teacher,
)
from teachsim.model.calendar import DAYS_PER_YEAR, DayKind
from teachsim.model.records import BatchRecords, Records, Table
from teachsim.model.scenario import LoadedScenario
from teachsim.model.schedule import CompiledSchedule, compile_schedule
from teachsim.model.staff import N_ROLES, ROLE_COUNT_KEYS, ROLE_NAMES, Staff
from teachsim.model.streams import stream, streams

TEACH = ACTIVITIES.index("teaching")
PLAN = ACTIVITIES.index("individual_planning")
COLLAB = ACTIVITIES.index("collaboration")
PD = ACTIVITIES.index("pd")
BREAKS = ACTIVITIES.index("breaks")
OTHER = ACTIVITIES.index("other")
#: role codes (staff.py): 0 homeroom, 1 specials, 2.. support teachers
HOMEROOM, SPECIALS = 0, 1
#: quality-weighted collaboration minutes are kept in four parts: facilitated blocks at
#: unstructured quality and their structured increment, then unfacilitated ones
CQ_FAC, CQ_FAC_INC, CQ_UNF, CQ_UNF_INC = range(4)
#: judged-practice bonus of a sitting leader: incumbents keep their post while eligible
INCUMBENT_BONUS = 1.0
#: fields of a former teacher kept in the returners' pool
POOL_FIELDS = ("experience", "practice", "practice_from_collab", "practice_from_programs",
               "growth_rate", "resilience", "propensity", "willingness",
               "leader_propensity", "years_led")


#: compiled schedules and class tables of recent scenarios (TeachSimModel._compile)
_TABLES: dict[str, dict[str, Any]] = {}
TABLES_KEPT = 8


def _has_programs(policy: Policy) -> bool:
    """Whether a policy runs any program beyond its schedule."""
    pl = policy.professional_learning
    return (policy.coaching is not None or policy.peer_pairing is not None
            or policy.observation is not None or policy.induction.mentor
            or pl.micro_credential_take_up > 0 or pl.tuition_take_up > 0)


def _lowest_in_group(values: np.ndarray, group: np.ndarray, mask: np.ndarray, share: float
                     ) -> np.ndarray:
    """Rows within ``mask`` among the lowest ``share`` of ``values`` of their group
    (rounded; at least one in every group)."""
    out = np.zeros(len(values), dtype=bool)
    idx = np.flatnonzero(mask)
    if not len(idx):
        return out
    order = idx[np.lexsort((values[idx], group[idx]))]
    g = group[order]
    first = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    size = np.diff(np.r_[first, len(order)])
    rank = np.arange(len(order)) - np.repeat(first, size)
    k = np.maximum(1, np.round(share * size)).astype(np.int64)
    out[order[rank < np.repeat(k, size)]] = True
    return out


def _fte_units(total: float) -> list[float]:
    """Split an FTE total into people: whole posts, then one part-time post."""
    whole = int(total)
    units = [1.0] * whole
    if total - whole > 1e-9:
        units.append(round(total - whole, 6))
    return units


def _cut(school: School, kind: str, fte: float, agents: list | None = None) -> None:  # type: ignore[type-arg]
    """Remove ``fte`` FTE of a school's ``kind`` ("clerks" or "paras") staff, from
    ``agents`` (default: all of them, last hired first)."""
    pool = getattr(school, kind)
    for agent in reversed(agents if agents is not None else list(pool)):
        if fte <= 1e-9:
            break
        take = min(agent.fte, fte)
        agent.fte = round(agent.fte - take, 6)
        fte -= take
        if agent.fte <= 1e-9:
            pool.remove(agent)
            agent.remove()


class TeachSimModel(StaffedModel):
    """A district of schools run under schedule policies for ``scenario.run.years`` years.

    With ``seeds``, the model runs one replication of the district per seed side by side:
    its schools are the replications' districts one after another, and teachers' rows
    stay grouped by replication. Every random draw comes from the replication's own
    streams, in the order a model of that replication alone makes it, and nothing links
    replications (movers, returners and coaching programs stay within their own
    district), so each replication's tables equal those of a run of its seed alone
    (tests/test_batch.py). Batching spreads the yearly work over replications.
    """

    def __init__(self, loaded: LoadedScenario, seed: int | None = None,
                 seeds: list[int] | None = None) -> None:
        config = loaded.scenario
        if seeds is None:
            seeds = [config.run.seed if seed is None else int(seed)]
        self.seeds = [int(x) for x in seeds]
        self.seed = self.seeds[0]
        n_rep = len(self.seeds)
        super().__init__(replications=n_rep, rng=stream(self.seed, "mesa"))
        self.config = config
        self.params = config.behaviour
        self.profile = config.school
        self.start_year = config.run.start_year
        self.year_index = 0
        k = len(loaded.schools)
        #: schools of one replication's district
        self.n_local = k
        self.specs = list(loaded.schools) * n_rep
        #: replication and index within it of each school
        self._rep_of = np.repeat(np.arange(n_rep), k)
        self._local_index = np.tile(np.arange(k, dtype=np.int32), n_rep)
        self._compile(loaded)
        plan = rollout.plan(loaded.schools, config.rollout, config.run.years,
                            config.rollout.seed, self.params.implementation)
        self.adopt_year = np.tile(plan, n_rep)
        self._volunteer = np.tile(rollout.volunteers(loaded.schools, config.rollout, plan),
                                  n_rep)
        #: model year from which a school that abandoned the design runs the baseline again
        self.abandon_year = np.full(len(self.specs), rollout.NEVER, dtype=np.int64)
        self.staff = Staff(capacity=64)
        #: the tables of a single replication, or of several side by side (``tables``)
        self.records = Records()
        self._batch_records = BatchRecords(n_rep)
        self._absence_rng = streams(self.seeds, "absence")
        n_schools = len(self.specs)
        first = self._scheds_for(0).tolist()
        self.schools: list[School] = [
            School(self, i, spec.name, sched=first[i],
                   replication=int(self._rep_of[i]), local=int(self._local_index[i]))
            for i, spec in enumerate(self.specs)]
        self._hpg = np.array([sp.homerooms_per_grade for sp in self.specs], dtype=np.int64)
        self._bench = np.array([sp.leader_bench for sp in self.specs])
        self._poverty = np.array([sp.poverty_share for sp in self.specs])
        #: professional environment (environment.py): each school's factors this year,
        #: and its own levels (the principal's leadership for the first)
        self._env = np.array([[getattr(sp, f) for f in environment.FACTORS]
                              for sp in self.specs], dtype=float).reshape(n_schools, 4)
        self._env_anchor = self._env.copy()
        self._new_principal = np.zeros(n_schools, dtype=bool)
        self._fill_rate = coverage.fill_rate(
            config.district.substitute_fill_rate, self._poverty,
            self.params.environment.poverty_reference, self.params.coverage)
        #: implementation (implementation.py) of schools on the design
        self._fidelity = np.ones(n_schools)
        self._maturity = np.ones(n_schools)
        self._leader_change = np.zeros(n_schools)
        #: each school's cover load on its teachers, minutes a student day (set each year)
        self._cover_load: np.ndarray | None = None
        #: teachers each school hired when it adopted (staffing.specials_teachers_change)
        self._added_teachers = np.zeros(n_schools, dtype=np.int64)
        #: former teachers of the district who left teaching (returners.py)
        #: (every replication's, grouped by replication in order: ``rep``)
        self._pool: dict[str, np.ndarray] = {
            f: np.zeros(0) for f in (*POOL_FIELDS, "years_away")}
        self._pool["rep"] = np.zeros(0, dtype=np.int64)
        self._residents_hired = np.zeros(n_schools, dtype=np.int64)
        self._returners_hired = np.zeros(n_schools, dtype=np.int64)
        self._teachers: list[Teacher] = []
        n_pos = len(self.profile.grades) + N_ROLES - 1
        #: unfilled posts per school and position (grades, then specials and the support
        #: roles, in role order)
        self.vacancies = np.zeros((n_schools, n_pos), dtype=np.int64)
        # Teachers' rows are added for all schools at once; agents are created school by
        # school (teachers, clerks, paraprofessionals, cohorts), as ids are given in order.
        hires: list[dict[str, Any]] = []
        for school in self.schools:
            self._staff_school(school, hires)
        rows = self._add_rows(hires)
        start = 0
        for school, part in zip(self.schools, hires, strict=True):
            n = len(part["school"])
            self._add_agents(rows[start:start + n])
            start += n
            self._staff_support(school)
            self._enrol_school(school)
        self._new_year()
        # One Mesa step is one school year of days (compiled.py), run on its first day; the
        # year ends after its last day.
        self._default_schedule.stop()
        self._default_schedule = self.schedule_recurring(
            self._do_step, Schedule(interval=DAYS_PER_YEAR, start=1), priority=Priority.HIGH)
        self.schedule_recurring(self._end_of_year, Schedule(interval=DAYS_PER_YEAR,
                                                            start=DAYS_PER_YEAR),
                                priority=Priority.LOW)

    # --- replications -----------------------------------------------------------
    def _streams(self, name: str, *extra: int) -> list[np.random.Generator]:
        """Each replication's stream of the random process ``name``."""
        return streams(self.seeds, name, *extra)

    def _rows(self) -> list[slice]:
        """Each replication's staff rows (rows are grouped by replication)."""
        if len(self.seeds) == 1:
            return [slice(0, self.staff.n)]
        reps = self._rep_of[self.staff.view("school")]
        b = np.searchsorted(reps, np.arange(len(self.seeds) + 1)).tolist()
        return [slice(b[r], b[r + 1]) for r in range(len(self.seeds))]

    def _school_rows(self) -> list[slice]:
        """Each replication's schools."""
        k = self.n_local
        return [slice(r * k, (r + 1) * k) for r in range(len(self.seeds))]

    def _draw(self, fn: Callable[[np.random.Generator, int], Any], name: str, *extra: int,
              schools: bool = False) -> Any:
        """``fn(rng, n)`` for each replication's stream ``name`` and its number of staff
        rows (``schools``: of schools), joined in replication order; a tuple result is
        joined element by element."""
        parts = [fn(rng, sl.stop - sl.start) for rng, sl in zip(
            self._streams(name, *extra), self._school_rows() if schools else self._rows(),
            strict=True)]
        if len(parts) == 1:
            return parts[0]
        if isinstance(parts[0], tuple):
            return tuple(np.concatenate(p) for p in zip(*parts, strict=True))
        return np.concatenate(parts)

    def _regroup(self) -> None:
        """Keep staff rows grouped by replication after hiring appended rows (a stable
        sort: each replication's rows keep their order)."""
        if len(self.seeds) == 1:
            return
        reps = self._rep_of[self.staff.view("school")]
        if np.all(reps[1:] >= reps[:-1]):
            return
        order = np.argsort(reps, kind="stable")
        self.staff.permute(order)
        self._teachers = [self._teachers[i] for i in order.tolist()]
        self.reindex()

    # --- set-up ------------------------------------------------------------------
    def _scheds_for(self, year_index: int) -> np.ndarray:
        """The schedule each school follows in a year: the policy from its adoption year
        until it abandons it (if it does)."""
        adopt, gone = self.adopt_year, self.abandon_year
        on = (adopt >= 0) & (adopt <= year_index) & ~((gone >= 0) & (gone <= year_index))
        return np.where(on, self.policy_sched, 0)

    def _compile(self, loaded: LoadedScenario) -> None:
        """Compile the schedules (the baseline first, then the policy schools adopt; one
        entry when they are the same policy) and build the class tables of the daily
        step. Both depend only on the scenario without its run settings, so replications
        in the same process share them (read-only) instead of building them again."""
        key = hashlib.sha256("\0".join((
            loaded.scenario.model_dump_json(exclude={"run"}),
            loaded.baseline.model_dump_json(), loaded.policy.model_dump_json())).encode()
        ).hexdigest()
        if key not in _TABLES:
            before = set(vars(self))
            config = loaded.scenario
            self.baseline = compile_schedule(config, loaded.baseline)
            same = loaded.policy.name == loaded.baseline.name
            self.compiled: list[CompiledSchedule] = (
                [self.baseline] if same else
                [self.baseline, compile_schedule(config, loaded.policy)])
            self.calendar = self.compiled[0].calendar
            self._n_student_days = self.calendar.n_student_days
            self._build_class_tables()
            built = {k: v for k, v in vars(self).items() if k not in before}
            for v in built.values():
                if isinstance(v, np.ndarray):
                    v.flags.writeable = False
            _TABLES[key] = built
            while len(_TABLES) > TABLES_KEPT:
                _TABLES.pop(next(iter(_TABLES)))
        else:
            _TABLES[key] = _TABLES.pop(key)  # most recently used last
        vars(self).update(_TABLES[key])
        self.policy_sched = len(self.compiled) - 1

    def _build_class_tables(self) -> None:
        """Per (schedule, teacher class) and day: everything the daily step looks up.

        Tables are (364, S*C) so that one day is a contiguous row and a teacher's value is
        one gather at its flat class index ``sched * C + cls``.
        """
        p = self.params
        comps = self.compiled
        n_cls = len(comps[0].classes)
        self._n_cls = n_cls
        roles = [role for role, _ in comps[0].classes]
        prep = np.array([p.time_use.specials_prep_factor if r == "specials" else 1.0
                         for r in roles])[None, :]
        in_day, spill, beyond, cq, flex, sws = [], [], [], [], [], []
        student = (self.calendar.kind == DayKind.STUDENT)[:, None]
        cp = p.collaboration
        for c in comps:
            minutes = c.templates[c.year_rows].astype(float)  # (day, class, activity)
            share = c.structured[c.year_rows]  # share of structured practices
            facilitated = c.facilitated[c.year_rows]
            sp = after_hours_minutes(minutes[..., TEACH], minutes[..., PLAN],
                                     minutes[..., COLLAB], share, prep, p.time_use)
            spill.append(np.where(student, sp, 0.0))
            in_day.append(minutes)
            beyond.append(c.beyond.sum(axis=2).astype(float))
            col = minutes[..., COLLAB]
            base = col * collaboration.structure_quality(np.zeros_like(share), cp)
            inc = col * collaboration.structure_quality(share, cp) - base
            parts = np.zeros((*col.shape, 4))
            parts[..., CQ_FAC] = np.where(facilitated, base, 0.0)
            parts[..., CQ_FAC_INC] = np.where(facilitated, inc, 0.0)
            parts[..., CQ_UNF] = np.where(facilitated, 0.0, base)
            parts[..., CQ_UNF_INC] = np.where(facilitated, 0.0, inc)
            cq.append(parts)
            flex.append(col >= p.absence.flexible_block_minutes)
            sws.append(np.where(student, c.students_with_specials[c.year_rows], 0))

        def flat(parts: list[np.ndarray]) -> np.ndarray:
            return np.concatenate(parts, axis=1)  # (day, S*C, ...)

        self._t_minutes = flat(in_day)  # (day, S*C, activity)
        self._t_spill = flat(spill)
        self._t_beyond = flat(beyond)
        self._t_cq = flat(cq)
        flexday = flat(flex)
        breaks = self._t_minutes[..., BREAKS]
        work = self._t_minutes.sum(axis=2) - breaks + self._t_spill + self._t_beyond
        # The strain logit of each (day, flat class), coded by its distinct values per
        # class for the compiled days (compiled.py).
        self._z_code, self._z_values = compiled.distinct_by_column(
            burnout.strain_logit(work, p.burnout, breaks) - p.burnout.flex_buffer * flexday)
        self._t_beyond_act = np.concatenate([c.beyond for c in comps], axis=1).astype(float)
        # Yearly totals per class, and whether a class ever has a long release block.
        self._y_minutes = self._t_minutes.sum(axis=0)
        self._y_spill = self._t_spill.sum(axis=0)
        self._y_cq = self._t_cq.sum(axis=0)
        self._has_release = flexday.any(axis=0)
        # The block a homeroom teacher has while the class is at specials, per student
        # day: days with one, and its collaboration and planning minutes in the year.
        sws_m = flat(sws).astype(float)  # minutes the class is with specials that day
        col = self._t_minutes[..., COLLAB]
        block_collab = np.minimum(col, sws_m)
        self._y_block_days = (sws_m > 0).sum(axis=0)
        self._y_block_collab = block_collab.sum(axis=0)
        self._y_block_plan = np.minimum(self._t_minutes[..., PLAN],
                                        sws_m - block_collab).sum(axis=0)
        # Students' instructional minutes per (schedule, day, grade).
        n_g = len(self.profile.grades)
        sm = np.zeros((len(comps), DAYS_PER_YEAR, n_g))
        for s, c in enumerate(comps):
            rows = c.year_rows[:, :n_g]  # homeroom classes come first, one per grade
            sm[s] = c.templates[rows, TEACH] + c.students_with_specials[rows]
            sm[s, self.calendar.kind != DayKind.STUDENT] = 0.0
        self.student_minutes = sm
        self._baseline_grade_minutes = self.baseline.student_minutes_by_grade()
        self._day_kind = self.calendar.kind.astype(np.int64)
        survey = np.flatnonzero(self.calendar.student_day == p.burnout.survey_student_day)
        #: day of the year of the burnout survey (-1: the calendar has no such day)
        self._survey_day = int(survey[0]) if len(survey) else -1
        #: days with sessions beyond the contract day (in any schedule)
        self._outside = self._t_beyond.sum(axis=1) > 0
        # PD beyond the contract day: sessions a year per schedule, and minutes a year per
        # (schedule, class) -- the baseline's are what an adopting school no longer pays.
        pd = ACTIVITIES.index("pd")
        self._pd_sessions = np.array([int((c.beyond[:, :, pd].sum(axis=1) > 0).sum())
                                      for c in comps])
        self._pd_beyond_year = self._t_beyond_act[:, :, pd].sum(axis=0)  # per flat class

    def _hire(self, school: np.ndarray, pos: np.ndarray, years: np.ndarray,
              rng: np.random.Generator, new_to_team: bool,
              traits: dict[str, np.ndarray] | None = None,
              resident: np.ndarray | None = None,
              defer: list[dict[str, Any]] | None = None) -> None:
        """Add teachers (one per entry of the arrays) with traits drawn from ``rng``.

        ``pos`` is the post: a grade index for a homeroom teacher, then (from the number
        of grades on) specials and the support roles in role order.
        ``traits`` replace drawn values (a returner keeps what they left with);
        ``resident`` marks residency graduates, who start with a head start on the
        experience curve (induction.py). With ``defer``, the teachers' values are appended
        to it, for ``_add_teachers`` to add with others' at once.
        """
        n = len(years)
        if n == 0:
            return
        p = self.params
        prac, rate = practice.initial(rng, years, p.practice)
        if resident is not None and resident.any():
            head = (practice.experience_curve(np.array([p.induction.residency_experience_years]),
                                              p.practice)[0]
                    - practice.experience_curve(np.zeros(1), p.practice)[0])
            prac = prac + head * resident
        values: dict[str, np.ndarray | float | int | bool] = dict(
            school=school, pos=pos, experience=years, practice=prac, growth_rate=rate,
            resilience=rng.normal(0.0, p.burnout.resilience_sd, n),
            propensity=absence.propensities(rng, n, p.absence),
            willingness=collaboration.willingness(rng, n, p.collaboration),
            leader_propensity=rng.random(n),
            support_last=p.retention.support_reference,
            new_to_team=new_to_team)
        if resident is not None:
            values["resident"] = resident
        if traits:
            values.update(traits)
        if defer is not None:
            defer.append(values)
        else:
            self._add_teachers([values])

    def _add_teachers(self, parts: list[dict[str, Any]]) -> np.ndarray:
        """Add the teachers of each part of ``parts`` (field values from ``_hire``, with
        ``pos`` for the post), in order, with their agents; return their staff rows.

        A field given as one value holds for the part's teachers; a field a part does not
        give starts at zero, as in ``Staff.add``."""
        rows = self._add_rows(parts)
        if len(rows):
            self._add_agents(rows)
        return rows

    def _add_rows(self, parts: list[dict[str, Any]]) -> np.ndarray:
        """The staff rows of ``_add_teachers``, without agents."""
        parts = [v for v in parts if len(v["school"])]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        sizes = [len(v["school"]) for v in parts]
        values: dict[str, Any] = {}
        for k in dict.fromkeys(k for v in parts for k in v):
            given = [v.get(k) for v in parts]
            first = given[0]
            dtype = getattr(self.staff, k).dtype if k != "pos" else np.int64
            if not any(isinstance(x, np.ndarray) for x in given):
                if all(x == first for x in given):
                    values[k] = first  # the same value for everyone added
                else:
                    values[k] = np.repeat(np.array([0 if x is None else x for x in given],
                                                   dtype=dtype), sizes)
            elif len(parts) == 1:
                values[k] = first
            else:
                values[k] = np.concatenate([
                    x if isinstance(x, np.ndarray) else np.full(m, 0 if x is None else x,
                                                               dtype=dtype)
                    for x, m in zip(given, sizes, strict=True)])
        school = values["school"]
        role, grade, cls = self._post_fields(values.pop("pos"))
        sched = np.array([sc.sched for sc in self.schools], dtype=np.int16)[school]
        return self.staff.add(len(school), role=role, grade=grade, cls=cls, sched=sched,
                              **values)

    def _add_agents(self, rows: np.ndarray) -> None:
        """A Teacher agent for each of the staff ``rows``, in order."""
        s = self.staff
        grades = self.profile.grades
        made = [Teacher(self, self.schools[sc], ROLE_NAMES[ro], grades[g] if g >= 0 else "",
                        slot)
                for slot, sc, g, ro in zip(self.new_slots(rows), s.school[rows].tolist(),
                                           s.grade[rows].tolist(), s.role[rows].tolist(),
                                           strict=True)]
        s.agent_id[rows] = [t.local_id for t in made]
        self._teachers += made

    def _post_fields(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Role, grade (-1 without a homeroom) and teacher class (schedule.py: homeroom
        of each grade, leader of each grade, specials, support) of each post."""
        n_g = len(self.profile.grades)
        home = pos < n_g
        role = np.where(home, HOMEROOM, pos - n_g + SPECIALS).astype(np.int8)
        grade = np.where(home, pos, -1)
        cls = np.where(home, pos, np.where(role == SPECIALS, 2 * n_g, 2 * n_g + 1))
        return role, grade, cls

    def _post_of(self) -> np.ndarray:
        """Post (see ``_hire``) of every teacher."""
        s = self.staff
        n_g = len(self.profile.grades)
        role = s.view("role")
        return np.where(role == HOMEROOM, s.view("grade"), n_g + role - SPECIALS)

    @property
    def _on_design(self) -> np.ndarray:
        """Schools running the scenario's policy this year, when it differs from the
        baseline (a traditional-only scenario adopts nothing)."""
        return (self.policy_sched > 0) & (self._school_sched == self.policy_sched)

    def _staff_school(self, school: School, hires: list[dict[str, Any]]) -> None:
        """Draw a school's first teachers (their values appended to ``hires``)."""
        p = self.specs[school.index]
        rng = stream(self.seeds[school.replication], "staff.initial", school.local)
        s0 = self.params.initial_staff

        def years(n: int) -> np.ndarray:
            exp = rng.gamma(s0.experience_shape, s0.experience_mean / s0.experience_shape,
                            size=n)
            return np.floor(np.minimum(exp, s0.experience_max))

        n_g = len(p.grades)
        pos = np.repeat(np.arange(n_g + len(ROLE_COUNT_KEYS), dtype=np.int64),
                        [p.homerooms_per_grade] * n_g
                        + [getattr(p, key) for key in ROLE_COUNT_KEYS])
        self._hire(np.full(len(pos), school.index), pos, years(len(pos)), rng, False,
                   defer=hires)

    def _staff_support(self, school: School) -> None:
        """A school's clerks and paraprofessionals."""
        p = self.specs[school.index]
        for fte in _fte_units(p.clerks):
            Clerk(self, school, fte)
        for fte in _fte_units(p.paraprofessionals):
            Paraprofessional(self, school, fte)

    def _enrol_school(self, school: School) -> None:
        spec = self.specs[school.index]
        n = spec.homerooms_per_grade * spec.class_size
        for g in range(len(self.profile.grades)):
            StudentCohort(self, school, entry_year=self.start_year - g, grade=g, n_students=n)

    # --- the new year --------------------------------------------------------------
    def _new_year(self) -> None:
        """Adopt (or drop) the policy where the plan says so, set each school's
        implementation, choose leaders and cache each teacher's yearly constants for the
        daily step."""
        s = self.staff
        for sc, sched in zip(self.schools, self._scheds_for(self.year_index).tolist(),
                             strict=True):
            sc.sched = sched
            if self.policy_sched and self.adopt_year[sc.index] == self.year_index:
                self._adopt_support_changes(sc)
        self._regroup()
        self._support_attrition()
        #: each school's clerks and paraprofessionals this year, FTE
        self._clerks_fte = self._fte("clerks")
        self._paras_fte = self._fte("paras")
        self._school_sched = np.array([sc.sched for sc in self.schools], dtype=np.intp)
        s.view("sched")[:] = self._school_sched[s.view("school")]
        p = self.params
        n_sch = len(self.schools)
        school = s.view("school")
        self._select_leaders()  # sets leaders' teacher class
        fi = s.view("sched").astype(np.intp) * self._n_cls + s.view("cls")
        self._fi = fi
        self._duty_uncovered, self._para_duty = self._duties()
        self._set_implementation()
        # Team (school x grade; the school's teachers without a homeroom form one team)
        # mean willingness and leader facilitation.
        n_g = len(self.profile.grades)
        team = school.astype(np.intp) * (n_g + 1) + np.where(
            s.view("grade") >= 0, s.view("grade"), n_g)
        n_team = n_sch * (n_g + 1)
        w = s.view("willingness")
        team_w = (np.bincount(team, weights=w, minlength=n_team)
                  / np.maximum(np.bincount(team, minlength=n_team), 1))
        self._engage = collaboration.engagement(w, team_w[team], p.collaboration)
        self._facmult = collaboration.facilitation(self._team_skill[team],
                                                   self._team_has_leader[team],
                                                   p.collaboration)
        self._team = team
        self._env_index = environment.index(self._env)
        #: value of a collaboration minute from the school's collegial culture
        self._collegial = environment.collaboration_multiplier(
            self._env[:, environment.COLLEGIALITY], p.environment)[school]
        weeks = self._n_student_days / 5
        self._assign_programs()
        eff = self._effective_collab(self._y_cq[fi]) * (1 - s.view("collab_taken"))
        self._support = collaboration.support(eff / weeks + self._mentor_support,
                                              p.collaboration)
        # Duties the school cannot cover, clerical work and students' needs fall on its
        # teachers.
        per_school = np.bincount(school, minlength=n_sch)
        role = s.view("role")
        self._specials_count = np.bincount(school[role == SPECIALS], minlength=n_sch)
        self._per_school = per_school
        # homerooms with specials on an average student day, per school
        home = role == HOMEROOM
        self._with_specials_mean = np.bincount(
            school[home], weights=self._y_block_days[fi[home]], minlength=n_sch
        ) / self._n_student_days
        extra = (duty_minutes_per_teacher(self._duty_uncovered, per_school)
                 + clerical_minutes_per_teacher(self._clerks_fte, per_school, p.time_use))
        extra = extra + student_need_minutes(self._poverty, p.environment.poverty_reference,
                                             p.time_use)
        # Cover for absent colleagues and lost planning: the load the school carried last
        # year (in the first year, what its fill rate leads teachers to expect).
        # (The minutes themselves are counted at the end of the year, as they happened.)
        if self._cover_load is None:
            self._cover_load = self._expected_cover_load()
        self._extra = extra[school] + s.view("program_after_hours")
        self._k = (s.view("resilience")
                   + (self._extra + s.view("program_beyond") + self._cover_load[school])
                   / p.burnout.work_scale_minutes
                   - p.burnout.support_buffer * self._support
                   - environment.strain_relief(self._env_index, p.environment)[school])
        self._movable = self._has_release[fi]
        self._grade_minutes = np.zeros((n_sch, n_g))

    def _effective_collab(self, cq: np.ndarray) -> np.ndarray:
        """Effective collaboration minutes from quality-weighted minutes ``cq`` (n, 4):
        the structured increment counts in the share of time not lost to the urgent;
        facilitation, willingness and the school's collegial culture scale the rest."""
        ss = self._structured_share[self.staff.view("school")]
        fac = cq[:, CQ_FAC] + ss * cq[:, CQ_FAC_INC]
        unf = cq[:, CQ_UNF] + ss * cq[:, CQ_UNF_INC]
        return self._engage * self._collegial * (
            self._facmult * fac + self.params.collaboration.facilitation_unfacilitated * unf)

    def _fte(self, kind: str) -> np.ndarray:
        """Each school's ``kind`` ("clerks" or "paras") staff now, FTE."""
        return np.array([sum(a.fte for a in getattr(sc, kind)) for sc in self.schools])

    def _duties(self) -> tuple[np.ndarray, np.ndarray]:
        """Duty minutes a student day each school cannot cover, and those its
        paraprofessionals take (teachers first, as their days say under the schedule
        their school follows; then other staff; then paraprofessionals up to their
        capacity)."""
        s = self.staff
        n_sch = len(self.schools)
        per_flat = np.concatenate([c.duty_minutes_per_class for c in self.compiled])
        # (also called while schools adopt, before this year's arrays are set)
        sched = np.array([sc.sched for sc in self.schools])[s.view("school")]
        teachers = np.bincount(s.view("school"), minlength=n_sch,
                               weights=per_flat[sched * self._n_cls + s.view("cls")])
        need = np.maximum(0.0, np.array([sp.duty_minutes_per_day
                                         - sp.other_staff_duty_minutes_per_day
                                         for sp in self.specs]) - teachers)
        capacity = self._fte("paras") * np.array([sp.para_duty_minutes_per_day
                                                  for sp in self.specs])
        para = np.minimum(need, capacity)
        return need - para, para

    def _set_implementation(self) -> None:
        """Fidelity and maturity of each school on the design this year
        (implementation.py); schools on their baseline run it as established."""
        ip = self.params.implementation
        since = self.year_index - self.adopt_year
        on = self._on_design
        # Teams that lost or changed their leader set the school back (not in the first
        # year, when every leader is new).
        self._maturity = np.where(on & (since >= 1), implementation.setback(
            self._maturity, self._leader_change, np.zeros(len(self.schools)), ip),
            self._maturity)
        ready = implementation.readiness(self._env[:, environment.LEADERSHIP],
                                         self._env[:, environment.COLLEGIALITY],
                                         self._bench, ip)
        self._supported = on & (since < self.config.rollout.startup_years)
        fid = implementation.fidelity(ready, self._volunteer, self._supported,
                                      self._new_principal, ip)
        self._readiness = ready
        self._fidelity = np.where(on, fid, 1.0)
        self._maturity = np.where(on & (since == 0), ip.maturity_start,
                                  np.where(on, self._maturity, 1.0))
        self._structured_share = implementation.structured_share(
            self._fidelity, self._maturity, ip)

    def _adopt_support_changes(self, school: School) -> None:
        """A school adopting the policy changes its staffing: specials teachers hired,
        clerk and paraprofessional additions and immediate cuts now; with
        ``support_change_mode = "attrition"`` cuts wait for departures
        (``_support_attrition``); with ``duty_cover = "hire_paras"`` it buys the
        paraprofessional time its duties need."""
        st = self.config.staffing
        if st.specials_teachers_change:
            rng = stream(self.seeds[school.replication], "adopt.hire", self.year_index,
                         school.local)
            n = st.specials_teachers_change
            years = hiring.fill(rng, np.full(n, self.params.hiring.novice_share),
                                np.zeros(n), self.params.hiring)[1]
            self._hire(np.full(n, school.index), np.full(n, len(self.profile.grades)),
                       years, rng, True)
            self._added_teachers[school.index] += n
        for kind, change in (("clerks", st.clerk_fte_change), ("paras", st.para_fte_change)):
            if change > 0:
                agent = Clerk if kind == "clerks" else Paraprofessional
                for fte in _fte_units(change):
                    agent(self, school, fte)
            elif change < 0:
                if st.support_change_mode == "immediate":
                    _cut(school, kind, -change)
                else:
                    school.pending_cuts[kind] += -change
        if st.duty_cover == "hire_paras":
            uncovered = self._duties()[0][school.index]
            cap = self.specs[school.index].para_duty_minutes_per_day
            if uncovered > 0 and cap > 0:
                fte = float(np.ceil(uncovered / cap * 10) / 10)
                for unit in _fte_units(fte):
                    Paraprofessional(self, school, unit)

    def _support_attrition(self) -> None:
        """Pending cuts happen as clerks and paraprofessionals leave: each leaves in a year
        with probability ``support_attrition_rate`` and is replaced at a lower FTE (or not
        at all) until the cut is made."""
        rate = self.config.staffing.support_attrition_rate
        pending = [sc for sc in self.schools if any(sc.pending_cuts.values())]
        if not pending:
            return
        rngs = self._streams("support.attrition", self.year_index)
        for sc in pending:
            rng = rngs[sc.replication]
            for kind in ("clerks", "paras"):
                for agent in list(getattr(sc, kind)):
                    if sc.pending_cuts[kind] <= 1e-9:
                        break
                    if rng.random() < rate:
                        cut = min(agent.fte, sc.pending_cuts[kind])
                        _cut(sc, kind, cut, [agent])
                        sc.pending_cuts[kind] -= cut

    def _select_leaders(self) -> None:
        """Fill each grade team's leader posts (mechanisms/leadership.py and careers.py):
        who wants to lead this year, who is chosen (sitting leaders keep their post while
        eligible), how skilled each team's facilitation is, then the aspiring-leader
        roles. Only schools running the scenario's policy have leader posts (schools
        waiting for their adoption year run the baseline without them)."""
        s = self.staff
        n_g = len(self.profile.grades)
        n_team = len(self.schools) * (n_g + 1)
        st = self.config.staffing
        cp = self.params.careers
        leader = s.view("leader")
        leader[:] = False
        s.view("aspiring")[:] = False
        s.view("stipend")[:] = 0.0
        #: each teacher's leader-post stipend this year (other role stipends add to it in
        #: ``stipend``)
        self._leader_pay = np.zeros(s.n)
        self._team_skill = np.zeros(n_team)
        self._team_has_leader = np.zeros(n_team, dtype=bool)
        self.leader_posts_unfilled = np.zeros(len(self.schools), dtype=np.int64)
        self._leader_change = np.zeros(len(self.schools))
        on_policy = self._school_sched == self.policy_sched
        # Role stipends are paid while the school is on the policy, or only for the first
        # stipend_years after adopting.
        since = self.year_index - self.adopt_year
        self._stipends_paid = on_policy & ((st.stipend_years == 0)
                                           | (since < st.stipend_years))
        posts = np.where(on_policy, st.leaders_per_grade, 0)
        aspiring_posts = np.where(on_policy, st.aspiring_leaders_per_grade, 0)
        cls = s.view("cls")
        home = s.view("role") == 0
        grade = s.view("grade")
        school = s.view("school")
        # Teacher classes (schedule.py): homeroom of grade g is g, its leader n_g + g.
        cls[home] = grade[home]
        if not (posts.any() or aspiring_posts.any()):
            return
        prac = s.view("practice")
        lp = self.params.leadership
        judged = prac + self._draw(lambda rng, n: rng.normal(0.0, lp.selection_noise, n),
                                   "leaders.select", self.year_index)
        s.view("leader_interest")[:] = s.view("leader_propensity") < careers.interest_probability(
            self._bench[school], s.view("experience"), s.view("support_last"),
            self.params.retention.support_reference, s.view("was_aspiring"),
            careers.expected_stipend(st.leader_stipend, st.leader_stipend_steps)
            * self._stipends_paid[school], cp)
        team = school.astype(np.int64) * (n_g + 1) + np.where(grade >= 0, grade, n_g)
        school_posts = posts[school]
        eligible = leadership.eligible(
            home, s.view("experience"), s.view("willingness"), s.view("leader_interest"),
            school_posts > 0, st.leader_min_experience, lp)
        chosen = leadership.choose(judged + INCUMBENT_BONUS * s.view("was_leader"), eligible,
                                   team, school_posts)
        leader[chosen] = True
        years_led = s.view("years_led")
        # A leader's practice is ranked among their own district's teachers.
        rank = np.empty(len(chosen))
        for sl in self._rows():
            mine = (chosen >= sl.start) & (chosen < sl.stop)
            rank[mine] = leadership.skill(prac[sl], chosen[mine] - sl.start)
        self._team_skill, self._team_has_leader = leadership.team_skill(
            team[chosen], careers.role_skill(rank, years_led[chosen], cp), n_team)
        filled = np.bincount(school[chosen], minlength=len(self.schools))
        self.leader_posts_unfilled = posts * n_g - filled
        # Share of each school's grade teams whose leaders changed or whose post is empty.
        new = chosen[~s.view("was_leader")[chosen]]
        team_new = np.bincount(team[new], minlength=n_team)
        team_filled = np.bincount(team[chosen], minlength=n_team)
        changed = ((team_new > 0) | (team_filled < np.repeat(posts, n_g + 1))).reshape(
            -1, n_g + 1)[:, :n_g]
        self._leader_change = np.where(posts > 0, changed.mean(axis=1), 0.0)
        cls[chosen] = n_g + grade[chosen]
        self._leader_pay[chosen] = careers.stipend(years_led[chosen], st.leader_stipend,
                                                   st.leader_stipend_steps
                                                   ) * self._stipends_paid[school[chosen]]
        s.view("stipend")[chosen] = self._leader_pay[chosen]
        if aspiring_posts.any():
            # Aspiring leaders: the most promising willing homeroom teachers who do not
            # lead, interested or not yet (cultivation is the point).
            can = (home & ~leader & (s.view("experience") >= 1)
                   & (s.view("willingness") >= lp.min_willingness) & (aspiring_posts[school] > 0))
            picked = leadership.choose(judged + INCUMBENT_BONUS * s.view("was_aspiring"), can,
                                       team, aspiring_posts[school])
            s.view("aspiring")[picked] = True
            s.view("stipend")[picked] += st.aspiring_stipend * self._stipends_paid[
                school[picked]]

    def _assign_programs(self) -> None:
        """This year's coaching, pairing, observation, optional PD and mentoring of each
        teacher, from the programs of the policy their school follows."""
        s = self.staff
        n = s.n
        p = self.params
        n_sd = self._n_student_days
        n_sch = len(self.schools)
        for name in ("coaching_hours", "collab_taken", "observed", "feedback_quality",
                     "program_after_hours", "program_beyond"):
            s.view(name)[:] = 0.0
        for name in ("pairing", "mentees"):
            s.view(name)[:] = 0
        for name in ("mentored", "micro_credential", "coursework"):
            s.view(name)[:] = False
        self._mentor_support = np.zeros(n)
        self._pair_dose = np.zeros(n)
        self._coach_sessions = np.zeros(n)
        self._coach_added_hours = np.zeros(n)
        self._coaches_fte = np.zeros(n_sch)
        self._coach_salaries = np.zeros(n_sch)
        self._pd_stipends = np.zeros(n_sch)
        sched = s.view("sched")
        if not any(_has_programs(c.policy) for c in self.compiled):
            return
        school = s.view("school")
        exp = s.view("experience")
        prac = s.view("practice")
        noise, u_micro, u_course = self._draw(
            lambda rng, m: (rng.normal(0.0, p.leadership.selection_noise, m), rng.random(m),
                            rng.random(m)), "programs", self.year_index)
        judged = prac + noise
        after = s.view("program_after_hours")
        for k, comp in enumerate(self.compiled):
            pol = comp.policy
            on = sched == k
            if not on.any():
                continue
            if pol.coaching is not None:
                self._assign_coaching(pol.coaching, on)
            if pol.peer_pairing is not None:
                pp = pol.peer_pairing
                idx = np.flatnonzero(on)
                targets, partners = pairing.pairs(judged[idx], school[idx], pp.target_share)
                s.view("pairing")[idx[targets]] = 1
                s.view("pairing")[idx[partners]] = 2
                both = idx[np.r_[targets, partners]]
                after[both] += pp.hours_per_year * 60 / n_sd
                self._pair_dose[both] = pp.hours_per_year
                s.view("stipend")[idx[partners]] += pp.partner_stipend
            if pol.observation is not None:
                self._assign_observation(pol.observation, on)
            pl = pol.professional_learning
            micro = on & professional_learning.take_up(u_micro, pl.micro_credential_take_up)
            course = on & professional_learning.take_up(u_course, pl.tuition_take_up)
            s.view("micro_credential")[micro] = True
            s.view("coursework")[course] = True
            after += (micro * pl.micro_credential_hours + course * pl.tuition_hours) * 60 / n_sd
            self._pd_stipends += np.bincount(
                school, weights=micro * pl.micro_credential_stipend
                + course * pl.tuition_stipend, minlength=n_sch)
            ind = pol.induction
            if ind.mentor:
                novices = np.flatnonzero(on & (exp == 0))
                cands = np.flatnonzero(on & (exp >= ind.mentor_min_experience))
                pick = induction.mentors_for(school[novices], school[cands], -judged[cands])
                ok = pick >= 0
                mentees, mentors = novices[ok], cands[pick[ok]]
                s.view("mentored")[mentees] = True
                np.add.at(s.view("mentees"), mentors, 1)
                self._mentor_support[mentees] = induction.support_minutes(
                    np.ones(len(mentees), bool), ind.mentor_minutes_per_week, p.induction)
                per_day = ind.mentor_minutes_per_week / 5
                after[mentees] += per_day
                np.add.at(after, mentors, per_day)
                np.add.at(s.view("stipend"), mentors, ind.mentor_stipend)

    def _assign_coaching(self, c: CoachingProgram, on: np.ndarray) -> None:
        s = self.staff
        school = s.view("school")
        if c.who == "homeroom":
            who = on & (s.view("role") == 0)
        elif c.who == "all":
            who = on.copy()
        elif c.who == "novices":
            who = on & (s.view("experience") < 3)
        else:
            who = on & _lowest_in_group(s.view("practice"), school, on, c.lowest_share)
        hours = c.hours_per_year()
        s.view("coaching_hours")[who] = hours
        self._coach_sessions[who] = c.sessions_per_month * c.months
        per_day = hours * 60 / self._n_student_days
        collab_year = self._y_minutes[self._fi, COLLAB]
        if c.time_from == "added":
            s.view("program_beyond")[who] += per_day
            self._coach_added_hours[who] = hours
        elif c.time_from == "collaboration":
            # Sessions use team time; a teacher with too little team time gives up
            # planning for the rest.
            taken = np.minimum(hours * 60, collab_year)
            s.view("collab_taken")[who] = np.where(collab_year > 0,
                                                   taken / np.maximum(collab_year, 1e-9),
                                                   0.0)[who]
            s.view("program_after_hours")[who] += ((hours * 60 - taken)
                                                   / self._n_student_days)[who]
        else:
            s.view("program_after_hours")[who] += per_day
        counts = np.bincount(school[who], minlength=len(self.schools))
        fte = np.array([coaching.coaches_fte(int(k), c.caseload) for k in counts])
        self._coaches_fte += fte
        self._coach_salaries += fte * c.coach_salary

    def _assign_observation(self, o: ObservationProgram, on: np.ndarray) -> None:
        s = self.staff
        school = s.view("school")
        p = self.params.observation
        s.view("observed")[on] = o.cycles_per_year
        # Leaders themselves get the principal's feedback.
        by_leader = (on & (o.observer == "leaders") & self._team_has_leader[self._team]
                     & ~s.view("leader"))
        by_principal = on & ~by_leader
        asked = np.bincount(school[by_principal], minlength=len(self.schools)) * float(
            o.cycles_per_year)
        quality = np.where(by_leader, self._facmult,
                           observation.principal_quality(asked, p)[school])
        s.view("feedback_quality")[on] = quality[on]
        s.view("program_after_hours")[on] += (o.cycles_per_year * o.teacher_minutes_per_cycle
                                             / self._n_student_days)
        if by_leader.any():
            # A leader observes each teammate's lesson and holds the debrief: twice the
            # teacher's minutes per cycle (assumption).
            per_team = np.bincount(self._team[by_leader], minlength=len(self._team_skill))
            leaders = np.flatnonzero(s.view("leader") & on)
            share = np.bincount(self._team[leaders], minlength=len(self._team_skill))
            load = per_team[self._team[leaders]] / np.maximum(share[self._team[leaders]], 1)
            s.view("program_after_hours")[leaders] += (load * o.cycles_per_year * 2
                                                      * o.teacher_minutes_per_cycle
                                                      / self._n_student_days)

    # --- time --------------------------------------------------------------------
    def step(self) -> None:
        """The 364 days of one school year for every teacher at once (compiled.py): on
        student days absences, burnout and appointments moved; on in-service days
        burnout; on days off recovery; sessions beyond the contract day. Students'
        instructional minutes follow from the schedules."""
        s = self.staff
        n = s.n
        p = self.params
        ap, bp = p.absence, p.burnout
        nsd = self._n_student_days
        parts = [rng.random((nsd, sl.stop - sl.start))
                 for rng, sl in zip(self._absence_rng, self._rows(), strict=True)]
        u = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        compiled.school_year_days(
            self._day_kind, self._survey_day, self._outside, self._z_code, self._z_values,
            self._t_minutes, self._t_spill, self._t_cq, self._t_beyond_act,
            self._fi.astype(np.int64, copy=False), self._k,
            s.propensity[:n], self._movable, u,
            ap.base_rate, ap.burnout_effect, ap.appointment_share * ap.appointment_move_share,
            bp.rate_work, bp.rate_rest,
            s.burnout[:n], s.burnout_sum[:n], s.burnout_survey[:n], s.absent_days[:n],
            s.appointments_moved[:n], s.missed[:n], s.missed_after_hours[:n],
            s.missed_cq[:n], s.beyond[:n])
        self._grade_minutes += self.student_minutes[self._school_sched].sum(axis=1)

    def _expected_cover_load(self) -> np.ndarray:
        """Cover load a school's teachers expect before any year has passed: absences at
        the base rate (at reference burnout), the school's fill rate, colleagues' share
        and the blocks lost to absent specials teachers, in minutes a student day."""
        s = self.staff
        p = self.params
        n_sch = len(self.schools)
        n_sd = self._n_student_days
        school, role, fi = s.view("school"), s.view("role"), self._fi
        rate = float(absence.probability(np.ones(1), np.array([p.retention.burnout_reference]),
                                         p.absence)[0])
        miss = rate * (1 - self._fill_rate[school])
        home = role == HOMEROOM
        covered, _ = coverage.split_unfilled(miss * self._y_minutes[fi, TEACH] / n_sd * home,
                                             p.coverage)
        k = coverage.homerooms_per_specials_teacher(self._with_specials_mean,
                                                    self._specials_count)
        spec = np.bincount(school, weights=miss * (role == SPECIALS), minlength=n_sch)
        per_block = np.where(self._y_block_days[fi] > 0, self._y_block_plan[fi]
                             / np.maximum(self._y_block_days[fi], 1), 0.0) * home
        block_plan = (np.bincount(school, weights=per_block, minlength=n_sch)
                      / np.maximum(np.bincount(school, weights=home, minlength=n_sch), 1))
        load = np.bincount(school, weights=covered, minlength=n_sch) + spec * k * block_plan
        return load / np.maximum(self._per_school, 1)

    def _cover_year(self) -> np.ndarray:
        """Substitutes for the year's absences, and what happens to those no substitute
        filled (coverage.py): colleagues' cover, combined classes, cancelled blocks.
        Sets each teacher's substitute, cover and cancelled-block counts and minutes;
        returns each school's load on its present teachers, in minutes a student day."""
        s = self.staff
        cp = self.params.coverage
        n_sch = len(self.schools)
        n_sd = self._n_student_days
        school = s.view("school")
        role = s.view("role")
        fi = self._fi
        rngs = self._streams("coverage", self.year_index)
        absent = s.view("absent_days").astype(np.int64)
        rate = self._fill_rate[school]
        filled = np.concatenate([rng.binomial(absent[sl], rate[sl])
                                 for rng, sl in zip(rngs, self._rows(), strict=True)])
        s.view("substitute_days")[:] = filled
        unfilled = absent - filled
        s.view("absences_unfilled")[:] = unfilled
        teachers = np.maximum(self._per_school, 1)
        # Homeroom classes: colleagues cover part of each lost day in their planning
        # time, shared across the school; the rest of the class is combined.
        home = role == HOMEROOM
        covered, lost = coverage.split_unfilled(
            unfilled * self._y_minutes[fi, TEACH] / n_sd * home, cp)
        by_school = np.bincount(school, weights=covered, minlength=n_sch)
        s.view("cover_minutes")[:] = (by_school / teachers)[school]
        self._cover_school = by_school
        self._lost_instruction = np.bincount(school, weights=lost, minlength=n_sch)
        n_g = len(self.profile.grades)
        self._grade_minutes -= np.bincount(
            school[home] * n_g + s.view("grade")[home],
            weights=lost[home] / self._hpg[school[home]], minlength=n_sch * n_g
        ).reshape(n_sch, n_g)
        # Specials classes: each unfilled day sends its homerooms' students back; their
        # teachers lose the block they had meanwhile (spread at random over the
        # school's homerooms that have specials).
        spec_days = np.bincount(school, weights=unfilled * (role == SPECIALS),
                                minlength=n_sch).astype(np.int64)
        k = coverage.homerooms_per_specials_teacher(self._with_specials_mean,
                                                    self._specials_count)
        blocks = np.zeros(s.n, dtype=np.int64)
        has = self._y_block_days[fi] > 0
        # each school's homerooms with a block, in row order
        cand = np.flatnonzero(home & has)
        cand = cand[np.argsort(school[cand], kind="stable")]
        bounds = np.searchsorted(school[cand], np.arange(n_sch + 1))
        for sc in np.flatnonzero(spec_days * k):
            rows = cand[bounds[sc]:bounds[sc + 1]]
            if len(rows):
                blocks[rows] = rngs[self._rep_of[sc]].multinomial(
                    int(spec_days[sc] * k[sc]), np.full(len(rows), 1 / len(rows)))
        days = np.maximum(self._y_block_days[fi], 1)
        lost_collab = np.minimum(blocks * self._y_block_collab[fi] / days,
                                 self._y_minutes[fi, COLLAB])
        lost_plan = np.minimum(blocks * self._y_block_plan[fi] / days,
                               self._y_minutes[fi, PLAN])
        s.view("blocks_cancelled")[:] = blocks
        s.view("block_lost_collab")[:] = lost_collab
        s.view("block_lost_planning")[:] = lost_plan
        share = lost_collab / np.maximum(self._y_minutes[fi, COLLAB], 1e-9)
        s.view("missed_cq")[:] += self._y_cq[fi] * share[:, None]
        load = by_school + np.bincount(school, weights=lost_plan, minlength=n_sch)
        return load / teachers / n_sd

    # --- end of the year ---------------------------------------------------------
    def _end_of_year(self) -> None:
        year = self._year_outcomes()
        year["destination"], year["destination_post"] = self._place_movers(year["decision"])
        self._decide_abandonment()
        self._record_year(year)
        s = self.staff
        # Role experience: a year for leaders, part of one for aspiring leaders.
        s.view("years_led")[:] += (s.view("leader")
                                   + self.params.careers.aspiring_role_rate * s.view("aspiring"))
        s.view("was_leader")[:] = s.view("leader")
        s.view("was_aspiring")[:] = s.view("aspiring")
        s.view("support_last")[:] = self._support
        self._school_changes(year)
        self._to_pool(year["decision"] == retention.LEAVE)
        self._turnover(year["decision"], year["destination"], year["destination_post"])
        self._advance_year()

    def _school_changes(self, year: dict[str, np.ndarray]) -> None:
        """What a year does to each school for the next: its environment moves and
        principals leave (environment.py); schools on the design mature or lose ground
        (implementation.py)."""
        s = self.staff
        p = self.params
        n_sch = len(self.schools)
        school = s.view("school")
        count = np.maximum(np.bincount(school, minlength=n_sch), 1)
        support = np.bincount(school, weights=self._support, minlength=n_sch) / count
        new_share = np.bincount(school, weights=s.view("new_to_team"), minlength=n_sch) / count
        posts = self.config.staffing.leaders_per_grade * len(self.profile.grades)
        on = self._on_design
        fill = np.where(on & (posts > 0), 1 - self.leader_posts_unfilled / max(posts, 1), 0.0)
        u, z = self._draw(lambda rng, m: (rng.random(m), rng.standard_normal(m)), "schools",
                          self.year_index, schools=True)
        self._new_principal = environment.principals_leaving(u, p.environment)
        self._env, self._env_anchor = environment.update(
            self._env, self._env_anchor, self._new_principal, z,
            support - p.retention.support_reference, new_share, fill, p.environment)
        ip = p.implementation
        self._maturity = np.where(on, implementation.setback(
            implementation.mature(self._maturity, ip), np.zeros(n_sch),
            year["cancelled_share"], ip), self._maturity)

    def _decide_abandonment(self) -> None:
        """Schools on the design that drop it: from next year they run the baseline
        (implementation.py)."""
        on = self._on_design
        u = self._draw(lambda rng, m: rng.random(m), "abandon", self.year_index, schools=True)
        quit_ = on & (u < implementation.abandon_hazard(self._fidelity, self._supported,
                                                        self.params.implementation))
        self.abandon_year[quit_] = self.year_index + 1

    def _to_pool(self, leaving: np.ndarray) -> None:
        """Teachers leaving teaching join their district's pool of former teachers who
        may return."""
        s = self.staff
        out = np.flatnonzero(leaving[: s.n])
        if not len(out):
            return
        pool = self._pool
        joined = {f: np.concatenate([pool[f], s.view(f)[out]
                                     # the year just taught counts toward experience,
                                     # as for those who stay
                                     + (1.0 if f == "experience" else 0.0)])
                  for f in POOL_FIELDS}
        joined["years_away"] = np.concatenate([pool["years_away"], np.zeros(len(out))])
        joined["rep"] = np.concatenate([pool["rep"], self._rep_of[s.view("school")[out]]])
        # each replication's former teachers together, those already in the pool first
        order = np.argsort(joined["rep"], kind="stable")
        self._pool = {f: v[order] for f, v in joined.items()}

    def _place_movers(self, decision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where movers go: a share try another school of the district (NCES: 59% of movers
        stay in their district) and take an open post there in the same role (any grade);
        the rest, and those who find no post, leave the district. Returns the destination
        school (-1: out of the district or not moving) and post of each teacher."""
        s = self.staff
        n_g = len(self.profile.grades)
        dest = np.full(s.n, -1, dtype=np.int64)
        dest_post = np.full(s.n, -1, dtype=np.int64)
        movers = np.flatnonzero(decision == retention.MOVE)
        if self.n_local < 2 or not len(movers):
            return dest, dest_post
        share = self.config.district.in_district_move_share
        gone = decision != retention.STAY
        post = self._post_of()
        open_posts = self.vacancies.copy()
        np.add.at(open_posts, (s.view("school")[gone], post[gone]), 1)
        pull = environment.destination_weights(environment.index(self._env),
                                               self.params.environment)
        home = s.view("role") == HOMEROOM
        post = post.astype(np.int64)
        # Each replication's movers choose among its own district's schools.
        local = self._local_index[s.view("school")]
        for rng, sl, sch in zip(self._streams("moves", self.year_index), self._rows(),
                                self._school_rows(), strict=True):
            mine = movers[(movers >= sl.start) & (movers < sl.stop)]
            if not len(mine):
                continue
            within = mine[rng.random(len(mine)) < share]
            order = rng.permutation(within)
            d = np.full(s.n, -1, dtype=np.int64)
            compiled.place_movers(order, home, post, local, open_posts[sch], pull[sch],
                                  rng.random(len(order)), n_g, d, dest_post)
            dest[d >= 0] = d[d >= 0] + sch.start
        return dest, dest_post

    def _year_outcomes(self) -> dict[str, np.ndarray]:
        """This year's per-teacher outcomes, student growth, practice growth and exits."""
        s = self.staff
        p = self.params
        n = s.n
        fi = self._fi
        n_sd = self._n_student_days
        absent = s.view("absent_days").astype(float)
        minutes = self._y_minutes[fi] - s.view("missed")
        # Cancelled blocks (absent specials cover) turn planning and collaboration into
        # teaching; covering an absent colleague's class takes planning time (then other
        # contract time). The planning displaced is done after hours.
        lost_plan, lost_collab = s.view("block_lost_planning"), s.view("block_lost_collab")
        minutes[:, TEACH] += lost_plan + lost_collab
        minutes[:, PLAN] -= lost_plan
        minutes[:, COLLAB] -= lost_collab
        self._cover_load = self._cover_year()
        cover = s.view("cover_minutes")
        from_plan = np.minimum(minutes[:, PLAN], cover)
        from_other = np.minimum(minutes[:, OTHER], cover - from_plan)
        minutes[:, TEACH] += from_plan + from_other
        minutes[:, PLAN] -= from_plan
        minutes[:, OTHER] -= from_other
        moved = s.view("appointments_moved").astype(float)
        appt = np.minimum(minutes[:, COLLAB], moved * p.absence.appointment_release_minutes)
        minutes[:, COLLAB] -= appt
        after_hours = (self._y_spill[fi] - s.view("missed_after_hours")
                       + self._extra * (n_sd - absent) + from_plan + lost_plan)
        beyond = s.view("beyond").sum(axis=1) + s.view("program_beyond") * (n_sd - absent)
        scheduled_collab = np.maximum(minutes[:, COLLAB] + appt, 1e-9)
        eff_collab = (self._effective_collab(self._y_cq[fi] - s.view("missed_cq"))
                      * (minutes[:, COLLAB] / scheduled_collab)
                      * (1 - s.view("collab_taken")))
        mean_b = s.view("burnout_sum") / n_sd
        effectiveness = practice.classroom_effectiveness(s.view("practice"), mean_b,
                                                         p.practice)
        growth = self._student_growth(effectiveness, absent)
        from_experience, from_collab = practice.yearly_growth(
            s.view("experience"), s.view("growth_rate"), eff_collab,
            s.view("practice_from_collab"), mean_b, p.practice)
        pd_minutes = minutes[:, PD] + s.view("beyond")[:, PD]
        from_programs = practice.programs_gain(self._program_gain_raw(pd_minutes),
                                               s.view("practice_from_programs"), mean_b,
                                               p.practice)
        # The school's environment speeds or slows growth in every channel.
        env = self._env_index[s.view("school")]
        faster = environment.growth_multiplier(env, p.environment)
        from_experience, from_collab, from_programs = (
            from_experience * faster, from_collab * faster, from_programs * faster)
        s.practice[:n] += from_experience + from_collab + from_programs
        s.practice_from_collab[:n] += from_collab
        s.practice_from_programs[:n] += from_programs
        school = s.view("school")
        exp = s.view("experience")
        sal = self.config.salaries
        salary = teacher_salary(exp, sal.teacher_start, sal.teacher_average,
                                sal.years_to_average, sal.max_step_years)
        commit = np.array([c.policy.induction.residency_commitment_years
                           for c in self.compiled])[s.view("sched")]
        shift = (careers.exit_shift(s.view("stipend"), salary, s.view("leader"), p.careers)
                 + induction.retention_shift(s.view("mentored"),
                                             s.view("resident") & (exp < commit), p.induction))
        move_shift, leave_shift = environment.exit_shifts(env, p.environment)
        probs = retention.probabilities(exp, mean_b, self._support, p.retention, shift,
                                        move_shift, leave_shift)
        # Spring: stated intentions, then who among similar teachers exits.
        q = intentions.probability(mean_b, self._support, env,
                                   p.retention.burnout_reference,
                                   p.retention.support_reference, p.intentions)
        intends = self._draw(lambda rng, m: rng.random(m), "intentions", self.year_index) < q
        probs = retention.scale_exits(probs, intentions.exit_scale(
            retention.exit_probability(probs), q, intends, p.intentions))
        u = self._draw(lambda rng, m: rng.random(m), "retention", self.year_index)
        decision = retention.decide(u, probs)
        n_sch = len(self.schools)
        scheduled = np.bincount(school, weights=self._y_minutes[fi, COLLAB], minlength=n_sch)
        cancelled = np.bincount(school, weights=lost_collab, minlength=n_sch)
        return {"cancelled_share": cancelled / np.maximum(scheduled, 1e-9),
                "collab_cancelled": cancelled, "minutes": minutes,
                "appointment_minutes": appt, "after_hours": after_hours,
                "beyond": beyond, "eff_collab": eff_collab, "mean_burnout": mean_b,
                "effectiveness": effectiveness, "decision": decision, "growth": growth,
                "absent": absent, "intends": intends, "salary": salary,
                "from_programs": from_programs, "pd_minutes": pd_minutes}

    def _program_gain_raw(self, pd_minutes: np.ndarray) -> np.ndarray:
        """Practice each teacher would gain this year from coaching, pairing, observation,
        PD and mentoring, before the burnout drag and the ceiling (practice.py)."""
        s = self.staff
        p = self.params
        n = s.n
        raw = np.zeros(n)
        prac = s.view("practice")
        school = s.view("school")
        hours = s.view("coaching_hours")
        coached = hours > 0
        if coached.any():
            n_sch = len(self.schools)
            mean = (np.bincount(school, weights=prac, minlength=n_sch)
                    / np.maximum(np.bincount(school, minlength=n_sch), 1))
            need = coaching.need(prac, mean[school], p.practice.quality_sd, p.coaching)
            # the size of the district's program (each replication's own)
            rows = self._rows()
            scale = np.repeat([coaching.scale_multiplier(int(coached[sl].sum()), p.coaching)
                               for sl in rows], [sl.stop - sl.start for sl in rows])
            raw += np.where(coached, coaching.yearly_gain(hours, need, scale, p.coaching), 0.0)
        pair = s.view("pairing")
        if pair.any():
            dose = np.minimum(1.0, self._pair_dose / p.pairing.reference_hours)
            raw += dose * np.where(pair == 1, p.pairing.target_gain,
                                   np.where(pair == 2, p.pairing.partner_gain, 0.0))
        cycles = s.view("observed")
        if cycles.any():
            raw += np.where(cycles > 0, observation.yearly_gain(
                cycles, s.view("feedback_quality"), p.observation), 0.0)
        sched = s.view("sched")
        for k, comp in enumerate(self.compiled):
            kind = comp.policy.professional_learning.kind
            if professional_learning.kind_gain(kind, p.professional_learning):
                on = sched == k
                raw[on] += professional_learning.yearly_gain(pd_minutes[on] / 60, kind,
                                                             p.professional_learning)
        raw += professional_learning.completion_gain(s.view("micro_credential"),
                                                     s.view("coursework"),
                                                     p.professional_learning)
        raw += p.induction.mentor_gain * s.view("mentored")
        return raw

    def _student_growth(self, effectiveness: np.ndarray, absent: np.ndarray) -> np.ndarray:
        """Growth of each school x grade's students this year (SD)."""
        s = self.staff
        p = self.params.students
        n_sch, n_g = len(self.schools), len(self.profile.grades)
        home = s.view("role") == 0
        cell = s.view("school")[home].astype(np.intp) * n_g + s.view("grade")[home]
        ratio = (self._grade_minutes / self._baseline_grade_minutes[None, :]).ravel()
        vac = self.vacancies[:, :n_g].ravel().astype(float)
        hpg = np.repeat(self._hpg, n_g)
        new = np.bincount(cell, weights=s.view("new_to_team")[home], minlength=n_sch * n_g)
        team_new = (new + vac) / hpg
        g_teacher = students.homeroom_growth(effectiveness[home], ratio[cell], absent[home],
                                             team_new[cell], p)
        g_vacant = students.homeroom_growth(
            np.full(n_sch * n_g, students.long_term_substitute_effectiveness(p)), ratio, 0.0,
            team_new, p)
        total = np.bincount(cell, weights=g_teacher, minlength=n_sch * n_g) + vac * g_vacant
        count = np.bincount(cell, minlength=n_sch * n_g) + vac
        return (total / np.maximum(count, 1)).reshape(n_sch, n_g)

    def _record_year(self, y: dict[str, np.ndarray]) -> None:
        s = self.staff
        n = s.n
        year = self.start_year + self.year_index
        exp = s.view("experience")
        salary = y["salary"]
        is_leader = s.view("leader").copy()
        grade_names = np.array([*self.profile.grades, ""], dtype=object)
        n_sd = self._n_student_days
        bp = self.params.burnout
        total_work = y["minutes"].sum(axis=1) + y["beyond"] + y["after_hours"]
        teacher: dict[str, np.ndarray] = {
            "year": np.full(n, year),
            "school_id": s.view("school").astype(np.int64),
            "teacher_id": s.view("agent_id").copy(),
            "role": np.array(ROLE_NAMES, dtype=object)[s.view("role")],
            "grade": grade_names[s.view("grade")],
            "leader": is_leader,
            "new_to_school": s.view("new_to_team").copy(),
            "experience_years": exp.copy(),
            "salary": salary,
            "stipend": s.view("stipend").copy(),
            "aspiring_leader": s.view("aspiring").copy(),
            "years_led": s.view("years_led").copy(),
            "returner": s.view("returner").copy(),
            "resident": s.view("resident").copy(),
            "mentored": s.view("mentored").copy(),
            "mentees": s.view("mentees").astype(np.int64),
            "coached": np.round(self._coach_sessions).astype(np.int64),
            "coaching_hours": s.view("coaching_hours").copy(),
            "pairing": np.array(["", "target", "partner"], dtype=object)[s.view("pairing")],
            "observed": s.view("observed").astype(np.int64),
            "micro_credential": s.view("micro_credential").copy(),
            "coursework": s.view("coursework").copy(),
            "contract_days": np.full(n, self.calendar.n_contract_days, dtype=np.int64),
            "absence_days": y["absent"].astype(np.int64),
            "substitute_days": s.view("substitute_days").astype(np.int64),
            "absences_unfilled": s.view("absences_unfilled").astype(np.int64),
            "minutes_covering_colleagues": s.view("cover_minutes").copy(),
            "blocks_cancelled": s.view("blocks_cancelled").astype(np.int64),
            "appointments_in_release_time": s.view("appointments_moved").astype(np.int64),
        }
        for a, act in enumerate(ACTIVITIES):
            teacher[f"minutes_{act}"] = y["minutes"][:, a]
        teacher["minutes_absent"] = s.view("missed").sum(axis=1)
        teacher["minutes_appointments"] = y["appointment_minutes"]
        teacher["minutes_beyond_contract"] = y["beyond"]
        # PD scheduled beyond the contract day this year, and what the same teacher would
        # have had under the baseline schedule (the cost model prices the difference)
        teacher["minutes_pd_scheduled_beyond_contract"] = self._pd_beyond_year[self._fi]
        teacher["minutes_pd_scheduled_beyond_contract_baseline"] = self._pd_beyond_year[
            s.view("cls").astype(np.intp)]
        kinds = np.array([c.policy.professional_learning.kind for c in self.compiled],
                         dtype=object)[s.view("sched")]
        for kind in professional_learning.KINDS:
            teacher[f"minutes_pd_{kind}"] = np.where(kinds == kind, y["pd_minutes"], 0.0)
        teacher["minutes_after_hours"] = y["after_hours"]
        teacher["weekly_hours"] = weekly_hours(total_work, n_sd)
        teacher["effective_collaboration_minutes"] = y["eff_collab"]
        teacher["team_support"] = self._support.copy()
        teacher["burnout_mean"] = y["mean_burnout"]
        teacher["burnout_survey"] = s.view("burnout_survey").copy()
        teacher["burned_out"] = burnout.burned_out(s.view("burnout_survey"), bp)
        teacher["practice"] = s.view("practice").copy()  # after this year's growth
        teacher["practice_gain_programs"] = y["from_programs"]
        teacher["effectiveness"] = y["effectiveness"]
        teacher["intends_to_leave"] = y["intends"]
        teacher["exit"] = np.array(retention.EXIT_NAMES, dtype=object)[y["decision"]]
        teacher["move_destination"] = np.where(
            y["decision"] != retention.MOVE, "",
            np.where(y["destination"] >= 0, "within_district", "out_of_district")
        ).astype(object)
        teacher["arrived_from_district"] = s.view("arrived_within").copy()
        self._add_record("teacher_year", teacher, self._rows())
        self._record_schools(year, teacher, y)

    def _record_schools(self, year: int, t: dict[str, np.ndarray], y: dict[str, np.ndarray]
                        ) -> None:
        n_sch = len(self.schools)
        sid = t["school_id"]
        role = self.staff.view("role")
        home = role == HOMEROOM
        n_sd = self._n_student_days

        def count(mask: np.ndarray) -> np.ndarray:
            return np.bincount(sid[mask], minlength=n_sch).astype(np.int64)

        def total(col: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
            m = np.ones(len(sid), bool) if mask is None else mask
            return np.bincount(sid[m], weights=col[m], minlength=n_sch)

        def mean(col: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
            m = np.ones(len(sid), bool) if mask is None else mask
            return total(col, m) / np.maximum(count(m), 1)

        teachers = count(np.ones(len(sid), bool))
        n_lead = count(t["leader"])
        stu_min = self._grade_minutes.mean(axis=1)
        base_minutes = self._baseline_grade_minutes.mean()
        decision = y["decision"]
        exits = {k: count(decision == code) for code, k in enumerate(retention.EXIT_NAMES)
                 if code != retention.STAY}
        move_within = (decision == retention.MOVE) & (y["destination"] >= 0)
        vacant = self.vacancies.sum(axis=1)
        growth = y["growth"]
        adopted = self._on_design
        cohorts = [c for sc in self.schools for c in sc.cohorts]
        where = (np.array([c.school.index for c in cohorts], dtype=np.int64),
                 np.array([c.grade for c in cohorts], dtype=np.int64))
        pupils_of = np.array([c.n_students for c in cohorts], dtype=np.int64)
        pupils = np.bincount(where[0], weights=pupils_of, minlength=n_sch).astype(np.int64)
        school = {
            "year": np.full(n_sch, year),
            "school_id": np.arange(n_sch, dtype=np.int64),
            "school": np.array([sc.name for sc in self.schools], dtype=object),
            "policy": np.array([c.policy.name for c in self.compiled],
                               dtype=object)[self._school_sched],
            "adopted": adopted,
            "years_since_adoption": np.where(adopted, self.year_index - self.adopt_year, -1),
            "in_startup": adopted & (self.year_index - self.adopt_year
                                     < self.config.rollout.startup_years),
            "homerooms_per_grade": self._hpg.copy(),
            "poverty_share": np.array([sp.poverty_share for sp in self.specs]),
            "environment": environment.index(self._env),
            **{f: self._env[:, k].copy() for k, f in enumerate(environment.FACTORS)},
            "new_principal": self._new_principal.copy(),
            "readiness": self._readiness.copy(),
            "fidelity": self._fidelity.copy(),
            "maturity": self._maturity.copy(),
            "structured_time_share": self._structured_share.copy(),
            "volunteered": self._volunteer.copy(),
            "abandons": adopted & (self.abandon_year == self.year_index + 1),
            "leader_bench": self._bench.copy(),
            "teachers": teachers,
            "homeroom_teachers": count(home),
            "specials_teachers": count(role == SPECIALS),
            "support_teachers": count(~home & (role != SPECIALS)),
            "teachers_added_at_adoption": self._added_teachers * adopted,
            "pupils_per_teacher": pupils / np.maximum(teachers, 1),
            "vacancies": vacant.astype(np.int64),
            "leaders": n_lead,
            "leader_posts_unfilled": self.leader_posts_unfilled.copy(),
            "clerks_fte": self._clerks_fte.copy(),
            "paras_fte": self._paras_fte.copy(),
            "students": pupils,
            "stipends": total(self._leader_pay),
            "other_stipends": total(t["stipend"] - self._leader_pay),
            "aspiring_leaders": count(t["aspiring_leader"]),
            "coaches_fte": self._coaches_fte.copy(),
            "coach_salaries": self._coach_salaries.copy(),
            "coaching_hours_beyond_contract": total(self._coach_added_hours),
            "pd_stipends": self._pd_stipends.copy(),
            "residents_hired": self._residents_hired.copy(),
            "residency_costs": self._residents_hired * np.array(
                [c.policy.induction.residency_cost for c in self.compiled])[self._school_sched],
            "returners": self._returners_hired.copy(),
            "mentored_novices": count(t["mentored"]),
            "teachers_coached": count(t["coaching_hours"] > 0),
            "intending_to_leave_share": mean(t["intends_to_leave"].astype(float)),
            "teacher_salaries": total(t["salary"]),
            "homeroom_teaching_minutes": mean(t["minutes_teaching"], home),
            "homeroom_planning_minutes": mean(t["minutes_individual_planning"], home),
            "homeroom_collaboration_minutes": mean(t["minutes_collaboration"], home),
            "effective_collaboration_minutes": mean(t["effective_collaboration_minutes"],
                                                    home),
            "weekly_hours": mean(t["weekly_hours"]),
            "after_hours_minutes_per_teacher": mean(t["minutes_after_hours"]),
            "minutes_beyond_contract_per_teacher": mean(t["minutes_beyond_contract"]),
            "burnout_mean": mean(t["burnout_mean"]),
            "burnout_prevalence": mean(t["burned_out"].astype(float)),
            "absence_days_per_teacher": mean(t["absence_days"].astype(float)),
            "substitute_days_short_term": total(t["substitute_days"].astype(float)),
            "absences_unfilled": total(t["absences_unfilled"].astype(float)),
            "substitute_fill_rate": total(t["substitute_days"].astype(float)) / np.maximum(
                total(t["substitute_days"] + t["absences_unfilled"]).astype(float), 1),
            "coverage_minutes": self._cover_school.copy(),
            "instruction_minutes_lost_combined": self._lost_instruction.copy(),
            "blocks_cancelled": total(t["blocks_cancelled"].astype(float)).astype(np.int64),
            "collaboration_minutes_cancelled": y["collab_cancelled"],
            "para_duty_minutes_per_day": self._para_duty.copy(),
            "substitute_days_long_term": vacant * n_sd,
            "appointments_in_release_time": total(
                t["appointments_in_release_time"].astype(float)),
            "practice_mean": mean(t["practice"]),
            "movers": exits["move"],
            "movers_within_district": count(move_within),
            "movers_out_of_district": count((decision == retention.MOVE) & ~move_within),
            "new_teachers": count(t["new_to_school"]),
            "arrivals_from_district": count(t["arrived_from_district"]),
            "leavers": exits["leave"],
            "retirees": exits["retire"],
            "turnover_rate": (exits["move"] + exits["leave"] + exits["retire"])
            / np.maximum(teachers, 1),
            "student_growth_sd": growth.mean(axis=1),
            "instructional_minutes_per_student": stu_min,
            "instructional_minutes_vs_baseline_pct": 100 * (stu_min / base_minutes - 1),
            "duty_minutes_uncovered_per_day": self._duty_uncovered.copy(),
            "pd_hours_beyond_contract": total(t["minutes_pd_scheduled_beyond_contract"]) / 60,
            "pd_sessions_beyond_contract": self._pd_sessions[self._school_sched],
            "baseline_pd_hours_beyond_contract": total(
                t["minutes_pd_scheduled_beyond_contract_baseline"]) / 60,
            "baseline_pd_sessions_beyond_contract": np.full(n_sch, self._pd_sessions[0]),
            "clerks_fte_before": np.array([sp.clerks for sp in self.specs]),
            "paras_fte_before": np.array([sp.paraprofessionals for sp in self.specs]),
        }
        self._add_record("school_year", school, self._school_rows())

        minutes = self._grade_minutes[where]
        grown = growth[where]
        achievement = students.carry_forward(np.array([c.achievement for c in cohorts]),
                                             grown, self.params.students)
        for c, m, g, a in zip(cohorts, minutes.tolist(), grown.tolist(),
                              achievement.tolist(), strict=True):
            c.minutes_year, c.growth_year, c.achievement = m, g, a
        b = np.searchsorted(self._rep_of[where[0]], np.arange(len(self.seeds) + 1)).tolist()
        self._add_record("cohort_year", {
            "year": np.full(len(cohorts), year),
            "school_id": where[0],
            "cohort_id": np.array([c.local_id for c in cohorts], dtype=np.int64),
            "entry_year": np.array([c.entry_year for c in cohorts], dtype=np.int64),
            "grade": np.array(self.profile.grades, dtype=object)[where[1]],
            "students": pupils_of,
            "instructional_minutes": minutes,
            "growth_sd": grown,
            "achievement_sd": achievement,
        }, [slice(b[r], b[r + 1]) for r in range(len(self.seeds))])

    def _add_record(self, table: str, block: dict[str, np.ndarray], rows: list[slice]
                    ) -> None:
        """Add a year's rows of ``table``, each replication's rows ``rows[r]``."""
        if len(rows) == 1:
            self.records.add(table, block)
        else:
            self._batch_records.add(table, block, [sl.start for sl in rows] + [rows[-1].stop])

    def tables(self) -> list[dict[str, Table]]:
        """Each replication's tables (``records.Table`` columns), school ids counted
        within its own district."""
        if len(self.seeds) == 1:
            return [self.records.tables()]
        offset = np.arange(len(self.seeds), dtype=np.int64) * self.n_local
        return self._batch_records.split({"school_id": offset})

    def _turnover(self, decision: np.ndarray, dest: np.ndarray, dest_post: np.ndarray
                  ) -> None:
        """Teachers who move, leave or retire vacate their posts; movers within the district
        take their new posts; everyone else who left is removed."""
        s = self.staff
        gone = decision != retention.STAY
        post = self._post_of()
        np.add.at(self.vacancies, (s.view("school")[gone], post[gone]), 1)
        within = np.flatnonzero(dest >= 0)
        np.add.at(self.vacancies, (dest[within], dest_post[within]), -1)
        role, grade, cls = self._post_fields(dest_post[within])
        s.school[within], s.role[within], s.grade[within], s.cls[within] = (
            dest[within], role, grade, cls)
        for r, ds, ro, g in zip(within.tolist(), dest[within].tolist(), role.tolist(),
                                grade.tolist(), strict=True):
            t = self._teachers[r]
            t.school.teachers.remove(t)
            t.school = self.schools[ds]
            t.school.teachers.append(t)
            t.role = ROLE_NAMES[ro]
            t.grade = self.profile.grades[g] if g >= 0 else ""
        new_index = s.compact(~gone | (dest >= 0))
        self._arrived = new_index[within]
        # Agents are listed in row order, as the rows were.
        kept = (new_index >= 0).tolist()
        for t in compress(self._teachers, [not k for k in kept]):
            t.school.teachers.remove(t)
            t.remove()
        self._teachers = list(compress(self._teachers, kept))
        self.reindex()

    def _advance_year(self) -> None:
        s = self.staff
        s.view("experience")[:] += 1
        s.reset_year()
        # Teachers who moved within the district start the year new to their team.
        s.new_to_team[self._arrived] = True
        s.arrived_within[self._arrived] = True
        last = len(self.profile.grades) - 1
        for school in self.schools:
            spec = self.specs[school.index]
            n_new = spec.homerooms_per_grade * spec.class_size
            for c in list(school.cohorts):
                if c.grade == last:
                    school.cohorts.remove(c)
                    c.remove()
                else:
                    c.grade += 1
            StudentCohort(self, school, entry_year=self.start_year + self.year_index + 1,
                          grade=0, n_students=n_new)
        self.year_index += 1
        self._fill_vacancies()
        self._new_year()

    def _fill_vacancies(self) -> None:
        """Hire for every open post: former teachers coming back first (returners.py),
        then the hiring pool, where some posts stay open this year (long-term
        substitute). Novices hired by a school whose policy runs a residency come
        through a residency year (induction.py)."""
        n_sch = len(self.schools)
        all_school, all_pos = np.nonzero(self.vacancies)
        counts = self.vacancies[all_school, all_pos]
        all_school = np.repeat(all_school, counts)
        all_pos = np.repeat(all_pos, counts)
        novice, unfilled = hiring.school_rates(
            self._poverty, environment.index(self._env),
            self.params.environment.poverty_reference, self.params.hiring)
        residency = np.array([c.policy.induction.residency for c in self.compiled]
                             )[self._scheds_for(self.year_index)]
        self.vacancies[:] = 0
        # Posts are listed school by school, so each replication's are together.
        bounds = np.searchsorted(self._rep_of[all_school], np.arange(len(self.seeds) + 1))
        rngs = self._streams("hiring", self.year_index)
        back_all, back_bounds = self._returners(rngs, np.diff(bounds))
        hires: list[dict[str, Any]] = []
        came_back, resident_at, open_at, open_post = [], [], [], []
        for r, rng in enumerate(rngs):
            school = all_school[bounds[r]:bounds[r + 1]]
            pos = all_pos[bounds[r]:bounds[r + 1]]
            back = {f: v[back_bounds[r]:back_bounds[r + 1]] for f, v in back_all.items()}
            if len(back["experience"]):
                # Returners take open posts at random; the rest go to the hiring pool.
                take = rng.permutation(len(school))[:len(back["experience"])]
                self._hire(school[take], pos[take], back["experience"], rng, True,
                           traits={**back, "returner": True}, defer=hires)
                came_back.append(school[take])
                rest = np.ones(len(school), dtype=bool)
                rest[take] = False
                school, pos = school[rest], pos[rest]
            filled, years = hiring.fill(rng, novice[school], unfilled[school],
                                        self.params.hiring)
            resident = residency[school] & (years == 0)
            self._hire(school[filled], pos[filled], years[filled], rng, True,
                       resident=resident[filled], defer=hires)
            resident_at.append(school[filled & resident])
            open_at.append(school[~filled])
            open_post.append(pos[~filled])
        self._returners_hired = np.bincount(np.concatenate([np.zeros(0, np.int64), *came_back]),
                                            minlength=n_sch)
        self._residents_hired = np.bincount(np.concatenate(resident_at), minlength=n_sch)
        np.add.at(self.vacancies, (np.concatenate(open_at), np.concatenate(open_post)), 1)
        self._add_teachers(hires)
        self._regroup()

    def _returners(self, rngs: list[np.random.Generator], open_posts: np.ndarray
                   ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Former teachers who come back this year: in each replication's district (its
        generator ``rngs[r]``) at most ``open_posts[r]``, removed from the pool with the
        rest of those who will no longer return. Returns their fields (grouped by
        replication) and each replication's bounds in them."""
        pool = self._pool
        n_rep = len(rngs)
        years_away = pool["years_away"] + 1
        rep = pool["rep"]
        sizes = np.bincount(rep, minlength=n_rep)
        u = np.concatenate([rng.random(m) for rng, m in zip(rngs, sizes.tolist(),
                                                              strict=True)])
        want = returners.returning(u, years_away, self.params.returners)
        # Those who want to return but find no open post here teach elsewhere: the first
        # open_posts of each replication's who want to come back.
        idx = np.flatnonzero(want)
        first = np.searchsorted(rep[idx], np.arange(n_rep))
        rank = np.arange(len(idx)) - first[rep[idx]]
        idx = idx[rank < open_posts[rep[idx]]]
        back = {f: pool[f][idx] for f in POOL_FIELDS}
        keep = ~want & returners.still_in_pool(years_away, self.params.returners)
        self._pool = {f: v[keep] for f, v in {**pool, "years_away": years_away}.items()}
        return back, np.searchsorted(rep[idx], np.arange(n_rep + 1))

    # --- running -----------------------------------------------------------------
    def run_years(self, years: int, progress: Callable[[int], None] | None = None) -> None:
        """Run ``years`` school years; ``progress(year_done)`` is called after each."""
        for _ in range(years):
            self.run_for(DAYS_PER_YEAR)
            if progress is not None:
                progress(self.year_index)
