"""Induction of new teachers: a mentor in the first year, or a residency year first.

A mentored first-year teacher gains ``mentor_gain`` practice, has the weekly mentoring
minutes count toward team support (which lowers strain and exits, collaboration.py and
retention.py), and has moving and leaving lowered by ``mentor_retention_effect`` beyond
that -- kept small because the comprehensive-induction experiment found no retention
effect. A residency graduate starts ``residency_experience_years`` along the experience
curve and is less likely to move or leave during the service commitment.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Induction


def mentors_for(novice_school: np.ndarray, candidate_school: np.ndarray,
                candidate_rank: np.ndarray) -> np.ndarray:
    """Mentor row (index into the candidates) of each novice: the school's candidates in
    ``candidate_rank`` order (best first), round-robin when novices outnumber them; -1
    where a school has no candidate."""
    out = np.full(len(novice_school), -1, dtype=np.int64)
    for sch in np.unique(novice_school):
        cands = np.flatnonzero(candidate_school == sch)
        if not len(cands):
            continue
        cands = cands[np.argsort(candidate_rank[cands], kind="stable")]
        nov = np.flatnonzero(novice_school == sch)
        out[nov] = cands[np.arange(len(nov)) % len(cands)]
    return out


def support_minutes(mentored: np.ndarray, minutes_per_week: float, p: Induction
                    ) -> np.ndarray:
    """Weekly minutes that count toward a teacher's team support from mentoring."""
    return np.where(mentored, minutes_per_week * p.mentor_support_quality, 0.0)


def retention_shift(mentored: np.ndarray, resident_committed: np.ndarray, p: Induction
                    ) -> np.ndarray:
    """Log-odds shift of moving and leaving (negative: fewer exits)."""
    return -(p.mentor_retention_effect * mentored
             + p.residency_retention_effect * resident_committed)
