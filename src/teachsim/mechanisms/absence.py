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
    return np.minimum(0.9, p.base_rate * propensity * np.exp(p.burnout_effect * burnout))


def draw(u: np.ndarray, prob: np.ndarray, movable: np.ndarray, p: Absence
         ) -> tuple[np.ndarray, np.ndarray]:
    """Absences needing cover, and appointments moved into release time.

    ``u`` are uniform draws; an absence happens when ``u < prob``; it is a movable
    appointment when additionally ``u < prob * appointment_share * move_share`` and the
    teacher has release blocks (``movable``).
    """
    event = u < prob
    moved = movable & (u < prob * (p.appointment_share * p.appointment_move_share))
    return event & ~moved, moved
