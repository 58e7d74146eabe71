"""Shared fixtures: the shipped scenarios, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from teachsim.model.scenario import LoadedScenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"

# The property tests draw the same examples on every run by default, so that the suite
# (and CI) passes or fails for the code, not for the draw. To draw new examples:
# HYPOTHESIS_PROFILE=explore pytest tests/test_fuzz_configs.py
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def expectations(path: Path) -> list[str]:
    """The '# expect: ...' lines of a broken input file: fragments its error must show."""
    return [line.split("expect:", 1)[1].strip() for line in path.read_text().splitlines()
            if line.startswith("# expect:")]


@pytest.fixture(scope="session")
def traditional() -> LoadedScenario:
    return load_scenario(CONFIGS / "school_d.toml")


@pytest.fixture(scope="session")
def rotating() -> LoadedScenario:
    return load_scenario(CONFIGS / "school_d_rotating.toml")
