"""Money: the per-school ledger and budget-neutrality verdicts (``costs.py``), the grant
budget by fiscal year and cohort (``grant.py``), budgets for a scenario or a sweep
(``budget.py``) and their CSV and spreadsheet files (``spreadsheet.py``).
"""
