"""Students' yearly achievement growth, in student SD units relative to a year with an
average first-year teacher and the baseline schedule's instructional minutes.

A homeroom's growth = its teacher's classroom effectiveness (a long-term substitute's
when the post is vacant) + the effect of instructional minutes relative to the baseline -
learning lost on days with a substitute - a penalty when the grade team is new.
A cohort's achievement is the decayed sum of its years' growth: each year only a share
``persistence`` of what it had gained carries over (fade-out), so a constant yearly
advantage ``g`` converges to ``g / (1 - persistence)`` instead of growing without limit.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Students


def homeroom_growth(effectiveness: np.ndarray, minutes_ratio: np.ndarray,
                    substitute_days: np.ndarray, team_new_share: np.ndarray,
                    p: Students) -> np.ndarray:
    """Growth (SD) of each homeroom's students over one year."""
    return (effectiveness + p.minutes_effect * (minutes_ratio - 1)
            - p.absence_day_effect * substitute_days
            - p.grade_turnover_effect * team_new_share)


def long_term_substitute_effectiveness(p: Students) -> float:
    return -p.long_term_sub_effect


def carry_forward(achievement: np.ndarray | float, growth: np.ndarray | float,
                  p: Students) -> np.ndarray | float:
    """Achievement after a year: the persisting share of last year's plus this year's
    growth."""
    return p.persistence * achievement + growth
