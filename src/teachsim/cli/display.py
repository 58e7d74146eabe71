"""Readable terminal output: the compiled schedule and run summaries, as rich tables; the
progress bar of long commands."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.console import Console, Group
from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from teachsim.config.policy import ACTIVITIES
from teachsim.model.schedule import CompiledSchedule

_SHORT = {
    "teaching": "teach",
    "individual_planning": "plan",
    "collaboration": "collab",
    "pd": "PD",
    "duties": "duties",
    "leadership": "lead",
    "breaks": "breaks",
    "other": "other",
}


def progress_bar(console: Console, *columns: ProgressColumn) -> Progress:
    """The progress bar of a long command (``teachsim sweep``, ``teachsim sensitivity``)
    on ``console`` (stderr, so that stdout keeps only the results): per task, what it is
    doing, the bar, done/total in the task's ``unit`` field, any further ``columns`` and
    the time left. Where stderr is not a terminal (a log file) the final counts are
    written once, when the bar stops."""
    return Progress(TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total} {task.fields[unit]}"),
                    *columns, TimeRemainingColumn(), console=console)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 0.05 else f"{x:,.1f}"


def schedule_tables(comp: CompiledSchedule, baseline: CompiledSchedule | None = None
                    ) -> Group:
    p = comp.policy
    school = comp.school
    parts: list[Table] = []

    t = Table(title=f"Day templates of '{p.name}': minutes inside the "
              f"{school.contract_day_minutes}-min contract day", title_justify="left")
    t.add_column("activity")
    shown = [i for i, (role, _n) in enumerate(comp.row_names) if role != "off"]
    for i in shown:
        role, name = comp.row_names[i]
        t.add_column(f"{role}\n{name}", justify="right")
    for a, act in enumerate(ACTIVITIES):
        t.add_row(act.replace("_", " "), *(_fmt(comp.templates[i, a]) for i in shown))
    t.add_row("[b]total[/]", *(f"[b]{_fmt(comp.templates[i].sum())}[/]" for i in shown))
    t.add_row("students with specials", *(
        _fmt(comp.students_with_specials[i]) if comp.row_names[i][0] == "homeroom" else ""
        for i in shown))
    collab = ACTIVITIES.index("collaboration")
    t.add_row("collaboration is", *(
        ("facilitated" if comp.facilitated[i] else "unfacilitated") + ",\n"
        + ("structured" if comp.structured[i] else "unstructured")
        if comp.templates[i, collab] else "" for i in shown))
    parts.append(t)

    t = Table(title=f"Rotation: {p.cycle_days}-day cycle "
              f"({'Mon-Fri' if p.cycle_follows == 'weekday' else 'advances each student day'})",
              title_justify="left")
    t.add_column("cycle day")
    for g in school.grades:
        t.add_column(f"grade {g}")
    t.add_column("specials")
    for c in range(p.cycle_days):
        cells = []
        for g in school.grades:
            r = comp.cycle_rows[c, comp.class_index("homeroom", g)]
            cell = comp.row_names[r][1]
            slot = next((a.slot for a in p.assign if a.cycle_day == c + 1 and a.slot
                         and (a.grades == "all" or g in a.grades)), None)
            cells.append(f"{cell} ({slot})" if slot else cell)
        sp = comp.row_names[comp.cycle_rows[c, comp.class_index("specials")]][1]
        t.add_row(str(c + 1), *cells, sp)
    parts.append(t)

    weekly = comp.weekly_in_day_by_class()
    wbeyond = comp.weekly_beyond_by_class()
    yearly = comp.yearly_by_class()
    ybeyond = comp.yearly_beyond_by_class()
    roles = [("homeroom", school.grades[0]), ("specials", "")]
    if comp.policy.roles.leader is not None:
        roles.insert(1, ("leader", school.grades[0]))
    label = {"homeroom": "homeroom teacher", "leader": "teacher leader",
             "specials": "specials teacher"}
    t = Table(title=f"Minutes by role: a typical week (one rotation cycle averaged, x5 "
              f"days) and the school year ({comp.calendar.n_contract_days} contract days, "
              f"{comp.calendar.n_student_days} with students)", title_justify="left")
    t.add_column("activity")
    cols = [(r, g, unit) for unit in ("week", "year") for r, g in roles]
    for r, _g, unit in cols:
        t.add_column(f"{label[r]}\nper {unit}", justify="right")
    idx = [comp.class_index(r, g) for r, g, _u in cols]
    data = [weekly if u == "week" else yearly for _r, _g, u in cols]
    extra = [wbeyond if u == "week" else ybeyond for _r, _g, u in cols]
    for a, act in enumerate(ACTIVITIES):
        t.add_row(act.replace("_", " "), *(_fmt(d[k, a]) for d, k in zip(data, idx,
                                                                          strict=True)))
    t.add_row("[b]in contract[/]", *(f"[b]{_fmt(d[k].sum())}[/]"
                                     for d, k in zip(data, idx, strict=True)))
    t.add_row("beyond contract", *(_fmt(e[k].sum()) for e, k in zip(extra, idx, strict=True)))
    t.add_row("[b]hours[/]", *(f"[b]{(d[k].sum() + e[k].sum()) / 60:,.1f}[/]"
                               for d, e, k in zip(data, extra, idx, strict=True)))
    parts.append(t)

    t = Table(title="Students' instructional minutes a year (homeroom teaching + specials)",
              title_justify="left")
    t.add_column("grade")
    t.add_column(p.name, justify="right")
    if baseline is not None:
        t.add_column(f"baseline: {baseline.policy.name}", justify="right")
        t.add_column("difference", justify="right")
    mine = comp.student_minutes_by_grade()
    base = baseline.student_minutes_by_grade() if baseline is not None else None
    for g, grade in enumerate(school.grades):
        cells = [_fmt(mine[g])]
        if base is not None:
            pct = 100 * (mine[g] / base[g] - 1)
            cells += [_fmt(base[g]), f"{mine[g] - base[g]:+,.0f} ({pct:+.2f}%)"]
        t.add_row(grade, *cells)
    parts.append(t)

    t = Table(title=f"Specials coverage ({school.specials_teachers} specials teachers)",
              title_justify="left")
    for col in ("day", "homerooms with specials", "minutes needed", "minutes available",
                "most homerooms at once", "verdict"):
        t.add_column(col)
    for c in comp.coverage:
        at_once = (f"{c.largest_slot_homerooms} ({c.largest_slot})" if c.largest_slot
                   else "staggered")
        t.add_row(c.day, str(c.homerooms_with_specials), _fmt(c.specials_minutes_needed),
                  _fmt(c.specials_minutes_available), at_once,
                  "[green]OK[/]" if c.problem is None else f"[red]{c.problem}[/]")
    parts.append(t)

    t = Table(title="Duties (staff-minutes per student day)", title_justify="left")
    for col in ("needed", "covered by teachers, paras and other staff", "uncovered"):
        t.add_column(col, justify="right")
    unc = comp.duty_minutes_uncovered()
    t.add_row(_fmt(school.duty_minutes_per_day), _fmt(comp.duty_minutes_supplied()),
              f"[yellow]{_fmt(unc)}[/]" if unc else "0")
    parts.append(t)
    return Group(*parts)


SUMMARY_ROWS: Sequence[tuple[str, str, str]] = (
    ("policy", "policy", "s"),
    ("schools", "schools", "d"),
    ("teachers", "teachers", "d"),
    ("students", "students", "d"),
    ("share_of_school_years_on_policy", "school-years on the policy (%)", "%"),
    ("leaders_per_school", "teacher leaders per school", "f"),
    ("stipends_per_school_year", "leader stipends per school-year ($)", "f"),
    ("homeroom_teaching_minutes_per_year", "homeroom teaching, min/year", "f"),
    ("homeroom_planning_minutes_per_year", "homeroom individual planning, min/year", "f"),
    ("homeroom_collaboration_minutes_per_year", "homeroom collaboration, min/year", "f"),
    ("effective_collaboration_minutes_per_year", "... effective (x quality), min/year", "f"),
    ("weekly_hours", "hours worked per school week", "h"),
    ("burnout_prevalence", "teachers burned out (%)", "%"),
    ("absence_days_per_teacher", "absence days per teacher-year", "h"),
    ("substitute_days_per_school_year", "substitute days per school-year", "f"),
    ("substitute_fill_rate", "... share of absences a substitute filled (%)", "%"),
    ("turnover_rate", "turnover per year (%)", "%"),
    ("mover_rate", "... movers (%)", "%"),
    ("leaver_rate", "... leavers (%)", "%"),
    ("retiree_rate", "... retirees (%)", "%"),
    ("vacancies_per_school_year", "unfilled posts per school-year", "h"),
    ("practice_mean", "teacher practice, mean (SD)", "3"),
    ("student_growth_sd", "student growth vs novice-taught (SD/year)", "3"),
    ("instructional_minutes_per_student_year", "students' instructional min/year", "f"),
    ("instructional_minutes_vs_baseline_pct", "... vs baseline (%)", "p"),
    ("duty_minutes_uncovered_per_day", "duty minutes uncovered per day", "f"),
)


def summary_table(summaries: Sequence[dict[str, object]], title: str) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("")
    for s in summaries:
        t.add_column(str(s["scenario"]), justify="right")
    for key, label, kind in SUMMARY_ROWS:
        cells = []
        for s in summaries:
            v = s[key]
            if kind == "s":
                cells.append(str(v))
            elif kind == "d":
                cells.append(f"{int(v):,}")  # type: ignore[call-overload]
            elif kind == "h":
                cells.append(f"{float(v):.1f}")  # type: ignore[arg-type]
            elif kind == "p":
                cells.append(f"{float(v):+.2f}")  # type: ignore[arg-type]
            elif kind == "%":
                cells.append(f"{100 * float(v):.1f}")  # type: ignore[arg-type]
            elif kind == "3":
                cells.append(f"{float(v):+.3f}")  # type: ignore[arg-type]
            else:
                cells.append(_fmt(float(v)))  # type: ignore[arg-type]
        t.add_row(label, *cells)
    return t


def print_renderable(obj: object, console: Console | None = None) -> None:
    (console or Console()).print(obj)


def _money(x: float) -> str:
    from teachsim.money.budget import dollars

    return dollars(x)


def budget_tables(b: object) -> Group:
    """Terminal view of a Budget: the grant budget by fiscal year (expected, with the
    cumulative ask's P10-P90 across replications), the ledger by year (one run) and
    neutrality."""
    from teachsim.money.grant import compact

    parts: list[object] = []
    tables = b.tables  # type: ignore[attr-defined]
    sheets = {s.version: s for s in b.grant.sheets}  # type: ignore[attr-defined]
    g = compact(sheets["expected"])
    lo, hi = b.grant.ask_band()  # type: ignore[attr-defined]
    t = Table(title=f"Grant budget: {b.title}", title_justify="left",  # type: ignore[attr-defined]
              caption=f"{sheets['expected'].basis} Cumulative ask: expected (P10-P90 across "
              "replications). --out budget.xlsx writes every line and the low and high "
              "versions.", caption_justify="left")
    for col in ("fiscal year", "schools", "start-up (one-time)", "net recurring",
                "net cost", "ask", "cumulative ask (P10-P90)", "ask % of budget"):
        t.add_column(col, justify="left" if col == "fiscal year" else "right")
    for i, fy in enumerate(g["fiscal_year"]):
        schools = g["schools"][i]
        band = ("" if lo[i] == hi[i] == g["cumulative_ask"][i]
                else f" ({_money(lo[i])}-{_money(hi[i])})")
        t.add_row(fy, f"{schools:,.0f}" if schools == round(schools) else f"{schools:,.1f}",
                  _money(g["one_time"][i]), _money(g["net_recurring"][i]),
                  _money(g["net_cost"][i]), _money(g["ask"][i]),
                  _money(g["cumulative_ask"][i]) + band, f"{100 * g['ask_share'][i]:.3f}%")
    t.add_row("total", "", _money(g["one_time"].sum()), _money(g["net_recurring"].sum()),
              _money(g["net_cost"].sum()), _money(g["ask"].sum()), "", "", style="bold")
    parts.append(t)
    if "budget by year" in tables:
        y = tables["budget by year"]
        years = sorted(set(y["year"].tolist()))[:6]
        t = Table(title="Ledger, all schools (first years; amount, with the stipend "
                  "payroll-load range where it applies)", title_justify="left")
        t.add_column("line")
        t.add_column("kind")
        for yr in years:
            t.add_column(str(yr), justify="right")
        from teachsim.money.budget import ledger_cells

        for line, cat, cells in ledger_cells(y, years):
            t.add_row(line, cat, *(c.replace(" (", "\n(") for c in cells))
        parts.append(t)
    v = tables.get("neutrality")
    if v is not None and len(v["year"]):
        several = int(np.max(v["replications_on_policy"])) > 1
        t = Table(title="Budget neutrality of schools on the policy"
                  + (" (expected net over the replications)" if several else ""),
                  title_justify="left")
        for col in ("year", "schools on the policy" + (" in any run" if several else ""),
                    "budget-neutral", "missing",
                    "net, all schools", "share of runs neutral" if several else
                    "net (low-high payroll load)", "largest miss"):
            t.add_column(col, justify="right")
        for yr in sorted(set(v["year"].tolist())):
            m = v["year"] == yr
            neutral = int((v["verdict"][m] == "budget-neutral").sum())
            t.add_row(str(yr), str(int(m.sum())), str(neutral), str(int(m.sum()) - neutral),
                      _money(float(v["net_impact"][m].sum())),
                      f"{100 * float(np.mean(v['share_budget_neutral'][m])):.0f}%" if several
                      else f"{_money(float(v['net_impact_low'][m].sum()))} to "
                      f"{_money(float(v['net_impact_high'][m].sum()))}",
                      _money(float(v["misses_by"][m].max())))
        parts.append(t)
    return Group(*parts)  # type: ignore[arg-type]
