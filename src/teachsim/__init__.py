"""teachsim: an agent-based simulation of how schools organise teachers' time and staff.

The public API, for notebooks and scripts::

    import teachsim

    loaded = teachsim.load_scenario("configs/school_d_rotating.toml")
    result = teachsim.run_scenario(loaded, seed=7, years=5)   # tidy tables
    res = teachsim.run_experiment("experiments/schedule_comparison.toml", replications=20)
    res.sql("SELECT arm, avg(turnover_rate) FROM district_year GROUP BY arm")

Names are imported on first use, so that ``import teachsim`` (and the ``teachsim``
command's ``--help``) does not pay for Mesa, pandas or DuckDB. The layers behind them
(config, mechanisms, model, experiments, money, analysis, cli) are described in
docs/architecture.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> the module that defines it
_API: dict[str, str] = {
    "ConfigError": "teachsim.config.errors",
    "Scenario": "teachsim.config.scenario",
    "LoadedScenario": "teachsim.model.scenario",
    "load_scenario": "teachsim.model.scenario",
    "RunResult": "teachsim.model.run",
    "run_scenario": "teachsim.model.run",
    "load_experiment": "teachsim.experiments.design",
    "run_experiment": "teachsim.experiments.api",
    "Results": "teachsim.experiments.results",
    "open_results": "teachsim.experiments.results",
    "budget_for_scenario": "teachsim.money.budget",
    "budget_for_results": "teachsim.money.budget",
    "calibrate": "teachsim.analysis.calibration",
    "build_report": "teachsim.analysis.report",
}

__all__ = [
    "ConfigError",
    "LoadedScenario",
    "Results",
    "RunResult",
    "Scenario",
    "budget_for_results",
    "budget_for_scenario",
    "build_report",
    "calibrate",
    "load_experiment",
    "load_scenario",
    "open_results",
    "run_experiment",
    "run_scenario",
]

if TYPE_CHECKING:
    from teachsim.analysis.calibration import calibrate
    from teachsim.analysis.report import build_report
    from teachsim.config.errors import ConfigError
    from teachsim.config.scenario import Scenario
    from teachsim.experiments.api import run_experiment
    from teachsim.experiments.design import load_experiment
    from teachsim.experiments.results import Results, open_results
    from teachsim.model.run import RunResult, run_scenario
    from teachsim.model.scenario import LoadedScenario, load_scenario
    from teachsim.money.budget import budget_for_results, budget_for_scenario


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'teachsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
