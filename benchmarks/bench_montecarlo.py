"""Monte Carlo throughput: the shipped School D schedule comparison (3 arms x 200
replications = 600 runs, 10 years, five tables kept) and the shipped Sobol sensitivity
experiment (768 design points x 2 replications = 1,536 runs), each as the user runs it:
``teachsim sweep EXPERIMENT --workers 2`` in a fresh process, wall time including
starting the workers and writing the results.

With ``--against DIR``, the same commands also run on another checkout of teachsim
(for example ``git worktree add /tmp/base 3e916b2``) with this project's environment,
one after the other, so that the two are measured side by side on the same machine.

    uv run python benchmarks/bench_montecarlo.py [--against /tmp/base] [--repeats 2]

Each checkout's modules are compiled to bytecode first, as Python does on a first import
(unless PYTHONDONTWRITEBYTECODE is set, as on some machines): otherwise every sweep would
compile them from source again. Install the environment with ``uv sync
--compile-bytecode`` (the README's command) for the same reason.
"""

from __future__ import annotations

import argparse
import compileall
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = {"schedule_comparison.toml": 600, "sensitivity_burnout.toml": 1536}


def sweep_seconds(checkout: Path, experiment: str, workers: int, draws: bool = False
                  ) -> float:
    """Wall time of ``teachsim sweep`` of one shipped experiment in ``checkout``. A
    checkout that draws parameter sets by default runs at fixed values unless ``draws``,
    so that checkouts from before parameter draws are timed on the same work."""
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    drawing = (checkout / "src" / "teachsim" / "experiments" / "ensemble.py").exists()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", "from teachsim.cli import main; main()", "sweep",
               f"experiments/{experiment}", "--out", f"{tmp}/res", "--workers",
               str(workers), *(["--point-estimate"] if drawing and not draws else [])]
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=checkout, env=env, check=True, capture_output=True)
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--against", type=Path, help="another checkout to time side by side")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", choices=sorted(EXPERIMENTS), help="one experiment")
    ap.add_argument("--draws", action="store_true", help="let checkouts that can draw "
                    "parameter sets from the posterior do so (default: fixed values)")
    args = ap.parse_args()
    checkouts = {"this checkout": ROOT}
    if args.against:
        checkouts[f"{args.against}"] = args.against.resolve()
    for checkout in checkouts.values():
        compileall.compile_dir(checkout / "src", quiet=1)
    print(f"{args.workers} worker processes; wall time of `teachsim sweep` in a new "
          f"process, {os.cpu_count()} cores")
    for experiment, runs in EXPERIMENTS.items():
        if args.only and experiment != args.only:
            continue
        for label, checkout in checkouts.items():
            for _ in range(args.repeats):
                wall = sweep_seconds(checkout, experiment, args.workers, args.draws)
                print(f"{experiment:26s} {label:18s} {runs:5d} runs {wall:7.1f} s "
                      f"{runs / wall:7.1f} runs/s", flush=True)


if __name__ == "__main__":
    main()
