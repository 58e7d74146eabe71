"""Results explorer: open a finished experiment's results directory, choose an outcome,
arms and years, and see the trajectories with their bands, the paired differences from
a reference arm with 95% confidence intervals, and what was run (the manifest).

The numbers are those of ``teachsim report``: the same district outcomes, bands, run
means and paired differences (:mod:`teachsim.analysis.stats`), drawn by the same figures
and written by the report's formatters; only the choice of arms and years is the page's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import solara

from teachsim.analysis import report, stats
from teachsim.config.errors import ConfigError
from teachsim.dashboard import widgets
from teachsim.dashboard.server import RESULTS_ENV
from teachsim.experiments.results import Results, open_results
from teachsim.experiments.store import ResultsStore

#: told how far the reading has got: percent done, and what is being done
Progress = Callable[[float, str], None]


@dataclass(frozen=True, eq=False)
class Loaded:
    """A results directory read once, for every choice made on the page afterwards
    (compared by identity: its frames have no single truth value)."""

    path: Path
    manifest: dict[str, Any]
    #: one row per run and year (:func:`teachsim.analysis.stats.district_outcomes`)
    outcomes: pd.DataFrame
    #: the report's outcomes that have data, in the report's order
    present: list[str]
    arms: list[str]
    #: first and last school year in the data
    years: tuple[int, int]
    #: replications finished by arm, counted in the run records (as the report does)
    replications: dict[str, int]
    #: runs recorded as "ok" and as "failed"
    finished: int
    failed: int


def resolve(text: str) -> Path:
    """The directory a typed path names: ``~`` expanded, relative to the server's
    working directory (as ``teachsim report DIR`` reads it from the shell's)."""
    return Path(text.strip()).expanduser()


def district_outcomes(res: Results, progress: Progress | None = None) -> pd.DataFrame:
    """:func:`teachsim.analysis.stats.district_outcomes`, reporting progress as it prices
    the ledger arm by arm (most of the wait on a large directory)."""
    note = progress or _quiet
    note(10, "reading district_year")

    def arm(i: int, n: int, name: str) -> None:
        note(20 + 75 * i / n, f"pricing the ledger of arm '{name}' ({i + 1} of {n})")

    return stats.district_outcomes(res, arm)


def _quiet(_percent: float, _what: str) -> None:
    pass


def load(path: Path, progress: Progress | None = None) -> Loaded:
    """Read a results directory: its manifest, its district outcomes and run counts. A
    path that is not a results directory raises the ConfigError ``open_results`` raises
    (the message ``teachsim report`` prints)."""
    note = progress or _quiet
    note(2, "reading the manifest")
    res = open_results(path)
    manifest = res.manifest
    outcomes = district_outcomes(res, note)
    note(96, "counting runs")
    status = list(ResultsStore(res.path).finished_runs().values())
    present = [o for o in stats.OUTCOMES if o in outcomes.columns
               and outcomes[o].notna().any()]
    if not len(outcomes) or not present:
        raise ConfigError(path, None, "holds no district outcomes (no run has finished)",
                          "run the sweep (again) so its runs finish")
    arms = [a for a in manifest["arms"] if a in set(outcomes["arm"])]
    note(100, "done")
    return Loaded(path=res.path, manifest=manifest, outcomes=outcomes, present=present,
                  arms=arms, years=(int(outcomes["year"].min()), int(outcomes["year"].max())),
                  replications=res.replications(), finished=status.count("ok"),
                  failed=status.count("failed"))


def chosen(outcomes: pd.DataFrame, arms: Sequence[str], years: tuple[int, int]
           ) -> pd.DataFrame:
    """The rows of the chosen arms in the chosen years (both ends included)."""
    return outcomes[outcomes["arm"].isin(list(arms))
                    & outcomes["year"].between(years[0], years[1])]


def outcome_bands(outcomes: pd.DataFrame, outcome: str, arms: Sequence[str],
                  years: tuple[int, int]) -> pd.DataFrame:
    """Per chosen arm and year: P10, P50, P90 and mean of ``outcome`` across
    replications (:func:`stats.bands`, in the data's units), arms in the order given."""
    band = stats.bands(chosen(outcomes, arms, years), outcome)
    order = {a: i for i, a in enumerate(arms)}
    return band.sort_values(["arm", "year"], key=lambda s: s.map(order) if s.name == "arm"
                            else s).reset_index(drop=True)


def bands_table(band: pd.DataFrame, outcome: str, arms: Sequence[str]) -> pd.DataFrame:
    """The bands as a table to read: a row per year, a column per arm, each cell the
    median with the P10 to P90 band in brackets, written as the report writes numbers."""
    kind = report.kind_of(outcome)
    rows = []
    for year, g in band.groupby("year", sort=True):
        row: dict[str, str] = {"School year": str(int(year))}  # a year, not a quantity
        by_arm = g.set_index("arm")
        for arm in arms:
            if arm in by_arm.index:
                r = by_arm.loc[arm]
                row[arm] = f"{report.fmt(r['p50'], kind)} " \
                           f"({report.interval(r['p10'], r['p90'], kind)})"
            else:
                row[arm] = report.DASH
        rows.append(row)
    return pd.DataFrame(rows, columns=["School year", *arms])


def differences(outcomes: pd.DataFrame, outcome: str, arms: Sequence[str], reference: str,
                years: tuple[int, int]) -> pd.DataFrame:
    """Each chosen arm minus ``reference``, paired by replication, each run averaged over
    the chosen years (:func:`stats.run_means`, :func:`stats.paired_differences`): mean,
    95% CI and the number of pairs, arms in the order given."""
    columns = ["arm", "reference", "outcome", "mean", "ci_low", "ci_high", "n"]
    others = [a for a in arms if a != reference]
    if not others:
        return pd.DataFrame(columns=columns)
    per_run = stats.run_means(chosen(outcomes, [*others, reference], years))
    if reference not in set(per_run["arm"]):
        return pd.DataFrame(columns=columns)
    diffs = stats.paired_differences(per_run, outcome, reference)
    if not len(diffs):
        return pd.DataFrame(columns=columns)
    return diffs.set_index("arm").loc[[a for a in others if a in set(diffs["arm"])]
                                      ].reset_index()[columns]


def manifest_table(loaded: Loaded) -> pd.DataFrame:
    """What was run, from the manifest and the run records, as two columns of text."""
    m = loaded.manifest
    design = m["design"].get("points", [])
    reps = loaded.replications
    rows = [
        ("Experiment", m["experiment"]),
        ("Experiment file", str(m.get("experiment_file", report.DASH))),
        ("Base scenario", str(m.get("base_scenario", report.DASH))),
        ("Results directory", str(loaded.path.resolve())),
        ("Created", str(m.get("created_at", report.DASH))),
        ("Updated", str(m.get("updated_at", report.DASH))),
        ("Arms", ", ".join(m["arms"])),
        ("Design points", report.fmt(len(design) or 1, "count")),
        ("Replications finished, by arm (from the data)",
         ", ".join(f"{a}: {report.fmt(n, 'count')}" for a, n in reps.items())),
        ("Runs finished / failed", f"{report.fmt(loaded.finished, 'count')} finished, "
         f"{report.fmt(loaded.failed, 'count')} failed"
         + (f" (of {report.fmt(m['runs_total'], 'count')} planned)"
            if isinstance(m.get("runs_total"), int) else "")),
        # a seed is an identifier, not a quantity: no thousands separator
        ("Root seed", str(m.get("root_seed", report.DASH))),
        ("Parameter uncertainty", report.uncertainty_note(m)),
        ("Versions", ", ".join(f"{k} {v}" for k, v in m["versions"].items())),
        ("Sweeps", "; ".join(f"{s.get('started_at', '?')} {s.get('engine', '?')} "
                             f"({s.get('runs_done', '?')} runs)" for s in m["sessions"])),
    ]
    return pd.DataFrame(rows, columns=["Item", "Value"])


def settings_table(manifest: dict[str, Any]) -> pd.DataFrame:
    """Each arm's ``set`` overrides of the base scenario, one row per setting (an arm
    that changes nothing gets one row saying so)."""
    rows = []
    for arm, info in manifest["arms"].items():
        changes = info.get("set") or {}
        if not changes:
            rows.append((arm, "(none: the base scenario as it is)", report.DASH))
        for key, value in changes.items():
            rows.append((arm, key, _value(value)))
    return pd.DataFrame(rows, columns=["Arm", "Setting", "Value"])


def _value(value: object) -> str:
    """A setting's value as the experiment file spells it (strings bare, the rest as
    TOML/JSON literals: true, 9000.0, [1, 2])."""
    return value if isinstance(value, str) else json.dumps(value)


def error_text(exc: BaseException) -> str:
    """What the page says when a directory cannot be read: a ConfigError in the CLI's
    words; anything else named with its kind (a bug or a damaged file, not a choice)."""
    if isinstance(exc, ConfigError):
        return str(exc)
    return f"could not read the results: {type(exc).__name__}: {exc}"


# --- the page -------------------------------------------------------------------------
#: the directory asked for (per browser session, kept across the tabs)
source = solara.reactive("")
#: what the reading is doing now, beside its progress bar
stage = solara.reactive("")


@solara.lab.task
def open_task(text: str) -> Loaded:
    """Read the directory in a worker thread, reporting progress to the page."""
    def note(percent: float, what: str) -> None:
        open_task.progress = percent
        stage.value = what

    return load(resolve(text), note)


def open_source(text: str, again: bool = False) -> None:
    """Open the directory ``text`` names (unless it is the one already open or being
    opened: leaving the text field fires again with the same text)."""
    text = text.strip()
    if not text:
        return
    same = text == source.value and (open_task.pending or open_task.finished)
    source.value = text
    if again or not same:
        stage.value = ""
        open_task(text)


@solara.component
def Page() -> None:
    choices = solara.use_memo(widgets.results_choices, [])

    def open_given() -> None:
        # the directory given on the command line opens by itself, once
        given = os.environ.get(RESULTS_ENV)
        if given and not source.value:
            open_source(given)

    solara.use_effect(open_given, [])
    solara.Title("teachsim: results explorer")
    by_path = {str(p): label for label, p in choices.items()}
    solara.Markdown("## Results explorer")
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Results directory", values=list(choices),
                      value=by_path.get(source.value),
                      on_value=lambda label: open_source(str(choices[label]))
                      if label else None, style={"min-width": "280px"})
        solara.InputText("Or type a path, then press Enter", value=source.value,
                         on_value=lambda t: open_source(t or ""),
                         style={"min-width": "420px"})
        solara.Button("Reload", text=True, disabled=not source.value or open_task.pending,
                      on_click=lambda: open_source(source.value, again=True))
    if not choices:
        solara.Text("No results directories in ./results of the dashboard's working "
                    "directory; type a path, or start it with teachsim dashboard RESULTS.",
                    style={"color": "#666"})
    if open_task.pending:
        solara.ProgressLinear(open_task.progress if open_task.progress else True)
        solara.Text(f"Opening {source.value}: {stage.value or 'starting'}...")
    elif open_task.error and open_task.exception is not None:
        widgets.ErrorBox(error_text(open_task.exception))
    elif open_task.finished and open_task.value is not None:
        Explorer(open_task.value).key(f"explorer-{open_task.value.path}-"
                                      f"{open_task.value.manifest.get('updated_at')}")
    else:
        solara.Info("Choose a results directory (written by teachsim sweep or "
                    "run_experiment), or type its path and press Enter.")


@solara.component
def Explorer(loaded: Loaded) -> None:
    """The choices and what they show, for one opened directory (its key resets the
    choices when another directory is opened)."""
    labels = {report.heading(o): o for o in loaded.present}
    outcome, set_outcome = solara.use_state(loaded.present[0])
    arms, set_arms = solara.use_state(list(loaded.arms))
    reference, set_reference = solara.use_state(loaded.arms[0])
    years, set_years = solara.use_state(loaded.years)
    shown = [a for a in loaded.arms if a in arms]  # the experiment's order

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Outcome", values=list(labels), value=report.heading(outcome),
                      on_value=lambda h: set_outcome(labels[h]) if h else None,
                      style={"min-width": "380px"})
        solara.SelectMultiple("Arms", values=shown, all_values=list(loaded.arms),
                              on_value=set_arms, style={"min-width": "300px"})
        solara.Select("Reference arm", values=list(loaded.arms), value=reference,
                      on_value=lambda a: set_reference(a) if a else None)
    if loaded.years[1] > loaded.years[0]:
        with solara.Div(style={"max-width": "640px", "padding": "0 12px"}):
            solara.SliderRangeInt("School years", value=years, min=loaded.years[0],
                                  max=loaded.years[1],
                                  on_value=lambda v: set_years((int(v[0]), int(v[1]))),
                                  tick_labels="end_points")
    else:
        solara.Text(f"One school year in the data: {loaded.years[0]}")
    solara.Text(f"{loaded.manifest['experiment']}: {', '.join(shown) or 'no arm'}; "
                f"school years {years[0]} to {years[1]}.", style={"color": "#555"})

    if not shown:
        solara.Warning("Choose at least one arm.")
    else:
        Trajectories(loaded, outcome, tuple(shown), years)
    Differences(loaded, outcome, tuple(shown), reference, years)

    solara.Markdown("### What was run")
    widgets.Table(manifest_table(loaded), caption="The manifest and the run records",
                  test_id="results-manifest")
    widgets.Table(settings_table(loaded.manifest),
                  caption="What each arm changes in the base scenario (its 'set' lines)",
                  test_id="results-settings")


@solara.component
def Trajectories(loaded: Loaded, outcome: str, arms: tuple[str, ...],
                 years: tuple[int, int]) -> None:
    """The outcome per year: median and P10-P90 across replications, figure and table."""
    from teachsim.analysis import plots

    def draw() -> tuple[pd.DataFrame, Any]:
        band = outcome_bands(loaded.outcomes, outcome, arms, years)
        return band, plots.trajectories(band, outcome)[0]

    band, fig = solara.use_memo(draw, [loaded, outcome, arms, years])
    solara.Markdown(f"### {report.heading(outcome)}")
    widgets.Figure(fig)
    widgets.Table(bands_table(band, outcome, arms),
                  caption=f"{report.heading(outcome)}: median across replications "
                  "(P10 to P90)", test_id="results-bands")


@solara.component
def Differences(loaded: Loaded, outcome: str, arms: tuple[str, ...], reference: str,
                years: tuple[int, int]) -> None:
    """Each chosen arm minus the reference, paired by replication: figure and table."""
    from teachsim.analysis import plots

    def draw() -> tuple[pd.DataFrame, Any]:
        diffs = differences(loaded.outcomes, outcome, arms, reference, years)
        if not len(diffs):
            return diffs, None
        fig = plots.paired(diffs)[0]
        # one outcome is one narrow panel, too narrow for the figure's title
        fig.set_size_inches(max(fig.get_figwidth(), 9.5), fig.get_figheight())
        fig.tight_layout()
        return diffs, fig

    diffs, fig = solara.use_memo(draw, [loaded, outcome, arms, reference, years])
    solara.Markdown(f"### Differences from '{reference}'")
    if fig is None:
        solara.Info("Choose an arm besides the reference arm to see differences."
                    if len(loaded.arms) > 1 else "This experiment has one arm: there is "
                    "nothing to compare it with.")
        return
    solara.Text(f"Each arm minus '{reference}', replication by replication (the arms "
                "share their random numbers), each run averaged over the chosen years: "
                "mean and 95% confidence interval.", style={"color": "#555"})
    widgets.Figure(fig)
    widgets.Table(report.differences_table(diffs, reference),
                  caption=f"Paired differences from '{reference}'",
                  test_id="results-differences")
