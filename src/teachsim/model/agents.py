"""The people and places of the model, as Mesa agents.

Teachers keep their changing state (experience, minutes worked, and later practice and
burnout) in the model's :class:`~teachsim.model.staff.Staff` arrays, at row ``row``, so that daily
updates run array-wide across the district; the agent is the handle that gives each row an
identity, a school, a role and a place in Mesa's agent sets.
"""

from __future__ import annotations

import mesa
import numpy as np

from teachsim.model.staff import Staff


class StaffedModel(mesa.Model):
    """What the agents need of their model: the staff arrays their rows index. The district
    model (model.py) is one; declaring it here keeps agents.py from importing model.py,
    which imports the agents."""

    staff: Staff

    def __init__(self, replications: int = 1, **kwargs: object) -> None:
        super().__init__(**kwargs)
        # Mesa numbers a model's agents from 1; each replication counts its own
        self._next_local = [1] * replications
        #: staff row of each teacher, by the teacher's ``slot`` (rows move when teachers
        #: leave; ``reindex`` updates them all at once)
        self._row_of = np.zeros(256, dtype=np.int64)
        self._slots = 0

    def new_slots(self, rows: np.ndarray) -> list[int]:
        """Slots for new teachers at staff ``rows``."""
        first, n = self._slots, len(rows)
        while first + n > len(self._row_of):
            self._row_of = np.concatenate([self._row_of, np.zeros_like(self._row_of)])
        self._row_of[first:first + n] = rows
        self.staff.slot[rows] = np.arange(first, first + n)
        self._slots += n
        return list(range(first, first + n))

    def reindex(self) -> None:
        """Teachers' rows after the staff rows were compacted or reordered."""
        n = self.staff.n
        self._row_of[self.staff.slot[:n]] = np.arange(n)

    def local_id(self, replication: int) -> int:
        """The next agent id within a replication (model.py runs several side by side):
        the id Mesa would give the agent in a model of that replication alone."""
        i = self._next_local[replication]
        self._next_local[replication] = i + 1
        return i


class School(mesa.Agent):
    """One school: its profile, its policy and the staff and students it holds."""

    def __init__(self, model: StaffedModel, index: int, name: str, sched: int,
                 replication: int = 0, local: int | None = None) -> None:
        super().__init__(model)
        #: the replication the school belongs to when the model runs several at once,
        #: its index among that replication's schools, and its agent id within it (the
        #: id Mesa would give it in a model of that replication alone)
        self.replication = replication
        self.local = index if local is None else local
        self.local_id = model.local_id(replication)
        self.index = index
        self.name = name
        #: index of this school's compiled schedule in the model
        self.sched = sched
        self.teachers: list[Teacher] = []
        self.clerks: list[Clerk] = []
        self.paras: list[Paraprofessional] = []
        self.cohorts: list[StudentCohort] = []
        #: FTE still to cut (clerks, paras) when cuts wait for departures
        self.pending_cuts: dict[str, float] = {"clerks": 0.0, "paras": 0.0}


class Teacher(mesa.Agent):
    """A homeroom or specials teacher; a homeroom teacher may also lead a grade team."""

    def __init__(self, model: StaffedModel, school: School, role: str, grade: str,
                 slot: int) -> None:
        super().__init__(model)
        self.local_id = model.local_id(school.replication)
        self.school = school
        self.role = role
        self.grade = grade
        #: where the model keeps the teacher's staff row (``StaffedModel.new_slots``)
        self.slot = slot
        school.teachers.append(self)

    @property
    def row(self) -> int:
        """The teacher's row in the staff arrays."""
        return int(self.model._row_of[self.slot])

    @property
    def experience(self) -> float:
        return float(self.model.staff.experience[self.row])

    @property
    def is_leader(self) -> bool:
        return bool(self.model.staff.leader[self.row])


class Clerk(mesa.Agent):
    """Office staff; a clerk's FTE is part of what a school can trade for stipends."""

    def __init__(self, model: StaffedModel, school: School, fte: float) -> None:
        super().__init__(model)
        self.local_id = model.local_id(school.replication)
        self.school = school
        self.fte = fte
        school.clerks.append(self)


class Paraprofessional(mesa.Agent):
    """Support staff who can take arrival, lunch, recess and dismissal duties."""

    def __init__(self, model: StaffedModel, school: School, fte: float) -> None:
        super().__init__(model)
        self.local_id = model.local_id(school.replication)
        self.school = school
        self.fte = fte
        school.paras.append(self)


class StudentCohort(mesa.Agent):
    """The students of one school who entered kindergarten in the same year.

    A cohort moves up a grade each summer and leaves after the last grade. Its students
    are rows of the cohort's own arrays, so one agent carries a whole grade.
    """

    def __init__(self, model: StaffedModel, school: School, entry_year: int, grade: int,
                 n_students: int) -> None:
        super().__init__(model)
        self.local_id = model.local_id(school.replication)
        self.school = school
        self.entry_year = entry_year
        self.grade = grade
        self.n_students = n_students
        #: instructional minutes and achievement growth (SD) in the school year just ended
        self.minutes_year = 0.0
        self.growth_year = 0.0
        #: achievement accumulated since entering the model (SD, relative to a cohort
        #: taught every year by average first-year teachers on the baseline schedule)
        self.achievement = 0.0
        school.cohorts.append(self)
