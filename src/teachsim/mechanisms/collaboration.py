"""Quality of collaboration time.

Effective collaboration = minutes x quality x facilitation x willingness (x the school's
collegial culture, environment.py). A block's quality rises from ``quality_unstructured``
toward ``quality_structured`` with the share of the five structured practices it follows
(seed 004: celebrate successes, set goals and reflect, teach one another, critique and
revise, problem-solve) -- but only in the share of its time not lost to reacting to the
urgent, which depends on how well the school implements the design (implementation.py).
A block facilitated by a teacher leader counts more the stronger the leader; a block
meant to be facilitated whose leader post is empty counts less. Some teachers do not
want to collaborate (seed 003); a teacher's willingness and the team's both matter.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Collaboration


def structure_quality(practice_share: np.ndarray, p: Collaboration,
                      not_urgent: np.ndarray | float = 1.0) -> np.ndarray:
    """Quality (0-1) of a collaboration minute: ``quality_unstructured + (quality_structured
    - quality_unstructured) x practice_share x not_urgent``."""
    return (p.quality_unstructured + (p.quality_structured - p.quality_unstructured)
            * practice_share * not_urgent)


def willingness(rng: np.random.Generator, n: int, p: Collaboration) -> np.ndarray:
    """Each teacher's willingness to collaborate (0-1): a share are unwilling."""
    unwilling = rng.random(n) < p.unwilling_share
    willing = rng.uniform(p.willing_min, 1.0, size=n)
    return np.where(unwilling, p.unwilling_willingness, willing)


def facilitation(leader_skill: np.ndarray, has_leader: np.ndarray, p: Collaboration
                 ) -> np.ndarray:
    """Multiplier of a facilitated block, from the team leader's skill (0-1)."""
    by_leader = p.facilitation_leader_min + (p.facilitation_leader_max
                                             - p.facilitation_leader_min) * leader_skill
    return np.where(has_leader, by_leader, p.facilitation_missing_leader)


def engagement(own: np.ndarray, team_mean: np.ndarray, p: Collaboration) -> np.ndarray:
    """How much of a block's value a teacher takes away, from own and team willingness."""
    return (1 - p.team_weight) * own + p.team_weight * team_mean


def support(effective_minutes_per_week: np.ndarray, p: Collaboration) -> np.ndarray:
    """Team support in units of ``support_scale_minutes`` of effective collaboration a
    week, with diminishing returns (``log1p``)."""
    return np.log1p(effective_minutes_per_week / p.support_scale_minutes)
