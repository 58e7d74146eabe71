"""Render docs/configs.md from the config models, so the reference never drifts.

Regenerate with ``uv run python -m teachsim.config.reference > docs/configs.md``; a test checks
the committed file matches.
"""

from __future__ import annotations

import json
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from teachsim.config.policy import Policy
from teachsim.config.scenario import Scenario

INTRO = """# Config reference

Scenarios and policies are TOML files. This page is generated from the code
(`uv run python -m teachsim.config.reference > docs/configs.md`); a test fails when it is stale.

**Scenario files** (`configs/*.toml`) describe a school (or a district of identical
schools), the schedule policy it follows, staffing, pay, the calendar and the run. Every
key is optional; a missing key takes the default shown. A scenario may start with
`extends = "other.toml"` (a path relative to itself): the other file is read first and this
file's keys are merged over it, table by table (lists and values replace the base's).
Chains of `extends` are allowed; cycles are refused.

**Policy files** (`configs/policies/*.toml`) describe a schedule policy as data. A scenario
names one with `schedule.policy`: a built-in name (the file stem in `configs/policies/`) or a
path ending in `.toml`, relative to the scenario file. Policy files may also use `extends`.

Every file is validated whole when loaded (`teachsim validate FILE`): unknown keys (with a
suggestion), wrong types (a number in quotes is text, not a number), values out of range,
a day template longer than the contract day, a rotation that names a missing day type or
grade, a calendar that does not fit in 52 weeks, and a policy the school's specials
teachers cannot cover are each refused with one message naming the file, the key and the
fix (exit code 2). `teachsim schema` prints a JSON schema for editor completion.
"""


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = get_args(annotation)
        text = " or ".join(_type_name(a) for a in args if a is not type(None))
        return text + (" (optional)" if type(None) in args else "")
    if origin is list:
        return f"list of {_type_name(get_args(annotation)[0])}"
    if origin is dict:
        return f"table of {_type_name(get_args(annotation)[1])}"
    if str(origin) == "typing.Literal":
        return " \\| ".join(json.dumps(a) for a in get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "table"
    return {int: "integer", float: "number", str: "string", bool: "boolean"}.get(
        annotation, str(annotation))


def _default(field: Any) -> str:
    if field.default is not PydanticUndefined:
        value = field.default
    elif field.default_factory is not None:
        value = field.default_factory()
    else:
        return "required"
    if isinstance(value, BaseModel):
        return "see table"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"{len(value)} tables (see below)"
    if value is None:
        return "none"
    return f"`{json.dumps(value)}`"


def _tables(model: type[BaseModel], prefix: str) -> list[tuple[str, type[BaseModel]]]:
    """Every table reachable from ``model``, once each, with the TOML header to write it."""
    out = [(prefix, model)]
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}" if prefix else name
        for c in [field.annotation, *get_args(field.annotation)]:
            origin = get_origin(c)
            if origin is list:
                inner, sub = get_args(c)[0], f"[[{key}]]"
            elif origin is dict:
                inner, sub = get_args(c)[1], f"{key}.<name>"
            else:
                inner, sub = c, key
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                out.extend(_tables(inner, sub))
                break
    unique: dict[type[BaseModel], str] = {}
    for key, m in out:
        # A table used under several roles is documented once, for any role.
        unique[m] = key if m not in unique else unique[m].replace("roles.homeroom",
                                                                   "roles.<role>")
    return [(k, m) for m, k in unique.items()]


def _section(title: str, model: type[BaseModel], prefix: str) -> list[str]:
    lines: list[str] = []
    for key, table in _tables(model, prefix):
        head = f"[{key}]" if key and not key.startswith("[[") else (key or "top level")
        lines += [f"### {title}: `{head}`", ""]
        if table.__doc__ and table.__doc__.strip() and not table.__doc__.startswith(
                "!!!") and "BaseModel" not in table.__doc__:
            lines += [" ".join(table.__doc__.split()), ""]
        lines += ["| key | type | default | meaning |", "|---|---|---|---|"]
        for name, field in table.model_fields.items():
            desc = (field.description or "").replace("|", "\\|")
            lines.append(f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | "
                         f"{desc} |")
        lines.append("")
    return lines


def _shipped() -> list[str]:
    """A table of the shipped scenarios and policies: file, name, what it is, where the
    design comes from (read from the files, merged over their ``extends``)."""
    from teachsim.config.paths import config_dir
    from teachsim.config.tomlio import load_with_extends

    lines = ["## Shipped configs", "",
             "Scenarios in `configs/` and policies in `configs/policies/`, each a starting "
             "point to copy. The first comment block of each file says more.", "",
             "| file | name | what it is | source |", "|---|---|---|---|"]
    root = config_dir()
    for path in [*sorted(root.glob("*.toml")), *sorted((root / "policies").glob("*.toml"))]:
        data, _ = load_with_extends(path)
        source = data.get("source", "") or (
            f"policy `{data.get('schedule', {}).get('policy', 'traditional')}`")
        lines.append(f"| `{path.relative_to(root.parent).as_posix()}` | `{data.get('name', '')}` "
                     f"| {data.get('description', '')} | {source} |")
    return [*lines, ""]


def render() -> str:
    lines = [INTRO, *_shipped(), "## Scenario files", ""]
    lines += _section("scenario", Scenario, "")
    lines += ["## Policy files", ""]
    lines += _section("policy", Policy, "")
    return "\n".join(lines).rstrip() + "\n"


PARAMS_INTRO = """# Parameters

Every number of the model: behaviour parameters (the `[behaviour.*]` tables of a
scenario) with value, prior, unit and source, then the scenario's other numbers. Generated
from the code (`uv run python -m teachsim.config.reference parameters > docs/parameters.md`);
a test fails when it is stale. "assumption" marks values no published figure pins down.
"calibrated" marks values tuned so that the traditional baseline reproduces a target of
[calibration.md](calibration.md).

**Priors.** Every "assumption" or "calibrated" parameter (the default start-up cost
lines excepted), and every sourced one whose literature gives a range rather than one
figure, has a prior: the distribution the uncertainty analysis draws it from, shown with
the range's ends, and a column saying why the range is what it is (where that is a
judgement, it says so). Two kinds are used:

- `PERT low - high`: a Beta-PERT distribution on [low, high] with its mode at the value
  shown, the usual choice for a range elicited as low / most likely / high. With mode
  m, it is a Beta(alpha, beta) stretched onto the range, alpha = 1 + 4(m - low)/(high -
  low) and beta = 1 + 4(high - m)/(high - low); its mean is (low + 4m + high)/6.
- `uniform low - high`: every value in the range equally likely, where nothing favours
  the value shown over the rest.

Integer parameters have whole-number ends. The prior of a calibrated parameter is what we
believe before seeing the calibration targets, so it is wide: `teachsim fit` updates the
priors of the calibrated parameters against [calibration.md](calibration.md)'s targets
to a posterior ensemble of weighted parameter sets (`configs/posterior/`), and
experiments draw their parameter sets from that ensemble. The value column is the default
a scenario uses when it sets nothing else.
"""


def _prior(extra: dict[str, Any]) -> tuple[str, str]:
    """(the prior as "PERT low - high" or "uniform low - high", why the range) of a
    parameter's schema extra; empty when it has no prior."""
    prior = extra.get("prior")
    if not isinstance(prior, list):
        return "", ""
    kind = "PERT" if extra.get("prior_kind", "pert") == "pert" else str(extra["prior_kind"])
    why = str(extra.get("prior_basis", "")).replace("|", "\\|")
    return f"{kind} {prior[0]:g} - {prior[2]:g}", why


def render_parameters() -> str:
    from teachsim.config.parameters import Behaviour

    lines = [PARAMS_INTRO, "## Behaviour", ""]
    for table, field in Behaviour.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        lines += [f"### `[behaviour.{table}]`", ""]
        if model.__doc__:
            lines += [" ".join(model.__doc__.split()), ""]
        lines += ["| name | value | prior | unit | source | meaning | why this range |",
                  "|---|---|---|---|---|---|---|"]
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            meaning = (f.description or "").split(" [")[0]
            span, why = _prior(extra)
            lines.append(f"| `{name}` | {_default(f)} | {span} | {extra.get('unit', '')} | "
                         f"{extra.get('source', '')} | {meaning} | {why} |")
        lines.append("")
    from teachsim.config.parameters import Costs, StartupLine

    lines += ["## Costs: `[costs]`", "", " ".join((Costs.__doc__ or "").split()), "",
              "| name | value | prior | unit | source | meaning | why this range |",
              "|---|---|---|---|---|---|---|"]
    for name, f in Costs.model_fields.items():
        if name == "startup":
            continue
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        span, why = _prior(extra)
        lines.append(f"| `{name}` | {_default(f)} | {span} | {extra.get('unit', '')} | "
                     f"{extra.get('source', '')} | {(f.description or '').split(' [')[0]} | "
                     f"{why} |")
    lines += ["", "Default start-up lines (`[[costs.startup]]`), per adopting school:", "",
              "| name | amount | per | start-up years | source |", "|---|---|---|---|---|"]
    for line in Costs().startup:
        assert isinstance(line, StartupLine)
        lines.append(f"| {line.name} | ${line.amount:,.0f} | {line.per} | "
                     f"{', '.join(map(str, line.years))} | {line.source} |")
    lines += [""]
    lines += ["## Other scenario numbers", "",
              "School profile, calendar, staffing and pay; the source is in the meaning.", "",
              "| name | value | meaning |", "|---|---|---|"]
    for table in ("school", "calendar", "staffing", "salaries"):
        model = Scenario.model_fields[table].annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        for name, f in model.model_fields.items():
            if f.annotation in (int, float):
                lines.append(f"| `{table}.{name}` | {_default(f)} | {f.description} |")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    print(render_parameters() if sys.argv[1:] == ["parameters"] else render(), end="")
