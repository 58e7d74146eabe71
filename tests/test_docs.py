"""Docs that are generated from code stay in step with it."""

from __future__ import annotations

from teachsim.configdoc import render
from tests.conftest import ROOT


def test_config_reference_is_current() -> None:
    committed = (ROOT / "docs" / "configs.md").read_text()
    assert committed == render(), (
        "docs/configs.md is stale: run  uv run python -m teachsim.configdoc > docs/configs.md")


def test_every_scenario_key_is_documented() -> None:
    text = (ROOT / "docs" / "configs.md").read_text()
    from teachsim.config import Scenario

    for table in Scenario.model_fields:
        assert f"`[{table}]`" in text or table in ("name", "description")
