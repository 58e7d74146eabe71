"""Teachers' state as arrays, one row per teacher who has ever worked in the district.

Daily mechanisms update these arrays for all teachers at once; yearly events read them
to write the teacher-year table. Rows are never reused, so a row index is a stable key
for a teacher for the whole run; rows of teachers who left are marked inactive.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from teachsim.policy import ACTIVITIES

N_ACT = len(ACTIVITIES)
ROLE_CODES = {"homeroom": 0, "specials": 1}
ROLE_NAMES = ("homeroom", "specials")


class Staff:
    """Struct of arrays for teachers. Grows by doubling when rows run out."""

    _fields_1d: ClassVar[dict[str, type]] = {
        "school": np.int32,
        "role": np.int8,
        "grade": np.int16,  # -1 for specials teachers
        "cls": np.int16,  # teacher class in the compiled schedule (see schedule.py)
        "sched": np.int16,  # compiled schedule the teacher's school follows
        "leader": np.bool_,
        "active": np.bool_,
        "experience": np.float64,
        "agent_id": np.int64,
        "contract_days": np.int32,
    }

    def __init__(self, capacity: int = 64) -> None:
        self.n = 0
        self._capacity = capacity
        for name, dtype in self._fields_1d.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        #: minutes of each activity inside the contract day, this school year
        self.minutes = np.zeros((capacity, N_ACT))
        #: scheduled minutes beyond the contract day, this school year
        self.beyond = np.zeros((capacity, N_ACT))

    def _grow(self, need: int) -> None:
        cap = self._capacity
        while cap < need:
            cap *= 2
        for name in (*self._fields_1d, "minutes", "beyond"):
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        self._capacity = cap

    def add(self, *, school: int, role: str, grade: int, cls: int, sched: int,
            experience: float, agent_id: int) -> int:
        """Append one teacher and return its row."""
        if self.n + 1 > self._capacity:
            self._grow(self.n + 1)
        r = self.n
        self.school[r] = school
        self.role[r] = ROLE_CODES[role]
        self.grade[r] = grade
        self.cls[r] = cls
        self.sched[r] = sched
        self.experience[r] = experience
        self.agent_id[r] = agent_id
        self.active[r] = True
        self.n += 1
        return r

    def active_rows(self) -> np.ndarray:
        return np.flatnonzero(self.active[: self.n])

    def reset_year(self) -> None:
        self.minutes[: self.n] = 0.0
        self.beyond[: self.n] = 0.0
        self.contract_days[: self.n] = 0
