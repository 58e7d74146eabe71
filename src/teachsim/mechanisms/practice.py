"""Teaching practice, in student-achievement SD units relative to an average novice.

``practice = experience curve + individual quality + accumulated collaboration gains``
(the last capped at ``collab_ceiling``).
The experience curve is concave (Clotfelter, Ladd & Vigdor 2010; Papay & Kraft 2015):
``gain * (1 - exp(-years / tau)) + late_gain * years``. Each year a teacher grows along the
curve at an individual rate (lognormal, Kraft & Papay 2014) and from effective
collaboration, with diminishing returns; burnout drags growth down and lowers classroom
effectiveness.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Practice


def experience_curve(years: np.ndarray, p: Practice) -> np.ndarray:
    """Expected practice gained from ``years`` of experience, in SD."""
    return (p.experience_gain * (1 - np.exp(-years / p.experience_years))
            + p.late_gain_per_year * years)


def initial(rng: np.random.Generator, years: np.ndarray, p: Practice
            ) -> tuple[np.ndarray, np.ndarray]:
    """Starting practice and growth rate for teachers with ``years`` of experience."""
    n = len(years)
    quality = rng.normal(0.0, p.quality_sd, size=n)
    rate = np.exp(rng.normal(0.0, p.growth_rate_sd, size=n) - p.growth_rate_sd ** 2 / 2)
    return experience_curve(years, p) + quality, rate


def collaboration_gain(effective_minutes: np.ndarray, p: Practice) -> np.ndarray:
    """Yearly gain from a year's effective collaboration minutes (diminishing returns)."""
    return p.collab_gain_max * (1 - np.exp(-effective_minutes / p.collab_scale_minutes))


def yearly_growth(years: np.ndarray, rate: np.ndarray, effective_collab: np.ndarray,
                  collab_stock: np.ndarray, mean_burnout: np.ndarray, p: Practice
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Practice gained over one school year (SD): from experience, and from collaboration.

    The collaboration gain shrinks as the practice a teacher has already gained from
    collaboration (``collab_stock``) approaches ``collab_ceiling``.
    """
    along_curve = experience_curve(years + 1, p) - experience_curve(years, p)
    drag = 1 - p.burnout_drag * mean_burnout
    room = np.clip(1 - collab_stock / p.collab_ceiling, 0.0, 1.0) if p.collab_ceiling else 0.0
    return rate * along_curve * drag, collaboration_gain(effective_collab, p) * room * drag


def programs_gain(raw_gain: np.ndarray, programs_stock: np.ndarray,
                  mean_burnout: np.ndarray, p: Practice) -> np.ndarray:
    """Practice gained from coaching, pairing, observation, PD and mentoring: their
    summed ``raw_gain`` less the burnout drag, shrinking as the practice already gained
    from programs (``programs_stock``) approaches ``programs_ceiling``."""
    room = (np.clip(1 - programs_stock / p.programs_ceiling, 0.0, 1.0)
            if p.programs_ceiling else 0.0)
    return raw_gain * room * (1 - p.burnout_drag * mean_burnout)


def classroom_effectiveness(practice: np.ndarray, mean_burnout: np.ndarray, p: Practice
                            ) -> np.ndarray:
    """Effectiveness with students this year: practice less the burnout penalty."""
    return practice - p.burnout_penalty * mean_burnout
