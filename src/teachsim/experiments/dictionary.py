"""The data dictionary: every column of every output table, with its meaning, unit and
type, and the page docs/outputs.md rendered from it.

Regenerate the page with
``uv run python -m teachsim.experiments.dictionary > docs/outputs.md``; tests check that
the committed page is current and that the tables a real run and a real sweep write have
exactly these columns, in this order, with these types (tests/test_outputs_doc.py).

The registry holds the tables of ``teachsim run`` (model/run.py, model/model.py) and of a
results directory (experiments/runner.py, store.py). Layers above this one add their own
tables with :func:`register`, in a module listed in :data:`EXTENSIONS` (the money layer's
``teachsim.money.columns``, once it exists)::

    from teachsim.experiments.dictionary import Column, register

    register("ledger", [Column("line", "what the amount pays for", "-", "string"), ...],
             rows="budget line, school and year", written_by="teachsim budget --out")

This module imports nothing of the model (it describes what the model writes, and the
tests check the description against real tables), so ``python -m`` renders the page in
a fraction of a second.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import textwrap
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

#: type families a column may have; the doc's intro maps each to Arrow, DuckDB, pandas
DTYPES = ("int64", "float64", "string", "bool")

#: conditions under which a column (or a table) is present; ``only_when`` takes one of
#: these keys (a registered table may use its own text instead)
RUN = "run"
SWEEP = "sweep"
SWEPT = "sweep with [sweep]"
DRAWN = "drawn parameter sets"
CONDITIONS = {
    RUN: "only in `teachsim run` output (a results directory keeps the seed in `runs`)",
    SWEEP: "only in a results directory",
    SWEPT: "only in a results directory of an experiment with a `[sweep]`",
    DRAWN: "only when the runs drew parameter sets (`[uncertainty] parameters` is "
           '"posterior", the default, or an ensemble file; not with "point" or '
           "`teachsim sweep --point-estimate`)",
}

#: modules of higher layers that register their tables when imported. They are found by
#: name at render time, not imported here: this layer must not depend on the layers
#: above it (import-linter), and an absent module simply registers nothing.
EXTENSIONS = ("teachsim.money.columns",)


@dataclass(frozen=True)
class Column:
    """One column: ``unit`` is "-" for identifiers and labels, ``dtype`` one of
    :data:`DTYPES`. With ``pattern``, ``name`` is a placeholder such as
    ``<swept parameter>`` for a family of columns whose real names match the regular
    expression (at least one of them is present)."""

    name: str
    meaning: str
    unit: str
    dtype: str
    only_when: str | None = None
    pattern: str | None = None

    def matches(self, name: str) -> bool:
        if self.pattern is None:
            return name == self.name
        return re.fullmatch(self.pattern, name) is not None


@dataclass(frozen=True)
class Table:
    """A registered table: what one row is, who writes it where, its columns in order."""

    name: str
    columns: tuple[Column, ...]
    rows: str = ""
    written_by: str = ""
    only_when: str | None = None


_REGISTRY: dict[str, Table] = {}


def register(table: str, columns: Sequence[Column], *, rows: str, written_by: str,
             only_when: str | None = None) -> None:
    """Add ``table`` with its ``columns`` in the order the files have them.

    ``rows`` says what one row is ("teacher and school year"), ``written_by`` which
    command writes it and where. Registering the same definition again is a no-op (a
    module may be imported twice under different names); a different one is an error,
    so two layers cannot silently claim one table name."""
    entry = Table(table, tuple(columns), rows, written_by, only_when)
    _check(entry)
    known = _REGISTRY.get(table)
    if known is not None and known != entry:
        raise ValueError(f"table {table!r} is already registered with other columns")
    _REGISTRY[table] = entry


def _check(t: Table) -> None:
    if not re.fullmatch(r"\w+", t.name):
        raise ValueError(f"table name {t.name!r}: use letters, digits and _")
    if not t.columns:
        raise ValueError(f"{t.name}: no columns")
    if not t.rows.strip() or not t.written_by.strip():
        raise ValueError(f"{t.name}: say what one row is and which command writes it")
    seen: set[str] = set()
    for c in t.columns:
        where = f"{t.name}.{c.name}"
        if c.dtype not in DTYPES:
            raise ValueError(f"{where}: dtype {c.dtype!r} is not one of {DTYPES}")
        if not c.meaning.strip() or not c.unit.strip():
            raise ValueError(f"{where}: give a meaning and a unit ('-' for identifiers)")
        if c.pattern is not None:
            re.compile(c.pattern)
        # A column present under two conditions (e.g. run and sweep) may be listed twice
        # with different wording; the same name under the same condition may not.
        key = f"{c.name}\0{c.only_when}"
        if key in seen:
            raise ValueError(f"{where}: listed twice")
        seen.add(key)


def load_extensions() -> None:
    """Import the modules of :data:`EXTENSIONS` that exist, so their tables register."""
    for name in EXTENSIONS:
        try:
            found = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # the parent package itself is absent
            found = None
        if found is not None:
            importlib.import_module(name)


def tables() -> dict[str, Table]:
    """Every registered table, the built-in ones first, by name."""
    load_extensions()
    return dict(_REGISTRY)


def columns(table: str, conditions: Collection[str] | None = None) -> list[Column]:
    """The columns of ``table`` in order; with ``conditions``, only those present when
    exactly these conditions hold (columns without ``only_when`` are always present)."""
    cols = tables()[table].columns
    if conditions is None:
        return list(cols)
    return [c for c in cols if c.only_when is None or c.only_when in conditions]


def dtype_family(type_name: str) -> str:
    """The family in :data:`DTYPES` of an Arrow, DuckDB or pandas type name ("double",
    "BIGINT", "object", ...); an unknown name is returned as it is."""
    t = type_name.strip().lower()
    if re.fullmatch(r"u?int(8|16|32|64)|(u|small|tiny|big|huge|u?big)?int(eger)?", t):
        return "int64"
    if re.fullmatch(r"double|float(16|32|64)?|real|halffloat|decimal.*", t):
        return "float64"
    if t in ("string", "large_string", "utf8", "large_utf8", "varchar", "object", "str"):
        return "string"
    if t in ("bool", "boolean"):
        return "bool"
    return type_name


def problems(table: str, actual: Mapping[str, str], conditions: Collection[str] = ()
             ) -> list[str]:
    """How the columns of a real ``table`` (name -> type name, in file order) differ from
    the dictionary when ``conditions`` hold: columns it lacks, columns it does not know,
    a different order, a different type family. Empty when they agree."""
    spec = columns(table, conditions)
    fixed = [c for c in spec if c.pattern is None]
    families = [c for c in spec if c.pattern is not None]
    out = []
    missing = [c.name for c in fixed if c.name not in actual]
    if missing:
        out.append(f"{table}: in the dictionary but not in the table: {missing}")
    by_name = {c.name: c for c in fixed}
    unknown = []
    for name, type_name in actual.items():
        col = by_name.get(name) or next((f for f in families if f.matches(name)), None)
        if col is None:
            unknown.append(name)
        elif dtype_family(type_name) != col.dtype:
            out.append(f"{table}.{name}: type {type_name} in the table, {col.dtype} in the "
                       "dictionary")
    if unknown:
        out.append(f"{table}: in the table but not in the dictionary: {unknown}")
    order = [n for n in actual if n in by_name]
    if order != [c.name for c in fixed if c.name in actual]:
        out.append(f"{table}: columns in another order than the dictionary's: {order}")
    for f in families:
        if not any(f.matches(n) and n not in by_name for n in actual):
            out.append(f"{table}: no column of the family {f.name}")
    return out


# --- the built-in tables -----------------------------------------------------------------
ID = "-"
USD = "US dollars (nominal)"
USD_YEAR = "US dollars a year (nominal)"
SHARE = "share (0-1)"
SD = "SD of student achievement"
FLAG = "true/false"



def _sweep_keys(only_when: str | None) -> list[Column]:
    """The columns that identify a run in a results directory (experiments/runner.py
    ``_keyed`` and ``_record``)."""
    return [
        Column("run_id", "the run: arm index x 2^40 + point x 2^20 + replication; unique "
               "within the results directory and the key that joins its tables", ID,
               "int64", only_when),
        Column("arm", "the experiment arm the run belongs to (its `name`)", ID, "string",
               only_when),
        Column("point", "index of the design point of the sweep, from 0 (always 0 without "
               "a `[sweep]`); the values are in `runs` and the manifest's `design.points`",
               ID, "int64", only_when),
        Column("replication", "index of the replication within its arm and point, from 0; "
               "replication r has the same seed in every arm and point", ID, "int64",
               only_when),
    ]


#: columns that say which run a row belongs to: ``teachsim run`` keys rows by scenario
#: and seed (model/run.py ``_with_keys``), a results directory by run id and its parts
#: (experiments/runner.py ``_keyed``, which drops the seed: it is in ``runs``)
RUN_KEYS = (
    *_sweep_keys(SWEEP),
    Column("scenario", "name of the scenario that was run (its `name` key)", ID, "string"),
    Column("seed", "root random seed of the run; with `scenario` it identifies the run",
           ID, "int64", RUN),
)
YEAR = Column("year", "school year, as the calendar year in which it starts (the first is "
              "the scenario's `run.start_year`)", "calendar year", "int64")
SCHOOL_ID = Column("school_id", "the school: its position in the district's roster, from "
                   "0; the same school in every table of a run", ID, "int64")


def _model_table(name: str, rows: str, cols: list[Column]) -> None:
    register(name, [*RUN_KEYS, *cols], rows=rows,
             written_by="`teachsim run`, and `teachsim sweep` if the experiment's `tables` "
             "lists it")


_ACTIVITY = {
    "teaching": "teaching students, including planning and collaboration blocks turned "
                "into teaching when a specials class was cancelled and colleagues' classes "
                "covered",
    "individual_planning": "individual planning, less the planning given up to cover "
                           "colleagues' classes or lost to cancelled blocks",
    "collaboration": "collaboration with the grade team, less minutes lost to cancelled "
                     "blocks and minutes taken by appointments moved into release time",
    "pd": "professional development",
    "duties": "supervision duties (arrival, lunch, recess, dismissal) in the schedule",
    "leadership": "leadership work in the day template of the teacher's post (in the "
                  "shipped policies, grade-team leaders' time)",
    "breaks": "breaks",
    "other": "other contract time, less what covering colleagues' classes took once "
             "planning time was used up",
}
_PD_KIND = {"generic": "generic workshops", "content_focused": "content-focused PD tied to "
            "the curriculum", "chosen": "PD the teachers chose"}

_model_table("teacher_year", "teacher and school year", [
    YEAR, SCHOOL_ID,
    Column("teacher_id", "the teacher's agent id, unique within a run; kept across years "
           "and moves within the district (a former teacher who comes back gets a new one)",
           ID, "int64"),
    Column("role", 'the teacher\'s post: "homeroom", "specials", "special_education", '
           '"english_learners" or "interventionist"', ID, "string"),
    Column("grade", 'grade of a homeroom teacher\'s class (a name from the school\'s '
           '`grades`); "" for teachers without a homeroom', ID, "string"),
    Column("leader", "holds a grade-team leader post this year", FLAG, "bool"),
    Column("new_to_school", "joined the school at the start of this year: hired, back "
           "from a break in teaching, moved from another school of the district or hired "
           "at adoption", FLAG, "bool"),
    Column("experience_years", "years of teaching experience at the start of the year",
           "years", "float64"),
    Column("salary", "salary from the district's schedule for this experience "
           "(`[salaries]`: linear from the starting to the average salary, flat after "
           "`max_step_years`)", USD_YEAR, "float64"),
    Column("stipend", "role stipends this year: a leader's and an aspiring leader's (while "
           "the school pays them), a peer-pairing partner's and a mentor's", USD_YEAR,
           "float64"),
    Column("aspiring_leader", "holds an aspiring-leader role this year", FLAG, "bool"),
    Column("years_led", "years in a leader post before this year; each aspiring-leader "
           "year counts `careers.aspiring_role_rate` of one", "years", "float64"),
    Column("returner", "came back this year from the district's pool of former teachers",
           FLAG, "bool"),
    Column("resident", "was hired as a novice through the policy's residency (stays true "
           "in later years)", FLAG, "bool"),
    Column("mentored", "a novice with a mentor this year (induction)", FLAG, "bool"),
    Column("mentees", "novices this teacher mentors this year", "teachers", "int64"),
    Column("coached", "coaching sessions this year (0: not coached)", "sessions", "int64"),
    Column("coaching_hours", "hours of coaching this year", "hours a year", "float64"),
    Column("pairing", 'role in peer pairing this year: "target", "partner" or "" (none)',
           ID, "string"),
    Column("observed", "observation and feedback cycles this year", "cycles", "int64"),
    Column("micro_credential", "took up a micro-credential this year", FLAG, "bool"),
    Column("coursework", "took up tuition-paid coursework this year", FLAG, "bool"),
    Column("contract_days", "days of the teachers' contract year (student and "
           "teacher-only days)", "days", "int64"),
    Column("absence_days", "student days absent (an appointment moved into release time "
           "is not an absence)", "days", "int64"),
    Column("substitute_days", "absence days a substitute filled", "days", "int64"),
    Column("absences_unfilled", "absence days no substitute filled", "days", "int64"),
    Column("minutes_covering_colleagues", "minutes of absent colleagues' homeroom classes "
           "the school's teachers covered this year, shared equally among them (the same "
           "for every teacher of a school)", "minutes a year", "float64"),
    Column("blocks_cancelled", "release blocks (the class at specials) cancelled because "
           "the specials teacher was absent and not replaced", "blocks", "int64"),
    Column("appointments_in_release_time", "student days on which an appointment was "
           "moved into a long release block instead of becoming an absence", "days",
           "int64"),
    *[Column(f"minutes_{act}", f"contract-day minutes this year spent on {text}; minutes "
             "of days absent are not counted", "minutes a year", "float64")
      for act, text in _ACTIVITY.items()],
    Column("minutes_absent", "contract-day minutes of the days absent, all activities",
           "minutes a year", "float64"),
    Column("minutes_appointments", "collaboration minutes taken by appointments moved "
           "into release time (`absence.appointment_release_minutes` each, at most the "
           "collaboration time)", "minutes a year", "float64"),
    Column("minutes_beyond_contract", "minutes worked beyond the contract day: scheduled "
           "sessions attended (e.g. after-school PD) and coaching with `time_from = "
           '"added"`', "minutes a year", "float64"),
    Column("minutes_pd_scheduled_beyond_contract", "PD minutes the schedule the teacher's "
           "school follows puts beyond the contract day, for the teacher's class of post, "
           "whether attended or not (the cost model prices them)", "minutes a year",
           "float64"),
    Column("minutes_pd_scheduled_beyond_contract_baseline", "the same under the baseline "
           "schedule: what the teacher would have had without the policy",
           "minutes a year", "float64"),
    *[Column(f"minutes_pd_{kind}", f"PD minutes attended (inside and beyond the contract "
             f"day) when the schedule's PD is {text}; 0 for other kinds", "minutes a year",
             "float64")
      for kind, text in _PD_KIND.items()],
    Column("minutes_after_hours", "work done after hours: preparation and admin the "
           "planning time does not absorb, duties, clerical work and students' needs that "
           "fall on teachers, program time on own time, and planning displaced by cover "
           "and cancelled blocks", "minutes a year", "float64"),
    Column("weekly_hours", "hours worked a school week: contract-day minutes present "
           "(breaks included), minutes beyond the contract day and after hours, over the "
           "year's student days / 5 weeks", "hours a week", "float64"),
    Column("effective_collaboration_minutes", "collaboration minutes weighted by their "
           "quality (structure, facilitation), the teacher's and team's willingness and "
           "the school's collegiality, net of minutes lost and taken by coaching",
           "effective minutes a year", "float64"),
    Column("team_support", "team support set at the start of the year: log(1 + effective "
           "collaboration and mentoring minutes a week / `collaboration."
           "support_scale_minutes`)", "index (0 = none)", "float64"),
    Column("burnout_mean", "burnout averaged over the year's student days",
           "burnout (0-1)", "float64"),
    Column("burnout_survey", "burnout on the survey day (`burnout.survey_student_day`; 0 "
           "when the calendar has no such day)", "burnout (0-1)", "float64"),
    Column("burned_out", "`burnout_survey` at or above `burnout.threshold`", FLAG, "bool"),
    Column("practice", "teaching practice at the end of the year, after this year's "
           "growth, relative to an average novice", SD, "float64"),
    Column("practice_gain_programs", "practice gained this year from coaching, pairing, "
           "observation, PD, micro-credentials, coursework and mentoring", SD, "float64"),
    Column("effectiveness", "classroom effectiveness this year: practice at the start of "
           "the year less `practice.burnout_penalty` x `burnout_mean`", SD, "float64"),
    Column("intends_to_leave", "said in spring they intend to leave the school or "
           "teaching", FLAG, "bool"),
    Column("exit", 'decision at the end of the year: "stay", "move" (to another school), '
           '"leave" (teaching) or "retire"', ID, "string"),
    Column("move_destination", 'for movers, "within_district" (took an open post at '
           'another school of the district) or "out_of_district"; "" for the others', ID,
           "string"),
    Column("arrived_from_district", "moved in this year from another school of the "
           "district", FLAG, "bool"),
])

_model_table("school_year", "school and school year", [
    YEAR, SCHOOL_ID,
    Column("school", "the school's name", ID, "string"),
    Column("policy", "name of the schedule policy the school follows this year (the "
           "scenario's policy from its adoption year until it abandons it, else the "
           "baseline)", ID, "string"),
    Column("adopted", "runs the scenario's policy this year (never when the policy is the "
           "baseline itself)", FLAG, "bool"),
    Column("years_since_adoption", "school years since the planned adoption year (0 in "
           "it); -1 when not on the policy", "years", "int64"),
    Column("in_startup", "on the policy and within `rollout.startup_years` of adopting",
           FLAG, "bool"),
    Column("homerooms_per_grade", "homeroom classes per grade", "classes", "int64"),
    Column("poverty_share", "share of the school's students from low-income families",
           SHARE, "float64"),
    Column("environment", "professional-environment index: the mean of the four factors "
           "below", "SD from the district mean", "float64"),
    Column("leadership", "environment factor: the principal's leadership this year",
           "SD from the district mean", "float64"),
    Column("collegiality", "environment factor: collegial culture this year",
           "SD from the district mean", "float64"),
    Column("expectations", "environment factor: academic expectations this year",
           "SD from the district mean", "float64"),
    Column("safety", "environment factor: safety and order this year",
           "SD from the district mean", "float64"),
    Column("new_principal", "a new principal took over at the start of this year", FLAG,
           "bool"),
    Column("readiness", "readiness to run a new design: mean of leadership and "
           "collegiality, plus `implementation.bench_weight` x (leader bench - reference)",
           "SD", "float64"),
    Column("fidelity", "share of the design's structured collaboration run as intended "
           "this year; 1 for a school not on the policy", SHARE, "float64"),
    Column("maturity", "maturity of the school's collaboration on the design; 1 for a "
           "school not on the policy", "0-1", "float64"),
    Column("structured_time_share", "share of structured collaboration time not lost to "
           "the urgent: fidelity x maturity x (1 - `implementation.urgent_floor`)", SHARE,
           "float64"),
    Column("volunteered", "one of the pilot schools of a pilot-then-scale rollout", FLAG,
           "bool"),
    Column("abandons", "on the policy this year and drops it from next year", FLAG, "bool"),
    Column("leader_bench", "share of eligible teachers interested in leading a team (the "
           "school profile's `leader_bench`)", SHARE, "float64"),
    Column("teachers", "teachers this year (all roles)", "teachers", "int64"),
    Column("homeroom_teachers", "homeroom teachers", "teachers", "int64"),
    Column("specials_teachers", "specials teachers (art, music, PE and similar)",
           "teachers", "int64"),
    Column("support_teachers", "special-education, English-learner teachers and "
           "interventionists", "teachers", "int64"),
    Column("teachers_added_at_adoption", "specials teachers hired when the school adopted "
           "(`staffing.specials_teachers_change`), while it is on the policy; else 0",
           "teachers", "int64"),
    Column("pupils_per_teacher", "students per teacher (all roles)", "students per teacher",
           "float64"),
    Column("vacancies", "posts left open all year (covered by long-term substitutes)",
           "posts", "int64"),
    Column("leaders", "teachers holding a grade-team leader post", "teachers", "int64"),
    Column("leader_posts_unfilled", "leader posts (`staffing.leaders_per_grade` x grades, "
           "on the policy) no eligible teacher filled", "posts", "int64"),
    Column("clerks_fte", "office clerks this year", "FTE", "float64"),
    Column("paras_fte", "paraprofessionals this year", "FTE", "float64"),
    Column("students", "students enrolled (all grades)", "students", "int64"),
    Column("stipends", "leader-post stipends paid this year", USD_YEAR, "float64"),
    Column("other_stipends", "other role stipends: aspiring leaders, peer-pairing partners, "
           "mentors", USD_YEAR, "float64"),
    Column("aspiring_leaders", "teachers holding an aspiring-leader role", "teachers",
           "int64"),
    Column("coaches_fte", "coaches the policy's coaching program needs for the school's "
           "coached teachers (at its caseload)", "FTE", "float64"),
    Column("coach_salaries", "`coaches_fte` x the program's coach salary", USD_YEAR,
           "float64"),
    Column("coaching_hours_beyond_contract", "coaching hours added beyond the contract day "
           '(programs with `time_from = "added"`), all teachers', "hours a year",
           "float64"),
    Column("pd_stipends", "micro-credential and tuition stipends paid to the school's "
           "teachers", USD_YEAR, "float64"),
    Column("residents_hired", "novices hired at the start of the year through the "
           "policy's residency", "teachers", "int64"),
    Column("residency_costs", "`residents_hired` x the policy's cost per resident", USD,
           "float64"),
    Column("returners", "former teachers of the district hired back at the start of the "
           "year", "teachers", "int64"),
    Column("mentored_novices", "novices with a mentor this year", "teachers", "int64"),
    Column("teachers_coached", "teachers with coaching hours this year", "teachers",
           "int64"),
    Column("intending_to_leave_share", "share of the school's teachers who said in spring "
           "they intend to leave", SHARE, "float64"),
    Column("teacher_salaries", "salaries of the school's teachers", USD_YEAR, "float64"),
    Column("homeroom_teaching_minutes", "teaching minutes per homeroom teacher "
           "(`minutes_teaching` of teacher_year, mean over homeroom teachers)",
           "minutes a year", "float64"),
    Column("homeroom_planning_minutes", "individual planning minutes per homeroom teacher",
           "minutes a year", "float64"),
    Column("homeroom_collaboration_minutes", "collaboration minutes per homeroom teacher",
           "minutes a year", "float64"),
    Column("effective_collaboration_minutes", "effective collaboration minutes per "
           "homeroom teacher", "effective minutes a year", "float64"),
    Column("weekly_hours", "hours worked a school week, mean over the school's teachers",
           "hours a week", "float64"),
    Column("after_hours_minutes_per_teacher", "minutes worked after hours, mean over the "
           "school's teachers", "minutes a year", "float64"),
    Column("minutes_beyond_contract_per_teacher", "minutes worked beyond the contract day, "
           "mean over the school's teachers", "minutes a year", "float64"),
    Column("burnout_mean", "teachers' mean burnout over the student days, mean over the "
           "school's teachers", "burnout (0-1)", "float64"),
    Column("burnout_prevalence", "share of the school's teachers burned out on the survey "
           "day", SHARE, "float64"),
    Column("absence_days_per_teacher", "student days absent, mean over the school's "
           "teachers", "days", "float64"),
    Column("substitute_days_short_term", "absence days a substitute filled, all teachers",
           "days", "float64"),
    Column("absences_unfilled", "absence days no substitute filled, all teachers", "days",
           "float64"),
    Column("substitute_fill_rate", "share of the absence days a substitute filled (0 "
           "without absences)", SHARE, "float64"),
    Column("coverage_minutes", "teaching minutes of unfilled absences that colleagues "
           "covered in their planning time", "minutes a year", "float64"),
    Column("instruction_minutes_lost_combined", "teaching minutes of unfilled absences "
           "whose classes were combined or split instead", "minutes a year", "float64"),
    Column("blocks_cancelled", "release blocks cancelled because a specials teacher was "
           "absent and not replaced", "blocks", "int64"),
    Column("collaboration_minutes_cancelled", "collaboration minutes lost to cancelled "
           "blocks, all teachers", "minutes a year", "float64"),
    Column("para_duty_minutes_per_day", "duty minutes paraprofessionals take each student "
           "day", "minutes a student day", "float64"),
    Column("substitute_days_long_term", "days covered by long-term substitutes in open "
           "posts: `vacancies` x student days", "days", "int64"),
    Column("appointments_in_release_time", "days with an appointment moved into release "
           "time, all teachers", "days", "float64"),
    Column("practice_mean", "teaching practice at the end of the year, mean over the "
           "school's teachers", SD, "float64"),
    Column("movers", "teachers moving to another school at the end of the year",
           "teachers", "int64"),
    Column("movers_within_district", "movers who took a post at another school of the "
           "district", "teachers", "int64"),
    Column("movers_out_of_district", "movers who left the district", "teachers", "int64"),
    Column("new_teachers", "teachers new to the school this year (`new_to_school`)",
           "teachers", "int64"),
    Column("arrivals_from_district", "teachers who moved in this year from another school "
           "of the district", "teachers", "int64"),
    Column("leavers", "teachers leaving teaching at the end of the year", "teachers",
           "int64"),
    Column("retirees", "teachers retiring at the end of the year", "teachers", "int64"),
    Column("turnover_rate", "share of the school's teachers who move, leave or retire at "
           "the end of the year", SHARE, "float64"),
    Column("student_growth_sd", "students' achievement growth this year: the mean over "
           "grades of each grade's mean over its homerooms (the class of an open post "
           "taught by a long-term substitute), relative to a year with an average "
           "first-year teacher and the baseline's instructional minutes", SD, "float64"),
    Column("instructional_minutes_per_student", "minutes of instruction (homeroom teaching "
           "and specials) a student received this year, net of losses in combined classes, "
           "mean over grades", "minutes a year", "float64"),
    Column("instructional_minutes_vs_baseline_pct", "difference of "
           "`instructional_minutes_per_student` from the baseline schedule's minutes as "
           "scheduled (mean over grades)", "percent", "float64"),
    Column("duty_minutes_uncovered_per_day", "duty minutes each student day that neither "
           "the teachers' schedules, other staff nor paraprofessionals cover (they fall on "
           "the teachers)", "minutes a student day", "float64"),
    Column("pd_hours_beyond_contract", "PD hours scheduled beyond the contract day for the "
           "school's teachers under the schedule it follows, summed over teachers",
           "hours a year", "float64"),
    Column("pd_sessions_beyond_contract", "days of the school's schedule with PD beyond the "
           "contract day", "days", "int64"),
    Column("baseline_pd_hours_beyond_contract", "the same hours under the baseline "
           "schedule, for the same teachers", "hours a year", "float64"),
    Column("baseline_pd_sessions_beyond_contract", "days of the baseline schedule with PD "
           "beyond the contract day", "days", "int64"),
    Column("clerks_fte_before", "office clerks in the school profile, before the policy's "
           "staffing changes", "FTE", "float64"),
    Column("paras_fte_before", "paraprofessionals in the school profile, before the "
           "policy's staffing changes", "FTE", "float64"),
])

_model_table("district_year", "school year (the district's schools summed or averaged)", [
    YEAR,
    Column("schools", "schools in the district", "schools", "int64"),
    Column("schools_adopted", "schools on the scenario's policy this year", "schools",
           "int64"),
    Column("schools_in_startup", "schools on the policy within their start-up years",
           "schools", "int64"),
    Column("teachers", "teachers, all schools", "teachers", "int64"),
    Column("students", "students, all schools", "students", "int64"),
    Column("leaders", "teachers holding a leader post", "teachers", "int64"),
    Column("stipends", "leader-post stipends, all schools", USD_YEAR, "float64"),
    Column("teacher_salaries", "teachers' salaries, all schools", USD_YEAR, "float64"),
    Column("vacancies", "posts left open all year", "posts", "int64"),
    Column("movers_within_district", "teachers moving to another school of the district",
           "teachers", "int64"),
    Column("movers_out_of_district", "teachers moving to a school outside the district",
           "teachers", "int64"),
    Column("leavers", "teachers leaving teaching", "teachers", "int64"),
    Column("retirees", "teachers retiring", "teachers", "int64"),
    Column("new_teachers", "teachers new to their school this year", "teachers", "int64"),
    Column("turnover_rate", "share of the district's teachers who move (anywhere), leave "
           "or retire", SHARE, "float64"),
    Column("district_exit_rate", "share of the district's teachers lost to it: moving out "
           "of the district, leaving or retiring", SHARE, "float64"),
    Column("burnout_prevalence", "share of the district's teachers burned out on the "
           "survey day", SHARE, "float64"),
    Column("intending_to_leave_share", "share of the district's teachers who said they "
           "intend to leave", SHARE, "float64"),
    Column("returners", "former teachers hired back", "teachers", "int64"),
    Column("teachers_coached", "teachers with coaching", "teachers", "int64"),
    Column("coaches_fte", "coaches the coaching programs need", "FTE", "float64"),
    Column("mentored_novices", "novices with a mentor", "teachers", "int64"),
    Column("aspiring_leaders", "teachers in an aspiring-leader role", "teachers", "int64"),
    Column("weekly_hours", "hours worked a school week, mean over the district's teachers",
           "hours a week", "float64"),
    Column("absence_days_per_teacher", "student days absent, mean over the district's "
           "teachers", "days", "float64"),
    Column("substitute_days_short_term", "absence days substitutes filled, all schools",
           "days", "float64"),
    Column("substitute_days_long_term", "days covered by long-term substitutes in open "
           "posts, all schools", "days", "float64"),
    Column("practice_mean", "teaching practice at the end of the year, mean over the "
           "district's teachers", SD, "float64"),
    Column("student_growth_sd", "schools' `student_growth_sd` weighted by their students",
           SD, "float64"),
])

_model_table("cohort_year", "student cohort (a school's students who entered in the same "
             "year) and school year", [
    YEAR, SCHOOL_ID,
    Column("cohort_id", "the cohort's agent id, unique within a run and kept as it moves "
           "up the grades", ID, "int64"),
    Column("entry_year", "calendar year in which the cohort entered the school's first "
           "grade (for cohorts already in school when the run starts, the year they would "
           "have)", "calendar year", "int64"),
    Column("grade", "the grade the cohort is in this year", ID, "string"),
    Column("students", "students in the cohort", "students", "int64"),
    Column("instructional_minutes", "minutes of instruction (homeroom teaching and "
           "specials) a student of the cohort received this year, net of losses in "
           "combined classes", "minutes a year", "float64"),
    Column("growth_sd", "the cohort's achievement growth this year (mean over its "
           "homerooms), relative to a year with an average first-year teacher and the "
           "baseline's minutes", SD, "float64"),
    Column("achievement_sd", "achievement accumulated since the cohort entered the run: "
           "`students.persistence` x last year's plus this year's growth", SD, "float64"),
])

_model_table("rollout", "school (the adoption plan, decided before the run)", [
    SCHOOL_ID,
    Column("school", "the school's name", ID, "string"),
    Column("strategy", "the rollout strategy (`rollout.strategy`)", ID, "string"),
    Column("adoption_year", "calendar year in which the plan has the school adopt the "
           "policy; -1 for never within the run", "calendar year", "int64"),
    Column("wave", "adoption wave: 1 for the schools of the first year in which any "
           "school adopts, 2 for the next such year, and so on; 0 for never", ID, "int64"),
    Column("poverty_share", "share of the school's students from low-income families",
           SHARE, "float64"),
    Column("leader_bench", "share of eligible teachers interested in leading a team",
           SHARE, "float64"),
])

_model_table("run_summary", "run: headline figures, averaged over its school-years or "
             "teacher-years", [
    Column("policy", "name of the scenario's policy", ID, "string"),
    Column("baseline_policy", "name of the scenario's baseline policy", ID, "string"),
    Column("years", "school years run", "years", "int64"),
    Column("schools", "schools in the district", "schools", "int64"),
    Column("teachers", "teachers in the district: mean per school-year x schools, "
           "rounded", "teachers", "int64"),
    Column("students", "students in the district: mean per school-year x schools, "
           "rounded", "students", "int64"),
    Column("leaders_per_school", "leaders, mean over school-years", "teachers",
           "float64"),
    Column("share_of_school_years_on_policy", "share of school-years run on the scenario's "
           "policy (0 when it is the baseline)", SHARE, "float64"),
    Column("substitute_fill_rate", "share of all absence days of the run that a substitute "
           "filled", SHARE, "float64"),
    Column("stipends_per_school_year", "leader-post stipends, mean over school-years",
           USD_YEAR, "float64"),
    Column("homeroom_teaching_minutes_per_year", "teaching minutes, mean over homeroom "
           "teacher-years", "minutes a year", "float64"),
    Column("homeroom_planning_minutes_per_year", "individual planning minutes, mean over "
           "homeroom teacher-years", "minutes a year", "float64"),
    Column("homeroom_collaboration_minutes_per_year", "collaboration minutes, mean over "
           "homeroom teacher-years", "minutes a year", "float64"),
    Column("effective_collaboration_minutes_per_year", "effective collaboration minutes, "
           "mean over homeroom teacher-years", "effective minutes a year", "float64"),
    Column("weekly_hours", "hours worked a school week, mean over teacher-years",
           "hours a week", "float64"),
    Column("burnout_prevalence", "share of teacher-years burned out on the survey day",
           SHARE, "float64"),
    Column("intending_to_leave_share", "share of teacher-years with a stated intention to "
           "leave", SHARE, "float64"),
    Column("absence_days_per_teacher", "student days absent, mean over teacher-years",
           "days", "float64"),
    Column("substitute_days_per_school_year", "short- and long-term substitute days, mean "
           "over school-years", "days", "float64"),
    Column("turnover_rate", "share of teacher-years ending in a move, leaving or "
           "retirement", SHARE, "float64"),
    Column("mover_rate", "share of teacher-years ending in a move to another school",
           SHARE, "float64"),
    Column("leaver_rate", "share of teacher-years ending in leaving teaching", SHARE,
           "float64"),
    Column("retiree_rate", "share of teacher-years ending in retirement", SHARE, "float64"),
    Column("vacancies_per_school_year", "posts left open all year, mean over school-years",
           "posts", "float64"),
    Column("returners_per_school_year", "former teachers hired back, mean over "
           "school-years", "teachers", "float64"),
    Column("coaches_fte_per_school", "coaches, mean over school-years", "FTE", "float64"),
    Column("practice_mean", "teaching practice at the end of each year, mean over "
           "teacher-years", SD, "float64"),
    Column("practice_gain_from_programs_per_year", "practice gained from programs, mean "
           "over teacher-years", SD, "float64"),
    Column("student_growth_sd", "schools' `student_growth_sd`, mean over school-years (not "
           "weighted by students)", SD, "float64"),
    Column("instructional_minutes_per_student_year", "instructional minutes per student, "
           "mean over school-years", "minutes a year", "float64"),
    Column("instructional_minutes_vs_baseline_pct", "instructional minutes against the "
           "baseline's, mean over school-years", "percent", "float64"),
    Column("duty_minutes_uncovered_per_day", "uncovered duty minutes a student day, mean "
           "over school-years", "minutes a student day", "float64"),
])

#: a dotted scenario key such as behaviour.burnout.support_buffer (fixed column names
#: have no dot, so the two never collide)
DOTTED = r"[^.\s]+(\.[^.\s]+)+"

register("runs", [
    *_sweep_keys(None),
    Column("seed", "root random seed of the run (replication r of every arm and point has "
           "the same one)", ID, "int64"),
    Column("draw", "the parameter set the run used, numbered within the experiment; -1 "
           "when every parameter was at its value", ID, "int64"),
    Column("ensemble_row", "the ensemble's row that parameter set was drawn from (from 0); "
           "-1 for none", ID, "int64"),
    Column("status", '"ok" or "failed"', ID, "string"),
    Column("error", 'for a failed run the error and a short traceback; "" otherwise', ID,
           "string"),
    Column("seconds", "wall-clock time of the run (of a batch of replications run side by "
           "side, each run's equal share)", "seconds", "float64"),
    Column("finished_at", "when the run (or its batch) finished", "Unix time (seconds)",
           "float64"),
    Column("<swept parameter>", "the value of a swept parameter at the run's design point; "
           "one column per parameter, named by its dotted scenario key (e.g. "
           "`behaviour.burnout.support_buffer`)", "the parameter's unit", "float64", SWEPT,
           pattern=DOTTED),
], rows="run attempt (in `results.duckdb` and through `open_results`: the latest attempt "
   "at each run)", written_by="`teachsim sweep` (results directory: every chunk)")

register("draws", [
    Column("draw", "the parameter set, numbered within the experiment (`runs.draw`)", ID,
           "int64"),
    Column("ensemble_row", "the ensemble's row it was drawn from (from 0)", ID, "int64"),
    Column("weight", "that row's weight in the ensemble", "weight", "float64"),
    Column("<drawn parameter>", "the value the runs of this set took for a drawn parameter "
           "(one column per parameter of the ensemble that the scenario files leave at its "
           "default), named by its dotted key (e.g. `behaviour.burnout.centre`)",
           "the parameter's unit", "float64", pattern=DOTTED),
], rows="parameter set used (chunk files repeat a set their runs share; "
   "`results.duckdb` and `open_results` keep one row each)",
   written_by="`teachsim sweep` (results directory)", only_when=DRAWN)

register("_chunks", [
    Column("chunk", "name of a chunk directory under `parts/` whose tables this copy holds "
           "(`chunk-<first run id, hex>-<runs>-<random>`)", ID, "string"),
], rows="chunk copied into `results.duckdb`",
   written_by="`teachsim sweep` (`results.duckdb` only)")

#: the tables above, in order (those of other layers follow them)
BUILT_IN = tuple(_REGISTRY)


# --- the page ----------------------------------------------------------------------------
INTRO = """# Output tables

Every table teachsim writes, column by column: what each column means, its unit and its
type. This page is generated from `teachsim.experiments.dictionary`
(`uv run python -m teachsim.experiments.dictionary > docs/outputs.md`); a test fails when
it is stale, and another runs a small scenario and a small sweep and checks that the
tables they write have exactly these columns, in this order, with these types.

## Where the tables are written

- **`teachsim run`** (and `teachsim demo`) writes one file per table into its output
  directory (`--out`; default `out/<scenario file stem>`, `out/comparison` for several
  scenarios, `out/demo`): `<table>.parquet`, and `<table>.csv` as well with `--csv`, for
  `teacher_year`, `school_year`, `district_year`, `cohort_year`, `rollout` and
  `run_summary`. Scenarios run together are stacked in the same files, told apart by
  `scenario`. `run.json` beside them records what was run. From Python,
  `teachsim.run_scenario(...).tables` holds the same tables as numpy columns.
- **`teachsim sweep`** (and `teachsim.run_experiment`) writes a results directory. Each
  finished chunk of runs is a directory `parts/chunk-*/` with `runs.parquet`,
  `draws.parquet` when the runs drew parameter sets, and one Parquet file for each model
  table the experiment keeps (its `tables` list; by default all but `teacher_year`).
  `results.duckdb` holds a copy of every table over all chunks, and `_chunks`.
  `teachsim.open_results(path).table(name)` and `.sql(query)` read the chunk files.
  In a results directory the model tables carry `run_id`, `arm`, `point` and
  `replication` instead of `seed`.
{covered}
{not_covered}

## Types

| type | Parquet (Arrow) | DuckDB | pandas | CSV |
|---|---|---|---|---|
| int64 | int64 | BIGINT | int64 | digits |
| float64 | double | DOUBLE | float64 | decimal number |
| string | string | VARCHAR | object | text; `""` is an empty string |
| bool | bool | BOOLEAN | bool | `true` / `false` |

## Identifiers and joins

- **Runs.** In `teachsim run` output a run is (`scenario`, `seed`). In a results
  directory it is `run_id`, in every table; `arm`, `point` and `replication` are its
  parts (`run_id` = arm index x 2^40 + point x 2^20 + replication, the arm index being the
  arm's position in the experiment file). `runs` has one row per run with its seed and
  parameter set (`draw`), which joins `draws`.
- **Years and schools.** `year` is the school year, as the calendar year in which it
  starts. `school_id` numbers the district's schools from 0 in roster order: the same
  school in `rollout`, `school_year`, `teacher_year` and `cohort_year` of one run.
- **Teachers and cohorts.** `teacher_id` and `cohort_id` are agent ids, unique within a
  run (not across runs) and not consecutive (schools, clerks and paraprofessionals take
  ids from the same counter). A teacher keeps the id from year to year, also after a move
  within the district; a former teacher who comes back is a new agent with a new id.
- **No value.** -1 in an integer column (`adoption_year`, `years_since_adoption`,
  `draw`, `ensemble_row`) and `""` in a string column (`grade`, `pairing`,
  `move_destination`, `error`) mean "none"; `wave` is 0 for a school that never adopts.
- **Units.** Shares are 0-1 unless the unit says percent; "a year" is a school year.
  Money is in nominal US dollars at the scenario's pay and prices: the model's tables do
  not grow salaries over the years (the budget does, with `costs.salary_growth`).
  Practice, effectiveness and growth are in SD of student achievement.

```sql
-- a results directory: each teacher-year with its school's poverty and its run's draw
SELECT t.*, s.poverty_share, r.draw
FROM teacher_year t
JOIN school_year s USING (run_id, year, school_id)
JOIN runs r USING (run_id)
```

In `teachsim run` output, join on `scenario`, `seed`, `year` and `school_id` instead.
A column marked *only ...* is present only in the outputs named.
"""

#: outputs this page does not describe, and where they are described
NOT_COVERED = [
    "the files of `teachsim sensitivity` (`sensitivity_*.csv`), `teachsim discover` "
    "(`box.csv`, `trajectory.csv`, `cases.csv`) and `teachsim fit` (`ensemble.csv`, "
    "`targets.csv`, `parameters.csv`, `generations.csv`), whose columns follow the method "
    "and the parameters analysed ([analysis.md](analysis.md))",
    "the Markdown table of `teachsim calibrate --markdown` "
    "([calibration.md](calibration.md))",
    "`run.json` and `manifest.json`, records of what was run, not tables "
    "([experiments.md](experiments.md))",
]
#: said while the money layer registers no tables
BUDGET_NOT_COVERED = ("the tables of `teachsim budget --out` ([budget.md](budget.md))")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _condition(key: str | None) -> str:
    """The note on a conditional column or table, as a sentence after its text."""
    if key is None:
        return ""
    text = CONDITIONS.get(key, key)
    return f" *{text[0].upper()}{text[1:]}.*"


def render() -> str:
    """docs/outputs.md."""
    registered = tables()
    others = [t for name, t in registered.items() if name not in BUILT_IN]
    covered = ""
    if others:
        # tables one command writes are listed together, after it
        by_command: dict[str, list[str]] = {}
        for t in others:
            by_command.setdefault(t.written_by, []).append(f"`{t.name}`")
        covered = "- **Other outputs** described here: " + "; ".join(
            f"{', '.join(names)} ({command})" for command, names in by_command.items()) + ".\n"
    not_covered = list(NOT_COVERED)
    if importlib.util.find_spec("teachsim.money.columns") is None:
        not_covered.insert(0, BUDGET_NOT_COVERED)
    # the one paragraph built here is wrapped like the rest of the intro
    rest = textwrap.fill("Not described here: " + "; ".join(not_covered) + ".", width=90,
                         break_on_hyphens=False)
    lines = [INTRO.format(covered=covered, not_covered=rest).rstrip("\n"), "",
             "## Tables", "", "| table | one row per | written by |", "|---|---|---|"]
    for t in registered.values():
        lines.append(f"| [`{t.name}`](#{t.name}) | {_cell(t.rows)} | "
                     f"{_cell(t.written_by)}{_condition(t.only_when)} |")
    for t in registered.values():
        lines += ["", f"## {t.name}", ""]
        head = f"One row per {t.rows}. Written by {t.written_by}.{_condition(t.only_when)}"
        lines += [head, ""]
        lines += ["| column | type | unit | meaning |", "|---|---|---|---|"]
        for c in t.columns:
            meaning = c.meaning + ("." if c.only_when and not c.meaning.endswith(".") else "")
            lines.append(f"| `{c.name}` | {c.dtype} | {_cell(c.unit)} | "
                         f"{_cell(meaning)}{_condition(c.only_when)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # Render from the module as other modules import it: run as a script this file is
    # ``__main__``, and an extension registering into ``teachsim.experiments.dictionary``
    # would otherwise fill a registry this copy does not read. (Imported by name: an
    # import statement of the module itself would count as an import cycle.)
    print(importlib.import_module("teachsim.experiments.dictionary").render(), end="")
