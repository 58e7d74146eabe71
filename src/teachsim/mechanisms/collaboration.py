"""Quality of collaboration time.

Effective collaboration = minutes x structure x facilitation x willingness. Structured
time (protocols: goals, student work, critique) counts fully; time spent reacting to the
urgent counts less (seed 004). A block facilitated by a teacher leader counts more the
stronger the leader; a block meant to be facilitated whose leader post is empty counts
less. Some teachers do not want to collaborate (seed 003); a teacher's willingness and
the team's both matter.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Collaboration


def structure_quality(structured: np.ndarray, p: Collaboration) -> np.ndarray:
    return np.where(structured, p.quality_structured, p.quality_unstructured)


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
