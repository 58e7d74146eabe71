"""Experiments and storage: experiment files (``design.py``), the runner on in-process,
local-process or Dask executors (``runner.py``), the results directory with its Parquet
parts and DuckDB catalogue (``store.py``, ``tables.py``), and the Python entry points
(``api.py``, ``results.py``).
"""
