"""Filling vacancies from the hiring pool: mostly novices; some posts stay unfilled for
the year and are covered by a long-term substitute."""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Hiring


def fill(rng: np.random.Generator, n_vacancies: int, p: Hiring
         ) -> tuple[np.ndarray, np.ndarray]:
    """For each vacancy: whether it is filled, and the hire's years of experience."""
    filled = rng.random(n_vacancies) >= p.unfilled_share
    novice = rng.random(n_vacancies) < p.novice_share
    shape = p.experienced_shape
    experienced = np.floor(rng.gamma(shape, p.experienced_mean_years / shape, n_vacancies)) + 1
    return filled, np.where(novice, 0.0, experienced)
