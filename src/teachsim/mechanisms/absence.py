"""Short-term absences and their cover.

On each student day a teacher is absent with probability
``base_rate * propensity_i * exp(burnout_effect * b)``, ``propensity_i`` a gamma variate
with mean 1. A share of absences are appointments; where the schedule gives the teacher
long release blocks, most of those are moved into release time and need no cover. Every
other absence needs a substitute.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Absence


def propensities(rng: np.random.Generator, n: int, p: Absence) -> np.ndarray:
    """Each teacher's absence propensity (mean 1)."""
    return rng.gamma(p.propensity_shape, 1.0 / p.propensity_shape, size=n)


def probability(propensity: np.ndarray, burnout: np.ndarray, p: Absence) -> np.ndarray:
    """Daily probability of an absence (any kind), capped at 0.9."""
    return daily_probability(propensity, burnout, p.base_rate, p.burnout_effect)


def daily_probability(propensity: np.ndarray | float, burnout: np.ndarray | float,
                      base_rate: float, burnout_effect: float) -> np.ndarray | float:
    """:func:`probability` with its parameters spelled out, for arrays or one teacher
    (the compiled school days of model/compiled.py call it per teacher)."""
    return np.minimum(0.9, base_rate * propensity * np.exp(burnout_effect * burnout))


def draw(u: np.ndarray, prob: np.ndarray, movable: np.ndarray, p: Absence
         ) -> tuple[np.ndarray, np.ndarray]:
    """Absences needing cover, and appointments moved into release time.

    ``u`` are uniform draws; an absence happens when ``u < prob``; it is a movable
    appointment when additionally ``u < prob * appointment_share * move_share`` and the
    teacher has release blocks (``movable``).
    """
    return split_draw(u, prob, movable, p.appointment_share * p.appointment_move_share)


def split_draw(u: np.ndarray | float, prob: np.ndarray | float, movable: np.ndarray | bool,
               moved_share: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`draw` with the share of absences that are movable appointments given as one
    number, for arrays or one teacher."""
    moved = np.logical_and(movable, u < prob * moved_share)
    return np.logical_and(u < prob, np.logical_not(moved)), moved
