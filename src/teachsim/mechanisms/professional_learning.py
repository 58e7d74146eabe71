"""Professional development that teaches, or does not.

PD hours carry a kind. Content-focused PD tied to the curriculum moves practice a
little (Lynch et al. 2019), PD teachers chose a little (assumption), generic large-scale
workshops close to nothing (Garet et al.). Micro-credentials and tuition-paid coursework
are taken up by a share of teachers each year, on their own time, with stipends. A kind's
gain over a year is ``gain_kind * (1 - exp(-hours / hours_scale))``.
"""

from __future__ import annotations

import numpy as np

from teachsim.config.parameters import ProfessionalLearning

#: kinds of the schedule's PD minutes
KINDS: tuple[str, ...] = ("generic", "content_focused", "chosen")


def kind_gain(kind: str, p: ProfessionalLearning) -> float:
    """Gain (SD per year) at plenty of PD of ``kind``."""
    return float(getattr(p, f"gain_{kind}"))


def yearly_gain(hours: np.ndarray, kind: str, p: ProfessionalLearning) -> np.ndarray:
    """Practice (SD) gained in a year from ``hours`` of PD of one kind."""
    return kind_gain(kind, p) * (1 - np.exp(-hours / p.hours_scale))


def completion_gain(micro_credential: np.ndarray, coursework: np.ndarray,
                    p: ProfessionalLearning) -> np.ndarray:
    """Practice (SD) gained this year by teachers who completed a micro-credential and/or
    a tuition-paid course."""
    return p.gain_micro_credential * micro_credential + p.gain_coursework * coursework


def take_up(u: np.ndarray, share: float) -> np.ndarray:
    """Who takes up an optional offer this year (``u`` uniform draws)."""
    return u < share
