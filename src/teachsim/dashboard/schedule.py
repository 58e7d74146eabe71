"""Schedule designer: edit a policy's day templates as TOML, see the compiled week, the
students' minutes against the baseline and the feasibility checks, and save the policy.

The policy is checked exactly as ``teachsim validate`` checks a scenario that uses it:
the text is written to a scratch directory as ``<name>.toml`` beside a stub scenario
that extends the chosen one and names that file as its policy, and the stub is loaded.
So a bad policy gets the very message validate would print (with the scratch directory
left out: the message names ``<name>.toml``, as the user will save it), and a policy
that loads fits the school day and can be staffed in every school of the scenario.

The TOML text is what is edited and saved, comments and all; the one structured edit
(an activity's minutes in a day type) rewrites a single line of it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import solara

from teachsim.analysis.schedule_tables import (
    minutes_text,
    policy_day_templates,
    schedule_tables,
)
from teachsim.config.errors import ConfigError
from teachsim.config.policy import ACTIVITIES, Policy, builtin_policy_dir, load_policy
from teachsim.dashboard import widgets
from teachsim.experiments.atomic import safe_name, write_text
from teachsim.model.scenario import LoadedScenario, load_scenario
from teachsim.model.schedule import compile_schedule

DEFAULT_SCENARIO = "school_d"
#: where saved policies go by default, relative to the server's working directory (and
#: where the page looks for them again)
SAVE_DIR = "policies"
#: the stub scenario's file name; policy names never start with a dot (safe_name strips
#: it), so the two files cannot collide
_STUB = ".designer-scenario.toml"

_EDITOR_CSS = """
.ts-policy-editor textarea { font-family: monospace; font-size: 13px; line-height: 1.35;
                             white-space: pre; }
"""


# --- choosing ---------------------------------------------------------------------------
def policy_choices(cwd: Path | None = None) -> dict[str, Path]:
    """Policies to start from, by label: the built-in ones by name, then those saved
    in ./policies of the working directory (labelled by that path)."""
    found = {p.stem: p for p in sorted(builtin_policy_dir().glob("*.toml"))}
    root = (cwd or Path.cwd()) / SAVE_DIR
    if root.is_dir():
        for p in sorted(root.glob("*.toml")):
            found.setdefault(f"{SAVE_DIR}/{p.name}", p)
    return found


def label_of(path: Path, choices: dict[str, Path]) -> str:
    """The label of ``path`` among ``choices`` (added under its own path if absent)."""
    for label, p in choices.items():
        if p.resolve() == path.resolve():
            return label
    choices[str(path)] = path
    return str(path)


def current_minutes(policy: Policy, day_type: str, activity: str) -> int:
    """Minutes of ``activity`` in ``day_type`` ("role day") of ``policy``."""
    role, _, day = day_type.partition(" ")
    days = getattr(policy.roles, role)
    return int(getattr(days.days[day], activity))


def policy_name(text: str, fallback: str) -> str:
    """The file stem the edited policy is checked and saved under: its ``name`` key,
    made safe for a file name, or ``fallback`` while the text does not parse."""
    try:
        name = tomllib.loads(text).get("name")
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        name = None
    return safe_name(name) if isinstance(name, str) and name.strip() else safe_name(fallback)


# --- checking ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyCheck:
    """The verdict on an edited policy within a scenario."""

    #: file stem the policy was checked as (``<name>.toml``)
    name: str
    #: the stub scenario, loaded: set when the policy passed every check
    loaded: LoadedScenario | None
    #: the policy read on its own, even if it does not fit the scenario's school
    policy: Policy | None
    #: validate's message when it did not pass
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


def _without_dir(message: str, scratch: Path) -> str:
    # ConfigError names files relative to the working directory when they are inside
    # it, absolute otherwise: drop whichever form of the scratch directory appears.
    real, cwd = scratch.resolve(), Path.cwd().resolve()
    prefixes = {str(scratch) + os.sep, str(real) + os.sep}
    if real.is_relative_to(cwd):
        prefixes.add(str(real.relative_to(cwd)) + os.sep)
    for prefix in sorted(prefixes, key=len, reverse=True):
        message = message.replace(prefix, "")
    return message


def check_policy(text: str, scenario: Path, name: str) -> PolicyCheck:
    """Check ``text`` as the policy file ``<name>.toml`` of a scenario that is
    ``scenario`` in every other respect, as ``teachsim validate`` would."""
    name = safe_name(name)
    scratch = Path(tempfile.mkdtemp(prefix="teachsim-designer-"))
    try:
        policy_file = scratch / f"{name}.toml"
        policy_file.write_text(text, encoding="utf-8")
        # json.dumps writes a valid TOML basic string for any path (quotes and
        # backslashes escaped)
        (scratch / _STUB).write_text(
            f"extends = {json.dumps(str(scenario.resolve()))}\n\n"
            f"[schedule]\npolicy = {json.dumps(policy_file.name)}\n", encoding="utf-8")
        try:
            loaded = load_scenario(scratch / _STUB)
        except ConfigError as exc:
            try:
                policy: Policy | None = load_policy(policy_file)
            except ConfigError:
                policy = None
            return PolicyCheck(name, None, policy, _without_dir(str(exc), scratch))
        return PolicyCheck(name, loaded, loaded.policy, None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def success_text(check: PolicyCheck) -> str:
    """What the page says of a policy that passed: it fits the day, it can be staffed."""
    assert check.loaded is not None
    n = len(check.loaded.schools)
    where = "the school" if n == 1 else f"all {n} schools"
    return (f"ok {check.name}.toml: fits the school day and can be staffed at {where} of "
            f"'{check.loaded.scenario.name}' (baseline '{check.loaded.baseline.name}')")


def compiled_tables(loaded: LoadedScenario) -> list[tuple[str, pd.DataFrame]]:
    """The tables of ``teachsim schedule`` for the policy of ``loaded`` and its
    baseline."""
    comp = compile_schedule(loaded.scenario, loaded.policy)
    base = compile_schedule(loaded.scenario, loaded.baseline)
    return schedule_tables(comp, base)


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its numbers written as the terminal writes them: minutes whole, or
    with one decimal when not whole; hours with one decimal; students' differences as
    "+300 (+0.51%)"."""
    out = df.copy()
    if "difference" in out.columns and "difference (%)" in out.columns:
        out["difference"] = [f"{d:+,.0f} ({p:+.2f}%)" for d, p in
                             zip(out["difference"], out["difference (%)"], strict=True)]
        out = out.drop(columns="difference (%)")
    hours = [str(a) == "hours" for a in out.iloc[:, 0]]
    for col in out.columns:
        out[col] = [(f"{v:,.1f}" if h else minutes_text(float(v)))
                    if isinstance(v, int | float) and not isinstance(v, bool) else v
                    for v, h in zip(out[col], hours, strict=True)]
    return out


# --- saving -----------------------------------------------------------------------------
def default_save_path(name: str) -> str:
    """Where a policy named ``name`` is saved unless the user says otherwise."""
    return f"{SAVE_DIR}/{name}.toml"


@dataclass(frozen=True)
class Saved:
    """The outcome of a save: written, or why not (in the CLI's words)."""

    ok: bool
    message: str


def save_policy(text: str, scenario: Path, path_text: str, fallback_name: str) -> Saved:
    """Write the policy to ``path_text`` (relative to the working directory) if it
    passes the checks of :func:`check_policy`; otherwise write nothing and say why."""
    check = check_policy(text, scenario, policy_name(text, fallback_name))
    if not check.ok:
        return Saved(False, f"not saved: the policy does not pass the checks\n{check.error}")
    if not path_text.strip():
        return Saved(False, "not saved: no file path\n  fix: give a path such as "
                     + default_save_path(check.name))
    path = Path(path_text.strip()).expanduser()
    try:
        if path.suffix != ".toml":
            # scenarios tell a policy file from a built-in name by this ending
            raise ConfigError(path, "save as", "does not end in .toml",
                              "end the file name with .toml: a scenario names a policy "
                              "file by a path ending in .toml")
        write_text(path, text if text.endswith("\n") else text + "\n", option="save as")
    except ConfigError as exc:
        return Saved(False, f"not saved: {exc}")
    except OSError as exc:
        return Saved(False, f"not saved: {path}: {exc.strerror or exc}\n  fix: check the "
                     "path, its permissions and the free space")
    return Saved(True, f"saved to {path}")


# --- quick edits ------------------------------------------------------------------------
def day_types(policy: Policy) -> list[str]:
    """Every role's day types, as "role day" (the column names of the tables)."""
    return [f"{role} {name}" for role in ("homeroom", "specials", "leader", "support")
            if (days := getattr(policy.roles, role)) is not None for name in days.days]


def set_minutes(text: str, day_type: str, activity: str, minutes: int) -> str:
    """``text`` with ``activity = minutes`` in the table ``[roles.<role>.days.<day>]``
    (``day_type`` is "role day"): the line replaced if there is one, else added under
    the table's header. Everything else, comments included, is kept as written. Raises
    ValueError if the text has no such table (written, say, as an inline table)."""
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown activity '{activity}'")
    if not 0 <= minutes <= 1440:
        raise ValueError(f"{minutes} minutes is not within a day (0 to 1440)")
    role, _, day = day_type.partition(" ")
    lines = text.splitlines(keepends=True)
    header = re.compile(rf"^\s*\[\s*roles\s*\.\s*{re.escape(role)}\s*\.\s*days\s*\.\s*"
                        rf"{re.escape(day)}\s*\]\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        raise ValueError(f"the text has no [roles.{role}.days.{day}] table to change; "
                         "edit the TOML directly")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
               len(lines))
    key = re.compile(rf"^(\s*){re.escape(activity)}\s*=[^#\n]*(#.*)?$")
    for i in range(start + 1, end):
        m = key.match(lines[i].rstrip("\r\n"))
        if m:
            comment = f" {m.group(2)}" if m.group(2) else ""
            newline = lines[i][len(lines[i].rstrip("\r\n")):]
            lines[i] = f"{m.group(1)}{activity} = {minutes}{comment}{newline}"
            return "".join(lines)
    if not lines[start].endswith("\n"):
        lines[start] += "\n"
    lines.insert(start + 1, f"{activity} = {minutes}\n")
    return "".join(lines)


# --- layout -----------------------------------------------------------------------------
def _bold_rows(df: pd.DataFrame) -> list[int]:
    return [i for i, a in enumerate(df.iloc[:, 0]) if a in ("total", "in contract", "hours")]


@solara.component
def Tables(tables: list[tuple[str, pd.DataFrame]], ids: list[str]) -> None:
    for (title, df), test_id in zip(tables, ids, strict=True):
        widgets.Table(display_frame(df), caption=title, test_id=test_id,
                      bold_rows=_bold_rows(df))


@solara.component
def QuickEdit(policy: Policy | None, text: solara.Reactive[str]) -> None:
    """Change one activity's minutes in one day type without writing TOML."""
    kinds = day_types(policy) if policy is not None else []
    day = solara.use_reactive("")
    activity = solara.use_reactive("teaching")
    minutes = solara.use_reactive(0)
    problem = solara.use_reactive("")
    chosen = day.value if day.value in kinds else (kinds[0] if kinds else "")

    def show_current() -> None:
        if policy is not None and chosen:
            minutes.set(current_minutes(policy, chosen, activity.value))

    solara.use_effect(show_current, [chosen, activity.value, policy])

    def apply() -> None:
        try:
            text.set(set_minutes(text.value, chosen, activity.value, int(minutes.value)))
            problem.set("")
        except ValueError as exc:
            problem.set(str(exc))

    with solara.Card("Change minutes", classes=["ts-quick-edit"]):
        if not kinds:
            solara.Text("(once the text reads as a policy)")
            return
        with solara.Row():
            solara.Select("day type", values=kinds, value=chosen, on_value=day.set,
                          style={"min-width": "210px", "max-width": "240px"})
            solara.Select("activity", values=list(ACTIVITIES), value=activity,
                          style={"max-width": "170px"})
            solara.InputInt("minutes", value=minutes, style={"max-width": "90px"})
            solara.Button("Set", on_click=apply, outlined=True)
        if problem.value:
            widgets.ErrorBox(problem.value)


@solara.component
def SavePanel(name: str, save_path: solara.Reactive[str], saved: solara.Reactive[Saved | None],
              save: Callable[[], None]) -> None:
    with solara.Card("Save as a policy file"):
        solara.InputText("file path (relative to the dashboard's working directory)",
                         value=save_path.value or default_save_path(name),
                         on_value=save_path.set, continuous_update=True)
        solara.Button("Save", on_click=save, color="primary")
        result = saved.value
        if result is not None:
            if result.ok:
                solara.Success(result.message, classes=["ts-saved"])
            else:
                widgets.ErrorBox(result.message)


@solara.component
def Page() -> None:
    scenarios = widgets.scenario_choices()
    scenario_label = solara.use_reactive(DEFAULT_SCENARIO if DEFAULT_SCENARIO in scenarios
                                         else next(iter(scenarios), ""))
    policy_label = solara.use_reactive("")
    text = solara.use_reactive("")
    #: the text as read from the chosen policy file: edits are what differs from it
    original = solara.use_reactive("")
    checks = solara.use_reactive(0)
    save_path = solara.use_reactive("")
    saved: solara.Reactive[Saved | None] = solara.use_reactive(None)
    scenario = scenarios.get(scenario_label.value)
    # read again after a save, so that the saved file can be opened
    choices = solara.use_memo(policy_choices, dependencies=[saved.value])

    def context() -> tuple[str | None, int, str | None]:
        """The scenario's own policy (as a choice), its contract day, or its error."""
        if scenario is None:
            return None, 0, "no scenario files found"
        try:
            loaded = load_scenario(scenario)
        except ConfigError as exc:
            return None, 0, str(exc)
        return (label_of(loaded.policy_path, choices),
                loaded.scenario.school.contract_day_minutes, None)

    own, contract_day, scenario_error = solara.use_memo(
        context, dependencies=[scenario_label.value, choices])

    def open_policy(label: str) -> None:
        body = choices[label].read_text(encoding="utf-8")
        policy_label.set(label)
        original.set(body)
        text.set(body)
        saved.set(None)

    def follow_scenario() -> None:
        # A new scenario brings its own policy, unless the text holds edits to keep.
        if own is not None and text.value == original.value:
            open_policy(own)

    solara.use_effect(follow_scenario, [scenario_label.value])

    fallback = Path(policy_label.value).stem or "my_policy"
    name = policy_name(text.value, fallback)
    check = solara.use_memo(
        lambda: check_policy(text.value, scenario, name) if scenario and text.value
        else None, dependencies=[text.value, scenario_label.value, name, checks.value])
    ok = check is not None and check.ok and check.loaded is not None
    tables = solara.use_memo(
        lambda: compiled_tables(check.loaded) if ok else [],  # type: ignore[union-attr, arg-type]
        dependencies=[check])

    def save() -> None:
        if scenario is not None:
            saved.set(save_policy(text.value, scenario, save_path.value
                                  or default_save_path(name), fallback))

    solara.Title("teachsim: schedule designer")
    solara.Style(_EDITOR_CSS)
    solara.Markdown(
        "## Schedule designer\n"
        "Edit a schedule policy: its rotation and the minutes of each activity in each "
        "role's day types. The school scenario gives the context: the school day, the "
        "calendar, the staff and the baseline policy. The policy is checked as "
        "`teachsim validate` checks a scenario that uses it, whenever you leave the text "
        "or press Check.")
    with solara.Row():
        solara.Select("school scenario", values=list(scenarios), value=scenario_label,
                      style={"max-width": "320px"})
        solara.Select("start from policy", values=list(choices),
                      value=policy_label.value or None,
                      on_value=lambda v: v and open_policy(v),  # type: ignore[arg-type]
                      style={"max-width": "320px"})
    if scenario_error is not None:
        widgets.ErrorBox(scenario_error)
        return
    with solara.Columns([5, 7]):
        with solara.Column(classes=["ts-policy-editor"]):
            solara.InputTextArea(f"policy TOML ({name}.toml)", value=text, rows=30,
                                 auto_grow=False)
            with solara.Row():
                solara.Button("Check", on_click=lambda: checks.set(checks.value + 1),
                              color="primary")
                solara.Button("Undo edits", on_click=lambda: text.set(original.value),
                              disabled=text.value == original.value, text=True)
            QuickEdit(check.policy if check is not None else None, text)
            SavePanel(name, save_path, saved, save)
        with solara.Column():
            if check is None:
                solara.Info("choose a policy to start from")
            elif check.ok:
                solara.Success(success_text(check), classes=["ts-ok"])
            else:
                widgets.ErrorBox(check.error or "")
                if check.policy is not None:
                    written = policy_day_templates(check.policy)
                    widgets.Table(written, caption=f"Day templates of '{check.policy.name}' "
                                  "as written (minutes; each total must equal the "
                                  f"{contract_day}-minute contract day)",
                                  test_id="policy-templates",
                                  bold_rows=_bold_rows(written))
            if ok:
                Tables(tables[:2], ["day-templates", "rotation"])
    if ok:
        solara.Markdown("### The compiled week")
        Tables([tables[2]], ["minutes-by-role"])
        solara.Markdown("### Students' minutes against the baseline")
        Tables([tables[3]], ["student-minutes"])
        solara.Markdown("### Feasibility checks")
        Tables(tables[4:], ["specials-coverage", "duties"])
