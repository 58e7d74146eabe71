"""Priors: every uncertain parameter has one, each is a proper range around its value
inside the field's bounds, says why it is what it is, and both ends give a scenario that
validates."""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teachsim.config.parameters import (
    PRIOR_KINDS,
    Behaviour,
    Costs,
    Prior,
    all_priors,
    uncertain_without_prior,
)
from teachsim.config.tomlio import load_with_extends
from teachsim.model.scenario import scenario_from_mapping
from tests.conftest import CONFIGS

PRIORS = all_priors()
#: a source that itself names a range ("0.10-0.27", "10 to 40 hours")
RANGE_IN_SOURCE = re.compile(r"\d[\d.,]*%?\s*(?:-|to)\s*\$?\d")


def _field(key: str):  # type: ignore[no-untyped-def]
    """The pydantic field of a dotted prior key."""
    parts = key.split(".")
    if parts[0] == "costs":
        return Costs.model_fields[parts[1]]
    table = Behaviour.model_fields[parts[1]].annotation
    return table.model_fields[parts[2]]  # type: ignore[union-attr]


def _bounds(key: str) -> tuple[float | None, float | None]:
    ge = le = None
    for m in _field(key).metadata:
        ge = getattr(m, "ge", ge)
        le = getattr(m, "le", le)
    return ge, le


def test_every_assumption_and_calibrated_parameter_has_a_prior() -> None:
    missing = uncertain_without_prior()
    assert missing == [], ("parameters marked assumption or calibrated without a prior "
                           "(give them prior=(low, high) and prior_basis): "
                           + ", ".join(missing))


def test_priors_cover_the_model() -> None:
    assert len(PRIORS) >= 133
    assert any(k.startswith("costs.") for k in PRIORS)


@pytest.mark.parametrize("key", sorted(PRIORS))
def test_prior_is_a_proper_range_around_its_value(key: str) -> None:
    p = PRIORS[key]
    assert p.key == key
    assert p.low < p.high, key
    assert p.low <= p.central <= p.high, key
    assert _field(key).default == p.central, "the central value is the default"
    ge, le = _bounds(key)
    assert ge is None or p.low >= ge, f"{key}: low {p.low} below the field's ge={ge}"
    assert le is None or p.high <= le, f"{key}: high {p.high} above the field's le={le}"
    assert p.kind in PRIOR_KINDS, key
    if p.integer:
        assert p.low.is_integer() and p.high.is_integer(), f"{key} takes whole numbers"
    if p.source.startswith(("assumption", "calibrat")):
        assert p.basis.strip() or RANGE_IN_SOURCE.search(p.source), (
            f"{key}: say why the range is what it is (prior_basis)")


def test_calibrated_priors_leave_room_to_fit() -> None:
    """A calibration can only move a calibrated value inside its prior: each prior
    reaches at least a sixth of the value (or of the range) away on both sides."""
    for key, p in PRIORS.items():
        if p.source.startswith("calibrat"):
            span = p.high - p.low
            assert min(p.central - p.low, p.high - p.central) >= span / 6, key


# --- both ends of every prior make a scenario that validates --------------------------

BASE = CONFIGS / "school_d.toml"
DATA, ORIGINS = load_with_extends(BASE)


def _set(data: dict, key: str, value: float | int) -> None:  # type: ignore[type-arg]
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _value(p: Prior, end: str) -> float | int:
    x = p.low if end == "low" else p.high
    return int(x) if p.integer else x


def _check(data: dict, values: dict[str, float | int]) -> None:  # type: ignore[type-arg]
    """``values`` set on the base scenario validate, and the scenario keeps them."""
    for key, value in values.items():
        _set(data, key, value)
    loaded = scenario_from_mapping(data, {**ORIGINS, **dict.fromkeys(values, BASE)}, BASE)
    for key, value in values.items():
        node = loaded.scenario
        for part in key.split("."):
            node = getattr(node, part)
        assert node == value, key


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(PRIORS)), end=st.sampled_from(["low", "high"]))
def test_a_scenario_at_either_end_of_a_prior_validates(key: str, end: str) -> None:
    _check(copy.deepcopy(DATA), {key: _value(PRIORS[key], end)})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_scenario_with_every_parameter_drawn_from_its_prior_validates(
        data: st.DataObject) -> None:
    """What a row of a posterior ensemble does: every prior's parameter set at once,
    anywhere in its range (ends included)."""
    values: dict[str, float | int] = {}
    for key, p in PRIORS.items():
        if p.integer:
            values[key] = data.draw(st.integers(int(p.low), int(p.high)), label=key)
        else:
            values[key] = data.draw(st.one_of(
                st.sampled_from([p.low, p.high]),
                st.floats(p.low, p.high, allow_nan=False)), label=key)
    _check(copy.deepcopy(DATA), values)
