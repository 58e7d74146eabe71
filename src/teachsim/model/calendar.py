"""The school calendar: what kind of day each day of a model year is.

A model year is 52 weeks (364 days) starting on the Monday of the first teacher-only day,
in mid-August. Keeping whole weeks means day 0 is always a Monday, so weekday-based
rotations line up the same way every year. Teacher-only days come first (pre-service),
then student days on weekdays that are not in break weeks or holidays, with in-service days
spread evenly among them, then post-service days; the rest of the year is summer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from teachsim.config.scenario import CalendarSettings

DAYS_PER_YEAR = 364
DAYS_PER_WEEK = 7


class DayKind(IntEnum):
    SUMMER = 0
    WEEKEND = 1
    STUDENT = 2
    TEACHER_ONLY = 3
    HOLIDAY = 4


@dataclass(frozen=True)
class Calendar:
    kind: np.ndarray  # int8, one per day of the year
    student_day: np.ndarray  # int32: 0-based number of the student day, -1 otherwise

    @property
    def n_student_days(self) -> int:
        return int((self.kind == DayKind.STUDENT).sum())

    @property
    def n_contract_days(self) -> int:
        return int(np.isin(self.kind, (DayKind.STUDENT, DayKind.TEACHER_ONLY)).sum())

    def weekday(self, day: int) -> int:
        return day % DAYS_PER_WEEK

    def student_days(self) -> np.ndarray:
        return np.flatnonzero(self.kind == DayKind.STUDENT)


def spread(n: int, total: int) -> np.ndarray:
    """``n`` positions in ``0..total-1`` spaced evenly, each in the middle of its share."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.floor((np.arange(n) + 0.5) * total / n).astype(np.int64)


def build_calendar(cal: CalendarSettings) -> Calendar:
    """Lay out one school year; raise ValueError if it does not fit in 364 days."""
    kind = np.zeros(DAYS_PER_YEAR, dtype=np.int8)
    weekday = np.arange(DAYS_PER_YEAR) % DAYS_PER_WEEK
    week = np.arange(DAYS_PER_YEAR) // DAYS_PER_WEEK
    kind[weekday >= 5] = DayKind.WEEKEND
    closed = np.isin(week, cal.break_weeks) & (weekday < 5)
    closed |= np.isin(week, cal.holiday_mondays) & (weekday == 0)
    open_days = [d for d in range(DAYS_PER_YEAR) if weekday[d] < 5 and not closed[d]]
    working = cal.student_days + cal.inservice_days
    needed = cal.preservice_days + working + cal.postservice_days
    if needed > len(open_days):
        raise ValueError(f"the school year does not fit: {needed} contract days but only "
                         f"{len(open_days)} open weekdays in 52 weeks")
    pre = open_days[: cal.preservice_days]
    mid = open_days[cal.preservice_days: cal.preservice_days + working]
    post = open_days[cal.preservice_days + working: needed]
    # In-service days sit evenly among the student days (not on the first day).
    inservice_pos = set((spread(cal.inservice_days, working) + 1).clip(max=working - 1).tolist())
    for d in pre + post:
        kind[d] = DayKind.TEACHER_ONLY
    for i, d in enumerate(mid):
        kind[d] = DayKind.TEACHER_ONLY if i in inservice_pos else DayKind.STUDENT
    if closed.any():
        # Breaks and holidays only count as such during the school year; in summer they
        # are simply summer.
        last = post[-1] if post else mid[-1]
        in_year = closed & (np.arange(DAYS_PER_YEAR) <= last)
        kind[in_year] = DayKind.HOLIDAY
    student_day = np.full(DAYS_PER_YEAR, -1, dtype=np.int32)
    sd = np.flatnonzero(kind == DayKind.STUDENT)
    student_day[sd] = np.arange(len(sd), dtype=np.int32)
    # Weekends after the last contract day are summer, not weekends of the school year.
    last_contract = int(np.flatnonzero(np.isin(kind, (DayKind.STUDENT,
                                                      DayKind.TEACHER_ONLY))).max())
    kind[(np.arange(DAYS_PER_YEAR) > last_contract)] = DayKind.SUMMER
    return Calendar(kind=kind, student_day=student_day)
