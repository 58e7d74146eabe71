"""Rollout plans: which school adopts the policy in which year.

A plan is decided once, before the run, from the rollout settings and the schools'
attributes, so it is data: it appears in the outputs (the ``rollout`` table) and is the
same for every replication of an experiment arm.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Implementation
from teachsim.config.scenario import Rollout, SchoolProfile
from teachsim.model.district import need_score, readiness_score
from teachsim.model.streams import stream

NEVER = -1


def order(schools: list[SchoolProfile], how: str, seed: int,
          impl: Implementation | None = None) -> np.ndarray:
    """School indices in the order they adopt."""
    n = len(schools)
    if how == "roster":
        return np.arange(n)
    if how == "need":
        # stable sort: ties keep roster order
        return np.argsort(-need_score(schools), kind="stable")
    if how == "readiness":
        return np.argsort(-readiness_score(schools, impl or Implementation()), kind="stable")
    if how == "random":
        return stream(seed, "rollout.order").permutation(n)
    raise ValueError(f"unknown rollout order {how!r}")


def wanted_per_year(r: Rollout, n: int, horizon: int) -> np.ndarray:
    """Adoptions the strategy asks for in each model year (before the cap)."""
    want = np.zeros(horizon, dtype=np.int64)
    if r.first_year >= horizon:
        return want
    if r.strategy == "all_at_once":
        want[r.first_year] = n
    elif r.strategy == "fixed_rate":
        want[r.first_year:] = r.per_year
    elif r.strategy == "pilot_then_scale":
        want[r.first_year] = r.pilots
        start = r.first_year + r.pilot_years
        if start < horizon:
            want[start:] = r.scale_per_year
    return want


def plan(schools: list[SchoolProfile], r: Rollout, years: int, seed: int,
         impl: Implementation | None = None) -> np.ndarray:
    """Model year in which each school adopts (``NEVER`` if not within ``years``).

    With ``strategy = "none"`` every school runs the policy from year 0 (no rollout).
    ``cap_per_year`` limits adoptions in any year; the rest wait for the next year.
    """
    n = len(schools)
    if r.strategy == "none":
        return np.zeros(n, dtype=np.int64)
    want = wanted_per_year(r, n, years)
    adopt = np.full(n, NEVER, dtype=np.int64)
    queue = list(order(schools, r.order, seed, impl))
    backlog = 0
    for year in range(years):
        backlog += int(want[year])
        k = min(backlog, len(queue), r.cap_per_year or n)
        for school in queue[:k]:
            adopt[school] = year
        queue = queue[k:]
        backlog -= k
        if r.strategy == "all_at_once" and year >= r.first_year:
            backlog = len(queue)  # everyone left adopts as soon as the cap allows
    return adopt


def volunteers(schools: list[SchoolProfile], r: Rollout, adopt: np.ndarray) -> np.ndarray:
    """Schools that volunteered: the pilots of a pilot-then-scale rollout (the schools of
    its first wave)."""
    out = np.zeros(len(schools), dtype=bool)
    if r.strategy == "pilot_then_scale":
        out = adopt == r.first_year
    return out
