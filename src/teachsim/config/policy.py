"""Schedule policies as data.

A policy is a rotation cycle of day templates. For every role (homeroom, specials and,
optionally, teacher leader) it names day types -- "full", "release", "team", ... -- and
gives each one the minutes of each activity inside the contract day. Assignment rules say
which grade's homerooms have which day type on which cycle day, and in which slot their
students are away with the specials teachers. Work scheduled outside the contract day
(monthly after-school PD, a leader's weekly planning of team time) is declared apart,
because it is exactly the time that does not fit the day.

Policies live in TOML files (``configs/policies/``) and are validated whole before use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from teachsim.config.errors import ConfigError, did_you_mean
from teachsim.config.paths import exists
from teachsim.config.tomlio import load_with_extends
from teachsim.config.validation import Invalid, Strict, to_config_error

#: Activities a teacher's contract-day minutes are split into, in output order.
ACTIVITIES: tuple[str, ...] = (
    "teaching",
    "individual_planning",
    "collaboration",
    "pd",
    "duties",
    "leadership",
    "breaks",
    "other",
)

Role = Literal["homeroom", "specials", "leader", "support"]
ROLES: tuple[str, ...] = ("homeroom", "specials", "leader", "support")

#: The five structured practices of team collaboration (seed 004).
PRACTICES: tuple[str, ...] = ("celebrate_successes", "set_goals", "teach_one_another",
                              "critique_and_revise", "problem_solve")
Practice = Literal[PRACTICES]  # type: ignore[valid-type]

Minutes = int


class DayTemplate(Strict):
    """Minutes of each activity in one kind of day for one role (inside the contract day)."""

    teaching: Minutes = Field(0, ge=0, le=1440, description="minutes teaching students")
    individual_planning: Minutes = Field(0, ge=0, le=1440,
                                         description="minutes of individual planning")
    collaboration: Minutes = Field(0, ge=0, le=1440,
                                   description="minutes of team collaboration")
    pd: Minutes = Field(0, ge=0, le=1440, description="minutes of professional development")
    duties: Minutes = Field(0, ge=0, le=1440,
                            description="minutes of arrival, lunch, recess or dismissal duty")
    leadership: Minutes = Field(0, ge=0, le=1440,
                                description="minutes of teacher-leader work")
    breaks: Minutes = Field(0, ge=0, le=1440, description="minutes of duty-free breaks/lunch")
    other: Minutes = Field(0, ge=0, le=1440,
                           description="minutes of other contract time (transitions, admin)")
    students_with_specials: Minutes = Field(
        0, ge=0, le=1440,
        description="homeroom only: minutes this homeroom's students spend with specials "
        "teachers that day")
    collaboration_facilitated: bool = Field(
        False, description="true if a teacher leader facilitates the collaboration block")
    collaboration_structured: bool = Field(
        False, description="shorthand for all five structured practices (seed 004): "
        "the block follows protocols rather than reacting to the urgent")
    collaboration_practices: list[Practice] = Field(
        default_factory=list, max_length=5, description="structured practices the block "
        "follows (seed 004): " + ", ".join(PRACTICES) + "; each adds a fifth of the "
        "difference between unstructured and structured quality")

    @model_validator(mode="after")
    def _practices(self) -> DayTemplate:
        if len(set(self.collaboration_practices)) != len(self.collaboration_practices):
            raise Invalid("a practice is listed twice", "list each practice once",
                          key="collaboration_practices")
        if self.collaboration_structured and self.collaboration_practices and set(
                self.collaboration_practices) != set(PRACTICES):
            raise Invalid("collaboration_structured = true means all five practices, but "
                          "collaboration_practices lists fewer",
                          "drop collaboration_structured and keep the list, or drop the list",
                          key="collaboration_structured")
        return self

    @property
    def practice_share(self) -> float:
        """Share of the five structured practices the block follows (0-1)."""
        if self.collaboration_structured:
            return 1.0
        return len(self.collaboration_practices) / len(PRACTICES)

    def minutes(self) -> dict[str, int]:
        return {a: getattr(self, a) for a in ACTIVITIES}

    def total(self) -> int:
        return sum(self.minutes().values())


class RoleDays(Strict):
    days: dict[str, DayTemplate] = Field(
        description="day types of this role, by name; each a table of activity minutes")

    @field_validator("days")
    @classmethod
    def _not_empty(cls, v: dict[str, DayTemplate]) -> dict[str, DayTemplate]:
        if not v:
            raise Invalid("no day types defined",
                          "add at least one [roles.<role>.days.<name>] table")
        return v


class Roles(Strict):
    homeroom: RoleDays = Field(description="homeroom teachers' day types")
    specials: RoleDays = Field(description="specials teachers' (art, music, PE) day types")
    leader: RoleDays | None = Field(
        None, description="teacher leaders' day types (same names as homeroom); "
        "leaders use the homeroom days when absent")
    support: RoleDays | None = Field(
        None, description="day types of teachers without a homeroom other than specials "
        "(special education, English learners, interventionists); without this table "
        "they keep the school's standard support day (model/schedule.py)")


class Assignment(Strict):
    """On ``cycle_day``, the homerooms of ``grades`` follow ``homeroom_day``."""

    cycle_day: int = Field(ge=1, description="day of the rotation cycle, 1-based")
    grades: list[str] | Literal["all"] = Field(description='grade names, or "all"')
    homeroom_day: str = Field(description="name of a homeroom day type")
    slot: str | None = Field(
        None, description="when these homerooms' students are with specials at the same time "
        "(e.g. 'morning'); homerooms sharing a slot need one specials teacher each")


class OutsideDay(Strict):
    """Scheduled work beyond the contract day (e.g. after-school PD workshops)."""

    roles: list[Role] = Field(description="roles that attend: homeroom, specials, leader")
    activity: Literal[ACTIVITIES] = Field(description="activity the minutes count as")  # type: ignore[valid-type]
    minutes: Minutes = Field(ge=1, le=600, description="minutes per session")
    sessions_per_year: int | None = Field(
        None, ge=1, le=200, description="sessions in a school year (spread over student days)")
    sessions_per_week: int | None = Field(None, ge=1, le=7, description="sessions every week")

    @model_validator(mode="after")
    def _one_frequency(self) -> OutsideDay:
        if (self.sessions_per_year is None) == (self.sessions_per_week is None):
            raise Invalid("give exactly one of sessions_per_year or sessions_per_week",
                          "e.g. sessions_per_year = 9 for monthly workshops")
        return self


class SpecialDays(Strict):
    """Student days that follow another template a few times a year (early release)."""

    name: str = Field(description="label used in outputs")
    days_per_year: int = Field(ge=1, le=60, description="how many student days a year")
    homeroom_day: str = Field(description="homeroom day type used on those days")
    specials_day: str = Field(description="specials day type used on those days")


class CoachingProgram(Strict):
    """Instructional coaching cycles for a group of teachers (behaviour.coaching sizes the
    gains)."""

    who: Literal["homeroom", "all", "novices", "lowest_practice"] = Field(
        "homeroom", description="who is coached: every homeroom teacher, every teacher, "
        "teachers in their first three years, or the lowest_share of each school's "
        "teachers by practice")
    lowest_share: float = Field(0.25, gt=0, le=1, description="who = 'lowest_practice': "
                                "share of each school's teachers coached")
    caseload: int = Field(18, ge=1, le=100, description="teachers per coach FTE (typical "
                          "caseloads 15-25; assumption)")
    sessions_per_month: float = Field(2.0, ge=0.25, le=20, description="coaching sessions "
                                      "a coached teacher has each month")
    minutes_per_session: int = Field(45, ge=5, le=240, description="minutes of a session "
                                     "(observation or debrief)")
    months: int = Field(9, ge=1, le=12, description="months of the school year with "
                        "coaching")
    time_from: Literal["planning", "collaboration", "added"] = Field(
        "planning", description="where sessions take their time: individual planning "
        "(preparation spills after hours), the team's collaboration time, or added time "
        "beyond the contract day (paid at costs.pd_hourly_rate)")
    coach_salary: float = Field(72030.0, ge=0, le=300000, description="salary of a coach, "
                                "dollars a year (default: the average teacher salary, NEA "
                                "2025)")

    def hours_per_year(self) -> float:
        return self.sessions_per_month * self.months * self.minutes_per_session / 60


class PeerPairing(Strict):
    """Low-practice teachers paired with high-practice colleagues of the same school
    (seed 000: 'staff immersed in connected learning paired with staff who are not')."""

    target_share: float = Field(0.2, gt=0, le=0.5, description="share of each school's "
                                "teachers, lowest in judged practice, paired as targets "
                                "(each with a partner from the top)")
    hours_per_year: float = Field(10.0, ge=0.5, le=200, description="hours of peer "
                                  "observation and debrief for each member of a pair")
    partner_stipend: float = Field(0.0, ge=0, le=20000, description="stipend per partner, "
                                   "dollars a year")


class ObservationProgram(Strict):
    """Growth-oriented observation and feedback cycles for every teacher."""

    cycles_per_year: int = Field(4, ge=1, le=40, description="observation-and-feedback "
                                 "cycles each teacher has a year")
    observer: Literal["leaders", "principal"] = Field(
        "leaders", description="who gives feedback: the grade team's teacher leader (the "
        "principal where the team has none) or the principal")
    teacher_minutes_per_cycle: int = Field(60, ge=0, le=600, description="the observed "
                                           "teacher's time per cycle (conferences), taken "
                                           "from planning")


class ProfessionalLearningProgram(Strict):
    """What the schedule's PD minutes are, and stipends for learning teachers choose."""

    kind: Literal["generic", "content_focused", "chosen"] = Field(
        "generic", description="kind of the schedule's PD (in-day, teacher-only days and "
        "after-school workshops): generic workshops, content-focused on the curriculum, or "
        "sessions teachers choose")
    micro_credential_take_up: float = Field(0.0, ge=0, le=1, description="share of teachers "
                                            "completing a micro-credential each year")
    micro_credential_hours: float = Field(15.0, ge=1, le=200, description="hours of a "
                                          "micro-credential, on teachers' own time")
    micro_credential_stipend: float = Field(500.0, ge=0, le=20000, description="stipend per "
                                            "completed micro-credential, dollars")
    tuition_take_up: float = Field(0.0, ge=0, le=1, description="share of teachers taking "
                                   "a tuition-paid course each year")
    tuition_hours: float = Field(45.0, ge=1, le=500, description="hours of a course (a "
                                 "3-credit course is about 45), on teachers' own time")
    tuition_stipend: float = Field(3000.0, ge=0, le=50000, description="tuition paid per "
                                   "course, dollars")


class InductionProgram(Strict):
    """Support for new teachers: a mentor in the first year, and/or a residency year
    before leading a class."""

    mentor: bool = Field(False, description="every first-year teacher gets a mentor from "
                         "the school's experienced teachers")
    mentor_minutes_per_week: int = Field(60, ge=0, le=600, description="weekly mentoring "
                                         "time of a novice and a mentor, from planning")
    mentor_stipend: float = Field(1500.0, ge=0, le=20000, description="stipend per mentor "
                                  "per novice, dollars a year")
    mentor_min_experience: int = Field(5, ge=1, le=40, description="years of experience a "
                                       "mentor needs")
    residency: bool = Field(False, description="novice hires first spend a residency year "
                            "co-teaching with a mentor teacher")
    residency_cost: float = Field(30000.0, ge=0, le=200000, description="cost of one "
                                  "resident's year (stipend and mentor-teacher pay), "
                                  "dollars, booked when the graduate is hired")
    residency_commitment_years: int = Field(3, ge=0, le=10, description="years a graduate "
                                            "commits to teach in the district")


class Policy(Strict):
    """A schedule policy: rotation cycle, day templates, and outside-day work."""

    name: str = Field(description="snake_case name used in outputs and on the command line")
    description: str = Field("", description="one-paragraph description")
    source: str = Field("", description="where the design comes from")
    cycle_days: int = Field(ge=1, le=20, description="length of the rotation cycle in "
                            "student days")
    cycle_follows: Literal["weekday", "student_day"] = Field(
        "student_day", description="'weekday' ties cycle day to Monday..Friday (needs "
        "cycle_days = 5); 'student_day' advances one cycle day per student day")
    default_homeroom_day: str = Field(description="homeroom day type when no assignment "
                                      "matches")
    default_specials_day: str = Field(description="specials teachers' day type")
    default_support_day: str = Field("standard", description="support teachers' day type "
                                     "(with roles.support)")
    roles: Roles = Field(description="day types of each role")
    assign: list[Assignment] = Field(default_factory=list,
                                     description="which grades follow which day type when")
    special_days: list[SpecialDays] = Field(
        default_factory=list, description="days a year that follow another template "
        "(e.g. early release)")
    outside_day: list[OutsideDay] = Field(
        default_factory=list, description="scheduled work beyond the contract day")
    coaching: CoachingProgram | None = Field(None, description="instructional coaching "
                                             "(none without this table)")
    peer_pairing: PeerPairing | None = Field(None, description="peer pairing (none without "
                                             "this table)")
    observation: ObservationProgram | None = Field(None, description="observation and "
                                                   "feedback cycles (none without this "
                                                   "table)")
    professional_learning: ProfessionalLearningProgram = Field(
        default_factory=ProfessionalLearningProgram, description="what the PD teaches; "
        "micro-credential and tuition stipends")
    induction: InductionProgram = Field(default_factory=InductionProgram,
                                        description="mentoring and residencies for new "
                                        "teachers")

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.cycle_follows == "weekday" and self.cycle_days != 5:
            raise Invalid("cycle_follows = 'weekday' needs cycle_days = 5",
                          "set cycle_days = 5 or cycle_follows = 'student_day'",
                          key="cycle_follows")
        home = self.roles.homeroom.days
        spec = self.roles.specials.days

        def need(name: str, pool: dict[str, DayTemplate], where: str, role: str) -> None:
            if name not in pool:
                raise Invalid(f"names day type '{name}', which is not a {role} day type."
                              f"{did_you_mean(name, pool)}",
                              f"use one of: {', '.join(sorted(pool))}", key=where)

        need(self.default_homeroom_day, home, "default_homeroom_day", "homeroom")
        need(self.default_specials_day, spec, "default_specials_day", "specials")
        if self.roles.support is not None:
            need(self.default_support_day, self.roles.support.days, "default_support_day",
                 "support")
        if self.roles.leader is not None:
            missing = sorted(set(home) - set(self.roles.leader.days))
            if missing:
                raise Invalid(f"lacks day types {missing} that homeroom has",
                              "give leaders every homeroom day type, or drop roles.leader",
                              key="roles.leader")
        for i, a in enumerate(self.assign):
            need(a.homeroom_day, home, f"assign[{i}].homeroom_day", "homeroom")
            if a.cycle_day > self.cycle_days:
                raise Invalid(f"is {a.cycle_day}, beyond the {self.cycle_days}-day cycle",
                              f"use 1..{self.cycle_days}", key=f"assign[{i}].cycle_day")
        for i, s in enumerate(self.special_days):
            need(s.homeroom_day, home, f"special_days[{i}].homeroom_day", "homeroom")
            need(s.specials_day, spec, f"special_days[{i}].specials_day", "specials")
        return self


def builtin_policy_dir() -> Path:
    from teachsim.config.paths import config_dir

    return config_dir() / "policies"


def builtin_policies() -> list[str]:
    return sorted(p.stem for p in builtin_policy_dir().glob("*.toml"))


def resolve_policy_path(ref: str, relative_to: Path, *, referrer: Path, key: str) -> Path:
    """A policy reference is a built-in name or a path to a TOML file."""
    if ref.endswith(".toml"):
        path = relative_to / ref
        if not exists(path):
            raise ConfigError(referrer, key, f"policy file '{ref}' not found (looked at {path})",
                              "fix the path (relative to this file) or use a built-in name: "
                              + ", ".join(builtin_policies()))
        return path
    path = builtin_policy_dir() / f"{ref}.toml"
    if not exists(path):
        names = builtin_policies()
        raise ConfigError(referrer, key, f"unknown policy '{ref}'.{did_you_mean(ref, names)}",
                          "use one of the built-in policies (" + ", ".join(names)
                          + ") or a path ending in .toml")
    return path


def load_policy(path: Path) -> Policy:
    data, origins = load_with_extends(path)
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise to_config_error(exc, Policy, origins, path) from None
