"""Imported once by the process pool's fork server (runner.executor): the model, the run
function and the model's compiled loops, loaded before any worker is forked, so every
worker starts ready to run instead of importing Mesa and loading machine code itself."""

from teachsim.model import compiled, model, run  # noqa: F401

compiled.warm_up()
