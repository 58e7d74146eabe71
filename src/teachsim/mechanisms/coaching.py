"""Instructional coaching: a coach observes a teacher and debriefs, cycle after cycle.

A coached teacher's practice grows over a year by
``gain_max * (1 - exp(-hours / hours_scale)) * need * scale``: diminishing returns in the
hours of coaching received; ``need`` larger for teachers whose practice is below their
school's mean; ``scale`` below 1 when the district coaches many teachers (effectiveness
trials of large programs find about half the effect of small efficacy trials: coaches are
harder to hire and train well at scale). Sessions take time from planning, from team
collaboration, or beyond the contract day (``config.policy.CoachingProgram.time_from``).
"""

from __future__ import annotations

import math

import numpy as np

from teachsim.config.parameters import Coaching


def scale_multiplier(teachers_coached: int, p: Coaching) -> float:
    """Share of a small program's gain a program coaching ``teachers_coached`` teachers in
    the district achieves: 1 for a tiny program, ``scale_discount`` for a huge one, half
    way between at ``scale_half_teachers``."""
    return p.scale_discount + (1 - p.scale_discount) / (
        1 + max(teachers_coached, 0) / p.scale_half_teachers)


def need(practice: np.ndarray, school_mean: np.ndarray, quality_sd: float, p: Coaching
         ) -> np.ndarray:
    """Multiplier of the gain from how far below (above) the school's mean practice a
    teacher is, in SDs of teacher quality; kept within 0.25-2."""
    z = (practice - school_mean) / max(quality_sd, 1e-9)
    return np.clip(1 - p.need_slope * z, 0.25, 2.0)


def yearly_gain(hours: np.ndarray, need_mult: np.ndarray, scale: float, p: Coaching
                ) -> np.ndarray:
    """Practice (SD) a teacher gains from ``hours`` of coaching in a year, before the
    burnout drag and the career ceiling on program gains (practice.py)."""
    return p.gain_max * (1 - np.exp(-hours / p.hours_scale)) * need_mult * scale


def coaches_fte(teachers_coached: int, caseload: int) -> float:
    """Coach FTE a school needs for its coached teachers (whole tenths of an FTE)."""
    return math.ceil(10 * teachers_coached / caseload) / 10 if teachers_coached else 0.0
