"""Readable terminal output: the compiled schedule and run summaries, as rich tables."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
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
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def budget_tables(b: object) -> Group:
    """Terminal view of a Budget: grant budget (or bands), yearly totals, verdicts."""
    parts: list[object] = []
    tables = b.tables  # type: ignore[attr-defined]
    if "grant budget" in tables:
        g = tables["grant budget"]
        t = Table(title=f"Grant budget: {b.title}", title_justify="left")  # type: ignore[attr-defined]
        for col in ("fiscal year", "cohort", "schools", "start-up (one-time)", "recurring",
                    "savings", "net", "ask", "cumulative ask", "ask % of budget"):
            t.add_column(col, justify="left" if col in ("fiscal year", "cohort") else "right")
        for i in range(len(g["fiscal_year"])):
            total = g["cohort"][i] == "total"
            style = "bold" if total else None
            t.add_row(g["fiscal_year"][i], g["cohort"][i], str(g["schools"][i]),
                      _money(g["one_time_startup"][i]), _money(g["recurring_costs"][i]),
                      _money(g["savings"][i]), _money(g["net"][i]),
                      _money(g["philanthropic_ask"][i]), _money(g["cumulative_ask"][i]),
                      f"{g['ask_share_of_budget_pct'][i]:.3f}%", style=style)
        parts.append(t)
    if "grant budget bands" in tables:
        g = tables["grant budget bands"]
        t = Table(title=f"Grant budget: {b.title}", title_justify="left")  # type: ignore[attr-defined]
        for col in ("fiscal year", "cohort", "start-up", "net", "ask", "cumulative ask",
                    "ask % of budget"):
            t.add_column(col, justify="left" if col in ("fiscal year", "cohort") else "right")

        def band(col: str, i: int, fmt: object = _money) -> str:
            lo, mid, hi = (g[f"{col}_p{q}"][i] for q in (10, 50, 90))
            f = fmt  # type: ignore[assignment]
            return f"{f(mid)} ({f(lo)}-{f(hi)})"  # type: ignore[operator]

        for i in range(len(g["fiscal_year"])):
            if g["cohort"][i] != "total":
                continue
            t.add_row(g["fiscal_year"][i], g["cohort"][i], band("one_time_startup", i),
                      band("net", i), band("philanthropic_ask", i),
                      band("cumulative_ask", i),
                      band("ask_share_of_budget_pct", i, lambda x: f"{x:.3f}%"))
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
        lines = list(dict.fromkeys(zip(y["line"].tolist(), y["category"].tolist(),
                                       strict=True)))
        for line, cat in lines:
            cells = []
            for yr in years:
                m = (y["year"] == yr) & (y["line"] == line)
                a, lo, hi = (float(y[c][m].sum()) for c in ("amount", "amount_low",
                                                            "amount_high"))
                cells.append(_money(a) if lo == hi else f"{_money(a)}\n({_money(lo)}-"
                             f"{_money(hi)})")
            if any(c not in ("$0",) for c in cells):
                t.add_row(line, cat, *cells)
        parts.append(t)
    if "verdicts" in tables:
        v = tables["verdicts"]
        t = Table(title="Budget neutrality of schools on the policy", title_justify="left")
        for col in ("year", "on the policy", "budget-neutral", "missing", "net impact",
                    "net (low-high payroll load)", "largest miss"):
            t.add_column(col, justify="right")
        for yr in sorted(set(v["year"].tolist())):
            m = (v["year"] == yr) & v["adopted"]
            if not m.any():
                continue
            neutral = int((v["verdict"][m] == "budget-neutral").sum())
            t.add_row(str(yr), str(int(m.sum())), str(neutral), str(int(m.sum()) - neutral),
                      _money(float(v["net_impact"][m].sum())),
                      f"{_money(float(v['net_impact_low'][m].sum()))} to "
                      f"{_money(float(v['net_impact_high'][m].sum()))}",
                      _money(float(v["misses_by"][m].max())))
        parts.append(t)
    return Group(*parts)  # type: ignore[arg-type]
