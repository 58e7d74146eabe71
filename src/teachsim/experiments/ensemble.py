"""Parameter ensembles: weighted sets of parameter values that stand for what we know.

An ensemble is a CSV file with one row per parameter set: ``draw`` (its index),
``weight`` (its posterior weight; weights need not sum to one) and one column per
parameter, named by its dotted scenario key (``behaviour.burnout.centre``). A JSON file
beside it (same stem, ``.json``) records how it was made. ``teachsim fit`` writes
ensembles; ``configs/posterior/ensemble.csv`` is the shipped one.

Experiments draw one parameter set per group of replications (:func:`draw_indices`):
the draw of a replication depends only on the experiment's root seed and the
replication's index, so every arm and design point gets the same draw for replication
``r`` (comparisons stay paired), and asking for more replications later keeps the draws
of those already run.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from teachsim.config.errors import ConfigError
from teachsim.config.parameters import Prior, all_priors
from teachsim.config.paths import config_dir, is_file

#: a fixed tag mixed into the root seed, so that the stream of draws is not the stream
#: of any replication's seed
DRAW_STREAM = 0x5EED_D4A3


@dataclass
class Ensemble:
    """Parameter sets (rows) over parameters (columns), with weights."""

    keys: list[str]
    values: np.ndarray
    weights: np.ndarray
    path: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.weights)

    def row(self, i: int) -> dict[str, float | int]:
        """Parameter set ``i`` as scenario keys and values (whole numbers where the
        parameter takes them)."""
        return self.typed(dict(zip(self.keys, self.values[i].tolist(), strict=True)))

    @staticmethod
    def typed(values: dict[str, float]) -> dict[str, float | int]:
        """``values`` with whole numbers where the parameter takes them."""
        priors = all_priors()
        out: dict[str, float | int] = {}
        for k, v in values.items():
            p = priors.get(k)
            out[k] = round(float(v)) if p is not None and p.integer else float(v)
        return out

    def ess(self) -> float:
        """Effective sample size of the weights (Kish)."""
        w = self.weights / self.weights.sum()
        return float(1.0 / np.sum(w * w))


def default_posterior() -> Path:
    """The shipped posterior ensemble."""
    return config_dir() / "posterior" / "ensemble.csv"


def pert_shape(p: Prior) -> tuple[float, float]:
    """The Beta shape parameters of a Beta-PERT prior on [low, high] with its mode at
    the central value."""
    span = p.high - p.low
    return 1.0 + 4.0 * (p.central - p.low) / span, 1.0 + 4.0 * (p.high - p.central) / span


def pert(p: Prior, u: np.ndarray) -> np.ndarray:
    """Quantiles ``u`` of a prior (Beta-PERT with its mode at the central value, or
    uniform), rounded for whole-number parameters."""
    from scipy import stats

    span = p.high - p.low
    x = (p.low + span * u if p.kind == "uniform" else
         p.low + span * stats.beta.ppf(u, *pert_shape(p)))
    return np.round(x) if p.integer else x


def prior_density(p: Prior, x: np.ndarray) -> np.ndarray:
    """Density of a prior at ``x`` (for diagnostics and ABC)."""
    from scipy import stats

    span = p.high - p.low
    if p.kind == "uniform":
        return stats.uniform.pdf(x, p.low, span)
    return stats.beta.pdf(x, *pert_shape(p), loc=p.low, scale=span)


def sample_priors(keys: list[str], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` independent draws of each prior in ``keys`` (an n x len(keys) array)."""
    priors = all_priors()
    unknown = [k for k in keys if k not in priors]
    if unknown:
        raise KeyError(f"no prior for {unknown}")
    u = rng.random((n, len(keys)))
    return np.column_stack([pert(priors[k], u[:, j]) for j, k in enumerate(keys)]
                           ) if keys else np.empty((n, 0))


def prior_ensemble(n: int, seed: int, keys: list[str] | None = None) -> Ensemble:
    """``n`` equally weighted draws from the priors of ``keys`` (default: every
    behaviour parameter that has a prior)."""
    keys = keys if keys is not None else [k for k in all_priors()
                                          if k.startswith("behaviour.")]
    rng = np.random.default_rng(np.random.SeedSequence([seed, DRAW_STREAM]))
    return Ensemble(keys, sample_priors(keys, n, rng), np.ones(n),
                    meta={"kind": "prior", "draws": n, "seed": seed})


def draw_indices(ensemble: Ensemble, root_seed: int, slots: int) -> list[int]:
    """The ensemble row of each of the first ``slots`` draw slots of an experiment:
    drawn with replacement in proportion to the weights, from a stream of the root seed.
    The first k slots are the same whatever ``slots`` is."""
    rng = np.random.default_rng(np.random.SeedSequence([root_seed, DRAW_STREAM]))
    u = rng.random(slots)
    cum = np.cumsum(ensemble.weights, dtype=float)
    return [int(i) for i in np.minimum(np.searchsorted(cum, u * cum[-1], side="right"),
                                       len(cum) - 1)]


def read_ensemble(path: Path, option: str = "uncertainty.parameters") -> Ensemble:
    """Read and check an ensemble CSV; every problem is a ConfigError naming the file."""
    if not is_file(path):
        raise ConfigError(path, option, "no ensemble file there", "give the path of an "
                          "ensemble CSV written by teachsim fit (draw, weight and one column "
                          "per parameter), or use \"posterior\" for the shipped one")
    try:
        with path.open(newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot be read as CSV ({exc})",
                          "give a UTF-8 CSV file written by teachsim fit") from None
    if len(rows) < 2 or rows[0][:2] != ["draw", "weight"]:
        raise ConfigError(path, "line 1", "is not an ensemble: the header must start with "
                          "draw,weight and the file needs at least one parameter set",
                          "write it with teachsim fit, or follow docs/analysis.md")
    keys = rows[0][2:]
    priors = all_priors()
    for j, k in enumerate(keys):
        if not k.startswith("behaviour."):
            raise ConfigError(path, f"column {j + 3}", f"'{k}' is not a behaviour "
                              "parameter", "ensembles hold behaviour.<table>.<name> "
                              "columns (costs are varied in budgets, not in runs)")
        if k not in priors:
            raise ConfigError(path, f"column {j + 3}", f"'{k}' is not a parameter with a "
                              "prior", "use the dotted keys of docs/parameters.md")
    values = np.empty((len(rows) - 1, len(keys)))
    weights = np.empty(len(rows) - 1)
    for i, row in enumerate(rows[1:]):
        if len(row) != len(keys) + 2:
            raise ConfigError(path, f"line {i + 2}", f"has {len(row)} fields, the header "
                              f"{len(keys) + 2}", "give every parameter set a value for "
                              "every column")
        try:
            nums = [float(x) for x in row[1:]]
        except ValueError:
            raise ConfigError(path, f"line {i + 2}", "has a value that is not a number",
                              "write plain numbers (no quotes, units or blanks)") from None
        if not all(math.isfinite(x) for x in nums) or nums[0] < 0:
            raise ConfigError(path, f"line {i + 2}", "has a weight below zero or a value "
                              "that is not finite", "weights are >= 0; values are numbers")
        weights[i] = nums[0]
        values[i] = nums[1:]
    if weights.sum() <= 0:
        raise ConfigError(path, "weight", "every weight is zero",
                          "give at least one parameter set a positive weight")
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if is_file(meta_path) else {}
    return Ensemble(keys, values, weights, path, meta)


def write_ensemble(ens: Ensemble, path: Path, option: str = "--out") -> None:
    """Write an ensemble CSV (and its JSON record) atomically."""
    from teachsim.experiments.atomic import atomic_file

    with atomic_file(path, option) as tmp, tmp.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["draw", "weight", *ens.keys])
        for i in range(len(ens)):
            w.writerow([i, f"{ens.weights[i]:.10g}",
                        *(f"{v:.10g}" for v in ens.values[i])])
    with atomic_file(path.with_suffix(".json"), option) as tmp:
        tmp.write_text(json.dumps(ens.meta, indent=2, sort_keys=True) + "\n")
