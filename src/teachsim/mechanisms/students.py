"""Students' yearly achievement growth, in student SD units relative to a year with an
average first-year teacher and the baseline schedule's instructional minutes.

A homeroom's growth = its teacher's classroom effectiveness (a long-term substitute's
when the post is vacant) + the effect of instructional minutes relative to the baseline -
learning lost on days with a substitute - a penalty when the grade team is new.
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
