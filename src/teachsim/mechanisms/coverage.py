"""Substitutes, and what happens to an absence no substitute fills.

A school's fill rate is the district's less ``poverty_fill_gap`` per unit of low-income
share above the reference (disadvantaged schools get less cover: Liu, Loeb & Shi 2022);
each absence needing cover is filled with that probability.
An unfilled absence of a teacher with a class is covered by colleagues in their planning
time for a share ``colleague_share`` of its teaching minutes (their planning work spills
after hours); the rest of its classes are combined or split and lose
``combined_learning_loss`` of that instruction. An unfilled absence of a specials teacher
sends the students it would have taught back to their homerooms: those homeroom teachers
lose the planning or collaboration block they had while their students were at specials
(the block is cancelled).
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Coverage


def fill_rate(district_rate: float, poverty: np.ndarray, reference: float, p: Coverage
              ) -> np.ndarray:
    """Each school's substitute fill rate (0-1)."""
    return np.clip(district_rate - p.poverty_fill_gap * (poverty - reference), 0.0, 1.0)


def split_unfilled(teaching_minutes: np.ndarray, p: Coverage
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Minutes of an unfilled absence's teaching covered by colleagues, and instruction
    minutes lost by combined classes."""
    covered = p.colleague_share * teaching_minutes
    lost = (1 - p.colleague_share) * teaching_minutes * p.combined_learning_loss
    return covered, lost


def homerooms_per_specials_teacher(with_specials: np.ndarray, specials: np.ndarray
                                   ) -> np.ndarray:
    """Homerooms whose block one absent specials teacher's classes would have made: the
    day's homerooms with specials shared among the school's specials teachers."""
    return np.ceil(with_specials / np.maximum(specials, 1)).astype(np.int64)
