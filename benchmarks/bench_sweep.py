"""Sweep throughput on the 60-school district (10 years, rotating release rolled out 10
schools a year vs no rollout):

- one replication, in this process;
- 200 replications with 1 and with 2 worker processes (speed-up), and on a Dask
  LocalCluster with 2 workers;
- with --big: 1,000 replications x 2 arms on 2 worker processes (goal: under 20 minutes).

Every parameter at its value unless --draws (parameter sets drawn from the posterior,
as experiments do by default; smaller batches, see docs/performance.md).

    uv run python benchmarks/bench_sweep.py [--replications 200] [--big] [--draws]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from teachsim.config.paths import config_dir
from teachsim.experiments.api import run_experiment

EXPERIMENT = """
name = "bench"
base = "{base}"
replications = {reps}
seed = 11
years = 10
tables = ["district_year", "run_summary"]
[[arm]]
name = "fixed_rate_need"
{second}
"""
SECOND_ARM = """[[arm]]
name = "no_rollout"
[arm.set]
"schedule.policy" = "traditional"
"staffing.leaders_per_grade" = 0
"rollout.strategy" = "none"
"""


def experiment(tmp: Path, reps: int, arms: int) -> Path:
    path = tmp / f"bench_{reps}_{arms}.toml"
    path.write_text(EXPERIMENT.format(base=config_dir() / "district_60.toml", reps=reps,
                                      second=SECOND_ARM if arms == 2 else ""))
    return path


#: draw parameter sets from the posterior (--draws) or hold them at their values
DRAWS = False


def timed(label: str, runs: int, **kw: object) -> float:
    t0 = time.perf_counter()
    res = run_experiment(**kw, point_estimate=not DRAWS)  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    assert res.report is not None and res.report.failed == 0
    print(f"{label:38s} {runs:5d} runs  {wall:7.1f} s wall  {wall / runs:6.3f} s/run",
          flush=True)
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--replications", type=int, default=200)
    ap.add_argument("--big", action="store_true", help="also 1,000 replications x 2 arms")
    ap.add_argument("--draws", action="store_true", help="draw parameter sets from the "
                    "posterior (default: every parameter at its value)")
    args = ap.parse_args()
    global DRAWS
    DRAWS = args.draws
    n = args.replications
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        timed("1 replication, in-process", 1, experiment=experiment(tmp, 1, 1),
              out=tmp / "one", serial=True)
        exp = experiment(tmp, n, 1)
        t1 = timed(f"{n} replications, 1 worker process", n, experiment=exp,
                   out=tmp / "w1", workers=1)
        t2 = timed(f"{n} replications, 2 worker processes", n, experiment=exp,
                   out=tmp / "w2", workers=2)
        td = timed(f"{n} replications, Dask LocalCluster (2)", n, experiment=exp,
                   out=tmp / "dask", dask_local=True, workers=2)
        # A cluster that is already running (the usual case on a real cluster): its
        # start-up is not part of the sweep.
        import dask
        from distributed import Client, LocalCluster

        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        warm = Client(cluster)
        warm.run(lambda: __import__("teachsim.model.run"))
        tr = timed(f"{n} replications, Dask cluster already up", n, experiment=exp,
                   out=tmp / "dask_up", dask=cluster.scheduler_address, workers=2)
        warm.close()
        cluster.close()
        print(f"speed-up, 2 vs 1 worker: {t1 / t2:.2f}x; Dask vs local processes: "
              f"{100 * (td / t2 - 1):+.1f}% with cluster start-up, "
              f"{100 * (tr / t2 - 1):+.1f}% on a running cluster", flush=True)
        if args.big:
            big = experiment(tmp, 1000, 2)
            tb = timed("1,000 replications x 2 arms, 2 workers", 2000, experiment=big,
                       out=tmp / "big", workers=2)
            print(f"1,000 x 2 arms: {tb / 60:.1f} min (goal: under 20 min)", flush=True)


if __name__ == "__main__":
    main()
