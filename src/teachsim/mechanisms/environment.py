"""A school's professional environment and what it does.

Four factors -- the principal's leadership, collegial culture, academic expectations and
safety -- each in SD from the district mean (Kraft, Marinell & Yee 2016); their mean is
the summary index. The index speeds practice growth in every channel (Kraft & Papay 2014),
relieves strain, lowers moving more than leaving (Boyd et al. 2011; Ladd 2011) and draws
movers within the district; collegiality makes collaboration minutes worth more.

The factors move from year to year: a new principal brings a new level of leadership
(principals leave at about 18% a year); filled teacher-leader posts add distributed
leadership; expectations follow leadership; collegiality rises with the quality of the
school's collaboration (team support) and falls with staff turnover. Safety stays at the
school's own level. In generated districts the factors are drawn correlated with the
school's low-income share (district.py); poverty has no other route to the environment.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Environment

FACTORS = ("leadership", "collegiality", "expectations", "safety")
LEADERSHIP, COLLEGIALITY, EXPECTATIONS, SAFETY = range(4)


def draw(rng: np.random.Generator, poverty: np.ndarray, slope: float, sd: float,
         factor_sd: float, reference: float) -> np.ndarray:
    """(n, 4) factors of generated schools: the index is ``slope x (poverty - reference)``
    plus noise of SD ``sd``; each factor departs from its school's index by noise of SD
    ``factor_sd`` (centred, so that the factors' mean is the index)."""
    n = len(poverty)
    # abs: a config may say -0.0, which numpy refuses as a scale
    index = slope * (poverty - reference) + rng.normal(0.0, abs(sd), n)
    dev = rng.normal(0.0, abs(factor_sd), (n, len(FACTORS)))
    dev -= dev.mean(axis=1, keepdims=True)
    return index[:, None] + dev


def index(factors: np.ndarray) -> np.ndarray:
    """The summary index of each school: the mean of its factors (SD)."""
    return factors.mean(axis=1)


def growth_multiplier(env_index: np.ndarray, p: Environment) -> np.ndarray:
    """Multiplier on a year's practice growth: ``1 + growth_effect x index`` (at least
    0.1, so that a very poor environment slows growth without reversing it)."""
    return np.maximum(0.1, 1 + p.growth_effect * env_index)


def collaboration_multiplier(collegiality: np.ndarray, p: Environment) -> np.ndarray:
    """Multiplier on the value of collaboration minutes from collegial culture (0.5-1.5)."""
    return np.clip(1 + p.collegiality_quality_effect * collegiality, 0.5, 1.5)


def strain_relief(env_index: np.ndarray, p: Environment) -> np.ndarray:
    """Logit units taken off each work day's strain target."""
    return p.strain_buffer * env_index


def exit_shifts(env_index: np.ndarray, p: Environment) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds shifts of moving and of leaving teaching (a better environment lowers
    both, moving more)."""
    return -p.move_effect * env_index, -p.leave_effect * env_index


def destination_weights(env_index: np.ndarray, p: Environment) -> np.ndarray:
    """Relative chance that a mover takes an open post at each school, per open post."""
    return np.exp(p.destination_preference * env_index)


def principals_leaving(u: np.ndarray, p: Environment) -> np.ndarray:
    """Schools whose principal leaves this year, from uniform draws ``u``."""
    return u < p.principal_exit_rate


def update(factors: np.ndarray, anchor: np.ndarray, new_principal: np.ndarray,
           principal_draw: np.ndarray, support_gap: np.ndarray, new_share: np.ndarray,
           leader_fill: np.ndarray, p: Environment) -> tuple[np.ndarray, np.ndarray]:
    """Next year's factors and principals' own leadership levels.

    ``anchor`` (n, 4) holds each school's own levels (a principal's leadership for the
    first factor); ``new_principal`` schools get ``anchor + principal_draw``, a standard
    normal scaled by ``new_principal_sd``. ``support_gap`` is the school's mean team
    support less the reference, ``new_share`` the share of its staff new this year,
    ``leader_fill`` the share of its teacher-leader posts filled (0 without posts).
    Leadership is the principal's plus distributed leadership; expectations and
    collegiality close ``adjust_rate`` of the gap to their targets; safety is the
    school's own.
    """
    anchor = anchor.copy()
    anchor[:, LEADERSHIP] = np.where(new_principal,
                                     anchor[:, LEADERSHIP] + p.new_principal_sd * principal_draw,
                                     anchor[:, LEADERSHIP])
    out = factors.copy()
    out[:, LEADERSHIP] = anchor[:, LEADERSHIP] + p.teacher_leader_effect * leader_fill
    lead_change = out[:, LEADERSHIP] - anchor[:, LEADERSHIP]
    targets = {
        EXPECTATIONS: anchor[:, EXPECTATIONS] + p.expectations_leadership_effect * lead_change,
        COLLEGIALITY: (anchor[:, COLLEGIALITY] + p.collegiality_support_effect * support_gap
                       - p.collegiality_turnover_effect * (new_share - p.turnover_reference)),
    }
    for k, target in targets.items():
        out[:, k] = factors[:, k] + p.adjust_rate * (target - factors[:, k])
    out[:, SAFETY] = anchor[:, SAFETY]
    return out, anchor
