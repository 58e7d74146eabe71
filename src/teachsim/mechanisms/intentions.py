"""Intent to leave, stated each spring, and how it relates to exits.

``P(intent) = logistic(base + burnout_effect * (b - b_ref) - support_effect * (s - s_ref)
- environment_effect * environment)``. Intent does not change how likely a teacher is to
move or leave overall (retention.py sets that); it says who among similar teachers
does: a teacher who intends to leave is ``exit_risk_ratio`` times as likely to move or
leave as one who does not, with each teacher's overall probability kept. So most exits
come from intenders while most intenders stay.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Intentions


def probability(mean_burnout: np.ndarray, support: np.ndarray, environment: np.ndarray,
                burnout_reference: float, support_reference: float, p: Intentions
                ) -> np.ndarray:
    z = (p.base + p.burnout_effect * (mean_burnout - burnout_reference)
         - p.support_effect * (support - support_reference)
         - p.environment_effect * environment)
    return 1 / (1 + np.exp(-z))


def exit_scale(exit_prob: np.ndarray, intent_prob: np.ndarray, intends: np.ndarray,
               p: Intentions) -> np.ndarray:
    """Factor on each teacher's move and leave probabilities given their stated intent.

    With risk ratio R and intent probability q, ``P(exit | intent) = R p / (qR + 1 - q)``
    and ``P(exit | no intent) = p / (qR + 1 - q)``, so the average over intent is ``p``.
    The factor is capped so that no probability exceeds 1 (the cap only binds for
    exit probabilities above ``(qR + 1 - q) / R``).
    """
    r = p.exit_risk_ratio
    denom = intent_prob * r + 1 - intent_prob
    factor = np.where(intends, r, 1.0) / denom
    return np.minimum(factor, 1.0 / np.maximum(exit_prob, 1e-12))
