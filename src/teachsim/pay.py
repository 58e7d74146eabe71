"""Pay of teachers and support staff.

Salaries rise linearly with experience from the starting salary, reaching the average
salary at the average experience, up to a cap of steps (a stylised district salary
schedule). Defaults: NEA Rankings & Estimates 2025 (average $72,030, starting $46,526).
"""

from __future__ import annotations

import numpy as np

#: Experience (years) at which the average salary is reached; NCES NTPS average experience.
YEARS_TO_AVERAGE = 14.0
#: Salary steps stop rising after this many years (typical schedules: 25-30 steps).
MAX_STEP_YEARS = 30.0


def teacher_salary(experience: np.ndarray, start: float, average: float) -> np.ndarray:
    """Salary in dollars a year for each teacher's years of experience."""
    slope = (average - start) / YEARS_TO_AVERAGE
    return start + slope * np.minimum(experience, MAX_STEP_YEARS)
