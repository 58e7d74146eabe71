"""The figures of docs/budget.md, computed by the same code as ``teachsim budget``.

The page is prose with generated blocks between ``<!-- generated: NAME -->`` and
``<!-- end: NAME -->``; :func:`update` recomputes every block (running the shipped
scenarios with their default seeds, as the page's commands do) and tests check that the
committed page is current::

    uv run python -m teachsim.money.walkthrough docs/budget.md
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from teachsim.config.paths import config_dir
from teachsim.model.scenario import LoadedScenario, load_scenario
from teachsim.money.budget import Budget, budget_for_scenario, ledger_cells
from teachsim.money.budget import dollars as money
from teachsim.money.grant import GrantSheet, compact

BLOCK = re.compile(r"(<!-- generated: ([\w-]+) -->\n)(.*?)(<!-- end: \2 -->)", re.S)


def _table(head: list[str], rows: list[list[str]]) -> str:
    align = ["---"] + ["---:"] * (len(head) - 1)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def ledger_block(b: Budget, years: int = 3) -> str:
    """The ledger by year, all schools, first ``years`` years, lines with any amount."""
    t = b.tables["budget by year"]
    ys = sorted(set(t["year"].tolist()))[:years]
    return _table(["line", "kind", *map(str, ys)],
                  [[line, cat, *cells] for line, cat, cells in ledger_cells(t, ys)])


def grant_block(sheet: GrantSheet, years: int | None = None) -> str:
    """The grant budget by fiscal year, as ``teachsim budget`` prints it."""
    g = compact(sheet)
    n = len(g["fiscal_year"]) if years is None else min(years, len(g["fiscal_year"]))
    rows = [[str(g["fiscal_year"][i]), f"{g['schools'][i]:,.0f}", money(g["one_time"][i]),
             money(g["net_recurring"][i]), money(g["ask"][i]), money(g["cumulative_ask"][i]),
             f"{100 * g['ask_share'][i]:.3f}%"] for i in range(n)]
    return _table(["fiscal year", "schools on the model", "start-up (one-time)",
                   "net recurring", "ask", "cumulative ask", "ask % of operating budget"],
                  rows)


def _after_startup(b: Budget) -> tuple[float, float, float]:
    """Mean yearly net (expected, low, high payroll load) of the school-years after
    start-up."""
    v = b.tables["neutrality"]
    years = sorted(set(v["year"].tolist()))
    later = np.isin(v["year"], years[2:])
    return tuple(float(np.mean(v[c][later])) for c in (  # type: ignore[return-value]
        "net_impact", "net_impact_low", "net_impact_high"))


def neutrality_block(half: Budget, full: Budget) -> str:
    net, lo, hi = _after_startup(half)
    net1, lo1, hi1 = _after_startup(full)

    def verdict(x: float, low: float, high: float) -> str:
        if x > 0:
            return (f"misses by {money(x)} a year on average once start-up is over "
                    f"({money(low)} to {money(high)} with the payroll-load range)")
        return (f"has {money(-x)} a year to spare on average once start-up is over "
                f"({money(-high)} to {money(-low)} with the payroll-load range)")

    return (f"With the 0.5 FTE cut the design {verdict(net, lo, hi)}; with the 1.0 FTE cut "
            f"(`configs/school_d_rotating_1fte.toml`) it {verdict(net1, lo1, hi1)}.\n")


def school_grant_sentence(b: Budget) -> str:
    g = compact(b.grant.sheets[0])
    years = [f"{money(a)} in {fy}" for fy, a in zip(g["fiscal_year"], g["ask"], strict=True)
             if a > 0]
    return (f"One school, one cohort: start-up costs of {' and '.join(years)}, a "
            f"cumulative ask of {money(g['cumulative_ask'][-1])}.\n")


def district_share_sentence(b: Budget) -> str:
    g = compact(b.grant.sheets[0])
    peak = np.sort(g["ask_share"][g["ask"] > 0])
    return (f"The ask peaks at {100 * peak[-1]:.2f}% of the operating budget "
            f"({100 * peak[len(peak) // 2]:.2f}% in the median year with an ask); over the "
            f"rollout the ask totals {money(g['ask'].sum())} and the design's net cost "
            f"{money(g['net_cost'].sum())}.\n")


def blocks(configs: Path | None = None) -> dict[str, str]:
    """Every generated block of docs/budget.md, by name, from the built-in scenarios."""
    configs = configs or config_dir()

    def run(name: str) -> Budget:
        loaded: LoadedScenario = load_scenario(configs / name)
        return budget_for_scenario(loaded)

    half, full, district = (run("school_d_rotating.toml"), run("school_d_rotating_1fte.toml"),
                            run("district_60.toml"))
    makers: dict[str, Callable[[], str]] = {
        "school-ledger": lambda: ledger_block(half),
        "school-neutrality": lambda: neutrality_block(half, full),
        "school-grant": lambda: school_grant_sentence(half),
        "district-grant": lambda: grant_block(district.grant.sheets[0]),
        "district-share": lambda: district_share_sentence(district),
    }
    return {k: f() for k, f in makers.items()}


def update(text: str, made: dict[str, str]) -> str:
    """``text`` with every generated block replaced by its new contents."""
    found = set()

    def sub(m: re.Match[str]) -> str:
        name = m.group(2)
        if name not in made:
            raise KeyError(f"docs/budget.md has a block {name!r} that nothing generates")
        found.add(name)
        return m.group(1) + made[name] + m.group(4)

    out = BLOCK.sub(sub, text)
    missing = set(made) - found
    if missing:
        raise KeyError(f"docs/budget.md lacks the blocks {sorted(missing)}")
    return out


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else Path("docs/budget.md")
    path.write_text(update(path.read_text(), blocks()))


if __name__ == "__main__":
    main(sys.argv[1:])
