"""The model: a scenario loaded and checked against the domain (``scenario.py``), the
calendar and schedule compiler, the district and its rollout, the Mesa agents and model,
the staff arrays the daily updates run on, and one run (``run.py``): a function of
(scenario, seed) returning tidy tables.

The model calls the mechanisms and reads the configuration; it never imports the
experiment runner, storage, costs, analysis or the CLI.
"""
