"""Peer pairing (Papay, Taylor, Tyler & Laski 2020): in each school the teachers judged
weakest are paired for a year with the teachers judged strongest; they observe each other
and debrief. Targets gain practice, partners little or nothing."""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Pairing


def pairs(judged: np.ndarray, school: np.ndarray, target_share: float
          ) -> tuple[np.ndarray, np.ndarray]:
    """Rows of targets and of their partners (same length, paired in order).

    In each school ``k = round(target_share * n)`` teachers with the lowest ``judged``
    practice are targets; the ``k`` highest are partners, the weakest target with the
    strongest partner. Schools with fewer than two teachers pair no one.
    """
    order = np.lexsort((judged, school))  # by school, weakest first
    sch = school[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sch)) + 1]
    ends = np.r_[starts[1:], len(order)]
    targets: list[np.ndarray] = []
    partners: list[np.ndarray] = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        n = b - a
        k = min(round(target_share * n), n // 2)
        if k:
            targets.append(order[a:a + k])
            partners.append(order[b - k:b][::-1])
    if not targets:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(targets), np.concatenate(partners)


def yearly_gain(hours: float, target: bool, p: Pairing) -> float:
    """Practice (SD) a target (or partner) gains from a year of pairing of ``hours``."""
    dose = min(1.0, hours / p.reference_hours)
    return (p.target_gain if target else p.partner_gain) * dose
