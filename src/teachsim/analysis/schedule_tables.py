"""A compiled schedule as tables: the numbers ``teachsim schedule`` prints, as pandas
DataFrames for the dashboard and notebooks.

The tables follow the terminal's (cli/display.py) row for row and column for column,
so that a figure read on a page can be checked against the command line. Cells hold
numbers, not text: minutes as computed (a typical week of a 3-day rotation has thirds
of minutes); :func:`minutes_text` rounds them the way the terminal does, for display.
A cell with nothing to say (students with specials, for a specials teacher) is ``""``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from teachsim.config.policy import ACTIVITIES, Policy
from teachsim.model.schedule import CompiledSchedule

#: how the tables name the teacher roles
ROLE_LABELS = {"homeroom": "homeroom teacher", "leader": "teacher leader",
               "specials": "specials teacher"}


def minutes_text(x: float) -> str:
    """Minutes as the terminal writes them: whole with thousands separators, or with one
    decimal when they are not whole (a typical week of a 3-day rotation)."""
    return f"{x:,.0f}" if abs(x - round(x)) < 0.05 else f"{x:,.1f}"


def _activity(act: str) -> str:
    return act.replace("_", " ")


def day_templates(comp: CompiledSchedule) -> pd.DataFrame:
    """Minutes of each activity in every day template (one column per role and day type,
    the school's standard support day and teacher-only days included), their total, the
    homerooms' minutes with specials and what kind of collaboration each block is."""
    shown = [i for i, (role, _n) in enumerate(comp.row_names) if role != "off"]
    cols = [f"{comp.row_names[i][0]} {comp.row_names[i][1]}" for i in shown]
    rows: list[list[object]] = []
    for a, act in enumerate(ACTIVITIES):
        rows.append([_activity(act), *(int(comp.templates[i, a]) for i in shown)])
    rows.append(["total", *(int(comp.templates[i].sum()) for i in shown)])
    rows.append(["students with specials", *(
        int(comp.students_with_specials[i]) if comp.row_names[i][0] == "homeroom" else ""
        for i in shown)])
    collab = ACTIVITIES.index("collaboration")
    rows.append(["collaboration is", *(
        _collaboration_kind(bool(comp.facilitated[i]), float(comp.structured[i]))
        if comp.templates[i, collab] else "" for i in shown)])
    return pd.DataFrame(rows, columns=["activity", *cols])


def _collaboration_kind(facilitated: bool, structured: float) -> str:
    # The terminal says "structured" for any share of the practices; so does this.
    return (("facilitated" if facilitated else "unfacilitated") + ", "
            + ("structured" if structured else "unstructured"))


def policy_day_templates(policy: Policy) -> pd.DataFrame:
    """The day templates as the policy file gives them (before any school is known):
    activity minutes and their total for each role's day types. Shown when a policy
    cannot be compiled, so that the totals that do not fit the day can be seen."""
    cols: dict[str, list[object]] = {}
    for role in ("homeroom", "specials", "leader", "support"):
        days = getattr(policy.roles, role)
        if days is None:
            continue
        for name, t in days.days.items():
            m = t.minutes()
            cols[f"{role} {name}"] = [*(m[a] for a in ACTIVITIES), t.total(),
                                      t.students_with_specials if role == "homeroom" else ""]
    labels = [*(_activity(a) for a in ACTIVITIES), "total", "students with specials"]
    return pd.DataFrame({"activity": labels, **cols})


def rotation(comp: CompiledSchedule) -> pd.DataFrame:
    """Day type of each grade's homerooms (with the slot their students are with
    specials, if any) and of the specials teachers on every day of the rotation."""
    p = comp.policy
    rows: list[list[object]] = []
    for c in range(p.cycle_days):
        cells: list[object] = [c + 1]
        for g in comp.school.grades:
            r = comp.cycle_rows[c, comp.class_index("homeroom", g)]
            cell = comp.row_names[r][1]
            slot = next((a.slot for a in p.assign if a.cycle_day == c + 1 and a.slot
                         and (a.grades == "all" or g in a.grades)), None)
            cells.append(f"{cell} ({slot})" if slot else cell)
        cells.append(comp.row_names[comp.cycle_rows[c, comp.class_index("specials")]][1])
        rows.append(cells)
    return pd.DataFrame(rows, columns=["cycle day", *(f"grade {g}" for g in comp.school.grades),
                                       "specials"])


def rotation_title(comp: CompiledSchedule) -> str:
    p = comp.policy
    how = "Mon-Fri" if p.cycle_follows == "weekday" else "advances each student day"
    return f"Rotation: {p.cycle_days}-day cycle ({how})"


def _roles(comp: CompiledSchedule) -> list[tuple[str, str]]:
    # One teacher of each role stands for all: grades differ only in when they are
    # released, which a week's average and a year's sum do not see.
    first = comp.school.grades[0]
    roles = [("homeroom", first), ("specials", "")]
    if comp.policy.roles.leader is not None:
        roles.insert(1, ("leader", first))
    return roles


def minutes_by_role(comp: CompiledSchedule) -> pd.DataFrame:
    """Minutes of each activity for a homeroom teacher, a teacher leader (when the
    policy has leaders) and a specials teacher: in a typical week (one rotation cycle
    averaged, times five days) and in the school year; then the minutes inside the
    contract day, those scheduled beyond it, and all of them in hours."""
    weekly = comp.weekly_in_day_by_class()
    yearly = comp.yearly_by_class()
    beyond = {"week": comp.weekly_beyond_by_class(), "year": comp.yearly_beyond_by_class()}
    inside = {"week": weekly, "year": yearly}
    cols = [(r, g, unit) for unit in ("week", "year") for r, g in _roles(comp)]
    names = [f"{ROLE_LABELS[r]} per {unit}" for r, _g, unit in cols]
    idx = [comp.class_index(r, g) for r, g, _u in cols]
    units = [u for _r, _g, u in cols]
    rows: list[list[object]] = []
    for a, act in enumerate(ACTIVITIES):
        rows.append([_activity(act), *(float(inside[u][k, a]) for u, k in zip(units, idx,
                                                                                strict=True))])
    rows.append(["in contract", *(float(inside[u][k].sum()) for u, k in zip(units, idx,
                                                                             strict=True))])
    rows.append(["beyond contract", *(float(beyond[u][k].sum()) for u, k in zip(units, idx,
                                                                                 strict=True))])
    rows.append(["hours", *(float(inside[u][k].sum() + beyond[u][k].sum()) / 60
                            for u, k in zip(units, idx, strict=True))])
    return pd.DataFrame(rows, columns=["activity", *names])


def minutes_by_role_title(comp: CompiledSchedule) -> str:
    cal = comp.calendar
    return (f"Minutes by role: a typical week (one rotation cycle averaged, x5 days) and "
            f"the school year ({cal.n_contract_days} contract days, {cal.n_student_days} "
            "with students)")


def student_minutes(comp: CompiledSchedule, baseline: CompiledSchedule | None = None
                    ) -> pd.DataFrame:
    """Students' instructional minutes a year by grade (homeroom teaching plus time with
    specials teachers); against a baseline policy, its minutes and the difference in
    minutes and in percent."""
    mine = comp.student_minutes_by_grade()
    df = pd.DataFrame({"grade": list(comp.school.grades), comp.policy.name: mine})
    if baseline is not None:
        base = baseline.student_minutes_by_grade()
        df[f"baseline: {baseline.policy.name}"] = base
        df["difference"] = mine - base
        with np.errstate(divide="ignore", invalid="ignore"):
            df["difference (%)"] = 100 * (mine / base - 1)
    return df


def specials_coverage(comp: CompiledSchedule) -> pd.DataFrame:
    """For every day of the rotation (and every kind of special day): the homerooms whose
    students go to specials, the specials minutes they need and those the specials
    teachers have, the most homerooms sent at once, and the verdict: "OK" or what
    cannot be covered."""
    rows = [[c.day, c.homerooms_with_specials, c.specials_minutes_needed,
             c.specials_minutes_available,
             f"{c.largest_slot_homerooms} ({c.largest_slot})" if c.largest_slot
             else "staggered", "OK" if c.problem is None else c.problem]
            for c in comp.coverage]
    return pd.DataFrame(rows, columns=["day", "homerooms with specials", "minutes needed",
                                       "minutes available", "most homerooms at once",
                                       "verdict"])


def duties(comp: CompiledSchedule) -> pd.DataFrame:
    """Duty staff-minutes a student day: needed, covered by teachers, paraprofessionals and
    other staff, and left uncovered."""
    return pd.DataFrame({
        "needed": [float(comp.school.duty_minutes_per_day)],
        "covered by teachers, paras and other staff": [comp.duty_minutes_supplied()],
        "uncovered": [comp.duty_minutes_uncovered()]})


def schedule_tables(comp: CompiledSchedule, baseline: CompiledSchedule | None = None
                    ) -> list[tuple[str, pd.DataFrame]]:
    """Every table of ``teachsim schedule``, in its order, each with its title."""
    school = comp.school
    return [
        (f"Day templates of '{comp.policy.name}': minutes inside the "
         f"{school.contract_day_minutes}-min contract day", day_templates(comp)),
        (rotation_title(comp), rotation(comp)),
        (minutes_by_role_title(comp), minutes_by_role(comp)),
        ("Students' instructional minutes a year (homeroom teaching + specials)",
         student_minutes(comp, baseline)),
        (f"Specials coverage ({school.specials_teachers} specials teachers)",
         specials_coverage(comp)),
        ("Duties (staff-minutes per student day)", duties(comp)),
    ]
