"""Budget neutrality per school and year across replications: what a school on the
policy invests, what it gives up, the net and the verdict.

From one run it is that run's verdict table; from several it is the mean investment,
trade-off and net of the replications in which the school was on the policy that year,
the net's low and high (the 10th percentile of the net with the low stipend payroll load,
the 90th with the high one), the share of those replications that are budget-neutral, and
the verdict on the expected net.
"""

from __future__ import annotations

import numpy as np

from teachsim.model.records import Table
from teachsim.money.grant import fiscal_year


def neutrality(verdict_tables: list[Table], tolerance: float) -> Table:
    """One row per school and year on the policy in at least one replication."""
    cells: dict[tuple[int, int], dict[str, object]] = {}
    for v in verdict_tables:
        for i in np.flatnonzero(np.asarray(v["adopted"], dtype=bool)):
            key = (int(v["school_id"][i]), int(v["year"][i]))
            cell = cells.setdefault(key, {"school": str(v["school"][i]), "rows": []})
            cell["rows"].append(tuple(float(v[c][i]) for c in (  # type: ignore[union-attr]
                "investments", "trade_offs", "net_impact", "net_impact_low",
                "net_impact_high")))
    out: dict[str, list[object]] = {k: [] for k in (
        "school_id", "school", "year", "fiscal_year", "replications_on_policy",
        "investments", "trade_offs", "net_impact", "net_impact_low", "net_impact_high",
        "share_budget_neutral", "verdict", "misses_by")}
    for (school_id, year), cell in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        a = np.array(cell["rows"])
        net = float(a[:, 2].mean())
        out["school_id"].append(school_id)
        out["school"].append(cell["school"])
        out["year"].append(year)
        out["fiscal_year"].append(fiscal_year(year))
        out["replications_on_policy"].append(len(a))
        out["investments"].append(float(a[:, 0].mean()))
        out["trade_offs"].append(float(a[:, 1].mean()))
        out["net_impact"].append(net)
        out["net_impact_low"].append(float(np.quantile(a[:, 3], 0.1)))
        out["net_impact_high"].append(float(np.quantile(a[:, 4], 0.9)))
        out["share_budget_neutral"].append(float(np.mean(a[:, 2] <= tolerance)))
        out["verdict"].append("budget-neutral" if net <= tolerance else "misses")
        out["misses_by"].append(net if net > tolerance else 0.0)
    return {k: np.array(v, dtype=object if k in ("school", "fiscal_year", "verdict")
                        else None) for k, v in out.items()}
