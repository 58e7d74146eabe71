"""What a dashboard user waits for: the server's first answer, a price what-if (the
stored school years re-priced, no simulation), a staffing what-if (the replications
re-run) and reading a finished sweep's arm.

    uv run python benchmarks/bench_dashboard.py [--repeats 5]

Prints the median and range of each over ``--repeats`` (the first server start, with
cold caches, is printed apart).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def server_answer() -> float:
    """Seconds from launching ``teachsim dashboard`` to the first page's HTTP 200."""
    from tests.browser import start_dashboard, stop_dashboard

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        d = start_dashboard(Path(tmp))
        try:
            with urllib.request.urlopen(d.url, timeout=60) as r:
                assert r.status == 200
            return time.perf_counter() - t0
        finally:
            stop_dashboard(d)


def timed(fn: object, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return out


def show(label: str, times: list[float]) -> None:
    print(f"{label:<62} {statistics.median(times):7.3f} s "
          f"({min(times):.3f}-{max(times):.3f}, n={len(times)})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from teachsim.dashboard import budget as B

    district = ROOT / "configs" / "district_60.toml"
    school = ROOT / "configs" / "school_d_rotating.toml"
    first = server_answer()
    print(f"{'dashboard first answer (cold)':<62} {first:7.3f} s")
    show("dashboard first answer (warm)", [server_answer() for _ in range(args.repeats)])
    B.simulate(school, {}, 1, years=1)  # compiled loops loaded once, as in the server
    src = B.simulate(district, {}, 3)
    show("price what-if: 60 schools x 10 years x 3 replications",
         timed(lambda: B.budget(src, {"costs.stipend_payroll_load": 0.18}), args.repeats))
    show("staffing what-if: re-run 60 schools x 10 years x 3 replications",
         timed(lambda: B.simulate(district, {"rollout.per_year": 5}, 3), args.repeats))
    show("staffing what-if: re-run School D x 10 years x 3 replications",
         timed(lambda: B.simulate(school, {"staffing.leader_stipend": 6000.0}, 3),
               args.repeats))
    results = ROOT / "results" / "example_notebook" / "schedule_comparison"
    if (results / "manifest.json").exists():
        arm = B.arms_of(results)[-1]
        stored = B.from_results(results, arm)
        show(f"read a sweep's arm ({len(stored.runs)} replications)",
             timed(lambda: B.from_results(results, arm), args.repeats))
        show(f"price what-if on it ({len(stored.runs)} replications)",
             timed(lambda: B.budget(stored, {"costs.substitute_daily_rate": 180.0}),
                   args.repeats))


if __name__ == "__main__":
    main()
