"""Likelihood-free calibration (ABC-SMC, with pyabc) of the model's uncertain parameters
against published figures, giving a posterior ensemble.

What is fitted: the parameters a fit file names (``parameters``), each starting from its
prior (docs/parameters.md). Every other behaviour parameter with a prior is drawn from
its prior afresh for each simulation (``others = "prior"``), so the fit integrates over
what the targets cannot pin down instead of pretending it is known; the values each
accepted simulation used are kept, so the ensemble carries every uncertain parameter.

What it is fitted to: the calibration targets of docs/calibration.md (analysis/
calibration.py), measured exactly as ``teachsim calibrate`` measures them but on a
smaller district per simulation, plus any targets in a user's targets file.

The distance of a simulation from the targets is the largest, over targets, of how far
its figure lies from the target's centre in units of the target's half-tolerance (a
one-sided target counts as 0 inside its band). A distance of at most 1 means every
target is within its tolerance. ABC-SMC lowers the acceptance threshold generation by
generation (each generation's threshold is the median distance of the one before) and
stops at ``min_epsilon``, after ``generations`` or at ``max_simulations``.

The history (pyabc's database, ``fit.db``) makes a fit resumable: running the same
command again continues from the last finished generation.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator

from teachsim.analysis.calibration import (
    TARGETS,
    Target,
    baseline_teacher_years,
    poverty_district_school_years,
)
from teachsim.config.errors import ConfigError
from teachsim.config.parameters import all_priors
from teachsim.config.paths import exists, is_dir
from teachsim.config.tomlio import load_with_extends, read_toml
from teachsim.config.validation import Strict, quote, to_config_error
from teachsim.experiments.ensemble import Ensemble, pert_shape, write_ensemble
from teachsim.model.records import Table
from teachsim.model.scenario import LoadedScenario

#: targets whose published figure is a floor or a generous band, not a point: inside
#: the band every value is as good as another
ONE_SIDED = {"teachers absent 10+ days", "share of 10-year gain reached by year 5"}


class TargetSpec(Strict):
    """A target of a targets file: a published target's name (to change its band), or a
    new figure measured from a table."""

    name: str = Field(min_length=1, max_length=200, description="label; a published "
                      "target's name (docs/calibration.md) changes that target's band")
    low: float = Field(description="lowest value within tolerance")
    high: float = Field(description="highest value within tolerance")
    table: Literal["teacher_year", "poverty_school_year"] = Field(
        "teacher_year", description="for a new target: the copies' teacher-year rows or "
        "the generated district's school-year rows")
    column: str | None = Field(None, description="for a new target: the column measured")
    statistic: Literal["mean", "share_at_least"] = Field(
        "mean", description="for a new target: the column's mean, or the share of rows at "
        "or above `at_least`")
    at_least: float = Field(0.0, description="threshold of share_at_least")
    where: str | None = Field(None, description="for a new target: keep only the rows "
                              "where this column is above zero (e.g. coaching_hours: "
                              "coached teachers), or equals `equals`")
    equals: str | None = Field(None, description="with where: keep the rows where that "
                               "column equals this text (e.g. pairing = \"target\")")
    year: int | None = Field(None, ge=1, le=40, description="for a new target: only the "
                             "run's year-th school year (1: the first, when a programme "
                             "starts), rather than every year")
    scenario: dict[str, bool | int | float | str] = Field(
        default_factory=dict, description="scenario keys set for the run this target is "
        "measured in (e.g. \"schedule.policy\" = \"coaching\": a published effect size "
        "of a programme), on the same copies and seed as the others")
    one_sided: bool = Field(False, description="every value inside the band is as good as "
                            "another (a floor or a ceiling rather than a point)")


class TargetsFile(Strict):
    published: bool = Field(True, description="also fit the published targets of "
                            "docs/calibration.md (false: only this file's)")
    target: list[TargetSpec] = Field(default_factory=list, description="[[target]] tables")


class FitFile(Strict):
    """A fit: what to run, which parameters to fit, how long to search."""

    name: str = Field(min_length=1, max_length=200, description="fit name (the default "
                      "output directory is results/fit/<name>)")
    description: str = Field("", description="free text")
    base: str = Field(description="base scenario file (relative to this file); its "
                      "district is replaced by copies of its first school")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="root seed")
    schools: int = Field(10, ge=1, le=200, description="copies of the base school "
                         "simulated for the teacher-year targets")
    poverty_schools: int = Field(40, ge=0, le=800, description="schools of the generated "
                                 "district for the poverty contrast (0: leave it out)")
    years: int = Field(10, ge=2, le=40, description="school years per simulation")
    parameters: list[str] = Field(min_length=1, description="dotted keys of the "
                                  "parameters to fit (each needs a prior)")
    others: Literal["prior", "fixed"] = Field(
        "prior", description="other parameters with priors: drawn from their priors for "
        "each simulation (prior) or held at their values (fixed)")
    population: int = Field(200, ge=10, le=100000, description="particles per generation")
    generations: int = Field(8, ge=1, le=100, description="most generations")
    min_epsilon: float = Field(0.5, gt=0, description="stop when the acceptance threshold "
                               "is at or below this (1 = every target within tolerance)")
    max_simulations: int = Field(100000, ge=1, description="start no generation after "
                                 "this many simulations in all (a generation under way "
                                 "finishes)")
    targets: str | None = Field(None, description="targets file (relative to this file)")
    moves: int = Field(0, ge=0, le=100, description="after the last generation: resample "
                       "it to equal weights and move every particle this many times by "
                       "ABC-MCMC at the final threshold (restores the diversity that "
                       "importance weights lose in many dimensions; 0: keep the weighted "
                       "generation)")

    @field_validator("parameters")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        from teachsim.config.validation import Invalid

        priors = all_priors()
        for k in v:
            if k not in priors or not k.startswith("behaviour."):
                import difflib

                near = difflib.get_close_matches(k, list(priors), 1)
                raise Invalid(f"'{k}' is not a behaviour parameter with a prior",
                              f"did you mean '{near[0]}'?" if near else
                              "use dotted keys from docs/parameters.md")
        if len(set(v)) != len(v):
            raise Invalid("a parameter is listed twice", "list each once")
        return v


# --- targets -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ColumnMeasure:
    """A figure measured from a table column (a picklable measure for new targets)."""

    column: str
    statistic: str
    at_least: float
    where: str | None = None
    equals: str | None = None
    year: int | None = None

    def __call__(self, t: Table) -> float:
        keep = np.ones(len(t[self.column]), dtype=bool)
        if self.where is not None:
            w = np.asarray(t[self.where])
            keep &= (w == self.equals) if self.equals is not None else (w.astype(float) > 0)
        if self.year is not None:
            years = np.asarray(t["year"])
            keep &= years == years.min() + self.year - 1
        x = np.asarray(t[self.column], dtype=float)[keep]
        if self.statistic == "share_at_least":
            return float(np.mean(x >= self.at_least))
        return float(np.mean(x))


@dataclass(frozen=True)
class FitTarget:
    target: Target
    one_sided: bool
    #: scenario keys of the run this target is measured in (empty: the baseline's)
    scenario: tuple[tuple[str, Any], ...] = ()

    @property
    def centre(self) -> float:
        return (self.target.low + self.target.high) / 2

    @property
    def half(self) -> float:
        return (self.target.high - self.target.low) / 2

    def distance(self, value: float) -> float:
        """How far ``value`` is from the target, in half-tolerances (1 = at its edge)."""
        if not math.isfinite(value):
            return math.inf
        if self.one_sided:
            if self.target.low <= value <= self.target.high:
                return 0.0
            gap = self.target.low - value if value < self.target.low else (
                value - self.target.high)
            return 1.0 + gap / self.half
        return abs(value - self.centre) / self.half


def fit_targets(spec: FitFile, path: Path) -> list[FitTarget]:
    """The published targets (unless the targets file says not) with the file's bands
    and new targets; the poverty contrast only when the fit simulates a poverty
    district."""
    published = {t.name: t for t in TARGETS}
    specs: list[TargetSpec] = []
    use_published = True
    if spec.targets:
        tpath = path.parent / spec.targets
        if not exists(tpath) or is_dir(tpath):
            raise ConfigError(path, "targets", f"targets file '{spec.targets}' not found "
                              f"(looked at {tpath})", "fix the path; it is relative to the "
                              "fit file")
        try:
            tf = TargetsFile.model_validate(read_toml(tpath))
        except ValidationError as exc:
            raise to_config_error(exc, TargetsFile, {}, tpath) from None
        use_published, specs = tf.published, tf.target
        for i, s in enumerate(specs):
            if s.low >= s.high:
                raise ConfigError(tpath, f"target[{i}].low", f"low ({s.low}) is not below "
                                  f"high ({s.high})", "give a band with low < high")
            if s.name not in published and s.column is None:
                raise ConfigError(tpath, f"target[{i}].column", f"{quote(s.name)} is not "
                                  "a published target and names no column", "give "
                                  "column = ... (a teacher_year column such as "
                                  "absence_days), or a name from docs/calibration.md")
    out: dict[str, FitTarget] = {}
    if use_published:
        out = {t.name: FitTarget(t, t.name in ONE_SIDED) for t in TARGETS}
    for s in specs:
        if s.name in published:
            base = published[s.name]
            t = Target(base.name, base.target, s.low, s.high, base.measure, base.source,
                       base.unit, base.data)
        else:
            assert s.column is not None
            t = Target(s.name, f"{s.low:g} - {s.high:g}", s.low, s.high,
                       ColumnMeasure(s.column, s.statistic, s.at_least, s.where, s.equals,
                                     s.year),
                       "targets file", "", s.table)
        if s.scenario and t.data != "teacher_year":
            raise ConfigError(tpath, s.name, "a target measured in its own scenario must "
                              "read the teacher_year table", 'use table = "teacher_year"')
        out[s.name] = FitTarget(t, s.one_sided or (s.name in ONE_SIDED and
                                                   s.name in published),
                                tuple(sorted(s.scenario.items())))
    if spec.poverty_schools == 0:
        out = {k: v for k, v in out.items() if v.target.data != "poverty_school_year"}
    if not out:
        raise ConfigError(path, "targets", "no targets to fit", "keep the published "
                          "targets (published = true) or add [[target]] tables")
    return list(out.values())


# --- one simulation ----------------------------------------------------------------------
def _name(key: str) -> str:
    """A pyabc parameter name for a dotted key (pyabc's history dislikes dots)."""
    return key.replace(".", "__")


@dataclass
class Setup:
    """Everything a worker needs to simulate one parameter set (picklable)."""

    base_data: dict[str, Any]
    origins: dict[str, Path]
    base_path: Path
    fitted: list[str]
    others: list[str]
    targets: list[FitTarget]
    schools: int
    poverty_schools: int
    years: int
    seed: int

    def scenario(self, values: dict[str, float]) -> LoadedScenario:
        from teachsim.experiments.design import scenario_with

        return scenario_with(self.base_data, self.origins, self.base_path, values)

    def simulate(self, theta: dict[str, float]) -> dict[str, Any]:
        """Run the fit's district with ``theta`` (pyabc names) and the other
        parameters drawn from their priors; return every target's figure and the full
        parameter set used."""
        from teachsim.experiments.ensemble import sample_priors

        priors = all_priors()
        fitted = np.array([theta[_name(k)] for k in self.fitted], dtype=float)
        for j, k in enumerate(self.fitted):
            if priors[k].integer:
                fitted[j] = round(fitted[j])
        # A seed from the parameter values: the same particle always gives the same run.
        digest = hashlib.sha256(np.ascontiguousarray(fitted).tobytes()).digest()
        ss = np.random.SeedSequence([self.seed, int.from_bytes(digest[:8], "little")])
        run_seed, nuisance_seed = ss.generate_state(2, dtype=np.uint64) >> np.uint64(1)
        others = sample_priors(self.others, 1, np.random.default_rng(int(nuisance_seed)))[0]
        values = dict(zip(self.fitted, fitted.tolist(), strict=True))
        values.update(zip(self.others, others.tolist(), strict=True))
        out = self.measure(values, int(run_seed))
        out["_values"] = np.array([values[k] for k in [*self.fitted, *self.others]])
        return out

    def measure(self, values: dict[str, float], seed: int) -> dict[str, float]:
        """Every target's figure from one simulation of the fit's district with the
        parameter ``values`` (dotted keys) and ``seed``."""
        priors = all_priors()
        loaded = self.scenario({k: (round(v) if priors[k].integer else v)
                                for k, v in values.items()})
        data: dict[str, Table | None] = {
            "teacher_year": baseline_teacher_years(loaded, self.schools, [seed], self.years),
            "poverty_school_year": None}
        if any(t.target.data == "poverty_school_year" for t in self.targets):
            data["poverty_school_year"] = poverty_district_school_years(
                loaded, self.poverty_schools, [seed], self.years)
        for extra in {t.scenario for t in self.targets if t.scenario}:
            # a programme's published effect: the same copies and seed, its policy
            other = self.scenario({**{k: (round(v) if priors[k].integer else v)
                                      for k, v in values.items()}, **dict(extra)})
            data[f"teacher_year{extra}"] = baseline_teacher_years(other, self.schools,
                                                                  [seed], self.years)
        out: dict[str, float] = {}
        for t in self.targets:
            key = f"teacher_year{t.scenario}" if t.scenario else t.target.data
            with np.errstate(all="ignore"):
                try:
                    out[t.target.name] = float(t.target.measure(data[key]))
                except (ZeroDivisionError, ValueError, KeyError):
                    out[t.target.name] = float("nan")
        return out

    def distance(self, x: dict[str, Any], _x0: dict[str, Any]) -> float:
        return max(t.distance(x[t.target.name]) for t in self.targets)


def _simulate(setup: Setup, theta: dict[str, float]) -> dict[str, Any]:
    return setup.simulate(theta)


# --- the fit -----------------------------------------------------------------------------
@dataclass
class Generation:
    t: int
    epsilon: float
    simulations: int
    acceptance: float
    ess: float


@dataclass
class FitResult:
    out: Path
    ensemble: Ensemble
    generations: list[Generation]
    targets: pd.DataFrame
    parameters: pd.DataFrame
    files: list[Path] = field(default_factory=list)


@dataclass
class Fit:
    path: Path
    text: str
    spec: FitFile
    setup: Setup

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def smc_sha256(self) -> str:
        """What the generations depend on: the fit's settings except the moves after
        them, and the targets file's text (so more moves reuse the generations)."""
        data = self.spec.model_dump(mode="json", exclude={"moves", "description"})
        if self.spec.targets:
            data["targets_text"] = (self.path.parent / self.spec.targets).read_text()
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def load_fit(path: str | Path) -> Fit:
    """Read and check a fit file, its base scenario and targets."""
    path = Path(path)
    if path.suffix != ".toml":
        raise ConfigError(path, None, "is not a .toml file", "give a fit file ending in "
                          ".toml (see experiments/fit_baseline.toml)")
    data = read_toml(path)
    try:
        spec = FitFile.model_validate(data)
    except ValidationError as exc:
        raise to_config_error(exc, FitFile, {}, path) from None
    base_path = path.parent / spec.base
    if not spec.base.strip() or not exists(base_path) or is_dir(base_path):
        raise ConfigError(path, "base", f"base scenario '{spec.base}' not found (looked at "
                          f"{base_path})", "fix the path; it is relative to the fit file")
    base_data, origins = load_with_extends(base_path)
    priors = all_priors()
    others = [k for k in priors if k.startswith("behaviour.") and k not in spec.parameters
              ] if spec.others == "prior" else []
    setup = Setup(base_data, origins, base_path, list(spec.parameters), others,
                  fit_targets(spec, path), spec.schools, spec.poverty_schools, spec.years,
                  spec.seed)
    # A bad base or a prior end that the scenario refuses fails now, not in a worker.
    for corner in ("low", "high"):
        setup.scenario({k: getattr(priors[k], corner) for k in spec.parameters})
    _check_columns(setup, path.parent / spec.targets if spec.targets else path)
    return Fit(path, path.read_text(), spec, setup)


def _check_columns(setup: Setup, tpath: Path) -> None:
    """Every new target's columns exist, and its scenario loads (checked on a one-year
    run of one school, so a typo fails now rather than as a fit that accepts nothing)."""
    import difflib

    from teachsim.model.run import run_scenario

    news = [t for t in setup.targets if isinstance(t.target.measure, ColumnMeasure)]
    if not news:
        return
    tables: dict[tuple[tuple[str, Any], ...], dict[str, Table]] = {}
    for t in news:
        if t.scenario not in tables:
            try:
                loaded = setup.scenario(dict(t.scenario))
            except ConfigError as exc:
                raise ConfigError(tpath, f"{t.target.name}: scenario", exc.problem,
                                  exc.fix) from None
            one = loaded.replace(district=loaded.scenario.district.model_copy(
                update={"n_schools": 1}))
            tables[t.scenario] = run_scenario(one, seed=0, years=1).tables
        table = "school_year" if t.target.data == "poverty_school_year" else "teacher_year"
        columns = list(tables[t.scenario][table])
        m = t.target.measure
        assert isinstance(m, ColumnMeasure)
        for col in filter(None, (m.column, m.where)):
            if col not in columns:
                near = difflib.get_close_matches(col, columns, 1)
                raise ConfigError(tpath, t.target.name, f"no column '{col}' in the "
                                  f"{table} table", f"did you mean '{near[0]}'?" if near
                                  else f"use one of: {', '.join(columns)}")


@contextmanager
def _pyabc_session(seed: int) -> Iterator[None]:
    """pyabc draws its proposals from numpy's global stream and logs every generation
    at INFO: seed the one and quiet the other for the fit, then put both back as the
    caller had them."""
    state = np.random.get_state()
    log = logging.getLogger("ABC")  # the parent of all of pyabc's loggers
    level = log.level
    np.random.seed(seed)
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        np.random.set_state(state)
        log.setLevel(level)


def _pyabc_prior(keys: Sequence[str]) -> Any:
    import pyabc

    rvs = {}
    for k in keys:
        p = all_priors()[k]
        if p.kind == "uniform":
            rvs[_name(k)] = pyabc.RV("uniform", p.low, p.high - p.low)
        else:
            a, b = pert_shape(p)
            rvs[_name(k)] = pyabc.RV("beta", a, b, loc=p.low, scale=p.high - p.low)
    return pyabc.Distribution(**rvs)


def run_fit(fit: Fit, out: Path, workers: int = 1, new: bool = False,
            progress: Callable[[Generation, int], None] | None = None,
            moving: Callable[[int, int, float], None] | None = None) -> FitResult:
    """Run (or resume) the fit into ``out``; write the ensemble and diagnostics.
    ``progress(generation, generations)`` after each generation; ``moving(step, steps,
    acceptance)`` after each move."""
    import functools

    import pyabc

    from teachsim.experiments.atomic import check_dir_target
    from teachsim.experiments.runner import Engine, executor, start_early

    check_dir_target(out, "fit.json", "--out")
    out.mkdir(parents=True, exist_ok=True)
    record_path = out / "fit.json"
    db_path = out / "fit.db"
    if record_path.is_file():
        prev = json.loads(record_path.read_text())
        if prev.get("smc_sha256") != fit.smc_sha256 and not new:
            raise ConfigError(out, "--out", "holds a fit of a different fit file (or one "
                              "changed since)", "use --new to start again there, or "
                              "another --out")
    if new:
        db_path.unlink(missing_ok=True)
    record = {"fit": fit.spec.name, "fit_file": str(fit.path), "fit_sha256": fit.sha256,
              "smc_sha256": fit.smc_sha256, "parameters": fit.spec.parameters,
              "others": fit.setup.others,
              "targets": [t.target.name for t in fit.setup.targets],
              "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    from teachsim.experiments.atomic import write_text

    write_text(record_path, json.dumps(record, indent=2) + "\n")

    model = functools.partial(_simulate, fit.setup)
    engine = Engine("processes" if workers > 1 else "serial", workers)
    start_early(engine)
    with _pyabc_session(fit.spec.seed), executor(engine) as pool:
        sampler: Any = (pyabc.sampler.SingleCoreSampler() if workers <= 1 else
                        pyabc.sampler.ConcurrentFutureSampler(
                            pool, client_max_jobs=2 * workers, batch_size=4))
        def smc() -> Any:
            return pyabc.ABCSMC(model, _pyabc_prior(fit.spec.parameters), fit.setup.distance,
                                population_size=fit.spec.population, sampler=sampler,
                                eps=pyabc.QuantileEpsilon(alpha=0.5))

        db = f"sqlite:///{db_path}"
        abc = smc()
        if db_path.is_file():
            abc.load(db, 1)
        else:
            abc.new(db, {t.target.name: t.centre for t in fit.setup.targets})
        while True:
            h = abc.history
            done_t = h.max_t + 1 if h.max_t is not None and h.max_t >= 0 else 0
            sims = h.total_nr_simulations if done_t else 0
            eps = _epsilons(h) if done_t else []
            if done_t and progress:
                progress(_generations(h)[-1], fit.spec.generations)
            if (done_t >= fit.spec.generations or sims >= fit.spec.max_simulations
                    or (eps and eps[-1] <= fit.spec.min_epsilon)):
                break
            if done_t:
                # A fresh object per generation: pyabc caches the population it sets the
                # next threshold from, and only re-reads it when loaded.
                abc = smc()
                abc.load(db, h.id)
            abc.run(max_nr_populations=1, minimum_epsilon=fit.spec.min_epsilon,
                    max_total_nr_simulations=fit.spec.max_simulations)
        history = abc.history
        moved = _moves(fit, history, pool, moving) if fit.spec.moves else None
    result = summarise(fit, history, out, moved)
    record.update(finished_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                  generations=len(result.generations),
                  simulations=int(history.total_nr_simulations),
                  final_epsilon=result.generations[-1].epsilon,
                  ess=result.ensemble.ess())
    write_text(record_path, json.dumps(record, indent=2) + "\n")
    return result


@dataclass
class Moved:
    """The last generation after resampling and ABC-MCMC moves: equally weighted."""

    values: np.ndarray
    stats: list[dict[str, Any]]
    acceptance: list[float]
    epsilon: float


def _measure_pickled(blob: bytes, values: dict[str, float], seed: int) -> dict[str, float]:
    import cloudpickle

    setup = cloudpickle.loads(blob)
    return setup.measure(values, seed)


def _log_prior(keys: list[str], x: np.ndarray) -> np.ndarray:
    """Log prior density of the fitted parameters, row by row (-inf outside)."""
    from teachsim.experiments.ensemble import prior_density

    priors = all_priors()
    with np.errstate(divide="ignore"):
        return np.sum([np.log(prior_density(priors[k], x[:, j]))
                       for j, k in enumerate(keys)], axis=0)


def _moves(fit: Fit, history: Any, pool: Any,
           moving: Callable[[int, int, float], None] | None = None) -> Moved:
    """Resample the last generation to equal weights, then move each particle
    ``fit.spec.moves`` times by ABC-MCMC (Marjoram et al. 2003) at the final threshold:
    a Gaussian step in the fitted parameters (covariance 2.38^2/d times the
    generation's), fresh draws of the others from their priors, accepted when the
    simulation is within the threshold and with the prior ratio (the resample-move
    step of Del Moral, Doucet & Jasra 2012). The chain leaves the ABC posterior
    unchanged and gives back the diversity the weights lost. Deterministic for a
    given fit seed, on any number of workers."""
    import cloudpickle

    from teachsim.experiments.ensemble import sample_priors

    setup = fit.setup
    weights, stats = history.get_weighted_sum_stats()
    w = np.asarray(weights, float)
    w = w / w.sum()
    eps = _epsilons(history)[-1]
    keys = [*setup.fitted, *setup.others]
    d = len(setup.fitted)
    values = np.vstack([s["_values"] for s in stats])
    mean = w @ values[:, :d]
    centred = values[:, :d] - mean
    cov = (centred * w[:, None]).T @ centred * (2.38 ** 2 / d)
    rng = np.random.default_rng(np.random.SeedSequence([fit.spec.seed, 0x40E5]))
    n = len(w)
    # systematic resampling: each particle kept about n x weight times
    idx = np.minimum(np.searchsorted(np.cumsum(w), (rng.random() + np.arange(n)) / n),
                     n - 1)
    values = values[idx].copy()
    stats = [stats[i] for i in idx]
    blob = cloudpickle.dumps(setup)
    priors = all_priors()
    log_p = _log_prior(setup.fitted, values[:, :d])
    acceptance = []
    for _ in range(fit.spec.moves):
        prop = values.copy()
        prop[:, :d] = values[:, :d] + rng.multivariate_normal(np.zeros(d), cov, n)
        for j, k in enumerate(setup.fitted):
            if priors[k].integer:
                prop[:, j] = np.round(prop[:, j])
        prop[:, d:] = sample_priors(setup.others, n, rng)
        log_q = _log_prior(setup.fitted, prop[:, :d])
        seeds = rng.integers(0, 2**62, n)
        inside = np.isfinite(log_q)
        todo = np.flatnonzero(inside)
        sims = list(pool.map(_measure_pickled, [blob] * len(todo),
                             [dict(zip(keys, prop[i].tolist(), strict=True)) for i in todo],
                             [int(seeds[i]) for i in todo]))
        u = rng.random(n)
        accepted = 0
        for i, sim in zip(todo, sims, strict=True):
            if setup.distance(sim, {}) <= eps and np.log(u[i]) < log_q[i] - log_p[i]:
                values[i] = prop[i]
                log_p[i] = log_q[i]
                stats[i] = sim | {"_values": prop[i].copy()}
                accepted += 1
        acceptance.append(accepted / n)
        if moving:
            moving(len(acceptance), fit.spec.moves, acceptance[-1])
    return Moved(values, stats, acceptance, eps)


def _epsilons(h: Any) -> list[float]:
    pops = h.get_all_populations()
    return [float(e) for t, e in zip(pops["t"], pops["epsilon"], strict=True) if t >= 0]


def _generations(h: Any) -> list[Generation]:
    pops = h.get_all_populations()
    pops = pops[pops["t"] >= 0]
    n = h.get_nr_particles_per_population()
    out = []
    for _, row in pops.iterrows():
        t = int(row["t"])
        w, _ = h.get_weighted_sum_stats(t)
        w = np.asarray(w, float)
        ess = float(w.sum() ** 2 / np.sum(w * w)) if len(w) else 0.0
        sims = int(row["samples"])
        out.append(Generation(t, float(row["epsilon"]), sims,
                              float(n.get(t, 0)) / sims if sims else float("nan"), ess))
    return out


def summarise(fit: Fit, history: Any, out: Path, moved: Moved | None = None
              ) -> FitResult:
    """The last generation (moved, if the fit moves it) as an ensemble; prior vs
    posterior and posterior-predictive tables; the diagnostics page."""
    weights, stats = history.get_weighted_sum_stats()
    keys = [*fit.setup.fitted, *fit.setup.others]
    values = np.vstack([s["_values"] for s in stats])
    w = np.asarray(weights, float)
    if moved is not None:
        values, stats, w = moved.values, moved.stats, np.ones(len(moved.stats))
    gens = _generations(history)
    ens = Ensemble(keys, values, w / w.sum(), out / "ensemble.csv", meta={
        "kind": "posterior", "method": "ABC-SMC (pyabc)", "fit": fit.spec.name,
        "fit_file": fit.path.name, "fit_sha256": fit.sha256,
        "fitted": fit.setup.fitted, "prior_only": fit.setup.others,
        "targets": [t.target.name for t in fit.setup.targets],
        "generations": len(gens), "final_epsilon": gens[-1].epsilon,
        "moves": fit.spec.moves, "move_acceptance": moved.acceptance if moved else [],
        "distinct_sets": len(np.unique(values, axis=0)),
        "simulations": int(history.total_nr_simulations), "particles": len(w),
        "district": {"schools": fit.spec.schools, "poverty_schools":
                     fit.spec.poverty_schools, "years": fit.spec.years},
        "command": f"teachsim fit {fit.path.name}"})
    write_ensemble(ens, out / "ensemble.csv")
    targets = predictive_table(fit.setup.targets, stats, w)
    params = parameter_table(ens)
    from teachsim.experiments.atomic import atomic_file

    files = [out / "ensemble.csv"]
    for name, frame in (("targets", targets), ("parameters", params),
                        ("generations", pd.DataFrame([g.__dict__ for g in gens]))):
        with atomic_file(out / f"{name}.csv") as tmp:
            frame.to_csv(tmp, index=False)
        files.append(out / f"{name}.csv")
    from teachsim.analysis.fit_report import write_page

    files += write_page(out, fit, ens, targets, params, gens, stats)
    return FitResult(out, ens, gens, targets, params, files)


def predictive_check(fit: Fit, ens: Ensemble, n: int, seed: int = 0) -> pd.DataFrame:
    """Simulate ``n`` parameter sets drawn from ``ens`` (by weight, every parameter at
    the set's value) on the fit's district, each with a fresh seed: one row per
    simulation, one column per target. An independent check of a shipped ensemble."""
    from teachsim.experiments.ensemble import draw_indices

    rows = draw_indices(ens, seed, n)
    seeds = np.random.SeedSequence([seed, 77]).generate_state(n, dtype=np.uint32)
    out = []
    for i, r in enumerate(rows):
        out.append(fit.setup.measure(ens.row(r), int(seeds[i])) | {"draw": r})
    return pd.DataFrame(out)


def _wquantile(x: np.ndarray, w: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Weighted quantiles: each point stands at the middle of its share of the weight."""
    order = np.argsort(x)
    p = w[order] / w.sum()
    return np.interp(q, np.cumsum(p) - p / 2, x[order])


def predictive_table(targets: list[FitTarget], stats: list[dict[str, Any]],
                     w: np.ndarray) -> pd.DataFrame:
    """Per target: the band, and the posterior-predictive P5, median and P95 of the
    accepted simulations (weighted), the share within tolerance, and whether the
    central 90% overlaps the band."""
    rows = []
    for t in targets:
        x = np.array([s[t.target.name] for s in stats], float)
        ok = np.isfinite(x)
        p5, p50, p95 = _wquantile(x[ok], w[ok], [0.05, 0.5, 0.95])
        inside = float(np.sum(w[ok] * ((x[ok] >= t.target.low) & (x[ok] <= t.target.high)))
                       / w.sum())
        rows.append({"target": t.target.name, "published": t.target.target,
                     "low": t.target.low, "high": t.target.high, "unit": t.target.unit,
                     "p5": p5, "median": p50, "p95": p95, "share_within": inside,
                     "covered": bool(p5 <= t.target.high and p95 >= t.target.low),
                     "source": t.target.source})
    return pd.DataFrame(rows)


def parameter_table(ens: Ensemble) -> pd.DataFrame:
    """Per parameter: prior range and mean, posterior weighted mean and central 90%,
    and how much the fit narrowed the prior (1 - posterior SD / prior SD)."""
    from teachsim.experiments.ensemble import pert

    priors = all_priors()
    fitted = set(ens.meta.get("fitted", []))
    rows = []
    u = (np.arange(4000) + 0.5) / 4000
    for j, k in enumerate(ens.keys):
        p = priors[k]
        prior_x = pert(p, u)
        x = ens.values[:, j]
        mean = float(np.sum(ens.weights * x) / ens.weights.sum())
        sd = float(np.sqrt(np.sum(ens.weights * (x - mean) ** 2) / ens.weights.sum()))
        p5, p95 = _wquantile(x, ens.weights, [0.05, 0.95])
        rows.append({"parameter": k, "fitted": k in fitted, "unit": p.unit,
                     "prior": f"{p.kind} {p.low:g} - {p.high:g}", "default": p.central,
                     "prior_mean": float(prior_x.mean()), "posterior_mean": mean,
                     "posterior_p5": p5, "posterior_p95": p95,
                     "narrowing": 1.0 - sd / float(prior_x.std()) if prior_x.std() > 0
                     else float("nan")})
    return pd.DataFrame(rows)


POSTERIOR_BEGIN = "<!-- posterior tables: generated -->"
POSTERIOR_END = "<!-- end of posterior tables -->"


def posterior_markdown(directory: Path) -> str:
    """The fit's tables for docs/calibration.md, from a fit's (or the shipped
    posterior's) targets.csv, parameters.csv and ensemble.json."""
    meta = json.loads((directory / "ensemble.json").read_text())
    targets = pd.read_csv(directory / "targets.csv")
    params = pd.read_csv(directory / "parameters.csv")

    def fmt(x: float, unit: str) -> str:
        if str(unit).startswith("share"):
            return f"{100 * x:.1f}%"
        return f"{x:.3g}"

    lines = [f"Produced by `{meta['command']}` ({meta['generations']} generations, "
             f"{meta['simulations']:,} simulations, final threshold "
             f"{meta['final_epsilon']:.2f} half-tolerances; {meta['particles']} parameter "
             "sets). Each simulation: "
             f"{meta['district']['schools']} copies of School D and a generated district of "
             f"{meta['district']['poverty_schools']} schools, {meta['district']['years']} "
             "years.", "",
             "| target | tolerance | posterior predictive: median (P5 - P95) | share within "
             "tolerance |", "|---|---|---|---|"]
    for _, r in targets.iterrows():
        unit = "" if pd.isna(r["unit"]) else r["unit"]
        lines.append(f"| {r['target']} | {fmt(r['low'], unit)} - {fmt(r['high'], unit)} | "
                     f"{fmt(r['median'], unit)} ({fmt(r['p5'], unit)} - "
                     f"{fmt(r['p95'], unit)}) | {100 * r['share_within']:.0f}% |")
    lines += ["", "| fitted parameter | unit | prior | value (point estimate) | posterior "
              "mean (P5 - P95) | narrowing |", "|---|---|---|---|---|---|"]
    for _, r in params[params["fitted"]].iterrows():
        lines.append(f"| `{r['parameter'].removeprefix('behaviour.')}` | {r['unit']} | "
                     f"{r['prior']} | {r['default']:.4g} | {r['posterior_mean']:.4g} "
                     f"({r['posterior_p5']:.4g} - {r['posterior_p95']:.4g}) | "
                     f"{r['narrowing']:.2f} |")
    rest = params[~params["fitted"]]
    top = rest.reindex(rest["narrowing"].abs().sort_values(ascending=False).index).head(5)
    lines += ["", f"The other {len(rest)} parameters were drawn from their priors in every "
              "simulation; the fit narrowed the most of them by "
              + ", ".join(f"`{r['parameter'].removeprefix('behaviour.')}` "
                          f"{r['narrowing']:.2f}" for _, r in top.iterrows())
              + f". The ensemble has {meta.get('distinct_sets', meta['particles'])} distinct "
              "parameter sets, and at that size a |narrowing| up to about 0.3 is sampling "
              "noise: parameters the baseline never uses, such as the implementation "
              "ones, reach it."]
    return "\n".join(lines) + "\n"


def write_posterior_markdown(doc: Path, directory: Path) -> None:
    """Replace the text between the posterior markers of ``doc`` with
    :func:`posterior_markdown` of ``directory``."""
    from teachsim.experiments.atomic import write_text

    text = doc.read_text()
    head, _, rest = text.partition(POSTERIOR_BEGIN)
    _, _, tail = rest.partition(POSTERIOR_END)
    write_text(doc, f"{head}{POSTERIOR_BEGIN}\n{posterior_markdown(directory)}"
                    f"{POSTERIOR_END}{tail}")


if __name__ == "__main__":
    # python -m teachsim.analysis.fit configs/posterior docs/calibration.md
    import sys

    write_posterior_markdown(Path(sys.argv[2]), Path(sys.argv[1]))
