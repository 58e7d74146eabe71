"""Behaviour parameters: every number of the people-dynamics mechanisms, declared once.

Each parameter has a unit and a source. "assumption" marks a value that no published
figure pins down: such values are the ones to vary in sensitivity analyses. "calibrated"
marks a value tuned so that the traditional baseline reproduces a target of
docs/calibration.md. The tables here are the ``[behaviour.*]`` tables of a scenario;
docs/parameters.md is generated from them.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, Literal

from pydantic import Field, model_validator

from teachsim.config.validation import Invalid, Strict


def param(default: Any, *, unit: str, source: str, description: str,
          ge: float | None = None, le: float | None = None) -> Any:
    """A config field carrying its unit and source (shown in errors and generated docs)."""
    return Field(default, ge=ge, le=le, description=f"{description} [{unit}; {source}]",
                 json_schema_extra={"unit": unit, "source": source})


class Staffing0(Strict):
    """The starting staff."""

    experience_mean: float = param(
        14.0, unit="years", ge=0, le=40, source="NCES NTPS 2017-18: average about 14 years",
        description="mean years of experience of the starting staff")
    experience_max: int = param(35, unit="years", ge=1, le=50, source="assumption",
                                description="most years of experience of a starting teacher")
    experience_shape: float = param(
        2.0, unit="gamma shape", ge=0.5, le=20, source="assumption (a right-skewed "
        "experience distribution)", description="shape of the starting staff's experience "
        "distribution")


class TimeUse(Strict):
    """Preparation and admin work that does not fit in the contract day spills after hours."""

    prep_per_teaching_minute: float = param(
        0.5, unit="min per teaching min", ge=0, le=3,
        source="calibrated to RAND 2024 weekly hours (about 52-53 h)",
        description="preparation and grading each teaching minute creates")
    specials_prep_factor: float = param(
        0.5, unit="fraction", ge=0, le=2, source="assumption: specials teachers repeat "
        "lessons across classes", description="specials teachers' preparation relative to "
        "homeroom teachers'")
    admin_minutes_per_day: float = param(
        90.0, unit="min per student day", ge=0, le=400,
        source="calibrated to RAND 2024 weekly hours",
        description="communication, paperwork and other work a student day")
    collab_offset_structured: float = param(
        0.6, unit="fraction", ge=0, le=1, source="assumption (seed 002: curriculum-connected "
        "planning in team blocks)", description="share of structured collaboration minutes "
        "that do preparation work")
    collab_offset_unstructured: float = param(
        0.3, unit="fraction", ge=0, le=1, source="assumption (seed 004: time spent reacting "
        "to the urgent)", description="share of unstructured collaboration minutes that do "
        "preparation work")
    admin_minutes_per_missing_clerk: float = param(
        240.0, unit="min per day per FTE", ge=0, le=480, source="assumption",
        description="admin work that falls to teachers, shared equally, for each clerk FTE "
        "below clerks_reference")
    clerks_reference: float = param(
        2.0, unit="FTE", ge=0, le=20, source="assumption: Elementary School D (seed 002)",
        description="clerk staffing at which teachers carry no clerical work")


class Burnout(Strict):
    """Exhaustion builds on heavy days and recovers on light and rest days."""

    neutral_work_minutes: float = param(
        480.0, unit="min per day", ge=60, le=900, source="assumption: an 8-hour day",
        description="a day's work at which load neither builds nor relieves strain")
    work_scale_minutes: float = param(
        120.0, unit="min", ge=10, le=600, source="assumption",
        description="extra minutes of work that raise strain by one logit unit")
    centre: float = param(
        0.15, unit="logit", ge=-10, le=10,
        source="calibrated to RAND 2022-2025 burnout prevalence (53-60%)",
        description="strain at which a teacher of average resilience is at the burnout "
        "threshold")
    resilience_sd: float = param(
        1.0, unit="logit", ge=0, le=5, source="assumption",
        description="spread of teachers' susceptibility to strain")
    rate_work: float = param(
        0.06, unit="per day", ge=0, le=1, source="assumption",
        description="speed at which burnout moves toward the day's strain level on work days")
    rate_rest: float = param(
        0.04, unit="per day", ge=0, le=1, source="assumption",
        description="share of burnout that recovers on a day off")
    support_buffer: float = param(
        0.3, unit="logit per unit support", ge=0, le=5,
        source="assumption (Kraft, Marinell & Yee 2016: relationships reduce turnover)",
        description="how much team support (effective collaboration) lowers strain")
    flex_buffer: float = param(
        0.25, unit="logit", ge=0, le=5, source="assumption (seed 002: flexibility of release "
        "blocks)", description="strain relief on a day with a long release block")
    conditions_buffer: float = param(
        0.3, unit="logit per SD", ge=0, le=5, source="assumption (Kraft, Marinell & Yee "
        "2016)", description="strain relief from a school's better working conditions")
    threshold: float = param(
        0.5, unit="0-1", ge=0.01, le=0.99, source="definition",
        description="burnout level at or above which a teacher counts as burned out")
    survey_student_day: int = param(
        100, unit="student day", ge=0, le=229, source="RAND surveys field in January-"
        "February", description="student day on which burnout prevalence is measured")


class Absence(Strict):
    """Short-term absences: illness, personal days and appointments."""

    base_rate: float = param(
        0.039, unit="per student day", ge=0, le=0.5,
        source="calibrated to NCTQ 2014 Roll Call: about 11 days per teacher-year",
        description="daily absence probability at zero burnout and average propensity")
    propensity_shape: float = param(
        1.5, unit="gamma shape", ge=0.1, le=100,
        source="assumption; OCR CRDC 2013-14: over 1 in 4 teachers miss 10+ days",
        description="spread of teachers' absence propensity (smaller: more unequal)")
    burnout_effect: float = param(
        1.0, unit="log-rate per unit burnout", ge=0, le=10, source="assumption",
        description="how much burnout raises absence")
    appointment_share: float = param(
        0.25, unit="fraction", ge=0, le=1, source="assumption",
        description="share of absences that are appointments or personal tasks that could "
        "be scheduled")
    appointment_move_share: float = param(
        0.8, unit="fraction", ge=0, le=1, source="assumption (seed 002: release time used "
        "for appointments)", description="share of those moved into release time when the "
        "schedule has long release blocks")
    appointment_release_minutes: float = param(
        120.0, unit="min", ge=0, le=600, source="assumption: a medical appointment with "
        "travel", description="release-block minutes an appointment moved into release "
        "time takes from collaboration")
    flexible_block_minutes: int = param(
        120, unit="min", ge=1, le=600, source="assumption", description="collaboration "
        "block length from which a day's release time can host an appointment")


class Collaboration(Strict):
    """Quality of collaboration time: structure, facilitation, willingness."""

    quality_structured: float = param(
        1.0, unit="0-1", ge=0, le=1, source="seed 004 (protocols) ; Ronfeldt et al. 2015",
        description="quality of structured collaboration")
    quality_unstructured: float = param(
        0.4, unit="0-1", ge=0, le=1, source="assumption (seed 004: reacting to the urgent)",
        description="quality of unstructured collaboration")
    facilitation_unfacilitated: float = param(
        0.8, unit="multiplier", ge=0, le=2, source="assumption",
        description="quality multiplier of a block with no facilitator by design")
    facilitation_missing_leader: float = param(
        0.6, unit="multiplier", ge=0, le=2, source="assumption",
        description="quality multiplier of a block meant to be facilitated whose leader "
        "post is empty")
    facilitation_leader_min: float = param(
        0.8, unit="multiplier", ge=0, le=2, source="assumption",
        description="multiplier with the weakest leader (skill 0)")
    facilitation_leader_max: float = param(
        1.2, unit="multiplier", ge=0, le=2, source="assumption",
        description="multiplier with the strongest leader (skill 1)")
    unwilling_share: float = param(
        0.15, unit="fraction", ge=0, le=1, source="assumption (seed 003: some teachers do "
        "not want to collaborate)", description="share of teachers unwilling to collaborate")
    willing_min: float = param(
        0.7, unit="0-1", ge=0, le=1, source="assumption", description="lowest willingness "
        "of a willing teacher (willing teachers are uniform between this and 1)")
    unwilling_willingness: float = param(
        0.2, unit="0-1", ge=0, le=1, source="assumption",
        description="willingness of an unwilling teacher")
    team_weight: float = param(
        0.5, unit="0-1", ge=0, le=1, source="assumption",
        description="weight of the team's mean willingness (vs the teacher's own)")
    support_scale_minutes: float = param(
        150.0, unit="effective min per week", ge=1, le=2000, source="assumption",
        description="weekly effective collaboration that gives one unit of team support")


class Practice(Strict):
    """Teaching practice (effectiveness) in student-achievement SD units."""

    experience_gain: float = param(
        0.07, unit="SD", ge=0, le=1, source="Clotfelter, Ladd & Vigdor 2010; Papay & Kraft "
        "2015", description="total early-career gain from experience")
    experience_years: float = param(
        1.5, unit="years", ge=0.1, le=20, source="Clotfelter, Ladd & Vigdor 2010; Papay & "
        "Kraft 2015 (concave, most gains by year 3-5)",
        description="time constant of early-career growth")
    late_gain_per_year: float = param(
        0.001, unit="SD per year", ge=0, le=0.05, source="Papay & Kraft 2015 (small "
        "continued growth)", description="gain per year of experience after the early years")
    quality_sd: float = param(
        0.13, unit="SD", ge=0, le=1, source="Rockoff 2004; Hanushek & Rivkin 2010 "
        "(0.10-0.20)", description="spread of teachers' effectiveness beyond experience")
    growth_rate_sd: float = param(
        0.36, unit="log units", ge=0, le=2, source="Kraft & Papay 2014: improvement rates "
        "differ 2-3x (P90/P10 = 2.5)", description="spread of teachers' growth rates")
    collab_gain_max: float = param(
        0.02, unit="SD per year", ge=0, le=0.5, source="assumption, bounded by Papay et al. "
        "2020 (+0.055 SD school-wide) and Kraft, Blazar & Hogan 2018",
        description="yearly practice gain from unlimited effective collaboration")
    collab_scale_minutes: float = param(
        6000.0, unit="effective min per year", ge=1, le=100000, source="assumption",
        description="effective collaboration at which 63% of the maximum gain is reached")
    collab_ceiling: float = param(
        0.06, unit="SD", ge=0, le=1, source="assumption, bounded by Papay et al. 2020 "
        "(+0.055 SD school-wide) and Kraft, Blazar & Hogan 2018 (large coaching programs "
        "about 0.09 SD)", description="most practice a teacher can gain from collaboration "
        "over a career; yearly gains shrink in proportion as it is approached")
    burnout_drag: float = param(
        0.5, unit="fraction", ge=0, le=1, source="assumption",
        description="share of a year's growth lost at full burnout")
    burnout_penalty: float = param(
        0.03, unit="SD", ge=0, le=1, source="assumption",
        description="effectiveness lost in the classroom at full burnout")


class Retention(Strict):
    """End-of-year decisions: stay, move to another school, leave teaching, retire.

    Base rates by experience band come from NCES 2021-22 (stay/move/leave by years of
    experience); burnout, support and the leader role shift them on the logit scale.
    """

    band_upper_years: list[int] = param(
        [3, 9, 14], unit="years", source="NCES NTPS/TFS 2021-22 bands: <=3, 4-9, 10-14, 15+",
        description="upper bounds of the experience bands (last band is open)")
    move_rates: list[float] = param(
        [0.130, 0.101, 0.077, 0.056], unit="per year", source="NCES NTPS/TFS 2021-22",
        description="movers by band at reference burnout")
    leave_rates: list[float] = param(
        [0.071, 0.077, 0.063, 0.038], unit="per year", source="NCES NTPS/TFS 2021-22; last "
        "band 8.8% less retirements", description="leavers other than retirees by band at "
        "reference burnout")
    retire_midpoint_years: float = param(
        32.0, unit="years", ge=10, le=50, source="calibrated: NCES TFS, 27.7% of leavers "
        "retired (2021-22)", description="experience at which half of teachers would retire "
        "in a year")
    retire_scale_years: float = param(
        2.5, unit="years", ge=0.1, le=20, source="assumption",
        description="steepness of the retirement curve")
    burnout_reference: float = param(
        0.475, unit="0-1", ge=0, le=1, source="calibrated: mean yearly burnout under the "
        "traditional baseline", description="burnout at which the base rates apply")
    burnout_effect: float = param(
        2.0, unit="log-odds per unit burnout", ge=0, le=20,
        source="assumption (Madigan & Kim 2021: exhaustion r = .41 with intent to quit)",
        description="effect of the year's mean burnout on moving and leaving")
    support_effect: float = param(
        0.2, unit="log-odds per unit support", ge=0, le=5,
        source="assumption (Kraft, Marinell & Yee 2016)",
        description="how much team support lowers moving and leaving")
    support_reference: float = param(
        0.06, unit="support units", ge=0, le=20, source="calibrated: traditional baseline",
        description="team support at which the base rates apply")
    leader_effect: float = param(
        0.4, unit="log-odds", ge=0, le=5, source="assumption (stipend and role)",
        description="how much holding a leader post lowers moving and leaving")
    poverty_effect: float = param(
        0.45, unit="log-odds per unit share", ge=0, le=5,
        source="Carver-Thomas & Darling-Hammond 2017: Title I schools about 1.5x turnover",
        description="how much a school's share of low-income students raises moving and "
        "leaving")
    poverty_reference: float = param(
        0.5, unit="share", ge=0, le=1, source="calibrated: the baseline school's share",
        description="share of low-income students at which the base rates apply")
    conditions_effect: float = param(
        0.3, unit="log-odds per SD", ge=0, le=5,
        source="assumption (Kraft, Marinell & Yee 2016)",
        description="how much better working conditions lower moving and leaving")

    @model_validator(mode="after")
    def _bands(self) -> Retention:
        n = len(self.band_upper_years) + 1
        if len(self.move_rates) != n or len(self.leave_rates) != n:
            raise Invalid(f"move_rates and leave_rates need {n} values (one per band)",
                          "give one rate per experience band", key="move_rates")
        if any(not 0 <= r < 1 for r in [*self.move_rates, *self.leave_rates]):
            raise Invalid("rates must be in [0, 1)", "give yearly rates as fractions, e.g. "
                          "0.08 for 8%", key="move_rates")
        bands = self.band_upper_years
        if any(b < 0 for b in bands) or any(b >= c for b, c in pairwise(bands)):
            raise Invalid(f"{bands} is not strictly increasing", "list the bands' upper "
                          "bounds in years, youngest band first, e.g. [3, 9, 14]",
                          key="band_upper_years")
        for i, (m, lv) in enumerate(zip(self.move_rates, self.leave_rates, strict=True)):
            if m + lv >= 1:
                raise Invalid(f"in band {i} the move and leave rates sum to {m + lv:.3g}, "
                              "leaving no one to stay", "make each band's move_rates + "
                              "leave_rates well below 1 (they are yearly shares)",
                              key="move_rates")
        return self


class Hiring(Strict):
    """Filling vacancies from the district's hiring pool."""

    novice_share: float = param(
        0.45, unit="fraction", ge=0, le=1, source="assumption: hires are mostly novices",
        description="share of hires with no experience")
    experienced_mean_years: float = param(
        8.0, unit="years", ge=0, le=40, source="assumption",
        description="mean experience of experienced hires")
    experienced_shape: float = param(
        2.0, unit="gamma shape", ge=0.5, le=20, source="assumption",
        description="shape of experienced hires' experience distribution")
    unfilled_share: float = param(
        0.04, unit="fraction", ge=0, le=1, source="assumption", description="share of "
        "vacancies left unfilled for the year and covered by a long-term substitute")


class Leadership(Strict):
    """Choosing teacher leaders each year (experience threshold: staffing table)."""

    selection_noise: float = param(
        0.03, unit="SD", ge=0, le=1, source="assumption: principals judge practice with "
        "error", description="noise in the practice a principal sees when choosing leaders")
    min_willingness: float = param(
        0.5, unit="0-1", ge=0, le=1, source="assumption: unwilling collaborators do not "
        "lead teams", description="willingness needed to be chosen as a leader")


class Students(Strict):
    """Students' yearly achievement growth, in SD units relative to the expected growth."""

    minutes_effect: float = param(
        0.25, unit="SD per 100% more time", ge=0, le=2, source="assumption (Lavy 2015: an "
        "hour more a week of a subject raises scores about 0.06 SD)",
        description="effect of proportionally more instructional time")
    absence_day_effect: float = param(
        0.0033, unit="SD per teacher absence day", ge=0, le=0.1,
        source="Miller, Murnane & Willett 2008 (check): 10 days lower math by 3.3% of an SD",
        description="learning lost for each day a class has a substitute")
    long_term_sub_effect: float = param(
        0.05, unit="SD", ge=0, le=1, source="assumption",
        description="effectiveness of a long-term substitute below a novice teacher")
    grade_turnover_effect: float = param(
        0.05, unit="SD per share of team new", ge=0, le=1,
        source="Ronfeldt, Loeb & Wyckoff 2013 (direction; magnitude assumption)",
        description="lower growth when a grade team's teachers are new to it")


class Behaviour(Strict):
    """People-dynamics parameters, one table per mechanism."""

    initial_staff: Staffing0 = Field(default_factory=Staffing0, description="starting staff")
    time_use: TimeUse = Field(default_factory=TimeUse, description="after-hours work")
    burnout: Burnout = Field(default_factory=Burnout, description="burnout dynamics")
    absence: Absence = Field(default_factory=Absence, description="absences")
    collaboration: Collaboration = Field(default_factory=Collaboration,
                                         description="collaboration quality")
    practice: Practice = Field(default_factory=Practice, description="practice growth")
    retention: Retention = Field(default_factory=Retention, description="exits")
    hiring: Hiring = Field(default_factory=Hiring, description="hiring")
    leadership: Leadership = Field(default_factory=Leadership,
                                   description="choosing teacher leaders")
    students: Students = Field(default_factory=Students, description="student growth")


class StartupLine(Strict):
    """One named start-up cost of an adopting school (editable, add your own)."""

    name: str = Field(description="label in the ledger and grant budget")
    amount: float = Field(ge=0, le=10_000_000, description="dollars per unit")
    per: Literal["school", "leader", "teacher"] = Field(
        "school", description="unit: per school, per teacher-leader post, or per teacher")
    years: list[int] = Field(default_factory=lambda: [1], description="start-up years it "
                             "falls in (1 = the adoption year, 2 = the next)")
    source: str = Field("assumption", description="where the figure comes from")

    @model_validator(mode="after")
    def _years(self) -> StartupLine:
        if not self.years or any(y < 1 for y in self.years) or len(set(self.years)) != len(
                self.years):
            raise Invalid(f"years {self.years} must be distinct start-up years 1, 2, ...",
                          "e.g. years = [1] or [1, 2]", key="years")
        return self


def _default_startup() -> list[StartupLine]:
    return [
        StartupLine(name="teacher-leader training", amount=2500.0, per="leader",
                    years=[1, 2], source="assumption"),
        StartupLine(name="schedule redesign and design support", amount=15000.0,
                    per="school", years=[1], source="assumption (seed 002: district "
                    "guidance, sample schedules)"),
        StartupLine(name="transition cover (substitute days for planning)", amount=429.0,
                    per="teacher", years=[1], source="assumption: 3 days x $143"),
        StartupLine(name="change-management support for the principal", amount=10000.0,
                    per="school", years=[1, 2], source="assumption (seed 002)"),
    ]


class Costs(Strict):
    """Prices of the cost model (nominal dollars). The ledger and the grant budget use
    them with the simulated staff, substitutes and exits."""

    salary_growth: float = param(
        0.03, unit="per year", ge=-0.1, le=0.2, source="assumption (recent nominal growth "
        "of average teacher pay, NEA)", description="yearly growth of salaries from the "
        "first model year")
    benefits_teacher: float = param(
        1.54, unit="x wages", ge=1, le=3, source="BLS ECEC, state and local government "
        "(benefits 35% of compensation)", description="compensation per dollar of teacher "
        "wages")
    benefits_office: float = param(
        1.74, unit="x wages", ge=1, le=3, source="BLS ECEC, state and local government, "
        "office staff", description="compensation per dollar of clerk and paraprofessional "
        "wages")
    stipend_payroll_load: float = param(
        0.15, unit="share of stipend", ge=0, le=1, source="seed 002: 10-20%",
        description="payroll tax and retirement on every stipend (expected)")
    stipend_payroll_load_low: float = param(
        0.10, unit="share of stipend", ge=0, le=1, source="seed 002", description="low end")
    stipend_payroll_load_high: float = param(
        0.20, unit="share of stipend", ge=0, le=1, source="seed 002",
        description="high end")
    substitute_daily_rate: float = param(
        143.0, unit="$ per day", ge=0, le=2000, source="BLS OEWS; NCTQ substitute pay "
        "trendline: about $129-157", description="pay of a short-term substitute")
    long_term_substitute_daily_rate: float = param(
        200.0, unit="$ per day", ge=0, le=2000, source="assumption (long-term rates above "
        "daily rates)", description="pay of a long-term substitute in a vacant post")
    turnover_cost_small: float = param(
        11860.0, unit="$ per leaver", ge=0, le=200000, source="LPI 2024 calculator, "
        "districts under 10,000 students", description="cost per teacher leaving the "
        "district")
    turnover_cost_medium: float = param(
        16450.0, unit="$ per leaver", ge=0, le=200000, source="LPI 2024 calculator, "
        "10,000-50,000 students", description="cost per teacher leaving the district")
    turnover_cost_large: float = param(
        24930.0, unit="$ per leaver", ge=0, le=200000, source="LPI 2024 calculator, over "
        "50,000 students", description="cost per teacher leaving the district")
    in_district_move_cost_share: float = param(
        0.5, unit="share", ge=0, le=1, source="assumption: hiring without recruitment",
        description="cost of a move within the district relative to a leaver's")
    pd_hourly_rate: float = param(
        35.0, unit="$ per teacher-hour", ge=0, le=500, source="assumption (typical extra-"
        "duty hourly rate)", description="pay for PD hours beyond the contract day")
    pd_session_cost: float = param(
        500.0, unit="$ per session per school", ge=0, le=100000, source="assumption",
        description="facilitation and materials of one after-school PD session")
    per_pupil_spending: float = param(
        16990.0, unit="$ per student", ge=0, le=100000, source="NEA 2023-24 (NCES FY2022: "
        "$15,591)", description="current spending per pupil (district operating budget)")
    district_students: int | None = param(
        None, unit="students", ge=1, le=2_000_000, source="default: the simulated schools' "
        "enrolment", description="district enrolment for the operating budget and the "
        "turnover-cost size band (set it when the simulated schools are part of a larger "
        "district)")
    neutral_tolerance: float = param(
        0.0, unit="$", ge=0, le=1_000_000, source="definition", description="a net impact "
        "up to this is still called budget-neutral")
    grant_covers_recurring: bool = param(
        False, unit="yes/no", source="seed 002 is ambiguous: 'two years of start-up costs'",
        description="whether the philanthropic ask also covers a school's net recurring "
        "cost during its start-up years")
    startup: list[StartupLine] = Field(default_factory=_default_startup,
                                       description="start-up cost lines of each adopting "
                                       "school ([[costs.startup]] tables)")

    @model_validator(mode="after")
    def _loads(self) -> Costs:
        if not (self.stipend_payroll_load_low <= self.stipend_payroll_load
                <= self.stipend_payroll_load_high):
            raise Invalid("stipend_payroll_load is outside [stipend_payroll_load_low, "
                          "stipend_payroll_load_high]", "order them low <= expected <= high",
                          key="stipend_payroll_load")
        names = [s.name for s in self.startup]
        if len(set(names)) != len(names):
            raise Invalid("two start-up lines have the same name", "give each its own name",
                          key="startup")
        return self
