"""Docs that are generated from code stay in step with it."""

from __future__ import annotations

from teachsim.config.reference import render, render_parameters
from tests.conftest import ROOT


def test_config_reference_is_current() -> None:
    committed = (ROOT / "docs" / "configs.md").read_text()
    assert committed == render(), (
        "docs/configs.md is stale: run  "
        "uv run python -m teachsim.config.reference > docs/configs.md")


def test_every_scenario_key_is_documented() -> None:
    text = (ROOT / "docs" / "configs.md").read_text()
    from teachsim.config.scenario import Scenario

    for table in Scenario.model_fields:
        assert f"`[{table}]`" in text or table in ("name", "description")


def test_parameter_list_is_current() -> None:
    committed = (ROOT / "docs" / "parameters.md").read_text()
    assert committed == render_parameters(), (
        "docs/parameters.md is stale: run  "
        "uv run python -m teachsim.config.reference parameters > docs/parameters.md")


def test_every_behaviour_parameter_has_unit_and_source() -> None:
    from teachsim.config.parameters import Behaviour, Costs

    tables = [(t, f.annotation) for t, f in Behaviour.model_fields.items()]
    for table, model in [*tables, ("costs", Costs)]:
        for name, f in model.model_fields.items():  # type: ignore[union-attr]
            if name == "startup":
                continue
            extra = f.json_schema_extra
            assert isinstance(extra, dict), f"{table}.{name}"
            assert extra["unit"] and extra["source"], f"{table}.{name}"


def _resolve(dotted: str) -> object:
    """``teachsim.<dotted>``: a module, or an attribute (class, function, method) of one."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module("teachsim." + ".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_model_description_names_code_that_exists() -> None:
    """Each ODD submodel heading names the module or function that implements it."""
    import re

    text = (ROOT / "docs" / "model.md").read_text()
    headings = [h for h in text.splitlines() if h.startswith("#### 3.3.")]
    assert len(headings) >= 13
    for heading in headings:
        names = re.findall(r"`([\w.]+)`", heading)
        assert names, heading
        for name in names:
            if name.startswith("TeachSimModel."):
                name = "model.model." + name
            assert _resolve(name) is not None, heading


def test_architecture_lists_every_module_of_every_layer() -> None:
    import re

    text = (ROOT / "docs" / "architecture.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", text, flags=re.M)
    package = ROOT / "src" / "teachsim"
    layers = {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    assert {layer for layer, _ in rows} == layers
    for layer, modules in rows:
        listed = set(re.findall(r"`(\w+)`", modules))
        actual = {p.stem for p in (package / layer).glob("*.py")} - {"__init__", "__main__"}
        assert listed == actual, f"{layer}: docs list {sorted(listed ^ actual)} wrongly"
