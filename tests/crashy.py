"""A worker task that dies like a process killed by the out-of-memory killer, for the
runner's tests: a chunk holding replication CRASH_REPLICATION ends its worker process at
once (no exception, no clean-up)."""

from __future__ import annotations

import os
from typing import Any

from teachsim.experiments.runner import run_chunk as real_run_chunk

CRASH_REPLICATION = 2


def run_chunk(specs: list[Any]) -> list[Any]:
    if any(s.replication == CRASH_REPLICATION for s in specs):
        os._exit(137)
    return real_run_chunk(specs)
