"""Pay of teachers and support staff.

Salaries rise linearly with experience from the starting salary, reaching the average
salary at the average experience, up to a cap of steps (a stylised district salary
schedule). Defaults: NEA Rankings & Estimates 2025 (average $72,030, starting $46,526).
"""

from __future__ import annotations

import numpy as np


def teacher_salary(experience: np.ndarray, start: float, average: float,
                   years_to_average: float = 14.0, max_step_years: float = 30.0) -> np.ndarray:
    """Salary in dollars a year for each teacher's years of experience: ``start`` at zero,
    ``average`` at ``years_to_average`` (NCES: average experience about 14 years), flat
    after ``max_step_years`` (typical schedules have 25-30 steps)."""
    slope = (average - start) / years_to_average
    return start + slope * np.minimum(experience, max_step_years)
