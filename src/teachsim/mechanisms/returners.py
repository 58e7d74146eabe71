"""Former teachers who come back.

Teachers who leave teaching (not retirees, not movers) join the district's pool of
former teachers. Each year each of them returns with probability ``return_hazard`` while
away at most ``max_years_away`` years. Returners fill open posts first, with the
experience and practice they left with; the rest of the posts go to the hiring pool.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Returners


def returning(u: np.ndarray, years_away: np.ndarray, p: Returners) -> np.ndarray:
    """Who in the pool wants to come back this year (``u`` uniform draws)."""
    return (years_away <= p.max_years_away) & (u < p.return_hazard)


def still_in_pool(years_away: np.ndarray, p: Returners) -> np.ndarray:
    """Former teachers who might still return in a later year."""
    return years_away < p.max_years_away
