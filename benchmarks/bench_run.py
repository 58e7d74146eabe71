"""Time 10-year runs: one school, and a 60-school district of schools like Elementary
School D (daily resolution), on one core. Prints medians over several runs, runs per
second, and the process's peak memory.

    uv run python benchmarks/bench_run.py [--repeats 7] [--schools 1,60] [--scenarios ...]
    uv run python benchmarks/bench_run.py --schools 400 --scenarios school_d_rotating.toml

(Run the 400-school case alone: the peak memory printed is the whole process's.)
"""

from __future__ import annotations

import os

# One core, one thread: the figure a sweep worker sees.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse
import resource
import statistics
import time

from teachsim.config.paths import config_dir
from teachsim.model.run import run_scenario
from teachsim.model.scenario import LoadedScenario, load_scenario


def district(loaded: LoadedScenario, n: int) -> LoadedScenario:
    return loaded.replace(district=loaded.scenario.district.model_copy(
        update={"n_schools": n}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--schools", default="1,60", help="district sizes, comma-separated")
    ap.add_argument("--scenarios", default="school_d.toml,school_d_rotating.toml,"
                    "school_d_coaching.toml,school_d_seed001.toml")
    args = ap.parse_args()
    print(f"one core (affinity {sorted(os.sched_getaffinity(0))}), "
          f"{args.repeats} runs each after a warm-up, 10 school years, daily steps")
    for scenario in args.scenarios.split(","):
        loaded = load_scenario(config_dir() / scenario)
        for n in (int(x) for x in args.schools.split(",")):
            case = district(loaded, n)
            run_scenario(case, seed=0)  # warm-up: imports, caches
            times = []
            teachers = 0
            for r in range(args.repeats):
                t0 = time.perf_counter()
                res = run_scenario(case, seed=r + 1)
                times.append(time.perf_counter() - t0)
                teachers = len(res.tables["teacher_year"]["teacher_id"])
            print(f"{loaded.policy.name:18s} {n:3d} school(s): median "
                  f"{statistics.median(times):.3f} s (min {min(times):.3f}, max "
                  f"{max(times):.3f}); {teachers:,} teacher-years, "
                  f"{teachers / statistics.median(times):,.0f} teacher-years/s, "
                  f"{1 / statistics.median(times):.1f} runs/s", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
