"""Growth-oriented observation and feedback: an observer watches a lesson, then the
teacher and observer debrief and agree next steps.

A year's gain is ``gain_max * (1 - exp(-cycles / cycles_scale)) * quality``. Feedback from
a teacher leader is as good as the leader's facilitation (0.8-1.2, from skill); from a
principal it has ``principal_quality``, falling in proportion when the principal is asked
for more cycles than they can give.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Observation


def principal_quality(cycles_asked: np.ndarray, p: Observation) -> np.ndarray:
    """Quality of a principal's feedback when asked for ``cycles_asked`` cycles a year."""
    load = np.maximum(cycles_asked, 1e-9) / p.principal_cycles_capacity
    return p.principal_quality * np.minimum(1.0, 1.0 / load)


def yearly_gain(cycles: np.ndarray, quality: np.ndarray, p: Observation) -> np.ndarray:
    """Practice (SD) gained from ``cycles`` feedback cycles of ``quality`` in a year."""
    return p.gain_max * (1 - np.exp(-cycles / p.cycles_scale)) * quality
