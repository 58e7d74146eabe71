"""Time use beyond the schedule: preparation and admin work that spills after hours.

Each teaching minute creates preparation and grading work; each student day brings admin
work. Individual planning time absorbs it, and so does part of collaboration time (more
when it is structured, curriculum-connected planning). What is left is done after hours.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import TimeUse


def after_hours_minutes(
    teaching: np.ndarray,
    planning: np.ndarray,
    collaboration: np.ndarray,
    structured: np.ndarray,
    prep_factor: np.ndarray | float,
    p: TimeUse,
) -> np.ndarray:
    """Minutes of work after hours on a student day.

    ``demand = prep_per_teaching_minute * prep_factor * teaching + admin_minutes_per_day``;
    ``absorbed = planning + offset * collaboration``, the offset rising from unstructured
    to structured with the block's share of structured practices (``structured``, 0-1);
    ``after hours = max(0, demand - absorbed)``. All in minutes.
    """
    demand = p.prep_per_teaching_minute * prep_factor * teaching + p.admin_minutes_per_day
    offset = (p.collab_offset_unstructured
              + (p.collab_offset_structured - p.collab_offset_unstructured) * structured)
    return np.maximum(0.0, demand - planning - offset * collaboration)


def clerical_minutes_per_teacher(clerks_fte: np.ndarray, n_teachers: np.ndarray,
                                 p: TimeUse) -> np.ndarray:
    """Extra admin minutes a student day for each teacher when clerk staffing is below the
    reference (work the office no longer does falls to teachers, shared equally); per
    school."""
    missing = np.maximum(0.0, p.clerks_reference - clerks_fte)
    return missing * p.admin_minutes_per_missing_clerk / np.maximum(n_teachers, 1)


def student_need_minutes(poverty: np.ndarray, reference: float, p: TimeUse) -> np.ndarray:
    """Extra work a student day from students' needs (family contact, behaviour,
    differentiation), for each teacher of a school with low-income share ``poverty``;
    negative below the reference share (less than the baseline school's)."""
    return p.student_need_minutes * (poverty - reference)


def duty_minutes_per_teacher(uncovered_per_day: np.ndarray, n_teachers: np.ndarray
                             ) -> np.ndarray:
    """Duty minutes a student day that fall back on each teacher when paraprofessionals
    and other staff cannot cover them (shared equally); per school."""
    return np.maximum(0.0, uncovered_per_day) / np.maximum(n_teachers, 1)


def weekly_hours(total_minutes: np.ndarray, student_days: int) -> np.ndarray:
    """Hours a school week (student days / 5 weeks in the year)."""
    return total_minutes / (student_days / 5) / 60
