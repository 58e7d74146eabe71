"""Teachers' state as arrays, one row per teacher currently employed in the district.

Daily mechanisms update these arrays for all teachers at once. Rows are kept dense: at
the end of each school year the rows of teachers who left are dropped (``compact``) and
the model's table of rows by agent ``slot`` is updated at once
(``agents.StaffedModel.reindex``), so daily updates never touch departed teachers.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from teachsim.config.policy import ACTIVITIES

N_ACT = len(ACTIVITIES)
#: teachers' roles; those after specials are the support teachers (schedule class
#: "support"), each its own kind of post
ROLE_NAMES = ("homeroom", "specials", "special_education", "english_learners",
              "interventionist")
ROLE_CODES = {name: i for i, name in enumerate(ROLE_NAMES)}
N_ROLES = len(ROLE_NAMES)
#: school-profile key giving the number of teachers of each non-homeroom role
ROLE_COUNT_KEYS = ("specials_teachers", "sped_teachers", "el_teachers", "interventionists")


class Staff:
    """Struct of arrays for teachers. Grows by doubling when rows run out."""

    fields: ClassVar[dict[str, type]] = {
        # identity and position
        "school": np.int32,
        "role": np.int8,
        "grade": np.int16,  # -1 for teachers without a homeroom
        "cls": np.int16,  # teacher class in the compiled schedule (see schedule.py)
        "sched": np.int16,  # compiled schedule the teacher's school follows
        "agent_id": np.int64,
        "slot": np.int64,  # the agent's slot (agents.StaffedModel.new_slots)
        "leader": np.bool_,
        "new_to_team": np.bool_,  # joined the school this year
        "arrived_within": np.bool_,  # ... from another school of the district
        # traits (fixed for a teacher)
        "growth_rate": np.float64,
        "resilience": np.float64,  # susceptibility offset to strain, logit units
        "propensity": np.float64,  # absence propensity, mean 1
        "willingness": np.float64,  # to collaborate, 0-1
        "leader_propensity": np.float64,  # uniform; interested when below this year's
        # interest probability (careers.py), so interest persists from year to year
        "returner": np.bool_,  # came back to teaching this year after leaving
        "resident": np.bool_,  # came through a residency year
        # career
        "leader_interest": np.bool_,  # would take a leader post this year
        "was_leader": np.bool_,  # held a leader post last year (incumbent)
        "aspiring": np.bool_,  # holds an aspiring-leader role this year
        "was_aspiring": np.bool_,  # held one last year
        "years_led": np.float64,  # years in the leader role (aspiring years count part)
        "support_last": np.float64,  # team support last year
        # state
        "experience": np.float64,
        "practice": np.float64,
        "practice_from_collab": np.float64,  # part of practice gained from collaboration
        "practice_from_programs": np.float64,  # ... from coaching, pairing, PD, mentoring
        # this year's programs (set when the year starts)
        "coaching_hours": np.float64,
        "collab_taken": np.float64,  # share of collaboration minutes used by coaching
        "pairing": np.int8,  # 0 none, 1 target, 2 partner
        "observed": np.float64,  # feedback cycles
        "feedback_quality": np.float64,
        "mentored": np.bool_,
        "mentees": np.int16,  # novices this teacher mentors
        "micro_credential": np.bool_,
        "coursework": np.bool_,
        "stipend": np.float64,  # role stipends (leader, aspiring, mentor, partner), $
        "program_after_hours": np.float64,  # min per student day of program time
        "program_beyond": np.float64,  # min per student day beyond the contract day
        "burnout": np.float64,
        # this year's accumulators
        "burnout_sum": np.float64,
        "burnout_survey": np.float64,
        "absent_days": np.int32,
        "appointments_moved": np.int32,
        "missed_after_hours": np.float64,
        "substitute_days": np.int32,  # absences a substitute filled
        "absences_unfilled": np.int32,  # absences needing cover that no substitute filled
        "cover_minutes": np.float64,  # minutes covering absent colleagues' classes
        "block_lost_planning": np.float64,  # planning lost to cancelled blocks
        "block_lost_collab": np.float64,  # collaboration lost to cancelled blocks
        "blocks_cancelled": np.int32,
    }
    matrices: ClassVar[tuple[str, ...]] = ("missed", "beyond", "missed_cq")
    yearly: ClassVar[tuple[str, ...]] = (
        "burnout_sum", "burnout_survey", "absent_days", "appointments_moved",
        "missed_after_hours", "substitute_days", "absences_unfilled", "cover_minutes",
        "block_lost_planning", "block_lost_collab", "blocks_cancelled")

    def __init__(self, capacity: int = 64) -> None:
        self.n = 0
        self._capacity = capacity
        for name, dtype in self.fields.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        #: minutes of each activity missed through absence, this school year
        self.missed = np.zeros((capacity, N_ACT))
        #: scheduled minutes worked beyond the contract day, this school year
        self.beyond = np.zeros((capacity, N_ACT))
        #: quality-weighted collaboration minutes missed (absence, cancelled blocks), in
        #: the four parts of model.py's CQ_* columns
        self.missed_cq = np.zeros((capacity, 4))

    def _resize(self, cap: int) -> None:
        for name in (*self.fields, *self.matrices):
            old = getattr(self, name)
            new = np.zeros((cap, *old.shape[1:]), dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        self._capacity = cap

    def add(self, n: int, **values: np.ndarray | float | int) -> np.ndarray:
        """Append ``n`` teachers with the given field values; return their rows."""
        if self.n + n > self._capacity:
            cap = self._capacity
            while cap < self.n + n:
                cap *= 2
            self._resize(cap)
        new = slice(self.n, self.n + n)
        # Rows past n may hold data of teachers dropped by compact(): start clean.
        for name in (*self.fields, *self.matrices):
            getattr(self, name)[new] = 0
        for name, value in values.items():
            getattr(self, name)[new] = value
        self.n += n
        return np.arange(new.start, new.stop)

    def compact(self, keep: np.ndarray) -> np.ndarray:
        """Drop rows where ``keep`` is False; return the new row of each kept old row
        (-1 for dropped rows)."""
        kept = np.flatnonzero(keep[: self.n])
        new_index = np.full(self.n, -1, dtype=np.int64)
        new_index[kept] = np.arange(len(kept))
        for name in (*self.fields, *self.matrices):
            arr = getattr(self, name)
            arr[: len(kept)] = arr[kept]
        self.n = len(kept)
        return new_index

    def permute(self, order: np.ndarray) -> None:
        """Reorder the live rows: new row ``i`` is old row ``order[i]``."""
        for name in (*self.fields, *self.matrices):
            arr = getattr(self, name)
            arr[: self.n] = arr[order]

    def reset_year(self) -> None:
        for name in self.yearly:
            getattr(self, name)[: self.n] = 0
        self.missed[: self.n] = 0.0
        self.beyond[: self.n] = 0.0
        self.missed_cq[: self.n] = 0.0
        self.new_to_team[: self.n] = False
        self.arrived_within[: self.n] = False
        self.returner[: self.n] = False

    def view(self, name: str) -> np.ndarray:
        """The live part of a field (rows 0..n-1)."""
        return getattr(self, name)[: self.n]
