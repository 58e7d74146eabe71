"""Budget what-if: move a price or a staffing trade and see the grant budget change.

Two kinds of lever, and the page says which is which:

* **Prices** (the ``costs`` table: payroll load on stipends, salary growth, substitute
  rates, start-up lines, per-pupil spending, ...) are read by the cost model only, never
  by the simulation, so the budget is re-priced from the stored school years at once.
* **Staffing and rollout** (stipend, leaders per grade, clerk and paraprofessional
  changes, schools per year, rollout order) change what the simulation does: stipends
  move who leads and who stays, support staff move teachers' time, the rollout moves who
  adopts when. Changing one re-runs the replications (seconds, in a worker thread).

The source is a scenario file (run here, a few replications) or a finished sweep's arm
(its stored replications; only prices can change, since staffing is what it simulated).
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import solara
import solara.lab
from pydantic import ValidationError

from teachsim.config.errors import ConfigError
from teachsim.config.policy import Policy
from teachsim.config.scenario import Scenario
from teachsim.config.validation import to_config_error
from teachsim.dashboard import widgets
from teachsim.model.records import Table
from teachsim.money.budget import Budget, budget_of_runs, dollars

Kind = Literal["number", "int", "choice", "bool"]


@dataclass(frozen=True)
class Lever:
    """A scenario key the page lets the user move."""

    key: str
    label: str
    unit: str
    kind: Kind = "number"
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    #: what the slider shows the value as: the value times ``scale`` (e.g. a share as %)
    scale: float = 1.0
    choices: tuple[str, ...] = ()
    #: read by the simulation (changing it re-runs the replications)
    simulated: bool = False
    #: only for districts of several schools
    district_only: bool = False


PRICES = (
    Lever("costs.stipend_payroll_load", "payroll tax and retirement on stipends", "%",
          low=0.0, high=0.4, step=0.01, scale=100),
    Lever("costs.salary_growth", "salary growth", "% a year", low=-0.02, high=0.08,
          step=0.005, scale=100),
    Lever("costs.benefits_office", "benefits load, office staff", "x salary", low=1.0,
          high=1.8, step=0.01),
    Lever("costs.substitute_daily_rate", "substitute daily rate", "$ a day", low=80,
          high=300, step=1),
    Lever("costs.pd_hourly_rate", "after-school PD hourly rate", "$ an hour", low=0,
          high=100, step=1),
    Lever("costs.per_pupil_spending", "operating budget per pupil", "$", low=8000,
          high=30000, step=10),
    Lever("costs.neutral_tolerance", "budget-neutral within", "$ a school-year", low=0,
          high=50000, step=500),
    Lever("costs.grant_covers_recurring", "grant also covers the net recurring cost "
          "in start-up years", "", kind="bool"),
)

STAFFING = (
    Lever("staffing.leader_stipend", "teacher-leader stipend", "$ a year", low=0,
          high=20000, step=250, simulated=True),
    Lever("staffing.leaders_per_grade", "teacher leaders per grade", "", kind="int", low=0,
          high=3, step=1, simulated=True),
    Lever("staffing.clerk_fte_change", "clerk FTE change at adoption", "FTE", low=-2,
          high=2, step=0.5, simulated=True),
    Lever("staffing.para_fte_change", "paraprofessional FTE change at adoption", "FTE",
          low=-4, high=4, step=0.5, simulated=True),
    Lever("rollout.strategy", "rollout", "", kind="choice",
          choices=("fixed_rate", "all_at_once", "pilot_then_scale"), simulated=True,
          district_only=True),
    Lever("rollout.per_year", "schools a year (fixed rate)", "schools", kind="int", low=1,
          high=60, step=1, simulated=True, district_only=True),
    Lever("rollout.order", "rollout order", "", kind="choice",
          choices=("roster", "need", "readiness", "random"), simulated=True,
          district_only=True),
)

LEVERS = {lv.key: lv for lv in (*PRICES, *STAFFING)}


def get(scenario: Scenario, key: str) -> Any:
    node: Any = scenario
    for part in key.split("."):
        node = getattr(node, part)
    return node


def startup_key(i: int) -> str:
    return f"costs.startup.{i}.amount"


def priced(scenario: Scenario, prices: dict[str, Any], file: Path) -> Scenario:
    """``scenario`` with ``prices`` (``costs.*`` keys, and start-up amounts as
    ``costs.startup.<i>.amount``) set; a bad value raises the ConfigError the same value
    in ``file`` would. A stipend payroll load moved outside its low-high range widens the
    range to include it (the low and high versions price with the range's ends)."""
    data = scenario.model_dump()
    costs = data["costs"]
    for key, value in prices.items():
        parts = key.split(".")
        if parts[0] != "costs":
            raise ValueError(f"{key} is not a price")
        if parts[1] == "startup":
            costs["startup"][int(parts[2])][parts[3]] = value
        else:
            costs[parts[1]] = value
    load = costs["stipend_payroll_load"]
    if "costs.stipend_payroll_load_low" not in prices:
        costs["stipend_payroll_load_low"] = min(costs["stipend_payroll_load_low"], load)
    if "costs.stipend_payroll_load_high" not in prices:
        costs["stipend_payroll_load_high"] = max(costs["stipend_payroll_load_high"], load)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise to_config_error(exc, Scenario, {}, file) from None


@dataclass
class Source:
    """Simulated school years to budget: the scenario (as run) and its replications."""

    title: str
    name: str
    scenario: Scenario
    policy: Policy | None
    runs: list[tuple[int, Table]]
    path: Path
    n_schools: int
    #: the sweep arm ("" for a scenario run here)
    arm: str = ""


def simulate(path: Path, staffing: dict[str, Any], replications: int,
             years: int | None = None, progress: Any = None) -> Source:
    """Run the scenario at ``path`` with ``staffing`` (dotted keys) set, ``replications``
    times; ``progress(done, total)`` counts school years."""
    from teachsim.config.tomlio import load_with_extends
    from teachsim.experiments.design import replication_seeds, scenario_with
    from teachsim.model.run import run_batch

    data, origins = load_with_extends(path)
    loaded = scenario_with(data, origins, path, staffing)
    if years is not None:
        loaded = loaded.with_overrides(years=years)
    n_years = loaded.scenario.run.years
    seeds = replication_seeds(loaded.scenario.run.seed, replications)
    done = [0]

    def tick(_year: int) -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], n_years)

    results = run_batch(loaded, seeds, progress=tick)
    scen = loaded.scenario
    return Source(f"{scen.name}: {replications} replication(s), {n_years} years "
                  f"(seed {scen.run.seed})", scen.name, scen, loaded.policy,
                  [(i, r.tables["school_year"]) for i, r in enumerate(results)], path,
                  len(loaded.schools))


def from_results(path: Path, arm: str) -> Source:
    """A finished sweep's arm, as stored."""
    from teachsim.money.budget import results_runs

    a = results_runs(path, arm)[0]
    n = len(np.unique(a.runs[0][1]["school_id"]))
    return Source(a.title, a.name, a.scenario, a.policy, a.runs, path / "manifest.json", n,
                  arm=a.arm)


def arms_of(path: Path) -> list[str]:
    from teachsim.experiments.results import open_results

    return list(open_results(path).manifest["arms"])


def budget(source: Source, prices: dict[str, Any]) -> Budget:
    """The source's budget at ``prices``: no simulation, the stored school years re-priced."""
    scen = priced(source.scenario, prices, source.path)
    return budget_of_runs(source.title, source.name, scen, source.policy, source.runs,
                          arm=source.arm)


@dataclass
class Headline:
    #: total philanthropic ask: expected, and P10 and P90 across replications
    ask: float
    ask_p10: float
    ask_p90: float
    #: total net cost of the design: expected, low and high versions
    net_cost: float
    net_cost_low: float
    net_cost_high: float
    #: the largest yearly ask as a share of the district's operating budget
    peak_share: float
    neutral: str


def headline(b: Budget) -> Headline:
    """The figures at the top of the page."""
    from teachsim.money.grant import compact

    sheets = {s.version: compact(s) for s in b.grant.sheets}
    p10, p90 = b.grant.ask_band()
    v = b.tables["neutrality"]
    n = len(v["verdict"])
    neutral = int((v["verdict"] == "budget-neutral").sum())
    return Headline(
        ask=float(sheets["expected"]["ask"].sum()),
        ask_p10=float(p10[-1]) if len(p10) else 0.0,
        ask_p90=float(p90[-1]) if len(p90) else 0.0,
        net_cost=float(sheets["expected"]["net_cost"].sum()),
        net_cost_low=float(sheets["low"]["net_cost"].sum()),
        net_cost_high=float(sheets["high"]["net_cost"].sum()),
        peak_share=float(sheets["expected"]["ask_share"].max(initial=0.0)),
        neutral=f"{neutral} of {n}" if n else "none on the policy")


def grant_frame(b: Budget) -> pd.DataFrame:
    """The grant budget by fiscal year (expected), with the net cost of the low and high
    versions beside the expected."""
    from teachsim.analysis.report import grant_table
    from teachsim.money.grant import compact

    df = grant_table([b]).drop(columns=["Arm"])
    sheets = {s.version: compact(s) for s in b.grant.sheets}
    shown = set(df["Fiscal year"])
    keep = [i for i, fy in enumerate(sheets["expected"]["fiscal_year"]) if fy in shown]
    df.insert(4, "Net cost ($)", [dollars(sheets["expected"]["net_cost"][i]) for i in keep])
    df.insert(5, "Net cost, low to high version ($)",
              [f"{dollars(sheets['low']['net_cost'][i])} to "
               f"{dollars(sheets['high']['net_cost'][i])}" for i in keep])
    return df


def neutrality_frame(b: Budget) -> pd.DataFrame:
    """Budget neutrality by fiscal year: schools on the policy, how many are neutral, the
    net impact of them all (investments + trade-offs) and the largest miss."""
    v = b.tables["neutrality"]
    rows = []
    for fy in sorted(set(v["fiscal_year"].tolist())):
        m = v["fiscal_year"] == fy
        neutral = int((v["verdict"][m] == "budget-neutral").sum())
        rows.append({"Fiscal year": fy, "Schools on the policy": int(m.sum()),
                     "Budget-neutral": neutral, "Missing": int(m.sum()) - neutral,
                     "Net impact, all schools ($)": dollars(float(v["net_impact"][m].sum())),
                     "Share of runs neutral": f"{100 * float(np.mean(
                         v['share_budget_neutral'][m])):.0f}%",
                     "Largest miss ($)": dollars(float(v["misses_by"][m].max()))})
    return pd.DataFrame(rows)


def spreadsheet(b: Budget) -> bytes:
    """The grant spreadsheet (teachsim budget --out budget.xlsx) as bytes."""
    from teachsim.money.spreadsheet import write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx([b], Path(tmp) / "grant_budget.xlsx")
        return path.read_bytes()


# --- the page ----------------------------------------------------------------------------

source_kind = solara.reactive("scenario")
scenario_name = solara.reactive("district_60")
replications = solara.reactive(3)
results_name = solara.reactive("")
arm_name = solara.reactive("")
prices: solara.Reactive[dict[str, Any]] = solara.reactive({})
staffing: solara.Reactive[dict[str, Any]] = solara.reactive({})
# the worker's progress: (school years done, total)
run_progress: solara.Reactive[tuple[int, int]] = solara.reactive((0, 0))
_lock = threading.Lock()


class Superseded(Exception):
    """A newer what-if replaced this one while it ran."""


@solara.lab.task(prefer_threaded=True)
def load_source(kind: str, where: str, arm: str, staff: dict[str, Any], reps: int) -> Source:
    if kind == "results":
        return from_results(Path(where), arm)
    run_progress.set((0, 1))

    def progress(done: int, total: int) -> None:
        # a slider dragged over several steps asks for several runs: only the last counts
        if not load_source.is_current():
            raise Superseded
        run_progress.set((done, total))

    with _lock:  # one simulation at a time per server: it is CPU-bound
        if not load_source.is_current():
            raise Superseded
        return simulate(Path(where), staff, reps, progress=progress)


def _set(store: solara.Reactive[dict[str, Any]], key: str, value: Any) -> None:
    store.set({**store.value, key: value})


def _moved(store: solara.Reactive[dict[str, Any]], lever: Lever, current: float,
           value: float) -> None:
    """A slider's new value. A slider snaps a value off its grid to the nearest step and
    reports it; that is not the user's move, so a report within half a step of the
    scenario's value, before any move, is not taken."""
    value = round(value, 10)
    if lever.key not in store.value and abs(value - float(current)) <= lever.step / 2:
        return
    _set(store, lever.key, int(value) if lever.kind == "int" else value)


def shown(lever: Lever, value: Any) -> str:
    """The value as the page shows it beside the lever's label."""
    if lever.kind in ("choice", "bool"):
        return str(value)
    v = float(value) * lever.scale
    if lever.unit.startswith("$"):
        return dollars(v)
    return f"{v:,.{_decimals(lever.step * lever.scale)}f}"


def _decimals(step: float) -> int:
    text = f"{step:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


@solara.component
def LeverInput(lever: Lever, current: Any, store: solara.Reactive[dict[str, Any]],
               enabled: bool = True) -> None:
    value = store.value.get(lever.key, current)
    label = f"{lever.label}" + (f" ({lever.unit})" if lever.unit else "")
    if lever.kind == "bool":
        solara.Checkbox(label=label, value=bool(value), disabled=not enabled,
                        on_value=lambda v: _set(store, lever.key, v))
        return
    if lever.kind == "choice":
        solara.Select(label=label, values=list(lever.choices), value=str(value),
                      disabled=not enabled, on_value=lambda v: _set(store, lever.key, v))
        return
    changed = lever.key in store.value and store.value[lever.key] != current
    with solara.Column(gap="0px", classes=[f"lever-{lever.key.replace('.', '-')}"]):
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"{label}: <b data-testid='value-{lever.key}'>{shown(lever, value)}</b>"
            + (f" <span style='color:#888'>(scenario: {shown(lever, current)})</span>"
               if changed else "")), style={"font-size": "13px"})
        if lever.kind == "int":
            solara.SliderInt(label="", value=int(value), min=int(lever.low),
                             max=int(lever.high), step=int(lever.step), disabled=not enabled,
                             on_value=lambda v: _moved(store, lever, current, v))
        else:
            s = lever.scale
            solara.SliderFloat(label="", value=float(value) * s, min=lever.low * s,
                               max=lever.high * s, step=lever.step * s, disabled=not enabled,
                               on_value=lambda v: _moved(store, lever, current, v / s))


@solara.component
def Page() -> None:
    solara.Title("teachsim: budget what-if")
    scenarios = widgets.scenario_choices()
    results = widgets.results_choices()
    kind = source_kind.value
    if kind == "results" and not results_name.value and results:
        results_name.set(next(iter(results)))
    where = (str(scenarios.get(scenario_name.value, "")) if kind == "scenario"
             else str(results.get(results_name.value, "")))
    arms: list[str] = []
    arm_error = ""
    if kind == "results" and where:
        try:
            arms = arms_of(Path(where))
        except ConfigError as exc:
            arm_error = str(exc)
    arm = arm_name.value if arm_name.value in arms else (arms[-1] if arms else "")

    def start() -> None:
        if where and (kind == "scenario" or arm):
            load_source(kind, where, arm, staffing.value if kind == "scenario" else {},
                        replications.value)

    solara.use_effect(start, [kind, where, arm, str(sorted(staffing.value.items())),
                              replications.value])

    with solara.Columns([1, 3]):
        with solara.Column():
            solara.Markdown("### Source")
            solara.ToggleButtonsSingle(value=source_kind, values=["scenario", "results"])
            if kind == "scenario":
                solara.Select(label="scenario", values=list(scenarios),
                              value=scenario_name)
                solara.SliderInt(label="replications", value=replications, min=1, max=10,
                                 thumb_label="always")
            else:
                if not results:
                    solara.Warning("No results directories: run `teachsim sweep` first, or "
                                   "start `teachsim dashboard RESULTS_DIR`.")
                else:
                    solara.Select(label="results", values=list(results),
                                  value=results_name)
                    if arms:
                        solara.Select(label="arm", values=arms, value=arm,
                                      on_value=arm_name.set)
            # the last finished source keeps the levers in place while a new one runs
            _Levers(load_source.latest, kind)
        with solara.Column():
            if arm_error:
                widgets.ErrorBox(arm_error)
            elif load_source.pending:
                done, total = run_progress.value
                solara.Text(f"Simulating: year {done} of {total}" if kind == "scenario"
                            else "Reading the stored replications")
                solara.ProgressLinear(done / total * 100 if kind == "scenario" and total
                                      else True)
            elif load_source.error:
                widgets.ErrorBox(str(load_source.exception))
            elif load_source.finished and load_source.value is not None:
                _Budget(load_source.value)


@solara.component
def _Levers(src: Source | None, kind: str) -> None:
    if src is None:
        return
    scen = src.scenario
    solara.Markdown("### Prices\nRe-priced at once from the stored school years (the "
                    "simulation never reads them).")
    for lv in PRICES:
        LeverInput(lv, get(scen, lv.key), prices)
    with solara.Details("Start-up lines (one-time, per unit)"):
        for i, line in enumerate(scen.costs.startup):
            key = startup_key(i)
            solara.InputFloat(label=f"{line.name} ($ per {line.per})",
                              value=prices.value.get(key, line.amount),
                              on_value=lambda v, k=key: _set(prices, k, v))
    solara.Markdown("### Staffing and rollout\n" + (
        f"Re-simulates the {replications.value} replication(s) (seconds): the model reads "
        "these." if kind == "scenario" else "Fixed for a finished sweep: these are what "
        "it simulated. To try others, choose the scenario as the source."))
    for lv in STAFFING:
        if lv.district_only and src.n_schools < 2:
            continue
        if lv.key == "rollout.per_year":
            lv = replace(lv, high=float(src.n_schools))
        LeverInput(lv, get(scen, lv.key), staffing, enabled=kind == "scenario")
    if prices.value or staffing.value:
        solara.Button("Back to the scenario's values", text=True,
                      on_click=lambda: (prices.set({}), staffing.set({})))


@solara.component
def _Budget(src: Source) -> None:
    price_key = str(sorted(prices.value.items()))

    def compute() -> tuple[Budget | None, str]:
        try:
            return budget(src, prices.value), ""
        except ConfigError as exc:
            return None, str(exc)

    b, problem = solara.use_memo(compute, [src, price_key])
    if b is None:
        widgets.ErrorBox(problem)
        return
    h = headline(b)
    solara.Markdown(f"### {b.title}")
    with solara.Row(classes=["ts-headline"]):
        for label, value in (
                ("Philanthropic ask, total", dollars(h.ask)),
                ("Ask, P10 to P90 across replications",
                 f"{dollars(h.ask_p10)} to {dollars(h.ask_p90)}"),
                ("Net cost of the design, total", dollars(h.net_cost)),
                ("Net cost, low to high version",
                 f"{dollars(h.net_cost_low)} to {dollars(h.net_cost_high)}"),
                ("Largest yearly ask, share of the operating budget",
                 f"{100 * h.peak_share:.3f}%"),
                ("Budget-neutral school-years", h.neutral)):
            with solara.Card(margin=1, style={"min-width": "150px"}):
                solara.Text(label, style={"font-size": "12px", "color": "#555"})
                solara.HTML(tag="div", unsafe_innerHTML=f"<b data-testid='{_slug(label)}'>"
                            f"{value}</b>", style={"font-size": "18px"})
    widgets.Table(grant_frame(b), caption="Grant budget by fiscal year: expected (the mean "
                  "over the replications); the low and high versions are the replications "
                  "at the 10th and 90th percentile of total net cost, priced with the low "
                  "and high stipend payroll load",
                  test_id="grant-table", bold_rows=())
    widgets.Table(neutrality_frame(b), caption="Budget neutrality of the schools on the "
                  "policy", test_id="neutrality-table")
    solara.FileDownload(lambda: spreadsheet(b), filename="grant_budget.xlsx",
                        label="Download the grant spreadsheet (.xlsx)",
                        mime_type="application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet")
    with solara.Details("Notes and assumptions"):
        for note in b.notes:
            solara.Markdown(f"- {note}")


def _slug(text: str) -> str:
    return "-".join(text.lower().replace(",", "").split())
