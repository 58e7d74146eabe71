"""End-of-year decisions: stay, move to another school, leave teaching, or retire.

Base yearly rates by experience band (NCES NTPS/TFS 2021-22) apply to a teacher at the
reference burnout and support; a multinomial logit shifts moving and leaving by the year's
mean burnout and team support, and by other log-odds shifts the caller adds up: pay and
the leader role (careers.py), mentoring and residencies (induction.py), and the school's
environment (environment.py), which shifts moving more than leaving. A school's poverty
has no term here: it works through the environment, hiring and students' needs.
Retirement is a separate hazard rising with experience. Stated intentions then say who
among similar teachers exits (intentions.py).
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Retention

STAY, MOVE, LEAVE, RETIRE = 0, 1, 2, 3
EXIT_NAMES = ("stay", "move", "leave", "retire")


def band(years: np.ndarray, p: Retention) -> np.ndarray:
    """Experience band index of each teacher (0 = least experienced)."""
    return np.searchsorted(np.asarray(p.band_upper_years), years, side="left")


def retire_probability(years: np.ndarray, p: Retention) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(years - p.retire_midpoint_years) / p.retire_scale_years))


def probabilities(years: np.ndarray, mean_burnout: np.ndarray, support: np.ndarray,
                  p: Retention, shift: np.ndarray | float = 0.0,
                  move_shift: np.ndarray | float = 0.0,
                  leave_shift: np.ndarray | float = 0.0) -> np.ndarray:
    """(n, 4) probabilities of stay, move, leave, retire. ``shift`` is every other
    log-odds shift of both moving and leaving (pay and role, induction); ``move_shift``
    and ``leave_shift`` act on one each (the environment)."""
    b = band(years, p)
    move0 = np.asarray(p.move_rates)[b]
    leave0 = np.asarray(p.leave_rates)[b]
    shift = (p.burnout_effect * (mean_burnout - p.burnout_reference)
             - p.support_effect * (support - p.support_reference) + shift)
    # Multinomial logit with stay as reference: odds of move and leave scale by exp(shift).
    stay0 = 1 - move0 - leave0
    om = move0 / stay0 * np.exp(shift + move_shift)
    ol = leave0 / stay0 * np.exp(shift + leave_shift)
    denom = 1 + om + ol
    retire = retire_probability(years, p)
    out = np.empty((len(years), 4))
    out[:, STAY] = (1 - retire) / denom
    out[:, MOVE] = (1 - retire) * om / denom
    out[:, LEAVE] = (1 - retire) * ol / denom
    out[:, RETIRE] = retire
    return out


def exit_probability(probs: np.ndarray) -> np.ndarray:
    """Probability of moving or leaving (retirement apart)."""
    return probs[:, MOVE] + probs[:, LEAVE]


def scale_exits(probs: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Probabilities with moving and leaving multiplied by ``factor`` (staying takes up
    the difference); ``factor * (move + leave)`` must not exceed ``1 - retire``."""
    out = probs.copy()
    out[:, MOVE] *= factor
    out[:, LEAVE] *= factor
    out[:, STAY] = np.maximum(0.0, 1 - out[:, MOVE] - out[:, LEAVE] - out[:, RETIRE])
    return out


def decide(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Each teacher's decision (STAY, MOVE, LEAVE, RETIRE) from uniform draws ``u``."""
    cum = np.cumsum(probs, axis=1)
    return (u[:, None] >= cum[:, :-1]).sum(axis=1)
