"""Analysis: statistics of experiment results (``stats.py``: bands, paired differences,
cost-effectiveness, sensitivity indices), sensitivity analysis of swept parameters,
calibration of the baseline against published figures, figures (``plots.py``, the only
modules that draw, with ``report.py``) and the HTML report.
"""
