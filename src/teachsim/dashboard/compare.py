"""Run and compare: a scenario under one or more policies, a few replications each, run
in a worker thread with a progress bar, then trajectories with bands and differences
paired by replication.

Each chosen policy is an arm: the scenario with ``schedule.policy`` set to it, built the
way an experiment builds an arm's ``set`` overrides. Every arm runs the same replication
seeds, spawned from the root seed as experiments spawn them, so replication ``r`` of
every arm meets the same random draws (common random numbers) and the difference of two
arms is taken replication by replication. The numbers and figures come from the same
functions as ``teachsim report``: :mod:`teachsim.analysis.stats` for bands, means and
paired differences, :mod:`teachsim.analysis.plots` for the figures,
:mod:`teachsim.analysis.report` for the way numbers are written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import solara
import solara.util
from solara.lab import task

from teachsim.analysis import report, stats
from teachsim.config.errors import ConfigError
from teachsim.config.limits import MAX_SEED
from teachsim.config.policy import builtin_policies
from teachsim.config.scenario import Scenario, read_scenario
from teachsim.config.tomlio import load_with_extends
from teachsim.config.validation import quote
from teachsim.dashboard import widgets
from teachsim.experiments.design import replication_seeds, run_id, scenario_with
from teachsim.model.run import TABLES, RunResult, run_batch
from teachsim.model.scenario import LoadedScenario, load_scenario

DEFAULT_SCENARIO = "school_d"
#: the policy compared with the baseline unless the scenario names another
DEFAULT_POLICY = "rotating_release"
DEFAULT_REPLICATIONS = 3
#: a page that waits for its answer is for a few quick runs; longer or bigger
#: comparisons are experiments (``teachsim sweep``), which run in parallel and are kept
MAX_REPLICATIONS = 20
MAX_YEARS = 10
#: the outcomes a user can choose: those the report draws (labels and units in
#: :data:`teachsim.analysis.stats.OUTCOMES`), turnover as its complement, retention
OUTCOMES = tuple(stats.OUTCOMES)
DEFAULT_OUTCOME = "retention_rate"
#: the tables a comparison keeps of each run: all but the teacher-year rows, which a
#: district's twenty replications make into hundreds of megabytes a browser session
#: would hold, and which nothing on the page reads
KEPT_TABLES = tuple(t for t in TABLES if t != "teacher_year")


# --- settings ---------------------------------------------------------------------------
def policy_choices() -> list[str]:
    """The built-in policies (configs/policies), by name."""
    return builtin_policies()


def default_policies(scenario: Scenario) -> list[str]:
    """The arms a comparison starts with: the scenario's baseline first (the reference of
    the differences), then the scenario's own policy when it differs, else rotating
    release (or traditional, when rotating release is the baseline)."""
    base = scenario.schedule.baseline
    other = scenario.schedule.policy
    if other == base or other.endswith(".toml"):
        other = DEFAULT_POLICY if base != DEFAULT_POLICY else "traditional"
    return [base, other]


@dataclass(frozen=True)
class Defaults:
    """What the settings start at for a scenario."""

    policies: list[str]
    years: int
    seed: int


def scenario_defaults(path: Path) -> Defaults:
    """The starting settings for the scenario file ``path`` (its years capped at
    :data:`MAX_YEARS`); ConfigError if the file is bad as data."""
    scenario, _ = read_scenario(path)
    return Defaults(default_policies(scenario), min(scenario.run.years, MAX_YEARS),
                    scenario.run.seed)


def settings_problem(policies: Sequence[str], replications: int | None, years: int | None,
                     seed: int | None) -> str | None:
    """Why the settings cannot be run, in a sentence, or None when they can."""
    if not policies:
        return "Choose at least one policy."
    if replications is None or not 1 <= replications <= MAX_REPLICATIONS:
        return f"Replications must be a whole number from 1 to {MAX_REPLICATIONS}."
    if years is None or not 1 <= years <= MAX_YEARS:
        return (f"Years must be a whole number from 1 to {MAX_YEARS} (for longer runs, "
                "write an experiment and run teachsim sweep).")
    if seed is None or not 0 <= seed <= MAX_SEED:
        return f"The seed must be a whole number from 0 to {MAX_SEED:,}."
    return None


@dataclass(frozen=True)
class Arm:
    """One arm: a policy's name and the scenario running it."""

    name: str
    loaded: LoadedScenario


def build_arms(path: Path, policies: Sequence[str]) -> list[Arm]:
    """One arm per policy (repeats dropped, order kept: the first is the reference): the
    scenario of ``path`` with ``schedule.policy`` set to the policy, validated as an
    experiment validates an arm's overrides. A scenario that is bad as written raises
    the ConfigError ``teachsim run`` would print; a policy that does not fit it raises
    that error as ``teachsim sweep`` words it for an arm ("in arm 'x': ...")."""
    load_scenario(path)
    data, origins = load_with_extends(path)
    arms = []
    for policy in dict.fromkeys(policies):
        try:
            loaded = scenario_with(data, origins, path, {"schedule.policy": policy})
        except ConfigError as exc:
            raise ConfigError(exc.file, exc.key, f"in arm {quote(policy)}: {exc.problem}",
                              exc.fix) from None
        arms.append(Arm(policy, loaded))
    return arms


# --- running ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """How far a comparison has got: ``done`` of ``total`` school-years."""

    arm: int  # 1-based
    arms: int
    arm_name: str
    year: int  # years finished in this arm
    years: int
    done: int
    total: int
    #: every arm has run; the outcomes are being summed up (costs from the ledger)
    summing: bool = False

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def text(self) -> str:
        if self.summing:
            return f"all {self.arms} arm(s) run, pricing each run's ledger"
        return (f"arm {self.arm} of {self.arms} ({self.arm_name}): year {self.year} of "
                f"{self.years}")


@dataclass
class Comparison:
    """A finished comparison: what was run and what came out."""

    scenario: str
    arms: list[str]
    root_seed: int
    seeds: list[int]
    years: int
    schools: int
    #: each arm's replications, in seed order
    results: dict[str, list[RunResult]]
    #: one row per arm, replication and year (:func:`district_outcomes`)
    outcomes: pd.DataFrame
    seconds: float

    @property
    def replications(self) -> int:
        return len(self.seeds)

    @property
    def school_years(self) -> int:
        return len(self.arms) * self.replications * self.years * self.schools


def run_comparison(arms: Sequence[Arm], seeds: Sequence[int], years: int,
                   progress: Callable[[Progress], None] | None = None,
                   root_seed: int = -1, keep: Sequence[str] = KEPT_TABLES) -> Comparison:
    """Run every arm with the same ``seeds``, the replications of an arm side by side in
    one model (``run_batch``), and collect their district-year outcomes; each run keeps
    the tables in ``keep``. ``progress`` hears at the start of each arm and after each
    of its years; it may raise to stop."""
    t0 = time.perf_counter()
    sizes = [len(seeds) * len(a.loaded.schools) for a in arms]
    total = sum(sizes) * years
    results: dict[str, list[RunResult]] = {}
    before = 0
    for i, arm in enumerate(arms):
        def tell(year: int, i: int = i, arm: Arm = arm, before: int = before) -> None:
            if progress is not None:
                progress(Progress(i + 1, len(arms), arm.name, year, years,
                                  before + year * sizes[i], total))

        tell(0)
        results[arm.name] = run_batch(arm.loaded, list(seeds), years, progress=tell)
        for r in results[arm.name]:
            # the outcomes need the school-year rows (costs) and district-year rows
            r.tables = {k: v for k, v in r.tables.items()
                        if k in keep or k in ("school_year", "district_year")}
        before += sizes[i] * years
    if progress is not None and arms:
        progress(Progress(len(arms), len(arms), arms[-1].name, years, years, total, total,
                          summing=True))
    outcomes = district_outcomes(arms, results)
    # the scenario as the user chose it: its file's name
    name = arms[0].loaded.path.stem if arms else ""
    return Comparison(name, [a.name for a in arms], root_seed, list(seeds), years,
                      len(arms[0].loaded.schools) if arms else 0, results, outcomes,
                      time.perf_counter() - t0)


def district_outcomes(arms: Sequence[Arm], results: dict[str, list[RunResult]]
                      ) -> pd.DataFrame:
    """One row per arm, replication and year: the run's ``district_year`` table with the
    keys of an experiment's results (``run_id``, ``arm``, ``point``, ``replication``,
    ``draw``) and the report's derived outcomes (``retention_rate``,
    ``cost_per_school``), the shape :func:`stats.district_outcomes` gives for stored
    results."""
    frames = []
    for a_i, arm in enumerate(arms):
        for r, res in enumerate(results[arm.name]):
            dy = pd.DataFrame(res.tables["district_year"])
            dy.insert(0, "run_id", run_id(a_i, 0, r))
            dy.insert(1, "arm", arm.name)
            dy.insert(2, "point", 0)
            dy.insert(3, "replication", r)
            dy["draw"] = -1
            dy["retention_rate"] = 1.0 - dy["turnover_rate"]
            dy["cost_per_school"] = dy["year"].map(stats.run_cost_per_school(
                res.tables["school_year"], arm.loaded.scenario))
            frames.append(dy)
    return pd.concat(frames, ignore_index=True)


# --- summaries --------------------------------------------------------------------------
def per_run(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Each run's outcomes averaged over its years: one value per run, the unit the
    confidence intervals and paired differences count."""
    return stats.run_means(outcomes)


def all_differences(runs: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Every arm minus ``reference``, paired by replication, for every outcome."""
    frames = [stats.paired_differences(runs, o, reference) for o in OUTCOMES
              if o in runs and runs[o].notna().any()]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["arm", "reference", "outcome", "mean", "ci_low",
                                     "ci_high", "n"])
    return pd.concat(frames, ignore_index=True)


def outcome_summary(runs: pd.DataFrame, outcome: str, reference: str,
                    arms: Sequence[str]) -> pd.DataFrame:
    """For one outcome: each arm's mean over runs with its 95% CI (a share's clipped to
    [0, 1], as the report's summary does), then each other arm's paired difference from
    ``reference`` with its 95% CI. Numbers in the data's units."""
    rows = []
    for arm in arms:
        x = runs.loc[runs["arm"] == arm, outcome].dropna().to_numpy(float)
        mean, lo, hi = stats.mean_ci(x)
        if outcome in stats.PERCENT:
            lo, hi = max(lo, 0.0), min(hi, 1.0)
        rows.append({"row": arm, "kind": "arm", "arm": arm, "mean": mean, "ci_low": lo,
                     "ci_high": hi, "runs": len(x)})
    diffs = stats.paired_differences(runs, outcome, reference)
    by_arm = {r["arm"]: r for _, r in diffs.iterrows()}
    for arm in arms:
        if arm == reference or arm not in by_arm:
            continue
        d = by_arm[arm]
        rows.append({"row": f"{arm} \u2212 {reference}", "kind": "difference", "arm": arm,
                     "mean": d["mean"], "ci_low": d["ci_low"], "ci_high": d["ci_high"],
                     "runs": int(d["n"])})
    return pd.DataFrame(rows, columns=["row", "kind", "arm", "mean", "ci_low", "ci_high",
                                       "runs"])


def outcome_table(summary: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """:func:`outcome_summary` as the page shows it, written by the report's ``fmt``:
    shares in percent and their differences in percentage points, money in dollars."""
    kind = report.kind_of(outcome)
    rows = []
    for _, r in summary.iterrows():
        diff = r["kind"] == "difference"
        rows.append({"Arm": r["row"] + (" (paired)" if diff else ""),
                     "Runs": report.fmt(int(r["runs"]), "count"),
                     "Mean": report.fmt(r["mean"], kind, signed=diff),
                     "95% CI": report.interval(r["ci_low"], r["ci_high"], kind,
                                               signed=diff)})
    return pd.DataFrame(rows, columns=["Arm", "Runs", "Mean", "95% CI"])


def outcome_caption(outcome: str) -> str:
    unit = report.heading(outcome, difference=True).rpartition("(")[2].rstrip(")")
    unit = "dollars" if unit == "$" else unit
    return (f"{report.heading(outcome)}: mean over each run's years, 95% CI over "
            f"replications; differences paired by replication, in {unit}")


def trajectory_figure(outcomes: pd.DataFrame, outcome: str) -> tuple[Any, pd.DataFrame]:
    """Median and P10-P90 band over replications, per arm and year."""
    from teachsim.analysis import plots

    return plots.trajectories(stats.bands(outcomes, outcome), outcome)


def paired_figure(diffs: pd.DataFrame) -> tuple[Any, pd.DataFrame]:
    """Paired differences from the reference with 95% CIs, one panel per outcome."""
    from teachsim.analysis import plots

    return plots.paired(diffs)


def label(outcome: str) -> str:
    """An outcome's name in the outcome menu."""
    return stats.OUTCOMES[outcome][0]


# --- the page ---------------------------------------------------------------------------
#: how far the running comparison has got (each browser session has its own)
status: solara.Reactive[Progress | None] = solara.reactive(None)
#: Cancel was pressed: the worker stops when the year it is running ends
cancelling = solara.reactive(False)


@task
def run_task(arms: list[Arm], seeds: list[int], years: int, root_seed: int) -> Comparison:
    """The comparison in a worker thread: the page stays live, the bar moves after every
    year, and Cancel (or a new Run) stops it at the next year."""
    def tell(p: Progress) -> None:
        if not run_task.is_current() or _page_closed():
            raise solara.util.CancelledError()
        status.value = p
        run_task.progress = 100.0 * p.fraction

    return run_comparison(arms, seeds, years, tell, root_seed)


def _page_closed() -> bool:
    """Whether the browser tab that started the run has gone: a run nobody will see
    should not keep a core busy (the worker inherits the tab's kernel context)."""
    from solara.server import kernel_context

    try:
        return kernel_context.get_current_context().closed_event.is_set()
    except RuntimeError:  # no context: not under the server (tests)
        return False


def _prepare(path: Path | None, policies: tuple[str, ...]) -> tuple[list[Arm], str | None]:
    if path is None:
        return [], "Choose a scenario."
    if not policies:
        return [], None
    try:
        return build_arms(path, policies), None
    except ConfigError as exc:
        return [], str(exc)


@solara.component
def Page() -> None:
    """Settings (scenario, policies, replications, years, seed), Run and Cancel with the
    progress of the run, then the results of the last finished run."""
    choices = solara.use_memo(widgets.scenario_choices, [])
    names = list(choices)
    first = DEFAULT_SCENARIO if DEFAULT_SCENARIO in choices else (names[0] if names else "")
    scenario = solara.use_reactive(first)

    def initial() -> tuple[Defaults | None, str | None]:
        try:
            return scenario_defaults(choices[first]), None
        except (ConfigError, KeyError) as exc:
            return None, str(exc)

    start, start_error = solara.use_memo(initial, [])
    policies = solara.use_reactive(start.policies if start else [])
    replications = solara.use_reactive(DEFAULT_REPLICATIONS)
    years = solara.use_reactive(start.years if start else MAX_YEARS)
    seed = solara.use_reactive(start.seed if start else 0)
    defaults_error = solara.use_reactive(start_error)
    outcome = solara.use_reactive(DEFAULT_OUTCOME)
    reference = solara.use_reactive("")

    def choose_scenario(name: str | None) -> None:
        if not name:
            return
        scenario.value = name
        try:
            d = scenario_defaults(choices[name])
        except ConfigError as exc:
            defaults_error.value = str(exc)
            return
        defaults_error.value = None
        policies.value = d.policies
        years.value = d.years
        seed.value = d.seed

    path = choices.get(scenario.value)
    arms, arms_error = solara.use_memo(lambda: _prepare(path, tuple(policies.value)),
                                       [scenario.value, tuple(policies.value)])
    problem = settings_problem(policies.value, replications.value, years.value, seed.value)
    error = defaults_error.value or arms_error

    def run() -> None:
        status.value = None
        cancelling.value = False
        run_task(arms, replication_seeds(int(seed.value), int(replications.value)),
                 int(years.value), int(seed.value))

    def cancel() -> None:
        cancelling.value = True
        run_task.cancel()

    solara.Title("teachsim: run and compare")
    with solara.Column(style={"max-width": "1250px"}):
        solara.Markdown(
            "## Run and compare\n"
            "Each policy chosen is an arm: the scenario with `schedule.policy` set to it. "
            "Every arm runs the same replication seeds (spawned from the seed below, as "
            "experiments spawn them), so differences between arms are taken replication "
            "by replication. The first policy is the reference.")
        with solara.Card("Settings", margin=0):
            with solara.Row(style={"flex-wrap": "wrap", "gap": "12px"}):
                solara.Select("Scenario", values=names, value=scenario.value,
                              on_value=choose_scenario, style={"min-width": "220px"},
                              classes=["ts-scenario"])
                solara.SelectMultiple("Policies (first: reference)", values=policies,
                                      all_values=policy_choices(),
                                      style={"min-width": "360px"}, classes=["ts-policies"])
            with solara.Row(style={"flex-wrap": "wrap", "gap": "12px"}):
                solara.InputInt(f"Replications (1-{MAX_REPLICATIONS})", value=replications,
                                optional=True, classes=["ts-replications"])
                solara.InputInt(f"Years (1-{MAX_YEARS})", value=years, optional=True,
                                classes=["ts-years"])
                solara.InputInt("Seed", value=seed, optional=True, classes=["ts-seed"])
            if error:
                widgets.ErrorBox(error)
            elif problem:
                solara.Warning(problem, classes=["ts-problem"])
            with solara.Row():
                solara.Button("Run", on_click=run, color="primary", icon_name="mdi-play",
                              disabled=bool(error or problem or not arms or run_task.pending),
                              classes=["ts-run"])
                if run_task.pending:
                    solara.Button("Cancel", on_click=cancel, icon_name="mdi-stop",
                                  outlined=True, disabled=cancelling.value,
                                  classes=["ts-cancel"])
            _Status()
        with solara.Row(style={"flex-wrap": "wrap", "gap": "12px", "margin-top": "8px"}):
            solara.Select("Outcome", values=[label(o) for o in OUTCOMES],
                          value=label(outcome.value),
                          on_value=lambda v: outcome.set(
                              next(o for o in OUTCOMES if label(o) == v)),
                          style={"min-width": "320px"}, classes=["ts-outcome"])
            done = run_task.value if run_task.finished else None
            if done is not None and len(done.arms) > 1:
                solara.Select("Differences from", values=done.arms,
                              value=reference.value if reference.value in done.arms
                              else done.arms[0], on_value=reference.set,
                              style={"min-width": "220px"}, classes=["ts-reference"])
        solara.Text(f"Showing: {report.heading(outcome.value)}",
                    classes=["ts-showing"])
        if done is not None:
            ref = reference.value if reference.value in done.arms else done.arms[0]
            with solara.Column(classes=["ts-results"]):
                Results(done, outcome.value, ref)


@solara.component
def _Status() -> None:
    """The progress bar while running; afterwards, what was run, or why it stopped."""
    p = status.value
    if run_task.pending:
        # a moving bar until the first year is done (building the model takes a moment)
        solara.ProgressLinear(run_task.progress or True, classes=["ts-progress"])
        text = (f"Running {p.text} ({p.done:,} of {p.total:,} school-years)" if p
                else "Starting...")
        if cancelling.value:
            text = f"Cancelling: stops when the year being run ends. {text}"
        solara.Text(text, classes=["ts-status"])
    elif run_task.cancelled:
        solara.Warning("Cancelled" + (f" at {p.text}." if p else "."),
                       classes=["ts-status"])
    elif run_task.error:
        widgets.ErrorBox(str(run_task.exception))
    elif run_task.finished and run_task.value is not None:
        c = run_task.value
        solara.Success(f"Done: {len(c.arms)} arm(s) x {c.replications} replication(s) x "
                       f"{c.years} year(s) of {c.scenario}, {c.school_years:,} school-years "
                       f"in {c.seconds:.1f} s.", classes=["ts-status"])


@solara.component
def Results(c: Comparison, outcome: str, reference: str) -> None:
    """Trajectories, the outcome's table, and the paired differences of every outcome."""
    runs = solara.use_memo(lambda: per_run(c.outcomes), [id(c)])
    summary = solara.use_memo(lambda: outcome_summary(runs, outcome, reference, c.arms),
                              [id(c), outcome, reference])
    diffs = solara.use_memo(lambda: all_differences(runs, reference), [id(c), reference])
    widgets.Table(outcome_table(summary, outcome), caption=outcome_caption(outcome),
                  test_id="compare-outcome", bold_rows=[
                      i for i, k in enumerate(summary["kind"]) if k == "difference"])
    seeds = ", ".join(str(s) for s in c.seeds[:4]) + (", ..." if len(c.seeds) > 4 else "")
    solara.Text(f"{c.scenario}: {c.replications} replication(s) of {c.years} year(s) per "
                f"arm, seeds {seeds} (spawned from root seed {c.root_seed}; the same in "
                "every arm).", style={"font-size": "12px", "color": "#555"})
    # drawn once per comparison and choice, not on every render of the page
    fig = solara.use_memo(lambda: trajectory_figure(c.outcomes, outcome)[0], [id(c), outcome])
    widgets.Figure(fig)
    paired = len(c.arms) > 1 and len(diffs) > 0
    fig2 = solara.use_memo(lambda: paired_figure(diffs)[0] if paired else None,
                           [id(c), reference])
    if paired:
        widgets.Figure(fig2)
        widgets.Table(report.differences_table(diffs, reference),
                      caption=f"Paired differences from '{reference}', every outcome",
                      test_id="compare-differences")
    replications = {a: c.replications for a in c.arms}
    widgets.Table(report.summary_table(stats.arm_summary(runs), replications, c.arms),
                  caption="Headline outcomes per arm: mean over runs (95% CI)",
                  test_id="compare-summary")
    solara.FileDownload(lambda: c.outcomes.to_csv(index=False).encode(),
                        filename=f"compare_{c.scenario}.csv",
                        label="Download the district-year rows (CSV)")
