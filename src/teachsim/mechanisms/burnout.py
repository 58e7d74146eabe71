"""Burnout: exhaustion that builds with load and recovers with rest.

A teacher's burnout ``b`` (0-1) moves each work day toward the strain level of that day,
``target = logistic(strain - centre + offset_i - support_buffer * support_i
- flex_buffer * flexible_day - break_relief * break minutes / 10 - environment relief)``
with ``strain = (work minutes - neutral) / scale``; breaks are not work; on days
off (weekends, holidays, summer, and days absent) a share ``rate_rest`` of it recovers.
``offset_i`` is the teacher's susceptibility (normal, sd ``resilience_sd``); ``support_i``
is team support from effective collaboration.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Burnout


def strain_logit(work_minutes: np.ndarray, p: Burnout,
                 break_minutes: np.ndarray | float = 0.0) -> np.ndarray:
    """Strain of a day's work (breaks excluded), in logit units, before the teacher's own
    terms; each 10 minutes of break relieve ``break_relief``."""
    return ((work_minutes - p.neutral_work_minutes) / p.work_scale_minutes - p.centre
            - p.break_relief * np.asarray(break_minutes) / 10)


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def work_day(b: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Burnout after a work day: a step ``rate`` of the way toward ``target``."""
    return b + rate * (target - b)


def rest_days(b: np.ndarray, rate: float, days: int = 1) -> np.ndarray:
    """Burnout after ``days`` days off."""
    return b * (1.0 - rate) ** days


def burned_out(b: np.ndarray, p: Burnout) -> np.ndarray:
    return b >= p.threshold
