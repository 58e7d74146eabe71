"""Every price and staffing choice behind a budget, with its unit and source: the
assumptions sheet a grant writer attaches to the budget."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from pydantic import BaseModel

from teachsim.config.policy import Policy
from teachsim.config.scenario import Scenario
from teachsim.model.records import Table

#: staffing keys that change what the design costs
STAFFING = ("leaders_per_grade", "leader_stipend", "leader_stipend_steps",
            "aspiring_leaders_per_grade", "aspiring_stipend", "stipend_years",
            "clerk_fte_change", "para_fte_change", "specials_teachers_change", "duty_cover",
            "support_change_mode", "support_attrition_rate")
#: a policy field is a price when its name says so
PRICE = re.compile(r"(salary|stipend|cost)$")


def _source(field: Any) -> tuple[str, str, str]:
    """(description, unit, source) of a config field: from ``param`` metadata when it has
    it, else the source in the description's last parentheses."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    text = str(field.description or "")
    if extra:
        return re.sub(r"\s*\[[^\]]*\]$", "", text), str(extra.get("unit", "")), str(
            extra.get("source", ""))
    m = re.search(r"\(([^()]*)\)\s*$", text)
    return (text[:m.start()].strip() if m else text), "", (m.group(1) if m else "")


def _value(v: Any) -> object:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):
        return ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v) or "none"
    return "default" if v is None else v


def _fields(model: BaseModel, group: str, keys: tuple[str, ...] | None, prefix: str,
            default_source: str, rows: list[dict[str, object]]) -> None:
    for name, field in type(model).model_fields.items():
        if keys is not None and name not in keys:
            continue
        value = getattr(model, name)
        if isinstance(value, BaseModel) or (isinstance(value, list) and value
                                            and isinstance(value[0], BaseModel)):
            continue
        description, unit, source = _source(field)
        rows.append({"group": group, "key": f"{prefix}{name}", "description": description,
                     "value": _value(value), "unit": unit or _unit(prefix + name),
                     "source": source or default_source})


#: units of the config keys that do not carry one, by what their name ends with
UNITS = (("stipend_steps", "$ a year, by year in the role"), ("stipend", "$ a year"),
         ("salaries.years_to_average", "years"), ("salaries.max_step_years", "years"),
         ("salaries.", "$ a year"), ("fte_change", "FTE"), ("per_grade", "per grade"),
         ("teachers_change", "teachers"), ("years", "years"), ("rate", "share a year"),
         ("mode", "rule"), ("cover", "rule"))


def _unit(key: str) -> str:
    for end, unit in UNITS:
        if key.endswith(end) or (end.endswith(".") and key.startswith(end)):
            return unit
    return ""


def assumptions(scenario: Scenario, policy: Policy | None = None) -> Table:
    """One row per assumption: group, key (as in the scenario or policy file),
    description, value, unit, source."""
    rows: list[dict[str, object]] = []
    c = scenario.costs
    rows.append({"group": "price basis", "key": "run.start_year",
                 "description": "first school year of the run (fiscal year "
                 f"{scenario.run.start_year}-{(scenario.run.start_year + 1) % 100:02d})",
                 "value": scenario.run.start_year, "unit": "calendar year",
                 "source": "scenario"})
    _fields(c, "prices", None, "costs.", "scenario", rows)
    for row in rows:
        if row["key"] == "costs.price_year" and row["value"] == "default":
            row["value"] = scenario.run.start_year
    _fields(scenario.salaries, "salaries", None, "salaries.", "scenario", rows)
    _fields(scenario.staffing, "staffing at adoption", STAFFING, "staffing.",
            "scenario (a design choice)", rows)
    for line in c.startup:
        rows.append({"group": "start-up lines", "key": "costs.startup",
                     "description": f"{line.name} (per {line.per}, start-up years "
                     f"{', '.join(map(str, line.years))})", "value": line.amount,
                     "unit": f"$ per {line.per}", "source": line.source})
    if policy is not None:
        _policy_prices(policy, "", rows, f"policy '{policy.name}'")
    cols = ("group", "key", "description", "value", "unit", "source")
    return {k: np.array([r[k] for r in rows], dtype=object) for k in cols}


def _policy_prices(model: BaseModel, prefix: str, rows: list[dict[str, object]],
                   source: str) -> None:
    """The policy's prices (coach salary, stipends, residency cost), recursively."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            _policy_prices(value, f"{prefix}{name}.", rows, source)
        elif PRICE.search(name) and isinstance(value, int | float) \
                and not isinstance(value, bool):
            description, unit, _ = _source(field)
            rows.append({"group": "policy prices", "key": f"{prefix}{name}",
                         "description": description, "value": float(value),
                         "unit": unit or "$", "source": source})
