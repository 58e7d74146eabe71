"""Shared fixtures: the shipped scenarios, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from teachsim.model.scenario import LoadedScenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"


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
