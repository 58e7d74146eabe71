"""Behaviour parameters: every number of the people-dynamics mechanisms, declared once.

Each parameter has a unit and a source. "assumption" marks a value that no published
figure pins down: such values are the ones to vary in sensitivity analyses. "calibrated"
marks a value tuned so that the traditional baseline reproduces a target of
docs/calibration.md. The tables here are the ``[behaviour.*]`` tables of a scenario;
docs/parameters.md is generated from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from pydantic import Field, model_validator

from teachsim.config.validation import Invalid, Strict

#: distribution families a prior can take; each is shaped by (low, central, high)
PRIOR_KINDS = ("pert", "uniform")


def param(default: Any, *, unit: str, source: str, description: str,
          ge: float | None = None, le: float | None = None,
          prior: tuple[float, float] | None = None, prior_basis: str = "",
          prior_kind: Literal["pert", "uniform"] = "pert") -> Any:
    """A config field carrying its unit and source (shown in errors and generated docs).

    ``prior`` is the (low, high) of the range the literature or the stated reasoning
    allows; the default is the central value. ``prior_kind`` says how the uncertainty
    analysis draws from the range: "pert" (a Beta-PERT distribution with its mode at the
    default, the usual choice for a range elicited as low / most likely / high) or
    "uniform" (no value in the range favoured). ``prior_basis`` says why the range is what
    it is, when ``source`` does not.
    """
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if prior is not None:
        low, high = prior
        if not low <= default <= high or not low < high:
            raise ValueError(f"default {default} of '{description}' is outside its prior "
                             f"{prior} (or the prior is empty)")
        if (ge is not None and low < ge) or (le is not None and high > le):
            raise ValueError(f"prior {prior} of '{description}' leaves the valid range "
                             f"[{ge}, {le}]")
        if prior_kind not in PRIOR_KINDS:
            raise ValueError(f"unknown prior kind {prior_kind!r}")
        extra["prior"] = [low, default, high]
        extra["prior_kind"] = prior_kind
        if prior_basis:
            extra["prior_basis"] = prior_basis
    return Field(default, ge=ge, le=le, description=f"{description} [{unit}; {source}]",
                 json_schema_extra=extra)


def priors(model: type[Strict]) -> dict[str, tuple[float, float, float]]:
    """(low, central, high) of every parameter of ``model`` (a behaviour table) that has
    a prior range."""
    return {name: (p.low, p.central, p.high) for name, p in prior_specs(model).items()}


@dataclass(frozen=True)
class Prior:
    """A parameter's prior: its range, central value (the default), the distribution
    family, whether it takes whole numbers, its unit and why the range is what it is."""

    key: str
    low: float
    central: float
    high: float
    kind: str
    integer: bool
    unit: str
    source: str
    basis: str


def prior_specs(model: type[Strict], prefix: str = "") -> dict[str, Prior]:
    """The :class:`Prior` of every parameter of ``model`` that has one, keyed by name
    (``prefix`` + name for :attr:`Prior.key`)."""
    out: dict[str, Prior] = {}
    for name, f in model.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        if "prior" in extra:
            low, central, high = extra["prior"]  # type: ignore[misc]
            out[name] = Prior(prefix + name, float(low), float(central), float(high),
                              str(extra.get("prior_kind", "pert")), f.annotation is int,
                              str(extra.get("unit", "")), str(extra.get("source", "")),
                              str(extra.get("prior_basis", "")))
    return out


def all_priors() -> dict[str, Prior]:
    """Every prior of the model, keyed by its dotted scenario key
    (``behaviour.<table>.<name>`` and ``costs.<name>``)."""
    out: dict[str, Prior] = {}
    for table, field in Behaviour.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, Strict)
        out.update({p.key: p for p in prior_specs(model, f"behaviour.{table}.").values()})
    out.update({p.key: p for p in prior_specs(Costs, "costs.").values()})
    return out


def uncertain_without_prior() -> list[str]:
    """Dotted keys of parameters marked "assumption" or "calibrated" that have no prior
    (the uncertainty analysis would silently hold them fixed)."""
    out = []
    tables: list[tuple[str, type[Strict]]] = []
    for table, field in Behaviour.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, Strict)
        tables.append((f"behaviour.{table}.", model))
    tables.append(("costs.", Costs))
    for prefix, model in tables:
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            source = str(extra.get("source", ""))
            if source.startswith(("assumption", "calibrat")) and "prior" not in extra:
                out.append(prefix + name)
    return out


class Staffing0(Strict):
    """The starting staff."""

    experience_mean: float = param(
        14.0, unit="years", ge=0, le=40, source="NCES NTPS 2017-18: average about 14 years",
        description="mean years of experience of the starting staff")
    experience_max: int = param(
        35, unit="years", ge=1, le=50, source="assumption",
        description="most years of experience of a starting teacher",
        prior=(30, 40),
        prior_basis=("judgement: careers of 30-40 years, from entry in the early twenties to "
                     "retirement in the fifties or sixties"))
    experience_shape: float = param(
        2.0, unit="gamma shape", ge=0.5, le=20, source="assumption (a right-skewed "
        "experience distribution)", description="shape of the starting staff's experience "
        "distribution",
        prior=(1.2, 4.0),
        prior_basis=("judgement: from strongly right-skewed (1.2) to nearly bell-shaped (4) around "
                     "NCES's mean of 14 years"))


class TimeUse(Strict):
    """Preparation and admin work that does not fit in the contract day spills after hours."""

    prep_per_teaching_minute: float = param(
        0.5, unit="min per teaching min", ge=0, le=3,
        source="calibrated to RAND 2024 weekly hours (about 52-53 h)",
        description="preparation and grading each teaching minute creates",
        prior=(0.3, 0.8),
        prior_basis=("wide for calibration: each 0.1 moves the week by up to about 2.3 h (280 "
                     "teaching minutes a day), well past RAND's 52-53 h either way"))
    specials_prep_factor: float = param(
        0.5, unit="fraction", ge=0, le=2, source="assumption: specials teachers repeat "
        "lessons across classes", description="specials teachers' preparation relative to "
        "homeroom teachers'",
        prior=(0.25, 1.0),
        prior_basis=("judgement: a specials teacher who repeats lessons prepares from a quarter as "
                     "much as a homeroom teacher to as much"))
    admin_minutes_per_day: float = param(
        90.0, unit="min per student day", ge=0, le=400,
        source="calibrated to RAND 2024 weekly hours",
        description="communication, paperwork and other work a student day",
        prior=(45.0, 150.0),
        prior_basis=("wide for calibration: half to about 1.7 times the value; each 10 minutes a "
                     "day adds up to about 0.8 h to the RAND-calibrated week"))
    collab_offset_structured: float = param(
        0.6, unit="fraction", ge=0, le=1, source="assumption (seed 002: curriculum-connected "
        "planning in team blocks)", description="share of structured collaboration minutes "
        "that do preparation work",
        prior=(0.4, 0.8),
        prior_basis=("judgement: a minute of structured team planning does 0.4-0.8 minutes of a "
                     "teacher's own preparation; no study measures it"))
    collab_offset_unstructured: float = param(
        0.3, unit="fraction", ge=0, le=1, source="assumption (seed 004: time spent reacting "
        "to the urgent)", description="share of unstructured collaboration minutes that do "
        "preparation work",
        prior=(0.1, 0.5),
        prior_basis=("judgement: a minute of unstructured time, much of it lost to the urgent "
                     "(seed 004), does 0.1-0.5 minutes of preparation"))
    admin_minutes_per_missing_clerk: float = param(
        240.0, unit="min per day per FTE", ge=0, le=480, source="assumption",
        description="admin work that falls to teachers, shared equally, for each clerk FTE "
        "below clerks_reference",
        prior=(120.0, 480.0),
        prior_basis=("half to double the value, 480 being a clerk's whole day: no study measures "
                     "how much of a clerk's work falls to teachers"))
    clerks_reference: float = param(
        2.0, unit="FTE", ge=0, le=20, source="assumption: Elementary School D (seed 002)",
        description="clerk staffing at which teachers carry no clerical work",
        prior=(1.5, 3.0),
        prior_basis=("around School D's 2 clerks and NCES's about 2.2 clerical staff per school "
                     "(calibration sheet); judgement beyond that"))
    student_need_minutes: float = param(
        75.0, unit="min per student day per unit share", ge=0, le=300, prior=(25.0, 120.0),
        source="calibrated: high- vs low-poverty turnover 21.1% vs 14.2% (NCES Condition "
        "of Education 2008) with the environment and hiring terms at their priors",
        description="extra work a day (family contact, behaviour, differentiation) for each "
        "unit of low-income share above environment.poverty_reference",
        prior_basis=("wide for calibration: a third to 1.6 times the value; the high- vs "
                     "low-poverty turnover ratio (1.49) is fitted with it"))


class Burnout(Strict):
    """Exhaustion builds on heavy days and recovers on light and rest days."""

    neutral_work_minutes: float = param(
        450.0, unit="min per day", ge=60, le=900, source="assumption: an 8-hour day less a "
        "30-minute lunch", description="a day's work (breaks excluded) at which load "
        "neither builds nor relieves strain",
        prior=(420.0, 510.0),
        prior_basis=("judgement: a 7- to 8.5-hour working day as the load that neither builds nor "
                     "relieves strain"))
    work_scale_minutes: float = param(
        120.0, unit="min", ge=10, le=600, source="assumption",
        description="extra minutes of work that raise strain by one logit unit",
        prior=(60.0, 240.0),
        prior_basis=("half to double the value (judgement): one to four extra hours raise strain "
                     "by one logit unit"))
    break_relief: float = param(
        0.05, unit="logit per 10 min of break", ge=0, le=1, prior=(0.0, 0.1),
        source="Albulescu et al. 2022 (meta-analysis: micro-breaks raise vigour and lower "
        "fatigue, small effects; size assumption)", description="strain relief of each 10 "
        "minutes of duty-free break or mini-recess in a day (breaks are not work)",
        prior_basis=("zero to double the value: the meta-analysis finds small effects of "
                     "micro-breaks, with no size on this scale"))
    centre: float = param(
        0.15, unit="logit", ge=-10, le=10,
        source="calibrated to RAND 2022-2025 burnout prevalence (53-60%)",
        description="strain at which a teacher of average resilience is at the burnout "
        "threshold",
        prior=(-1.0, 1.0),
        prior_basis=("wide for calibration (judgement): a logit either side of the value, so the "
                     "fit to RAND's 53-60% burnout prevalence sets it"))
    resilience_sd: float = param(
        1.0, unit="logit", ge=0, le=5, source="assumption",
        description="spread of teachers' susceptibility to strain",
        prior=(0.5, 2.0),
        prior_basis=("half to double the value (judgement): no study measures the spread of "
                     "susceptibility on this scale"))
    rate_work: float = param(
        0.06, unit="per day", ge=0, le=1, source="assumption",
        description="speed at which burnout moves toward the day's strain level on work days",
        prior=(0.03, 0.12),
        prior_basis=("half to double the value (judgement): burnout follows the load with a time "
                     "constant of about 8 to 33 working days"))
    rate_rest: float = param(
        0.04, unit="per day", ge=0, le=1, source="assumption",
        description="share of burnout that recovers on a day off",
        prior=(0.02, 0.08),
        prior_basis=("half to double the value (judgement): half of burnout recovers in about 8 to "
                     "34 days off"))
    support_buffer: float = param(
        0.3, unit="logit per unit support", ge=0, le=5,
        source="assumption (Kraft, Marinell & Yee 2016: relationships reduce turnover)",
        description="how much team support (effective collaboration) lowers strain",
        prior=(0.0, 0.6),
        prior_basis=("zero to double the value (judgement): Kraft, Marinell & Yee 2016 give the "
                     "direction, not the size"))
    flex_buffer: float = param(
        0.25, unit="logit", ge=0, le=5, source="assumption (seed 002: flexibility of release "
        "blocks)", description="strain relief on a day with a long release block",
        prior=(0.0, 0.5),
        prior_basis=("zero to double the value (judgement): seed 002 expects flexible release days "
                     "to relieve strain; no study sizes it"))
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
        description="daily absence probability at zero burnout and average propensity",
        prior=(0.02, 0.06),
        prior_basis=("wide for calibration: about half to 1.5 times the value that gives NCTQ's "
                     "about 11 days a year"))
    propensity_shape: float = param(
        1.5, unit="gamma shape", ge=0.1, le=100,
        source="assumption; OCR CRDC 2013-14: over 1 in 4 teachers miss 10+ days",
        description="spread of teachers' absence propensity (smaller: more unequal)",
        prior=(0.75, 3.0),
        prior_basis=("half to double the value (judgement); OCR's 'over 1 in 4 teachers miss 10+ "
                     "days' bounds it only loosely"))
    burnout_effect: float = param(
        1.0, unit="log-rate per unit burnout", ge=0, le=10, source="assumption",
        description="how much burnout raises absence",
        prior=(0.5, 2.0),
        prior_basis=("half to double the value (judgement): full burnout makes an absence 1.6 to "
                     "7.4 times as likely"))
    appointment_share: float = param(
        0.25, unit="fraction", ge=0, le=1, source="assumption",
        description="share of absences that are appointments or personal tasks that could "
        "be scheduled",
        prior=(0.1, 0.4),
        prior_basis=("judgement: no survey splits absences into illness and appointments that "
                     "could be scheduled"))
    appointment_move_share: float = param(
        0.8, unit="fraction", ge=0, le=1, source="assumption (seed 002: release time used "
        "for appointments)", description="share of those moved into release time when the "
        "schedule has long release blocks",
        prior=(0.5, 0.95),
        prior_basis=("judgement: seed 002 expects most appointments, not all, to fit in half-day "
                     "release blocks"))
    appointment_release_minutes: float = param(
        120.0, unit="min", ge=0, le=600, source="assumption: a medical appointment with "
        "travel", description="release-block minutes an appointment moved into release "
        "time takes from collaboration",
        prior=(60.0, 180.0),
        prior_basis="judgement: an appointment of one to three hours with travel")
    flexible_block_minutes: int = param(
        120, unit="min", ge=1, le=600, source="assumption", description="collaboration "
        "block length from which a day's release time can host an appointment",
        prior=(90, 150),
        prior_basis=("judgement: 1.5 to 2.5 hours; above 150 minutes not even the rotating "
                     "design's block would count"))


class Collaboration(Strict):
    """Quality of collaboration time: the structured practices a block follows (seed 004),
    time lost to the urgent, facilitation, willingness."""

    quality_structured: float = param(
        1.0, unit="0-1", ge=0, le=1, source="seed 004 (protocols) ; Ronfeldt et al. 2015",
        description="quality of a block that follows all five structured practices with no "
        "time lost to the urgent")
    quality_unstructured: float = param(
        0.4, unit="0-1", ge=0, le=1, source="assumption (seed 004: reacting to the urgent)",
        description="quality of unstructured collaboration (no structured practice)",
        prior=(0.2, 0.6),
        prior_basis=("judgement: unstructured time is worth a fifth to three-fifths of a fully "
                     "structured block (seed 004 gives no figure)"))
    facilitation_unfacilitated: float = param(
        0.8, unit="multiplier", ge=0, le=2, source="assumption",
        description="quality multiplier of a block with no facilitator by design",
        prior=(0.6, 1.0),
        prior_basis=("judgement: a block with no facilitator loses up to 40% of its value, or "
                     "nothing"))
    facilitation_missing_leader: float = param(
        0.6, unit="multiplier", ge=0, le=2, source="assumption",
        description="quality multiplier of a block meant to be facilitated whose leader "
        "post is empty",
        prior=(0.4, 0.8),
        prior_basis=("judgement: a team whose planned leader is missing loses a fifth to "
                     "three-fifths of a block's value"))
    facilitation_leader_min: float = param(
        0.8, unit="multiplier", ge=0, le=2, source="assumption",
        description="multiplier with the weakest leader (skill 0)",
        prior=(0.6, 1.0),
        prior_basis=("judgement: the weakest leader costs a block up to 40% of its value, or "
                     "nothing"))
    facilitation_leader_max: float = param(
        1.2, unit="multiplier", ge=0, le=2, source="assumption",
        description="multiplier with the strongest leader (skill 1)",
        prior=(1.0, 1.5),
        prior_basis="judgement: the strongest leader adds nothing to half again")
    unwilling_share: float = param(
        0.15, unit="fraction", ge=0, le=1, source="assumption (seed 003: some teachers do "
        "not want to collaborate)", description="share of teachers unwilling to collaborate",
        prior=(0.05, 0.3),
        prior_basis=("judgement: seed 003 says some teachers do not want to collaborate, not how "
                     "many"))
    willing_min: float = param(
        0.7, unit="0-1", ge=0, le=1, source="assumption", description="lowest willingness "
        "of a willing teacher (willing teachers are uniform between this and 1)",
        prior=(0.5, 0.9),
        prior_basis=("judgement: the least willing of the willing teachers from half to "
                     "nine-tenths engaged"))
    unwilling_willingness: float = param(
        0.2, unit="0-1", ge=0, le=1, source="assumption",
        description="willingness of an unwilling teacher",
        prior=(0.0, 0.4),
        prior_basis=("judgement: from no engagement to 0.4, still below every willing teacher at "
                     "willing_min's low end"))
    team_weight: float = param(
        0.5, unit="0-1", ge=0, le=1, source="assumption",
        description="weight of the team's mean willingness (vs the teacher's own)",
        prior=(0.2, 0.8), prior_kind="uniform",
        prior_basis=("no evidence on whether a teacher's own or the team's willingness matters "
                     "more, so no weight in 0.2-0.8 is favoured"))
    support_scale_minutes: float = param(
        150.0, unit="effective min per week", ge=1, le=2000, source="assumption",
        description="weekly effective collaboration that gives one unit of team support",
        prior=(75.0, 300.0),
        prior_basis=("half to double the value (judgement): no study puts team support in minutes "
                     "of collaboration"))


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
        description="yearly practice gain from unlimited effective collaboration",
        prior=(0.005, 0.05),
        prior_basis=("judgement, kept below the +0.055 SD school-wide effect of peer pairing "
                     "(Papay et al. 2020)"))
    collab_scale_minutes: float = param(
        6000.0, unit="effective min per year", ge=1, le=100000, source="assumption",
        description="effective collaboration at which 63% of the maximum gain is reached",
        prior=(3000.0, 12000.0),
        prior_basis=("half to double the value (judgement): 50 to 200 effective hours a year reach "
                     "63% of the gain"))
    collab_ceiling: float = param(
        0.06, unit="SD", ge=0, le=1, source="assumption, bounded by Papay et al. 2020 "
        "(+0.055 SD school-wide) and Kraft, Blazar & Hogan 2018 (large coaching programs "
        "about 0.09 SD)", description="most practice a teacher can gain from collaboration "
        "over a career; yearly gains shrink in proportion as it is approached",
        prior=(0.03, 0.09),
        prior_basis=("from half the value up to large coaching programs' about 0.09 SD (Kraft, "
                     "Blazar & Hogan 2018)"))
    programs_ceiling: float = param(
        0.15, unit="SD", ge=0, le=1, prior=(0.08, 0.3), source="assumption, bounded by "
        "coaching's pooled 0.18 SD (Kraft, Blazar & Hogan 2018) and the peer-pairing RCT's "
        "0.12 SD (Papay et al. 2020)", description="most practice a teacher can gain over a "
        "career from coaching, pairing, observation, PD and mentoring; yearly gains shrink "
        "in proportion as it is approached",
        prior_basis=("from below the pairing RCT's 0.12 SD to well above coaching's pooled 0.18 SD "
                     "(both in the source)"))
    burnout_drag: float = param(
        0.5, unit="fraction", ge=0, le=1, source="assumption",
        description="share of a year's growth lost at full burnout",
        prior=(0.2, 0.8),
        prior_basis="judgement: full burnout costs a fifth to four-fifths of a year's growth")
    burnout_penalty: float = param(
        0.03, unit="SD", ge=0, le=1, source="assumption",
        description="effectiveness lost in the classroom at full burnout",
        prior=(0.0, 0.06),
        prior_basis=("zero to double the value (judgement): no study found sizes the effectiveness "
                     "lost to burnout"))


class Retention(Strict):
    """End-of-year decisions: stay, move to another school, leave teaching, retire.

    Base rates by experience band come from NCES 2021-22 (stay/move/leave by years of
    experience); burnout, support, the school's environment, pay, the leader role and
    induction shift them on the logit scale. A school's poverty has no term of its own:
    it acts through the environment, the hiring pool and students' needs.
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
        "in a year",
        prior=(28.0, 36.0),
        prior_basis=("wide for calibration: four years either side, so the fit to NCES TFS's 27.7% "
                     "of leavers retiring sets it"))
    retire_scale_years: float = param(
        2.5, unit="years", ge=0.1, le=20, source="assumption",
        description="steepness of the retirement curve",
        prior=(1.5, 5.0),
        prior_basis=("judgement: the retirement hazard rises from 10% to 90% over about 7 to 22 "
                     "years of experience"))
    burnout_reference: float = param(
        0.464, unit="0-1", ge=0, le=1, source="calibrated: mean yearly burnout under the "
        "traditional baseline", description="burnout at which the base rates apply",
        prior=(0.3, 0.65),
        prior_basis=("wide for calibration: absorbs the baseline's mean burnout when the burnout "
                     "parameters move across their priors"))
    burnout_effect: float = param(
        2.0, unit="log-odds per unit burnout", ge=0, le=20,
        source="assumption (Madigan & Kim 2021: exhaustion r = .41 with intent to quit)",
        description="effect of the year's mean burnout on moving and leaving",
        prior=(1.0, 3.0),
        prior_basis=("judgement: half of intentions.burnout_effect's 2-6, as conditions predict "
                     "exits less than intentions (Ladd 2011)"))
    support_effect: float = param(
        0.2, unit="log-odds per unit support", ge=0, le=5,
        source="assumption (Kraft, Marinell & Yee 2016)",
        description="how much team support lowers moving and leaving",
        prior=(0.0, 0.5),
        prior_basis=("zero to 2.5 times the value (judgement): Kraft, Marinell & Yee 2016 give the "
                     "direction, not the size"))
    support_reference: float = param(
        0.046, unit="support units", ge=0, le=20, source="calibrated: traditional baseline",
        description="team support at which the base rates apply",
        prior=(0.0, 0.15),
        prior_basis=("wide for calibration: no support to about three times the baseline's, to "
                     "absorb the collaboration and support priors"))
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
        description="share of hires with no experience",
        prior=(0.25, 0.65),
        prior_basis=("wide for calibration (total turnover is fitted with it; judgement): a "
                     "quarter to two-thirds of hires new to teaching"))
    experienced_mean_years: float = param(
        8.0, unit="years", ge=0, le=40, source="assumption",
        description="mean experience of experienced hires",
        prior=(5.0, 12.0),
        prior_basis="judgement: experienced hires are mostly early- to mid-career")
    experienced_shape: float = param(
        2.0, unit="gamma shape", ge=0.5, le=20, source="assumption",
        description="shape of experienced hires' experience distribution",
        prior=(1.2, 4.0),
        prior_basis="judgement: from strongly right-skewed (1.2) to nearly bell-shaped (4)")
    unfilled_share: float = param(
        0.04, unit="fraction", ge=0, le=1, source="assumption", description="share of "
        "vacancies left unfilled for the year and covered by a long-term substitute, at the "
        "reference low-income share and an average environment",
        prior=(0.01, 0.08),
        prior_basis=("a quarter to double the value (judgement): School Pulse counts schools with "
                     "a vacancy, not vacancies open all year"))
    novice_poverty_effect: float = param(
        1.0, unit="log-odds per unit share", ge=0, le=5, prior=(0.5, 1.5),
        source="NCES NTPS 2015-16: first-year teachers 5.3% of staff in high- vs 3.7% in "
        "low-poverty schools (ratio 1.5); Goldhaber, Lavery & Theobald 2015",
        description="how much a school's share of low-income students raises the odds "
        "that a hire is a novice",
        prior_basis=("half to 1.5 times the value (judgement): NCES's 5.3% vs 3.7% first-year "
                     "teachers gives the direction and rough size"))
    novice_environment_effect: float = param(
        0.2, unit="log-odds per SD", ge=0, le=2, prior=(0.0, 0.4), source="assumption: "
        "experienced applicants choose schools with better environments",
        description="how much a better environment lowers the odds that a hire is a novice",
        prior_basis=("zero to double the value (judgement): applicants' preference is documented "
                     "in direction only"))
    unfilled_poverty_effect: float = param(
        1.5, unit="log-odds per unit share", ge=0, le=5, prior=(0.5, 2.5),
        source="NCES School Pulse, Oct 2022: 57% vs 41% of high- vs low-poverty schools had "
        "a vacancy (size assumption)", description="how much a school's share of "
        "low-income students raises the odds that a vacancy stays unfilled",
        prior_basis=("a third to 1.7 times the value (judgement): School Pulse's 57% vs 41% of "
                     "schools with a vacancy gives the direction, not this size"))
    unfilled_environment_effect: float = param(
        0.3, unit="log-odds per SD", ge=0, le=2, prior=(0.0, 0.6), source="assumption",
        description="how much a better environment lowers the odds that a vacancy stays "
        "unfilled",
        prior_basis="zero to double the value (judgement): no study sizes it")


class Leadership(Strict):
    """Choosing teacher leaders each year (experience threshold: staffing table)."""

    selection_noise: float = param(
        0.03, unit="SD", ge=0, le=1, source="assumption: principals judge practice with "
        "error", description="noise in the practice a principal sees when choosing leaders",
        prior=(0.0, 0.13),
        prior_basis=("judgement: from a principal who sees practice exactly to noise as wide as "
                     "the spread of teacher quality (quality_sd)"))
    min_willingness: float = param(
        0.5, unit="0-1", ge=0, le=1, source="assumption: unwilling collaborators do not "
        "lead teams", description="willingness needed to be chosen as a leader",
        prior=(0.3, 0.8),
        prior_basis=("judgement: with the willingness defaults values from 0.3 to 0.7 pick the "
                     "same teachers; above 0.7 some willing ones are passed over"))


class Students(Strict):
    """Students' yearly achievement growth, in SD units relative to the expected growth."""

    minutes_effect: float = param(
        0.25, unit="SD per 100% more time", ge=0, le=2, source="assumption (Lavy 2015: an "
        "hour more a week of a subject raises scores about 0.06 SD)",
        description="effect of proportionally more instructional time",
        prior=(0.1, 0.5),
        prior_basis=("Lavy 2015's 0.06 SD for an extra weekly hour is roughly 0.2-0.3 per doubling "
                     "of a subject's time; half to double (judgement)"))
    absence_day_effect: float = param(
        0.0033, unit="SD per teacher absence day", ge=0, le=0.1,
        source="Miller, Murnane & Willett 2008 (check): 10 days lower math by 3.3% of an SD",
        description="learning lost for each day a class has a substitute")
    long_term_sub_effect: float = param(
        0.05, unit="SD", ge=0, le=1, source="assumption",
        description="effectiveness of a long-term substitute below a novice teacher",
        prior=(0.0, 0.1),
        prior_basis=("zero to double the value (judgement): no study found compares a long-term "
                     "substitute with a novice"))
    grade_turnover_effect: float = param(
        0.05, unit="SD per share of team new", ge=0, le=1,
        source="Ronfeldt, Loeb & Wyckoff 2013 (direction; magnitude assumption)",
        description="lower growth when a grade team's teachers are new to it")
    persistence: float = param(
        0.3, unit="share per year", ge=0, le=1, prior=(0.2, 0.5),
        source="Jacob, Lefgren & Sims 2010 (about one-fifth of a teacher's effect survives a "
        "year); Kane & Staiger 2008 (about one-half); Chetty, Friedman & Rockoff 2014",
        description="share of a cohort's accumulated achievement (relative to expected "
        "growth) that carries into the next year",
        prior_basis=("the calibration sheet's carry-over range: one-fifth a year (Jacob, Lefgren & "
                     "Sims 2010) to one-half (Kane & Staiger 2008)"))


class Coaching(Strict):
    """Instructional coaching: practice grows with hours of coaching, more for teachers
    whose practice is below their school's, less when a program runs at scale."""

    gain_max: float = param(
        0.15, unit="SD per year", ge=0, le=1, prior=(0.06, 0.25),
        source="Kraft, Blazar & Hogan 2018: pooled 0.18 SD on achievement (0.49 SD on "
        "instruction), mostly small literacy trials", description="practice gained in a year from "
        "unlimited coaching in a small program, for a teacher of average practice",
        prior_basis=("from a third of the pooled 0.18 SD (small trials overstate) to about 1.4 "
                     "times it (judgement)"))
    hours_scale: float = param(
        10.0, unit="coaching hours per year", ge=0.1, le=200, prior=(5.0, 20.0),
        source="assumption: programs in Kraft, Blazar & Hogan 2018 typically give "
        "10-40 hours a year", description="hours of coaching at which 63% of gain_max is "
        "reached",
        prior_basis=("half to double the value (judgement): the programs give 10-40 hours a year "
                     "and reach most of their gain"))
    need_slope: float = param(
        0.3, unit="fraction per SD of practice", ge=0, le=2, prior=(0.0, 0.5),
        source="assumption (coaching helps teachers with weaker practice more: Blazar & Kraft "
        "2015; direction, not size)", description="how much larger the gain is for each SD "
        "of teacher quality (quality_sd) a teacher is below the school mean",
        prior_basis=("judgement: from no extra gain for weaker teachers to about 1.7 times the "
                     "value; the source gives the direction, not the size"))
    scale_discount: float = param(
        0.5, unit="multiplier", ge=0, le=1, prior=(0.4, 0.7),
        source="Kraft, Blazar & Hogan 2018: trials with 100+ teachers about half the effect",
        description="share of the small-program gain a very large program achieves",
        prior_basis=("the calibration sheet's 0.4-0.7 pilot-to-district multiplier (Kraft, Blazar "
                     "& Hogan 2018)"))
    scale_half_teachers: float = param(
        100.0, unit="teachers coached", ge=1, le=100000, prior=(50.0, 200.0),
        source="Kraft, Blazar & Hogan 2018 (the 100-teacher split)", description="program "
        "size (teachers coached in the district) at which half the scale discount applies",
        prior_basis="half to double the meta-analysis's 100-teacher split (judgement)")


class Pairing(Strict):
    """Peer pairing: a low-practice teacher observes and is observed by a high-practice
    colleague of the same school for a year (Papay, Taylor, Tyler & Laski 2020)."""

    target_gain: float = param(
        0.08, unit="SD per pairing year", ge=0, le=1, prior=(0.04, 0.12),
        source="Papay, Taylor, Tyler & Laski 2020: +0.12 SD for target teachers' students "
        "(one district; central value shrunk)",
        description="practice gained by a target teacher from a year of pairing at the "
        "trial's dose",
        prior_basis=("from a third of the trial's +0.12 SD to the full figure: one district, so "
                     "the value is shrunk"))
    partner_gain: float = param(
        0.0, unit="SD per pairing year", ge=0, le=1, prior=(0.0, 0.03),
        source="Papay et al. 2020: no measurable effect on partners", description="practice "
        "gained by the high-practice partner",
        prior_basis=("from the trial's null effect to a small gain it could not rule out "
                     "(judgement)"))
    reference_hours: float = param(
        10.0, unit="hours per year", ge=0.1, le=200, prior=(6.0, 15.0),
        source="assumption: several observations and debriefs, as in the trial",
        description="pairing hours at which the full gain is reached (gains scale down in "
        "proportion below it)",
        prior_basis="judgement around the trial's several observations and debriefs a year")


class Observation(Strict):
    """Growth-oriented observation and feedback cycles (observe, debrief, follow up)."""

    gain_max: float = param(
        0.05, unit="SD per year", ge=0, le=1, prior=(0.0, 0.11),
        source="Garet et al. 2017 (NCEE feedback study): about 0.05 SD in math in year 1; "
        "Taylor & Tyler 2012: 0.05 SD in the year, 0.11 SD in later years (math)",
        description="practice "
        "gained in a year from many well-given feedback cycles",
        prior_basis="from no effect to Taylor & Tyler 2012's 0.11 SD in later years")
    cycles_scale: float = param(
        2.0, unit="cycles per year", ge=0.1, le=50, prior=(1.0, 4.0),
        source="assumption (the NCEE study gave four cycles a year)", description="cycles "
        "at which 63% of the gain is reached",
        prior_basis="half to double the value (judgement); the NCEE study gave four cycles a year")
    principal_quality: float = param(
        0.8, unit="0-1.2 quality", ge=0, le=2, prior=(0.5, 1.0), source="assumption",
        description="quality of a principal's feedback (a teacher leader's is the team's "
        "facilitation multiplier, 0.8-1.2)",
        prior_basis=("judgement: a principal's feedback from half as good as an average teacher "
                     "leader's (1.0) to as good"))
    principal_cycles_capacity: float = param(
        60.0, unit="cycles per year", ge=1, le=1000, prior=(30.0, 100.0),
        source="assumption: a few hours a week of a principal's time",
        description="feedback cycles a principal can give in a year; beyond it quality "
        "falls in proportion",
        prior_basis=("judgement: half to about 1.7 times the value, for principals who give less "
                     "or more of their week to feedback"))


class ProfessionalLearning(Strict):
    """Professional development teaches, or does not, depending on its kind."""

    gain_content_focused: float = param(
        0.06, unit="SD per year", ge=0, le=1, prior=(0.02, 0.15),
        source="Lynch, Hill, Gonzalez & Pollard 2019: +0.21 SD, mostly researcher-aligned "
        "tests (discounted)", description="practice gained in a year from plenty of "
        "content-focused PD",
        prior_basis=("a tenth to about 70% of Lynch et al.'s +0.21 SD, discounted for "
                     "researcher-aligned tests"))
    gain_generic: float = param(
        0.0, unit="SD per year", ge=0, le=1, prior=(0.0, 0.02),
        source="Garet et al. 2008, 2010, 2011 (NCEE): about zero on achievement",
        description="practice gained in a year from plenty of generic workshop PD",
        prior_basis=("from the NCEE studies' zero to a small gain they could not rule out "
                     "(judgement)"))
    gain_chosen: float = param(
        0.02, unit="SD per year", ge=0, le=1, prior=(0.0, 0.06),
        source="assumption: choice raises engagement (Kennedy 2016: how PD helps teachers "
        "enact ideas matters; no causal estimate of choice found)",
        description="practice gained in a year from plenty of PD teachers chose",
        prior_basis=("judgement: from zero (no causal estimate of choice) to the content-focused "
                     "value"))
    gain_micro_credential: float = param(
        0.02, unit="SD per year", ge=0, le=1, prior=(0.0, 0.05),
        source="assumption: no causal estimate of micro-credentials found",
        description="practice gained from completing a micro-credential in a year",
        prior_basis="zero to 2.5 times the value (judgement): no causal estimate exists")
    gain_coursework: float = param(
        0.0, unit="SD per year", ge=0, le=1, prior=(0.0, 0.02),
        source="Harris & Sass 2011; Ladd & Sorensen 2015: graduate coursework and degrees "
        "add little to effectiveness", description="practice gained from a year of "
        "tuition-paid coursework",
        prior_basis=("from the studies' near-zero to a small gain they could not rule out "
                     "(judgement)"))
    hours_scale: float = param(
        40.0, unit="PD hours per year", ge=1, le=500, prior=(20.0, 80.0),
        source="assumption (effective programs in Lynch et al. 2019 run tens of hours)",
        description="hours of a kind of PD at which 63% of its gain is reached",
        prior_basis=("half to double the value (judgement): effective programs run tens of hours "
                     "(Lynch et al. 2019)"))


class Induction(Strict):
    """Mentoring of first-year teachers and teacher residencies."""

    mentor_gain: float = param(
        0.02, unit="SD", ge=0, le=1, prior=(0.0, 0.06),
        source="Glazerman et al. 2010 (NCEE induction RCT): no effect in years 1-2, "
        "0.11-0.20 SD by year 3 for two years of induction; Rockoff 2008", description="extra "
        "practice a mentored first-year teacher gains in the year",
        prior_basis=("judgement: from the RCT's null in years 1-2 to a small first-year share of "
                     "its 0.11-0.20 SD by year 3"))
    mentor_support_quality: float = param(
        1.0, unit="multiplier", ge=0, le=2, prior=(0.5, 1.2), source="assumption: an hour "
        "with a mentor supports like an hour of structured collaboration",
        description="how much a mentoring minute counts toward team support",
        prior_basis=("judgement: a mentoring hour supports from half as much as to a little more "
                     "than an hour of structured collaboration"))
    mentor_retention_effect: float = param(
        0.1, unit="log-odds", ge=0, le=2, prior=(0.0, 0.35),
        source="Glazerman et al. 2010 (NCEE 2010-4027): no retention effect of "
        "comprehensive induction; Ingersoll & Strong 2011 (observational, larger)",
        description="how much having a mentor lowers a first-year teacher's moving and "
        "leaving, beyond the support it gives",
        prior_basis=("from the RCT's null toward the calibration sheet's 0-0.5 log-odds for a full "
                     "support package, lower for mentoring alone (judgement)"))
    residency_experience_years: float = param(
        0.5, unit="years of experience", ge=0, le=2, prior=(0.0, 1.0),
        source="Papay, West, Fullerton & Kane 2012 (Boston Teacher Residency): graduates no "
        "better at first, better by years 4-5", description="head start on the experience "
        "curve from a residency year co-teaching",
        prior_basis=("from no head start (graduates no better at first) to a full year of "
                     "experience (judgement)"))
    residency_retention_effect: float = param(
        0.3, unit="log-odds", ge=0, le=2, prior=(0.0, 0.6),
        source="Papay et al. 2012: residency graduates stayed in their schools longer",
        description="how much a residency graduate's moving and leaving is lowered during "
        "the service commitment",
        prior_basis=("zero to double the value (judgement): the study reports longer stays, not a "
                     "size on this scale"))


class Careers(Strict):
    """The teacher-leader pipeline: interest in leading, take-up, learning the role and
    the pay that keeps leaders."""

    interest_experience_effect: float = param(
        0.15, unit="log-odds per year", ge=0, le=2, prior=(0.0, 0.3), source="assumption",
        description="how much interest in leading grows with each year of experience (up to "
        "10 years)",
        prior_basis="zero to double the value (judgement): no study sizes it")
    interest_reference_years: float = param(
        5.0, unit="years", ge=0, le=40, source="definition: leader_bench is the interest "
        "of a teacher with this much experience", description="experience at which a "
        "school's leader_bench applies")
    interest_support_effect: float = param(
        0.3, unit="log-odds per unit support", ge=0, le=5, prior=(0.0, 0.6),
        source="assumption", description="how much team support raises interest in leading",
        prior_basis="zero to double the value (judgement): no study sizes it")
    cultivation_effect: float = param(
        1.0, unit="log-odds", ge=0, le=5, prior=(0.3, 1.5), source="assumption (seed 002: "
        "intentionally cultivating future leaders)", description="how much holding an "
        "aspiring-leader role raises interest in leading",
        prior_basis=("a third to 1.5 times the value (judgement): seed 002 gives the intent, no "
                     "study the size"))
    stipend_takeup_effect: float = param(
        0.1, unit="log-odds per $1,000", ge=0, le=2, prior=(0.03, 0.2), source="assumption",
        description="how much each $1,000 of expected stipend above reference_stipend "
        "raises interest in leading",
        prior_basis=("a third to double the value (judgement): no study sizes take-up per dollar "
                     "of stipend"))
    reference_stipend: float = param(
        5000.0, unit="$ per year", ge=0, le=50000, source="definition: leader_bench is the "
        "interest at this stipend (district schedules pay $500-5,000 per role)",
        description="stipend at which a school's leader_bench applies")
    pay_exit_elasticity: float = param(
        2.5, unit="log-odds per log pay", ge=0, le=20, prior=(1.0, 4.0),
        source="Clotfelter, Glennie, Ladd & Vigdor 2008: a $1,800 bonus cut turnover 17% "
        "(about 3.5); Feng & Sass 2018; general pay diluted",
        description="how much extra pay (a stipend, as a "
        "share of salary) lowers moving and leaving",
        prior_basis=("judgement: Clotfelter et al. 2008's about 3.5 for a targeted bonus, diluted "
                     "for general pay"))
    leader_role_effect: float = param(
        0.2, unit="log-odds", ge=0, le=5, prior=(0.0, 0.4), source="assumption (role, "
        "voice and colleagues, apart from pay)", description="how much holding a leader "
        "post lowers moving and leaving, apart from its stipend",
        prior_basis="zero to double the value (judgement): no study sizes it")
    role_skill_gain: float = param(
        0.3, unit="skill (0-1)", ge=0, le=1, prior=(0.1, 0.5), source="assumption",
        description="facilitation skill a leader gains by learning the role",
        prior_basis="a third to about 1.7 times the value (judgement): no study sizes it")
    role_learning_years: float = param(
        2.0, unit="years", ge=0.1, le=20, prior=(1.0, 4.0), source="assumption",
        description="years in the role at which 63% of role_skill_gain is reached",
        prior_basis="half to double the value (judgement): no study sizes it")
    aspiring_role_rate: float = param(
        0.5, unit="years of role per year", ge=0, le=1, source="assumption: aspiring "
        "leaders co-facilitate", description="role experience an aspiring leader gains in "
        "a year",
        prior=(0.25, 0.75),
        prior_basis=("judgement: co-facilitating teaches a quarter to three-quarters as much as "
                     "leading"))


class Intentions(Strict):
    """Each spring teachers say whether they intend to leave their school; most exits
    come from those who said so, but intent is not exit."""

    base: float = param(
        -1.3, unit="logit", ge=-10, le=10, source="calibrated: RAND State of the American "
        "Teacher, 16-33% intend to leave (22% in 2024)", description="log-odds of intending "
        "to leave at reference burnout and support",
        prior=(-2.5, 0.0),
        prior_basis=("wide for calibration: 8% to 50% intend to leave at reference burnout and "
                     "support, around RAND's 16-33%"))
    burnout_effect: float = param(
        4.0, unit="log-odds per unit burnout", ge=0, le=20, prior=(2.0, 6.0),
        source="Madigan & Kim 2021: exhaustion r = .41 with intent to quit (size: "
        "assumption)", description="how much the year's mean burnout raises intent",
        prior_basis=("half to 1.5 times the value (judgement): Madigan & Kim 2021's r = .41 shows "
                     "a strong link, not this size"))
    support_effect: float = param(
        0.3, unit="log-odds per unit support", ge=0, le=5, prior=(0.0, 0.6),
        source="assumption (Kraft, Marinell & Yee 2016)", description="how much team support "
        "lowers intent",
        prior_basis="zero to double the value (judgement): no study sizes it")
    environment_effect: float = param(
        0.45, unit="log-odds per SD", ge=0, le=5, prior=(0.3, 0.7),
        source="Ladd 2011: working conditions predict intentions more strongly than exits",
        description="how much a better professional environment (summary index) lowers "
        "intent",
        prior_basis=("judgement: at or above the calibration sheet's 0.15-0.5 for exits, as "
                     "conditions predict intentions more (Ladd 2011)"))
    exit_risk_ratio: float = param(
        4.0, unit="ratio", ge=1, le=50, prior=(1.5, 6.0), source="RAND 2022: about a third "
        "of teachers intending to leave did so by the next year (4 reproduces that); "
        "Nguyen et al.: intent is only somewhat predictive",
        description="how many times likelier a teacher who intends to leave is to move or "
        "leave than one who does not (each teacher's overall exit probability is kept)",
        prior_basis=("judgement: 4 reproduces RAND's third of intenders leaving; 1.5-6 lets intent "
                     "be weakly or strongly predictive"))


class Returners(Strict):
    """Some teachers who leave teaching come back in later years."""

    return_hazard: float = param(
        0.06, unit="per year", ge=0, le=1, prior=(0.04, 0.08),
        source="DeAngelis & Presley 2011: about one in three early leavers returns; 0.06 "
        "for five years gives 27% ever returning",
        description="yearly chance that a former teacher of the district "
        "comes back, while away at most max_years_away",
        prior_basis=("the calibration sheet's 0.04-0.08 a year for five years (one-fifth to "
                     "one-third of leavers ever return)"))
    max_years_away: int = param(
        5, unit="years", ge=0, le=40, source="DeAngelis 2013: most returns within five years",
        description="years after leaving beyond which a former teacher no longer returns")


class Environment(Strict):
    """A school's professional environment: leadership, collegial culture, academic
    expectations and safety, each in SD from the district mean (Kraft, Marinell & Yee
    2016). The summary index is their mean."""

    poverty_reference: float = param(
        0.5, unit="share", ge=0, le=1, source="definition: Elementary School D's share, "
        "at which the published base rates apply", description="low-income share at which "
        "students' needs add no work and the hiring pool and substitute fill rate are as "
        "given")
    growth_effect: float = param(
        0.25, unit="fraction per SD", ge=0, le=1, prior=(0.1, 0.4),
        source="Kraft & Papay 2014: teachers in schools at the 75th percentile of "
        "professional environment improved 38% more over ten years than at the 25th "
        "(about 0.28 per SD)", description="how much faster practice grows (every channel) "
        "for each SD of the environment index",
        prior_basis=("judgement: from under half to about 1.4 times Kraft & Papay 2014's about "
                     "0.28 per SD"))
    strain_buffer: float = param(
        0.3, unit="logit per SD", ge=0, le=5, prior=(0.1, 0.5), source="assumption "
        "(Kraft, Marinell & Yee 2016: leadership, relationships and safety)",
        description="strain relief from each SD of the environment index",
        prior_basis="a third to 1.7 times the value (judgement): the source gives the direction")
    collegiality_quality_effect: float = param(
        0.1, unit="fraction per SD", ge=0, le=0.5, prior=(0.0, 0.25),
        source="assumption (Ronfeldt et al. 2015: collaboration quality differs between "
        "schools)", description="how much more each minute of collaboration is worth for "
        "each SD of collegial culture",
        prior_basis=("zero to 2.5 times the value (judgement): the source shows quality differs, "
                     "not by how much"))
    move_effect: float = param(
        0.4, unit="log-odds per SD", ge=0, le=5, prior=(0.2, 0.6),
        source="Kraft, Marinell & Yee 2016; Boyd et al. 2011 (administrative support "
        "drives transfers most); calibration sheet prior 0.15-0.5",
        description="how much a better environment lowers moving to another school",
        prior_basis=("around the calibration sheet's 0.15-0.5 log-odds of exit per SD, shifted up "
                     "because moves respond most (Boyd et al. 2011)"))
    leave_effect: float = param(
        0.15, unit="log-odds per SD", ge=0, le=5, prior=(0.0, 0.3),
        source="Ladd 2011; Boyd et al. 2011: conditions move teachers between schools more "
        "than out of teaching (size assumption)", description="how much a better "
        "environment lowers leaving teaching",
        prior_basis=("zero to double the value (judgement): leaving responds to conditions less "
                     "than moving (Ladd 2011; Boyd et al. 2011)"))
    destination_preference: float = param(
        0.5, unit="log-odds per SD", ge=0, le=5, prior=(0.0, 1.0),
        source="assumption (movers go to schools with better conditions: Boyd et al. 2011)",
        description="how much more likely a mover within the district takes an open post "
        "at a school one SD better",
        prior_basis="zero to double the value (judgement): the source gives the direction")
    adjust_rate: float = param(
        0.3, unit="per year", ge=0, le=1, prior=(0.1, 0.5), source="assumption",
        description="share of the gap to its target that collegiality and expectations "
        "close in a year",
        prior_basis="judgement: a school's culture closes a tenth to half of the gap in a year")
    collegiality_support_effect: float = param(
        0.5, unit="SD per unit support", ge=0, le=5, prior=(0.0, 1.0), source="assumption "
        "(Ronfeldt et al. 2015: good collaboration builds relationships)",
        description="how much a school's mean team support above the reference raises its "
        "collegial culture",
        prior_basis="zero to double the value (judgement): the source gives the direction")
    collegiality_turnover_effect: float = param(
        1.0, unit="SD per share of staff new", ge=0, le=10, prior=(0.0, 2.0),
        source="assumption (Ronfeldt, Loeb & Wyckoff 2013: turnover disrupts staff "
        "cohesion)", description="how much a share of staff new to the school above "
        "turnover_reference lowers collegial culture",
        prior_basis="zero to double the value (judgement): the source gives the direction")
    turnover_reference: float = param(
        0.16, unit="share", ge=0, le=1, source="NCES TFS/NTPS: about 16% of a school's "
        "teachers are new each year", description="share of staff new to the school at "
        "which turnover does not erode collegiality")
    teacher_leader_effect: float = param(
        0.2, unit="SD", ge=0, le=2, prior=(0.0, 0.4), source="assumption (distributed "
        "leadership; seed 002)", description="leadership gained when every teacher-leader "
        "post of the school is filled",
        prior_basis="zero to double the value (judgement): no study sizes it")
    expectations_leadership_effect: float = param(
        0.5, unit="SD per SD", ge=0, le=1, prior=(0.0, 1.0), source="assumption "
        "(principals set academic expectations)", description="how far expectations follow "
        "a change in leadership from the school's own level",
        prior_basis=("judgement: from expectations not following leadership at all to following it "
                     "fully"))
    principal_exit_rate: float = param(
        0.18, unit="per year", ge=0, le=1, prior=(0.15, 0.22),
        source="Levin & Bradley 2019 (NASSP/LPI): about 18% of principals leave their "
        "school each year", description="yearly chance that a school's principal leaves",
        prior_basis=("judgement around the source's about 18% a year, for differences between "
                     "districts"))
    new_principal_sd: float = param(
        0.5, unit="SD", ge=0, le=3, prior=(0.25, 1.0), source="assumption",
        description="spread of a new principal's leadership around the school's own level",
        prior_basis="half to double the value (judgement): no study sizes it")


class Implementation(Strict):
    """How well an adopting school runs a new schedule, and how that changes over time:
    fidelity, maturity of collaboration, time lost to the urgent, abandonment."""

    fidelity_base: float = param(
        0.5, unit="logit", ge=-5, le=5, prior=(0.0, 1.0), source="assumption: an average "
        "school runs about 62% of the design as intended without start-up support",
        description="logit of the fidelity of an average-ready school that did not "
        "volunteer, after start-up support",
        prior_basis="judgement: 50% to 73% of the design run as intended, around the value's 62%")
    readiness_effect: float = param(
        0.8, unit="logit per SD of readiness", ge=0, le=5, prior=(0.3, 1.2),
        source="assumption (Fixsen et al. 2005: organisational readiness)",
        description="how much each SD of readiness raises fidelity",
        prior_basis=("judgement: from a weak to a strong readiness gradient; Fixsen et al. 2005 "
                     "give the direction"))
    bench_weight: float = param(
        2.5, unit="SD per unit bench", ge=0, le=10, source="assumption: the generated bench "
        "ranges 0.3-1.0, about 1.75 SD of readiness", description="readiness from a deeper "
        "leader bench (readiness = mean of leadership and collegiality + bench_weight x "
        "(leader_bench - bench_reference))",
        prior=(1.0, 4.0),
        prior_basis=("judgement: the generated bench range (0.3-1.0) then spans about 0.7 to 2.8 "
                     "SD of readiness"))
    bench_reference: float = param(
        0.65, unit="share", ge=0, le=1, source="definition: the middle of the generated "
        "range", description="leader bench of an average-ready school")
    volunteer_effect: float = param(
        0.5, unit="logit", ge=0, le=3, prior=(0.0, 1.0), source="assumption (pilots of "
        "volunteers do better than the schools that follow: Al-Ubaydli, List & Suskind "
        "2017 on voltage drop)", description="fidelity gained by a school that volunteered "
        "(the pilots of pilot_then_scale)",
        prior_basis=("zero to double the value (judgement): voltage drop is documented, not sized "
                     "for schedules"))
    support_effect: float = param(
        0.6, unit="logit", ge=0, le=3, prior=(0.2, 1.0), source="assumption (seed 002: two "
        "years of start-up funding)", description="fidelity gained while start-up support "
        "lasts (rollout.startup_years)",
        prior_basis="a third to 1.7 times the value (judgement): no study sizes it")
    new_principal_effect: float = param(
        0.5, unit="logit", ge=0, le=3, prior=(0.0, 1.0), source="assumption",
        description="fidelity lost in a year after the principal changed",
        prior_basis="zero to double the value (judgement): no study sizes it")
    maturity_start: float = param(
        0.3, unit="0-1", ge=0, le=1, prior=(0.1, 0.5), source="assumption (seed 003: PLCs "
        "'took a long time' to go well)", description="maturity of a team's collaboration "
        "in its first year on the design",
        prior_basis=("judgement: a team starts with a tenth to half of full maturity (seed 003: it "
                     "took a long time)"))
    maturity_years: float = param(
        1.5, unit="years", ge=0.1, le=20, prior=(1.0, 2.0), source="Fixsen et al. 2005: "
        "full implementation takes 2-4 years", description="time constant of maturing: "
        "each year on the design closes 1 - exp(-1 / maturity_years) of the gap to full "
        "maturity",
        prior_basis=("the calibration sheet's time constant of 1-2 years, near-full implementation "
                     "in 2-4 years (Fixsen et al. 2005)"))
    leader_loss_setback: float = param(
        0.3, unit="share of maturity", ge=0, le=1, prior=(0.1, 0.5), source="assumption "
        "(seed 004: without facilitation time drifts to the urgent)",
        description="maturity lost when all of a school's teams change or lose their "
        "leader (in proportion for fewer)",
        prior_basis="a third to 1.7 times the value (judgement): no study sizes it")
    cancel_setback: float = param(
        1.0, unit="share of maturity per share cancelled", ge=0, le=5, prior=(0.5, 2.0),
        source="assumption", description="maturity lost for each share of the year's "
        "collaboration blocks cancelled (specials cover absent)",
        prior_basis="half to double the value (judgement): no study sizes it")
    urgent_floor: float = param(
        0.1, unit="share", ge=0, le=1, prior=(0.05, 0.25), source="assumption (seed 004)",
        description="share of structured collaboration time lost to the urgent in a "
        "mature team at full fidelity",
        prior_basis=("judgement: even a mature team loses a twentieth to a quarter of its time to "
                     "the urgent (seed 004)"))
    abandon_rate: float = param(
        0.08, unit="per year", ge=0, le=1, prior=(0.03, 0.27),
        source="Taylor 2006 (AIR): nearly a third of 395 schools dropped their reform model "
        "within about 3 years (0.10-0.27 a year for externally designed models); central "
        "value lower for a district's own schedule (assumption)",
        description="yearly chance that a school on the design at reference fidelity "
        "abandons it (back to the baseline), while start-up support lasts",
        prior_basis=("up to the top of external models' 0.10-0.27 a year (Taylor 2006), lower for "
                     "a district's own schedule (judgement)"))
    abandon_funding_end: float = param(
        1.25, unit="multiplier", ge=1, le=10, prior=(1.0, 2.5), source="calibration sheet: "
        "abandonment is higher once funding ends (size assumption)",
        description="abandonment hazard multiplier after start-up support ends",
        prior_basis="judgement: from no rise when funding ends to two and a half times the hazard")


class Coverage(Strict):
    """Substitutes and what happens when none comes."""

    poverty_fill_gap: float = param(
        0.25, unit="fill rate per unit share", ge=0, le=1, prior=(0.1, 0.4),
        source="Frontline Education; Liu, Loeb & Shi 2022: disadvantaged schools get less "
        "cover (0.55-0.75 vs 0.80-0.88)", description="how much lower a school's substitute "
        "fill rate is per unit of low-income share above the reference",
        prior_basis=("judgement: spans the gap between normal (0.80-0.88) and high-poverty "
                     "(0.55-0.75) fill rates, per unit of low-income share"))
    colleague_share: float = param(
        0.6, unit="share", ge=0, le=1, prior=(0.3, 0.9), source="assumption (colleagues "
        "give up planning periods; otherwise classes are split or combined)",
        description="share of an unfilled absence's teaching covered by colleagues in their "
        "planning time (the rest: classes combined)",
        prior_basis=("judgement: colleagues cover from under a third to nine-tenths of an unfilled "
                     "absence's teaching"))
    combined_learning_loss: float = param(
        0.5, unit="share", ge=0, le=1, prior=(0.25, 1.0), source="assumption",
        description="share of a day's instruction lost by a class combined with or split "
        "among others",
        prior_basis="judgement: a combined class loses a quarter to all of a day's instruction")


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
    coaching: Coaching = Field(default_factory=Coaching, description="instructional "
                               "coaching")
    pairing: Pairing = Field(default_factory=Pairing, description="peer pairing")
    observation: Observation = Field(default_factory=Observation,
                                     description="observation and feedback")
    professional_learning: ProfessionalLearning = Field(
        default_factory=ProfessionalLearning, description="what PD teaches, by kind")
    induction: Induction = Field(default_factory=Induction, description="mentoring and "
                                 "residencies")
    careers: Careers = Field(default_factory=Careers, description="the teacher-leader "
                             "pipeline")
    intentions: Intentions = Field(default_factory=Intentions, description="intent to leave")
    returners: Returners = Field(default_factory=Returners, description="leavers who return")
    environment: Environment = Field(default_factory=Environment,
                                     description="schools' professional environment")
    implementation: Implementation = Field(default_factory=Implementation,
                                           description="implementation over time")
    coverage: Coverage = Field(default_factory=Coverage, description="substitutes and cover")


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
        "first model year",
        prior=(0.01, 0.05),
        prior_basis=("judgement around recent nominal growth of average teacher pay (NEA): 1% a "
                     "year in lean years to 5% in high-inflation ones"))
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
        "daily rates)", description="pay of a long-term substitute in a vacant post",
        prior=(150.0, 300.0),
        prior_basis=("judgement: from just above the daily substitute rate ($129-157, BLS OEWS; "
                     "NCTQ) to about double it"))
    price_year: int | None = param(
        None, unit="calendar year", ge=1990, le=2100, source="definition: default, the run's "
        "first year (run.start_year)", description="the year whose dollars every price and "
        "salary here is in; every money line is grown by salary_growth from it, so all "
        "lines share one price basis")
    stipends_follow_salaries: bool = param(
        True, unit="yes/no", source="the district's choice (default: stipends sit in the "
        "salary schedule and move with it)", description="whether stipends (leader, "
        "mentor, pairing, micro-credential) grow with salaries each year; false keeps them "
        "at their price-year amounts, as a contract that fixes stipends in dollars would")
    turnover_cost_by_size: Literal["smooth", "bands"] = param(
        "smooth", unit="rule", source="LPI 2024 publishes three size bands; smoothing is "
        "our reading", description="how the cost per leaver follows district enrolment: "
        "'smooth' interpolates LPI's three figures on log enrolment between the bands' "
        "centres (3,162, 22,361 and 158,114 students: the geometric middles of 1,000-10,000, "
        "10,000-50,000 and 50,000-500,000) and holds them flat beyond; 'bands' uses LPI's "
        "bands as published (under 10,000; 10,000-50,000; over 50,000)")
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
        description="cost of a move within the district relative to a leaver's",
        prior=(0.25, 0.75),
        prior_basis=("judgement: a move within the district saves recruiting, not hiring and "
                     "onboarding; no study splits LPI's cost"))
    pd_hourly_rate: float = param(
        35.0, unit="$ per teacher-hour", ge=0, le=500, source="assumption (typical extra-"
        "duty hourly rate)", description="pay for PD hours beyond the contract day",
        prior=(25.0, 60.0),
        prior_basis=("judgement: the extra-duty hourly rates we expect in district contracts; no "
                     "survey in the sources"))
    pd_session_cost: float = param(
        500.0, unit="$ per session per school", ge=0, le=100000, source="assumption",
        description="facilitation and materials of one after-school PD session",
        prior=(200.0, 1500.0),
        prior_basis=("judgement: an in-house facilitator and handouts at the low end, an outside "
                     "presenter at the high end"))
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
