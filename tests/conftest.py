"""Shared fixtures: the shipped scenarios, loaded once per test session."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def fail_runs_with_seed(monkeypatch: pytest.MonkeyPatch, bad_seed: int) -> Callable[..., Any]:
    """Make every run with ``bad_seed`` raise (in this process: serial sweeps); returns
    the real ``run_scenario``, to put back."""
    import teachsim.model.run as simulate

    real = simulate.run_scenario

    def flaky(loaded, seed=None, years=None, progress=None):  # type: ignore[no-untyped-def]
        if seed == bad_seed:
            raise RuntimeError("simulated failure")
        return real(loaded, seed=seed, years=years)

    monkeypatch.setattr(simulate, "run_scenario", flaky)
    return real


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


# Browser fixtures for the dashboard tests (tests/browser.py).
from tests.browser import browser, dashboard, page  # noqa: E402, F401
