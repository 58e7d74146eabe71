"""Configuration: scenario and policy files as validated data.

The schema of scenario files (``scenario.py``) and policy files (``policy.py``), the
behaviour and cost parameters with their units and sources (``parameters.py``), TOML
reading with ``extends`` (``tomlio.py``), strict validation with messages that name the
file, the key and the fix (``validation.py``, ``errors.py``), where the built-in configs
live (``paths.py``) and the generated reference pages (``reference.py``). The bottom
layer: it imports nothing else of teachsim, nor Mesa or numpy.
"""
