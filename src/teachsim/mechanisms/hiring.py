"""Filling vacancies from the district's hiring pool: mostly novices; some posts stay
unfilled for the year and are covered by a long-term substitute. Schools with more
low-income students and worse environments draw more novices and leave more posts
unfilled (the odds of each shift on the logit scale)."""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Hiring


def _logit(x: float) -> float:
    x = min(max(x, 1e-9), 1 - 1e-9)
    return float(np.log(x / (1 - x)))


def school_rates(poverty: np.ndarray, env_index: np.ndarray, reference: float, p: Hiring
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Each school's share of novice hires and of vacancies left unfilled."""
    gap = poverty - reference

    def rate(base: float, pov: float, env: float) -> np.ndarray:
        if base <= 0 or base >= 1:
            return np.full(len(poverty), base)
        return 1 / (1 + np.exp(-(_logit(base) + pov * gap - env * env_index)))

    return (rate(p.novice_share, p.novice_poverty_effect, p.novice_environment_effect),
            rate(p.unfilled_share, p.unfilled_poverty_effect, p.unfilled_environment_effect))


def fill(rng: np.random.Generator, novice_share: np.ndarray, unfilled_share: np.ndarray,
         p: Hiring) -> tuple[np.ndarray, np.ndarray]:
    """For each vacancy (its school's ``novice_share`` and ``unfilled_share``): whether it
    is filled, and the hire's years of experience."""
    n = len(novice_share)
    filled = rng.random(n) >= unfilled_share
    novice = rng.random(n) < novice_share
    shape = p.experienced_shape
    experienced = np.floor(rng.gamma(shape, p.experienced_mean_years / shape, n)) + 1
    return filled, np.where(novice, 0.0, experienced)
