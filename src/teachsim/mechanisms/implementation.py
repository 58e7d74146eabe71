"""Implementation over time: how well an adopting school runs a new design.

*Readiness* (SD units) = mean of leadership and collegiality + ``bench_weight x
(leader_bench - bench_reference)``. *Fidelity* (0-1), the share of the design's
structured collaboration run as intended, is ``logistic(fidelity_base + readiness_effect
x readiness + volunteer_effect x volunteered + support_effect x start-up support -
new_principal_effect x new principal)``. *Maturity* (0-1) of the school's collaboration
starts at ``maturity_start`` and closes ``1 - exp(-1 / maturity_years)`` of its gap to 1
each year on the design (Fixsen et al. 2005: 2-4 years to full implementation); it loses
ground when teams lose or change their leaders and when blocks are cancelled. The share
of structured collaboration time *not* lost to the urgent is ``fidelity x maturity x (1 -
urgent_floor)``; schools on their established baseline run it at full fidelity and
maturity. Each year a school on the design may *abandon* it, with a hazard that rises
as fidelity falls and once start-up support has ended (CRPE 2006: about a third of
adopters dropped a reform model within three years).
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import Implementation


def logistic(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def readiness(leadership: np.ndarray, collegiality: np.ndarray, bench: np.ndarray,
              p: Implementation) -> np.ndarray:
    """Readiness of each school to run a new design, in SD."""
    return (leadership + collegiality) / 2 + p.bench_weight * (bench - p.bench_reference)


def fidelity(ready: np.ndarray, volunteered: np.ndarray, supported: np.ndarray,
             new_principal: np.ndarray, p: Implementation) -> np.ndarray:
    """Fidelity (0-1) of each school this year."""
    return logistic(p.fidelity_base + p.readiness_effect * ready
                    + p.volunteer_effect * volunteered + p.support_effect * supported
                    - p.new_principal_effect * new_principal)


def reference_fidelity(p: Implementation) -> float:
    """Fidelity of an average-ready school in start-up that did not volunteer."""
    return float(logistic(p.fidelity_base + p.support_effect))


def mature(m: np.ndarray, p: Implementation) -> np.ndarray:
    """Maturity after one more year on the design."""
    return m + (1 - m) * (1 - np.exp(-1 / p.maturity_years))


def setback(m: np.ndarray, leader_change_share: np.ndarray, cancelled_share: np.ndarray,
            p: Implementation) -> np.ndarray:
    """Maturity after the year's losses: the share of teams whose leader changed or left
    (``leader_change_share``) and the share of collaboration blocks cancelled."""
    keep = ((1 - p.leader_loss_setback * np.clip(leader_change_share, 0, 1))
            * np.clip(1 - p.cancel_setback * cancelled_share, 0, 1))
    return m * keep


def structured_share(fid: np.ndarray, maturity: np.ndarray, p: Implementation
                     ) -> np.ndarray:
    """Share of structured collaboration time not lost to the urgent."""
    return fid * maturity * (1 - p.urgent_floor)


def abandon_hazard(fid: np.ndarray, supported: np.ndarray, p: Implementation
                   ) -> np.ndarray:
    """Yearly chance of abandoning the design: ``abandon_rate x (1 - fidelity) / (1 -
    reference fidelity)``, times ``abandon_funding_end`` once support has ended (at most
    0.9)."""
    ref = reference_fidelity(p)
    h = p.abandon_rate * (1 - fid) / max(1 - ref, 1e-9)
    return np.minimum(0.9, h * np.where(supported, 1.0, p.abandon_funding_end))
