"""The teacher-leader pipeline and career path.

Interest in leading grows with experience, team support and cultivation (an
aspiring-leader role), and with the stipend the role pays. A school's ``leader_bench`` is
the share interested at ``interest_reference_years`` of experience and the reference
stipend; each teacher's interest is a fixed propensity compared with that probability
every year, so interest persists. Leaders get better at the role year by year; a team
that loses its leader starts again with a newcomer. Stipends lower leaders' own exits
through a pay elasticity, and the role itself a little more. A career ladder pays a
stipend by year in the role.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Careers


def logit(x: np.ndarray | float) -> np.ndarray:
    x = np.clip(x, 1e-6, 1 - 1e-6)
    return np.log(x / (1 - x))


def interest_probability(bench: np.ndarray, experience: np.ndarray, support: np.ndarray,
                         support_reference: float, aspiring: np.ndarray,
                         expected_stipend: float, p: Careers) -> np.ndarray:
    """Probability that a teacher wants to lead this year."""
    z = (logit(bench)
         + p.interest_experience_effect * (np.minimum(experience, 10)
                                           - p.interest_reference_years)
         + p.interest_support_effect * (support - support_reference)
         + p.cultivation_effect * aspiring
         + p.stipend_takeup_effect * (expected_stipend - p.reference_stipend) / 1000)
    return 1 / (1 + np.exp(-z))


def stipend(years_in_role: np.ndarray, flat: float, steps: list[float]) -> np.ndarray:
    """A leader's stipend in their ``years_in_role + 1``-th year: the ladder's step, or
    the flat stipend when there is no ladder."""
    if not steps:
        return np.full(len(years_in_role), float(flat))
    idx = np.minimum(np.floor(years_in_role).astype(np.int64), len(steps) - 1)
    return np.asarray(steps, dtype=float)[idx]


def expected_stipend(flat: float, steps: list[float], years: int = 3) -> float:
    """The stipend a prospective leader expects: the mean over their first ``years``
    years in the role."""
    return float(stipend(np.arange(years, dtype=float), flat, steps).mean())


def role_skill(practice_rank: np.ndarray, years_in_role: np.ndarray, p: Careers
               ) -> np.ndarray:
    """A leader's facilitation skill (0-1): their practice's rank in the district plus
    what they have learned in the role."""
    learned = p.role_skill_gain * (1 - np.exp(-years_in_role / p.role_learning_years))
    return np.minimum(1.0, practice_rank + learned)


def exit_shift(stipend_paid: np.ndarray, salary: np.ndarray, leader: np.ndarray,
               p: Careers) -> np.ndarray:
    """Log-odds shift of moving and leaving from a stipend (any role) and from holding
    a leader post (negative: fewer exits)."""
    pay = p.pay_exit_elasticity * np.log1p(stipend_paid / np.maximum(salary, 1.0))
    return -(pay + p.leader_role_effect * leader)
