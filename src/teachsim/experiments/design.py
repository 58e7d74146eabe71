"""Experiments as files: a base scenario, arms, an optional parameter sweep, replications
and one root seed.

Runs are arms x design points x replications. Replication ``r`` of every arm and design
point uses the same seed (common random numbers), spawned from the root seed with
``SeedSequence(root).spawn``, so arms differ only by what the arm changes and the seed of
replication ``r`` does not depend on how many replications are asked for.
"""

from __future__ import annotations

import copy
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from teachsim.config.errors import ConfigError
from teachsim.config.limits import (
    MAX_ARMS,
    MAX_POINTS,
    MAX_REPLICATIONS,
    MAX_RUNS,
    MAX_SEED,
    MAX_YEARS,
)
from teachsim.config.parameters import all_priors
from teachsim.config.paths import exists, is_dir
from teachsim.config.tomlio import load_with_extends, read_toml
from teachsim.config.validation import Invalid, Strict, quote, to_config_error
from teachsim.experiments.ensemble import Ensemble, draw_indices
from teachsim.model.run import TABLES
from teachsim.model.scenario import LoadedScenario, scenario_from_mapping

ScalarValue = bool | int | float | str


class Arm(Strict):
    """One arm: a name and the scenario keys it changes (dotted paths)."""

    name: str = Field(min_length=1, max_length=200, description="label used in outputs")
    set: dict[str, ScalarValue | list[ScalarValue]] = Field(
        default_factory=dict, description='scenario keys to change, e.g. '
        '"rollout.strategy" = "all_at_once"')


class SweepParameter(Strict):
    name: str = Field(description="dotted scenario key, e.g. behaviour.burnout.support_buffer")
    low: float | None = Field(None, description="lower bound (lhs, sobol, morris)")
    high: float | None = Field(None, description="upper bound (lhs, sobol, morris)")
    values: list[float] | None = Field(None, min_length=1, description="grid values")
    integer: bool = Field(False, description="round drawn values to whole numbers")

    @model_validator(mode="after")
    def _bounds(self) -> SweepParameter:
        if self.values is None and (self.low is None or self.high is None):
            raise Invalid("needs low and high (or values for a grid)",
                          "give low = ... and high = ...", key="low")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise Invalid(f"low ({self.low}) is not below high ({self.high})",
                          "make low smaller than high", key="low")
        return self


class Sweep(Strict):
    method: Literal["grid", "lhs", "sobol", "morris"] = Field(
        description="grid (all combinations of values), lhs (Latin hypercube), sobol or "
        "morris (SALib designs for sensitivity analysis)")
    samples: int = Field(8, ge=1, le=100000, description="lhs: points; sobol: base samples "
                         "N (N x (2D + 2) points); morris: trajectories (r x (D + 1) points)")
    levels: int = Field(4, ge=2, le=20, description="morris: grid levels")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="seed of the design (lhs, morris; "
                      "SALib takes 32-bit seeds)")
    parameter: list[SweepParameter] = Field(description="[[sweep.parameter]] tables")

    @field_validator("parameter")
    @classmethod
    def _some(cls, v: list[SweepParameter]) -> list[SweepParameter]:
        if not v:
            raise Invalid("no parameters", "add at least one [[sweep.parameter]]")
        names = [p.name for p in v]
        if len(set(names)) != len(names):
            raise Invalid("a parameter is listed twice", "list each parameter once")
        return v

    @model_validator(mode="after")
    def _method_fits(self) -> Sweep:
        for i, p in enumerate(self.parameter):
            if self.method == "grid" and p.values is None:
                raise Invalid("a grid needs values", "give values = [...]",
                              key=f"parameter[{i}].values")
            if self.method != "grid" and (p.low is None or p.high is None):
                raise Invalid(f"{self.method} needs low and high", "give low and high",
                              key=f"parameter[{i}].low")
        return self


class Uncertainty(Strict):
    """Which parameter values the runs use."""

    parameters: str = Field(
        "posterior", min_length=1, max_length=1000,
        description='"posterior": a parameter set drawn from the shipped posterior '
        'ensemble (configs/posterior/ensemble.csv) for each group of replications; '
        '"point": every parameter at its value; or the path of an ensemble CSV written by '
        "teachsim fit (relative to the experiment file)")
    replications_per_draw: int = Field(
        2, ge=1, le=MAX_REPLICATIONS, description="consecutive replications that share a "
        "parameter set: their spread is chance alone, the spread between draws is "
        "parameter uncertainty (at least 2 to tell them apart)")
    others: Literal["prior", "ensemble"] = Field(
        "prior", description="the parameters the fit left to their priors (the ensemble "
        "record's prior_only): fresh draws from their priors for each parameter set "
        "(prior: the targets did not inform them, and fresh draws cover their ranges "
        "better than the fit's few hundred), or the values stored with the drawn set "
        "(ensemble)")


class ExperimentFile(Strict):
    name: str = Field(min_length=1, max_length=200, description="experiment name (the "
                      "default results directory is results/<name>)")
    description: str = Field("", description="free text")
    base: str = Field(description="base scenario file, relative to this file")
    replications: int = Field(10, ge=1, le=MAX_REPLICATIONS, description="replications per arm and "
                              "design point")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="root seed of the experiment")
    years: int | None = Field(None, ge=1, le=MAX_YEARS, description="school years (default: the "
                              "base scenario's)")
    tables: list[str] = Field(
        min_length=1, default_factory=lambda: ["school_year", "district_year", "cohort_year",
                                               "rollout", "run_summary"],
        description=f"tables to keep, of {', '.join(TABLES)}")
    chunk_size: int | None = Field(None, ge=1, le=10000, description="runs per task "
                                   "(default: chosen from runs and workers)")
    arm: list[Arm] = Field(default_factory=lambda: [Arm(name="base")], max_length=MAX_ARMS,
                           description="[[arm]] tables; default: one arm, the base scenario")
    sweep: Sweep | None = Field(None, description="optional parameter sweep")
    uncertainty: Uncertainty = Field(default_factory=Uncertainty,
                                     description="parameter values: drawn or fixed")

    @model_validator(mode="after")
    def _size(self) -> ExperimentFile:
        points = n_points(self.sweep)
        arms = len(self.arm)
        runs = arms * points * self.replications
        if points > MAX_POINTS or runs > MAX_RUNS:
            raise Invalid(f"asks for {runs:,} runs ({arms} arm(s) x {points:,} design "
                          f"point(s) x {self.replications:,} replication(s)); the limit is "
                          f"{MAX_RUNS:,} runs and {MAX_POINTS:,} points",
                          "use fewer grid values, samples or replications, or split the "
                          "work into several experiments", key="sweep" if points > 1
                          else "replications")
        return self

    @field_validator("tables")
    @classmethod
    def _tables(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if t not in TABLES]
        if bad:
            raise Invalid(f"unknown table(s) {bad}", f"use some of: {', '.join(TABLES)}")
        return v

    @field_validator("arm")
    @classmethod
    def _arms(cls, v: list[Arm]) -> list[Arm]:
        names = [a.name for a in v]
        if len(set(names)) != len(names):
            raise Invalid("two arms have the same name", "give each [[arm]] its own name")
        if not v:
            raise Invalid("no arms", "add an [[arm]] or leave arm out for the base scenario")
        return v


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs for one run."""

    run_id: int
    arm: str
    point: int
    replication: int
    seed: int
    years: int
    loaded: LoadedScenario
    tables: tuple[str, ...]
    #: the parameter set this run uses, numbered within the experiment (-1: every
    #: parameter at its value); replications that share it share it in every arm
    draw: int = -1
    #: the ensemble row the set was drawn from (-1: none)
    ensemble_row: int = -1


@dataclass
class Experiment:
    path: Path
    text: str
    spec: ExperimentFile
    #: validated scenario of each arm (before sweep values)
    arms: dict[str, LoadedScenario]
    #: design points: values of the swept parameters (empty dict: no sweep)
    points: list[dict[str, float]]
    base_data: dict[str, Any]
    base_origins: dict[str, Path]
    base_path: Path
    #: parameter sets the runs draw from (None: every parameter at its value)
    ensemble: Ensemble | None = None
    _cache: dict[tuple[str, int, int], LoadedScenario] = field(default_factory=dict,
                                                               repr=False)
    _values: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def uncertainty_id(self) -> str:
        """What the runs' parameter values come from: 'point', or the ensemble's hash
        and the replications per draw (a changed ensemble changes every run)."""
        if self.ensemble is None:
            return "point"
        digest = hashlib.sha256(self.ensemble.values.tobytes() + self.ensemble.weights
                                .tobytes() + "\n".join(self.ensemble.keys).encode())
        u = self.spec.uncertainty
        return (f"ensemble {digest.hexdigest()[:16]} x{u.replications_per_draw}"
                + (", others from their priors" if u.others == "prior" else ""))

    def draws(self, n_rep: int) -> list[int]:
        """The parameter set of each replication (-1 for all when parameters are fixed):
        replications ``k*s .. k*s + k - 1`` share set ``s``."""
        if self.ensemble is None:
            return [-1] * n_rep
        k = self.spec.uncertainty.replications_per_draw
        return [r // k for r in range(n_rep)]

    def ensemble_rows(self, n_sets: int) -> list[int]:
        """The ensemble row each of the first ``n_sets`` parameter sets is drawn from."""
        if self.ensemble is None:
            return [-1] * n_sets
        return draw_indices(self.ensemble, self.spec.seed, n_sets)

    @property
    def drawn_keys(self) -> list[str]:
        """The ensemble's parameters that the runs take from it: those the scenario files
        leave at their defaults (a value written in a scenario is the analyst's choice
        and wins; so does an arm's or a sweep's)."""
        if self.ensemble is None:
            return []
        return [k for k in self.ensemble.keys if not _has_dotted(self.base_data, k)]

    def drawn_values(self, draw: int) -> dict[str, Any]:
        """The parameter values of parameter set ``draw`` that the runs take: its
        ensemble row's, with fresh prior draws for the fit's prior-only parameters when
        ``others = "prior"``."""
        if self.ensemble is None or draw < 0:
            return {}
        if draw not in self._values:
            self._prepare(draw + 1)
        return self._values[draw]

    def _prepare(self, n_sets: int) -> None:
        """Work out the values of the first ``n_sets`` parameter sets at once (the prior
        draws of every set are one quantile call per parameter). Set ``s`` draws its
        fresh values from its own stream, so it does not depend on ``n_sets``."""
        from teachsim.experiments.ensemble import DRAW_STREAM, pert

        assert self.ensemble is not None
        rows = self.ensemble_rows(n_sets)
        values = [self.ensemble.row(r) for r in rows]
        if self.spec.uncertainty.others == "prior":
            priors = all_priors()
            fresh = [k for k in self.ensemble.meta.get("prior_only", []) if k in values[0]]
            u = np.array([np.random.default_rng(np.random.SeedSequence(
                [self.spec.seed, DRAW_STREAM, s + 1])).random(len(fresh))
                for s in range(n_sets)]).reshape(n_sets, len(fresh))
            for j, k in enumerate(fresh):
                x = pert(priors[k], u[:, j])
                for s in range(n_sets):
                    values[s][k] = round(float(x[s])) if priors[k].integer else float(x[s])
        for s in range(n_sets):
            self._values.setdefault(s, {k: values[s][k] for k in self.drawn_keys})

    def replication_seeds(self, n: int) -> list[int]:
        return replication_seeds(self.spec.seed, n)

    def scenario(self, arm: str, point: int, draw: int = -1) -> LoadedScenario:
        """The validated scenario of an arm at a design point, with the parameter values
        of parameter set ``draw`` (-1: none)."""
        key = (arm, point, draw)
        if key not in self._cache:
            values = self.points[point]
            if not values and draw < 0:
                self._cache[key] = self.arms[arm]
            else:
                arm_spec = next(a for a in self.spec.arm if a.name == arm)
                where = f"sweep point {point}" if values else "base values"
                if draw >= 0:
                    where += f", parameter set {draw} of {self.spec.uncertainty.parameters}"
                self._cache[key] = self._build(arm_spec, values, where,
                                               self.drawn_values(draw))
        return self._cache[key]

    def _build(self, arm: Arm, values: dict[str, Any], where: str,
               drawn: dict[str, Any] | None = None) -> LoadedScenario:
        data = copy.deepcopy(self.base_data)
        origins = dict(self.base_origins)
        for key, value in (drawn or {}).items():
            _set_dotted(data, key, value, self.path)
        for key, value in {**arm.set, **values}.items():
            _set_dotted(data, key, value, self.path)
            origins[key] = self.path
        if self.spec.years is not None:
            _set_dotted(data, "run.years", self.spec.years)
        try:
            return scenario_from_mapping(data, origins, self.base_path)
        except ConfigError as exc:
            file: str | Path = exc.file
            # A key the arm or sweep set, or a table under one, is the experiment's doing.
            if exc.key and any(k == exc.key or k.startswith(exc.key + ".")
                               or exc.key.startswith(k + ".") for k in {**arm.set, **values}):
                file = self.path
            raise ConfigError(file, exc.key, f"in arm {quote(arm.name)} ({where}): "
                              f"{exc.problem}", exc.fix) from None

    def run_specs(self, replications: int | None = None) -> list[RunSpec]:
        n_rep = replications or self.spec.replications
        seeds = self.replication_seeds(n_rep)
        draws = self.draws(n_rep)
        rows = self.ensemble_rows(max(draws) + 1) if draws and draws[-1] >= 0 else []
        if rows:
            self._prepare(len(rows))
        specs = []
        for a_i, arm in enumerate(self.spec.arm):
            for p_i in range(len(self.points)):
                for r in range(n_rep):
                    loaded = self.scenario(arm.name, p_i, draws[r])
                    specs.append(RunSpec(
                        run_id=run_id(a_i, p_i, r), arm=arm.name, point=p_i, replication=r,
                        seed=seeds[r], years=loaded.scenario.run.years, loaded=loaded,
                        tables=tuple(self.spec.tables), draw=draws[r],
                        ensemble_row=rows[draws[r]] if draws[r] >= 0 else -1))
        return specs


def scenario_with(base_data: dict[str, Any], origins: dict[str, Path], base_path: Path,
                  values: dict[str, Any]) -> LoadedScenario:
    """The scenario of ``base_data`` (merged from ``base_path``) with dotted keys set to
    ``values``, validated."""
    data = copy.deepcopy(base_data)
    origins = dict(origins)
    for key, value in values.items():
        _set_dotted(data, key, value, base_path)
        origins[key] = base_path
    return scenario_from_mapping(data, origins, base_path)


def replication_seeds(root: int, n: int) -> list[int]:
    """The seeds of ``n`` replications, spawned from ``root``: the first ``k`` are the same
    whatever ``n``, so more replications extend a run rather than redraw it."""
    children = np.random.SeedSequence(root).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def run_id(arm: int, point: int, replication: int) -> int:
    """A run's id, stable whatever the number of replications asked for."""
    return (arm << 40) | (point << 20) | replication


def split_run_id(rid: int) -> tuple[int, int, int]:
    """(arm, point, replication) of a run id: the inverse of :func:`run_id`."""
    return rid >> 40, (rid >> 20) & 0xFFFFF, rid & 0xFFFFF


def _set_dotted(data: dict[str, Any], key: str, value: Any, file: Path | None = None
                ) -> None:
    parts = key.split(".")
    node = data
    for p in parts[:-1]:
        nxt = node.setdefault(p, {})
        if not isinstance(nxt, dict):
            raise ConfigError(file, key, f"'{p}' is a value, not a table",
                              "set a key inside a table, e.g. behaviour.burnout.centre")
        node = nxt
    node[parts[-1]] = value


def _has_dotted(data: dict[str, Any], key: str) -> bool:
    node: Any = data
    for p in key.split("."):
        if not isinstance(node, dict) or p not in node:
            return False
        node = node[p]
    return True


def n_points(sweep: Sweep | None) -> int:
    """How many design points :func:`design` makes, without making them."""
    if sweep is None:
        return 1
    d = len(sweep.parameter)
    if sweep.method == "grid":
        return math.prod(len(p.values or ()) for p in sweep.parameter)
    if sweep.method == "lhs":
        return sweep.samples
    if sweep.method == "sobol":
        return sweep.samples * (2 * d + 2)
    return sweep.samples * (d + 1)


def design(sweep: Sweep | None) -> list[dict[str, float]]:
    """Design points of a sweep (one empty point when there is no sweep)."""
    if sweep is None:
        return [{}]
    params = sweep.parameter
    names = [p.name for p in params]
    if sweep.method == "grid":
        grids = np.meshgrid(*[np.asarray(p.values, dtype=float) for p in params],
                            indexing="ij")
        matrix = np.stack([g.ravel() for g in grids], axis=1)
    else:
        problem = {"num_vars": len(params), "names": names,
                   "bounds": [[p.low, p.high] for p in params]}
        if sweep.method == "lhs":
            from SALib.sample import latin

            matrix = latin.sample(problem, sweep.samples, seed=sweep.seed)
        elif sweep.method == "sobol":
            from SALib.sample import sobol

            matrix = sobol.sample(problem, sweep.samples, calc_second_order=True,
                                  seed=sweep.seed)
        else:
            from SALib.sample import morris

            matrix = morris.sample(problem, sweep.samples, num_levels=sweep.levels,
                                   seed=sweep.seed)
    points = []
    for row in matrix:
        point = {}
        for p, v in zip(params, row, strict=True):
            point[p.name] = round(v) if p.integer else float(v)
        points.append(point)
    return points


def load_experiment(path: str | Path, point_estimate: bool = False) -> Experiment:
    """Read and validate an experiment file, its base scenario and every arm.
    ``point_estimate`` runs every parameter at its value, whatever the file says."""
    path = Path(path)
    if path.suffix != ".toml":
        raise ConfigError(path, None, "is not a .toml file", "give an experiment file ending "
                          "in .toml (see experiments/)")
    data = read_toml(path)
    if "base" not in data and ({"extends", "school", "run", "schedule", "district"}
                               & set(data)):
        raise ConfigError(path, None, "is not an experiment file: it looks like a scenario "
                          "file (it has no 'base')", "run a scenario with teachsim run "
                          "FILE, or write an experiment file whose base names it (see "
                          "experiments/)")
    try:
        spec = ExperimentFile.model_validate(data)
    except ValidationError as exc:
        raise to_config_error(exc, ExperimentFile, {}, path) from None
    base_path = path.parent / spec.base
    if not spec.base.strip() or is_dir(base_path):
        raise ConfigError(path, "base", f"{quote(spec.base)} does not name a scenario file",
                          'write base = "scenario.toml" (relative to the experiment file)')
    if not exists(base_path):
        raise ConfigError(path, "base", f"base scenario '{spec.base}' not found (looked at "
                          f"{base_path})", "fix the path; it is relative to the experiment "
                          "file")
    base_data, base_origins = load_with_extends(base_path)
    if point_estimate:
        spec = spec.model_copy(update={"uncertainty": spec.uncertainty.model_copy(
            update={"parameters": "point"})})
    exp = Experiment(path=path, text=path.read_text(), spec=spec, arms={},
                     points=design(spec.sweep), base_data=base_data,
                     base_origins=base_origins, base_path=base_path,
                     ensemble=_ensemble(spec.uncertainty, path))
    for arm in spec.arm:
        exp.arms[arm.name] = exp._build(arm, {}, "base values")
        if spec.sweep is not None and spec.sweep.method != "grid":
            # Validate the corners of the sweep box once, so a bad range fails now.
            for corner in ("low", "high"):
                values = {p.name: (round(getattr(p, corner)) if p.integer
                                   else getattr(p, corner)) for p in spec.sweep.parameter}
                exp._build(arm, values, f"sweep {corner} values")
        elif spec.sweep is not None:
            for i in range(len(exp.points)):
                exp.scenario(arm.name, i)
        if exp.ensemble is not None:
            # The first parameter set drawn, so a file that cannot take drawn values
            # fails now rather than in a worker.
            exp.scenario(arm.name, 0, exp.draws(1)[0])
    return exp


def _ensemble(u: Uncertainty, path: Path) -> Ensemble | None:
    from teachsim.experiments.ensemble import default_posterior, read_ensemble

    if u.parameters == "point":
        return None
    if u.parameters == "posterior":
        return read_ensemble(default_posterior())
    ens_path = path.parent / u.parameters
    if ens_path.suffix != ".csv":
        raise ConfigError(path, "uncertainty.parameters", f"{quote(u.parameters)} is "
                          "neither \"posterior\", \"point\" nor an ensemble .csv file",
                          'write "posterior", "point" or the path of an ensemble CSV '
                          "(relative to the experiment file)")
    return read_ensemble(ens_path)
