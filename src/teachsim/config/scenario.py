"""Scenario configs: a school profile, a schedule policy, staffing, pay, calendar and run
settings, read from TOML and validated whole.

Every table refuses unknown keys and wrong types; numbers carry their unit in the field
description (shown in error messages and in the JSON schema). This module checks a
scenario as data: types, ranges and rules between its own keys. Whether its policy fits
the school's day, whether the specials staff can cover it and which schools the district
holds are questions about the domain, answered by the scenario loader of the model layer
(:func:`teachsim.model.scenario.load_scenario`), which reads files through
:func:`read_scenario`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from teachsim.config.errors import ConfigError
from teachsim.config.limits import MAX_SCHOOLS, MAX_SEED, MAX_YEARS
from teachsim.config.parameters import Behaviour, Costs
from teachsim.config.tomlio import load_with_extends
from teachsim.config.validation import Invalid, Strict, to_config_error


class RunSettings(Strict):
    years: int = Field(10, ge=1, le=MAX_YEARS, description="school years to simulate")
    seed: int = Field(20240901, ge=0, le=MAX_SEED, description="root random seed (any "
                      "non-negative whole number)")
    start_year: int = Field(2025, ge=1990, le=2200,
                            description="calendar year in which the first school year starts")


class SchoolProfile(Strict):
    """One elementary school. Defaults: Elementary School D (seed 002)."""

    name: str = Field("Elementary School D", min_length=1, max_length=200,
                      description="label used in outputs")
    grades: list[str] = Field(default_factory=lambda: ["K", "1", "2", "3", "4", "5"],
                              description="grade names, youngest first")
    homerooms_per_grade: int = Field(3, ge=1, le=20, description="homerooms per grade")
    class_size: int = Field(25, ge=1, le=60, description="students per homeroom")
    specials_teachers: int = Field(3, ge=0, le=30,
                                   description="art, music, PE (and similar) teachers")
    clerks: float = Field(2.0, ge=0, le=20, description="office clerks, in FTE")
    paraprofessionals: float = Field(4.0, ge=0, le=60,
                                     description="paraprofessionals, in FTE")
    contract_day_minutes: int = Field(
        460, ge=240, le=720, description="teachers' contract day in minutes (NCES NTPS "
        "2020-21: about 38.4 h a week, i.e. about 460 min a day)")
    student_day_minutes: int = Field(390, ge=180, le=600,
                                     description="students' school day in minutes")
    duty_minutes_per_day: int = Field(
        810, ge=0, le=10000, description="arrival, lunch, recess and dismissal supervision "
        "the school needs each student day, in staff-minutes (seed 002: 45 min for each of "
        "18 homeroom teachers)")
    para_duty_minutes_per_day: int = Field(
        150, ge=0, le=480, description="duty minutes one paraprofessional FTE can absorb a "
        "day (assumption)")
    other_staff_duty_minutes_per_day: int = Field(
        210, ge=0, le=5000, description="duty minutes a day taken by school leaders and other "
        "educators outside the teaching staff, e.g. principal, counsellor (assumption; seed "
        "002 splits duties among paraprofessionals, other educators and school leaders)")

    sped_teachers: int = Field(
        3, ge=0, le=40, description="special education teachers (NCES: about 12% of "
        "teachers)")
    el_teachers: int = Field(1, ge=0, le=40, description="English-learner (ESL) teachers "
                             "(NCES: about 2% of teachers)")
    interventionists: int = Field(
        3, ge=0, le=40, description="reading and math interventionists and other teachers "
        "without a homeroom (with special education and EL teachers they bring School D "
        "to about 16 pupils per teacher; NCES: 15.8)")
    poverty_share: float = Field(
        0.5, ge=0, le=1, description="share of students from low-income families; it acts "
        "through students' needs (work), the hiring pool and substitute cover, and in "
        "generated districts through the environment")
    leadership: float = Field(
        0.0, ge=-5, le=5, description="professional environment: the principal's "
        "leadership, in SD from the district mean (Kraft, Marinell & Yee 2016)")
    collegiality: float = Field(
        0.0, ge=-5, le=5, description="professional environment: collegial culture "
        "(teacher relationships and collaboration), in SD from the district mean")
    expectations: float = Field(
        0.0, ge=-5, le=5, description="professional environment: academic expectations, "
        "in SD from the district mean")
    safety: float = Field(0.0, ge=-5, le=5, description="professional environment: school "
                          "safety and order, in SD from the district mean")
    leader_bench: float = Field(
        1.0, ge=0, le=1, description="share of eligible teachers interested in leading a team "
        "(depth of the teacher-leader bench)")

    @field_validator("grades")
    @classmethod
    def _grades(cls, v: list[str]) -> list[str]:
        if not v:
            raise Invalid("no grades", 'list at least one grade, e.g. ["K", "1"]')
        if len(set(v)) != len(v):
            raise Invalid("a grade is listed twice", "list each grade once")
        return v

    @property
    def homerooms(self) -> int:
        return self.homerooms_per_grade * len(self.grades)

    @property
    def support_teachers(self) -> int:
        """Teachers without a homeroom other than specials teachers."""
        return self.sped_teachers + self.el_teachers + self.interventionists

    @property
    def teachers(self) -> int:
        return self.homerooms + self.specials_teachers + self.support_teachers

    @property
    def environment(self) -> float:
        """The environment's summary index: the mean of its four factors."""
        return (self.leadership + self.collegiality + self.expectations + self.safety) / 4

    @property
    def students(self) -> int:
        return self.homerooms * self.class_size


#: the range each generated school attribute may take (as in the school profile)
_GENERATE_LIMITS = {"homerooms_per_grade": (1, 20), "poverty_share": (0, 1),
                    "leader_bench": (0, 1)}


class DistrictGenerator(Strict):
    """Draw each school's attributes from ranges (uniform), around the school profile."""

    seed: int = Field(1, ge=0, le=MAX_SEED, description="seed of the district draw; kept "
                      "apart from the run seed so that every replication and arm sees the same "
                      "district")
    homerooms_per_grade: list[int] = Field(
        default_factory=lambda: [2, 4], description="[low, high] homerooms per grade "
        "(whole numbers, inclusive); specials teachers and paraprofessionals scale with it")
    poverty_share: list[float] = Field(default_factory=lambda: [0.2, 0.9],
                                       description="[low, high] share of low-income students")
    environment_poverty_slope: float = Field(
        -1.5, ge=-10, le=10, description="SD of the environment index per unit of low-"
        "income share (negative: poorer schools have worse environments on average; "
        "Johnson, Kraft & Papay 2012: conditions explain much of the poverty-turnover "
        "link; size assumption)")
    environment_sd: float = Field(0.7, ge=0, le=3, description="SD of the environment "
                                  "index across schools of the same low-income share")
    environment_factor_sd: float = Field(
        0.5, ge=0, le=3, description="SD of each factor (leadership, collegiality, "
        "expectations, safety) around its school's index")
    leader_bench: list[float] = Field(default_factory=lambda: [0.3, 1.0],
                                      description="[low, high] depth of the leader bench")

    @field_validator("homerooms_per_grade", "poverty_share", "leader_bench")
    @classmethod
    def _range(cls, v: list, info: ValidationInfo) -> list:  # type: ignore[type-arg]
        if len(v) != 2 or v[0] > v[1]:
            raise Invalid(f"{v} is not a [low, high] range", "give two values, low first")
        low, high = _GENERATE_LIMITS[info.field_name or ""]
        if v[0] < low or v[1] > high:
            raise Invalid(f"{v} goes outside {low}-{high}",
                          f"keep both ends within {low} and {high}")
        return v


class District(Strict):
    n_schools: int = Field(1, ge=1, le=MAX_SCHOOLS, description="schools in the district (with a "
                           "roster: leave it out, the roster has one school per row; if "
                           "given other than 1 it must match the rows)")
    roster: str | None = Field(None, description="CSV file, one row per school (columns: "
                               "name, enrolment or homerooms_per_grade, and any other "
                               "school-profile key; see docs/rosters.md), relative to this "
                               "file")
    generate: DistrictGenerator | None = Field(None, description="draw schools' attributes "
                                               "from ranges instead of copying the profile")
    substitute_fill_rate: float = Field(
        0.82, ge=0, le=1, description="share of absences needing cover that a substitute "
        "fills, at a school of the reference low-income share (Frontline Education: 82% in "
        "2017-18; 0.55-0.75 in stressed years); a lever for substitute shortages")
    in_district_move_share: float = Field(
        0.59, ge=0, le=1, description="share of movers who move to another school of the "
        "district when it has an open post (NCES Condition of Education 2015: 59%)")

    @model_validator(mode="after")
    def _one_source(self) -> District:
        if self.roster is not None and self.generate is not None:
            raise Invalid("both roster and generate are given", "use one: a CSV roster or "
                          "generated schools", key="roster")
        return self


class Rollout(Strict):
    """Which schools adopt the scenario's policy in which year. Until then a school runs
    the baseline schedule (without teacher leaders)."""

    strategy: Literal["none", "all_at_once", "fixed_rate", "pilot_then_scale"] = Field(
        "none", description="'none': every school runs the policy from the first year "
        "(its start-up years are years 0 and 1); 'all_at_once', 'fixed_rate' (per_year a "
        "year) or 'pilot_then_scale'")
    first_year: int = Field(1, ge=0, le=60, description="model year (0 = first) of the "
                            "first adoptions")
    per_year: int = Field(10, ge=1, le=2000, description="fixed_rate: schools a year "
                          "(seed 002: 10)")
    pilots: int = Field(3, ge=1, le=2000, description="pilot_then_scale: pilot schools")
    pilot_years: int = Field(2, ge=1, le=20, description="pilot_then_scale: years before "
                             "scaling")
    scale_per_year: int = Field(10, ge=1, le=2000, description="pilot_then_scale: schools a "
                                "year after the pilot")
    order: Literal["roster", "need", "readiness", "random"] = Field(
        "roster", description="who goes first: roster order, 'need' (highest expected "
        "turnover: most low-income students, then worst environment), 'readiness' (most "
        "ready: environment and leader bench, see behaviour.implementation) or 'random'; "
        "with pilot_then_scale the pilots are volunteers")
    cap_per_year: int | None = Field(None, ge=1, le=2000, description="most schools the "
                                     "district can support in one year")
    startup_years: int = Field(2, ge=0, le=10, description="years of start-up after "
                               "adopting (seed 002: two years of start-up funding)")
    seed: int = Field(1, ge=0, le=MAX_SEED, description="seed of the 'random' order (kept "
                      "apart from the run seed, so the plan is the same in every replication)")


class TeacherOnlyDay(Strict):
    pd: int = Field(240, ge=0, le=720, description="minutes of PD on a teacher-only day")
    individual_planning: int = Field(150, ge=0, le=720, description="minutes of planning")
    breaks: int = Field(40, ge=0, le=720, description="minutes of breaks")
    other: int = Field(30, ge=0, le=720, description="minutes of other work")


class CalendarSettings(Strict):
    """The school year. Defaults: 180 student days, 190 contract days (NCTQ 2025)."""

    student_days: int = Field(180, ge=100, le=230, description="days with students")
    preservice_days: int = Field(5, ge=0, le=30, description="teacher-only days before "
                                 "students arrive")
    inservice_days: int = Field(2, ge=0, le=20, description="teacher-only days during the "
                                "year, spread evenly")
    postservice_days: int = Field(3, ge=0, le=30, description="teacher-only days after "
                                  "students leave")
    break_weeks: list[int] = Field(
        default_factory=lambda: [14, 18, 19, 31],
        description="weeks of the year (0 = the week school starts) with no school: "
        "Thanksgiving, winter, spring")
    holiday_mondays: list[int] = Field(
        default_factory=lambda: [3, 21, 26],
        description="weeks whose Monday is a holiday (Labor Day, MLK Day, Presidents' Day)")
    teacher_only_day: TeacherOnlyDay = Field(
        default_factory=TeacherOnlyDay, description="minutes of a teacher-only (PD) day")

    @field_validator("break_weeks", "holiday_mondays")
    @classmethod
    def _weeks(cls, v: list[int]) -> list[int]:
        for w in v:
            if not 0 <= w < 52:
                raise Invalid(f"week {w} is outside the 52-week year", "use weeks 0..51")
        if len(set(v)) != len(v):
            raise Invalid("a week is listed twice", "list each week once")
        return v

    @property
    def contract_days(self) -> int:
        return (self.student_days + self.preservice_days + self.inservice_days
                + self.postservice_days)


class ScheduleSettings(Strict):
    policy: str = Field("traditional", description="built-in policy name or path to a "
                        "policy TOML file")
    baseline: str = Field("traditional", description="policy that students' minutes are "
                          "compared with")


class Staffing(Strict):
    leaders_per_grade: int = Field(0, ge=0, le=5, description="teacher leaders per grade "
                                   "team (seed 002: 1)")
    leader_stipend: float = Field(0.0, ge=0, le=50000, description="stipend per teacher "
                                  "leader, dollars a year (seed 002: $9,000)")
    leader_min_experience: int = Field(3, ge=0, le=40, description="years of experience a "
                                       "teacher needs to be eligible to lead")
    leader_stipend_steps: list[float] = Field(
        default_factory=list, max_length=40, description="a career ladder: the stipend in "
        "a leader's 1st, 2nd, ... year in the role (the last step continues); overrides "
        "leader_stipend when given (seed 002: codified pay for leader roles)")
    aspiring_leaders_per_grade: int = Field(0, ge=0, le=5, description="aspiring-leader "
                                            "roles per grade team: promising teachers "
                                            "cultivated to lead (seed 002)")
    aspiring_stipend: float = Field(0.0, ge=0, le=50000, description="stipend per "
                                    "aspiring leader, dollars a year")
    clerk_fte_change: float = Field(
        0.0, ge=-20, le=20, description="change in clerk FTE at a school when it adopts the "
        "policy; negative is a cut (seed 002 says both -0.5 and -1.0)")
    para_fte_change: float = Field(
        0.0, ge=-60, le=60, description="change in paraprofessional FTE at adoption")
    specials_teachers_change: int = Field(
        0, ge=0, le=20, description="specials teachers a school hires when it adopts the "
        "policy (seed 002: converting science to a special); the policy's coverage is "
        "checked with them")
    stipend_years: int = Field(
        0, ge=0, le=60, description="years after adoption during which role stipends are "
        "paid (0: as long as the school runs the policy); when they end, interest in "
        "leading falls")
    duty_cover: Literal["teachers", "hire_paras"] = Field(
        "teachers", description="duties that teachers, paraprofessionals and other staff "
        "cannot cover: 'teachers' share them out; 'hire_paras' buys paraprofessional FTE "
        "for them at adoption")
    support_change_mode: Literal["immediate", "attrition"] = Field(
        "immediate", description="'immediate': cuts happen at adoption; 'attrition': no "
        "layoffs, a cut happens only when a clerk or paraprofessional leaves, so savings lag")
    support_attrition_rate: float = Field(
        0.12, ge=0, le=1, description="yearly chance that a clerk or paraprofessional leaves "
        "(assumption)")


    @field_validator("leader_stipend_steps")
    @classmethod
    def _steps(cls, v: list[float]) -> list[float]:
        if any(not 0 <= x <= 50000 for x in v):
            raise Invalid(f"{v} has a step outside 0-50,000", "give each year's stipend in "
                          "dollars, e.g. [9000, 10000, 11000]")
        return v


class Salaries(Strict):
    """Pay, nominal dollars a year. Sources in docs/parameters.md."""

    teacher_start: float = Field(46526.0, ge=10000, le=300000, description="starting "
                                 "teacher salary (NEA 2025)")
    teacher_average: float = Field(72030.0, ge=10000, le=300000, description="average "
                                   "teacher salary (NEA 2025, 2023-24)")
    clerk: float = Field(44000.0, ge=10000, le=200000, description="clerk salary (BLS "
                         "OEWS: $40,000-48,000)")
    paraprofessional: float = Field(31000.0, ge=10000, le=200000, description="para salary "
                                    "(BLS OOH: $29,000-33,000)")
    years_to_average: float = Field(14.0, ge=1, le=40, description="years of experience at "
                                    "which a teacher earns the average salary (NCES NTPS: "
                                    "average experience about 14 years)")
    max_step_years: float = Field(30.0, ge=1, le=50, description="years after which salary "
                                  "stops rising (typical schedules: 25-30 steps)")


class Scenario(Strict):
    name: str = Field("scenario", min_length=1, max_length=200,
                      description="label used in outputs")
    description: str = Field("", description="free text")
    run: RunSettings = Field(default_factory=RunSettings, description="years, seed, start")
    school: SchoolProfile = Field(default_factory=SchoolProfile,
                                  description="the school profile")
    district: District = Field(default_factory=District, description="how many schools")
    calendar: CalendarSettings = Field(default_factory=CalendarSettings,
                                       description="the school year")
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings,
                                       description="schedule policy and baseline")
    staffing: Staffing = Field(default_factory=Staffing, description="teacher leader roles")
    rollout: Rollout = Field(default_factory=Rollout, description="district rollout plan")
    costs: Costs = Field(default_factory=Costs, description="prices of the cost model")
    salaries: Salaries = Field(default_factory=Salaries, description="pay")
    behaviour: Behaviour = Field(default_factory=Behaviour,
                                 description="people-dynamics parameters")

    @model_validator(mode="after")
    def _cross(self) -> Scenario:
        if self.salaries.teacher_start > self.salaries.teacher_average:
            raise Invalid("salaries.teacher_start is above salaries.teacher_average",
                          "make the starting salary no higher than the average",
                          key="salaries.teacher_start")
        staff0 = self.behaviour.initial_staff
        if staff0.experience_mean > staff0.experience_max:
            raise Invalid("behaviour.initial_staff.experience_mean exceeds experience_max",
                          "lower the mean or raise the max",
                          key="behaviour.initial_staff.experience_mean")
        school = self.school
        if school.student_day_minutes > school.contract_day_minutes:
            raise Invalid(f"the {school.student_day_minutes}-minute student day is longer "
                          f"than the {school.contract_day_minutes}-minute contract day",
                          "shorten the student day or lengthen the contract day",
                          key="school.student_day_minutes")
        if self.salaries.years_to_average > self.salaries.max_step_years:
            raise Invalid("salaries.years_to_average is beyond max_step_years, so no teacher "
                          "would ever earn the average salary", "make years_to_average no "
                          "more than max_step_years", key="salaries.years_to_average")
        r = self.rollout
        if r.strategy != "none" and r.first_year >= self.run.years:
            raise Invalid(f"the rollout starts in model year {r.first_year}, after the "
                          f"{self.run.years}-year run ends (years 0-{self.run.years - 1})",
                          "start it earlier or run more years", key="rollout.first_year")
        st = self.staffing
        most = staff0.experience_max + self.run.years
        if st.leaders_per_grade > 0 and st.leader_min_experience > most:
            raise Invalid(f"no teacher can ever be eligible to lead: leaders need "
                          f"{st.leader_min_experience} years, and no teacher has more than "
                          f"{most} (behaviour.initial_staff.experience_max + run.years)",
                          "lower leader_min_experience", key="staffing.leader_min_experience")
        tod = self.calendar.teacher_only_day
        tod_total = tod.pd + tod.individual_planning + tod.breaks + tod.other
        if tod_total > self.school.contract_day_minutes:
            raise Invalid(f"does not fit the day: {tod_total} minutes, more than the "
                          f"{self.school.contract_day_minutes}-minute contract day",
                          "shorten the teacher-only day's activities",
                          key="calendar.teacher_only_day")
        return self


def validate_scenario(data: dict[str, Any], origins: dict[str, Path], path: Path) -> Scenario:
    """Validate merged scenario data; a bad key raises ConfigError naming the file that
    set it (``origins``)."""
    kind = _other_kind(data)
    if kind:
        raise ConfigError(path, None, f"is not a scenario file: it looks like {kind[0]}",
                          kind[1])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise to_config_error(exc, Scenario, origins, path) from None


#: top-level keys only an experiment file or a policy file has
_EXPERIMENT_ONLY = {"base", "arm", "sweep", "replications", "tables", "chunk_size"}
_POLICY_ONLY = {"cycle_days", "cycle_follows", "default_homeroom_day",
                "default_specials_day", "roles", "assign", "special_days", "day"}


def _other_kind(data: dict[str, Any]) -> tuple[str, str] | None:
    """(what, fix) when ``data`` is an experiment or policy file given as a scenario."""
    keys = set(data)
    if "base" in keys and keys & _EXPERIMENT_ONLY and not keys & set(Scenario.model_fields) - {
            "name", "description"}:
        return ("an experiment file (it has 'base')",
                "run it with teachsim sweep FILE, or give a scenario file (see configs/)")
    if len(keys & _POLICY_ONLY) >= 2:
        return ("a schedule policy file", "name it in a scenario instead: [schedule] "
                'policy = "path/to/policy.toml" (see configs/policies/)')
    return None


def read_scenario(path: str | Path) -> tuple[Scenario, dict[str, Path]]:
    """Read, merge (``extends``) and validate a scenario file as data. Returns the scenario
    and, for every key, the file that set it."""
    path = Path(path)
    if path.suffix != ".toml":
        raise ConfigError(path, None, "is not a .toml file", "give a scenario file ending "
                          "in .toml (see configs/)")
    data, origins = load_with_extends(path)
    return validate_scenario(data, origins, path), origins
