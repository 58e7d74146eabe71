"""Imported once by the process pool's fork server (runner.executor): the model, the run
function and the model's compiled loops, loaded before any worker is forked, so every
worker starts ready to run instead of importing Mesa and loading machine code itself.

The cyclic garbage collector is off while the modules load (imports allocate much and
free little: about a tenth of the load time is collections that find nothing), and what
was loaded is then frozen (``gc.freeze``): workers never scan it again, and its memory
stays shared with the server instead of being copied into each worker."""

import gc

gc.disable()
try:
    from teachsim.model import compiled, model, run  # noqa: F401

    compiled.warm_up()
finally:
    gc.freeze()
    gc.enable()
