"""Budget tables as files a grant writer can paste from: CSV (one file per table) or a
formatted spreadsheet (.xlsx, one sheet per table, money formatted, a totals row)."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import numpy as np

from teachsim.model.records import Table

#: columns summed in a sheet's totals row (when present)
TOTALS = ("one_time_startup", "recurring_costs", "savings", "net", "philanthropic_ask",
          "amount", "amount_low", "amount_high", "investments", "trade_offs", "net_impact",
          "net_impact_low", "net_impact_high", "misses_by", "simulated_operating_costs")
NOT_MONEY = ("year", "school_id", "schools", "schools_in_startup", "replication", "point")


def _cell(v: object) -> object:
    if isinstance(v, np.generic):
        return v.item()
    return v


def write_csv(tables: dict[str, Table], path: Path) -> list[Path]:
    """One CSV per table: ``<stem>_<table>.csv`` beside ``path``."""
    written = []
    for name, table in tables.items():
        target = path.with_name(f"{path.stem}_{name.replace(' ', '_')}.csv")
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "w", newline="") as fh:
            w = csv.writer(fh)
            cols = list(table)
            w.writerow(cols)
            for row in zip(*(table[c] for c in cols), strict=True):
                w.writerow([_cell(v) for v in row])
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        written.append(target)
    return written


def write_xlsx(tables: dict[str, Table], path: Path, notes: list[str] | None = None) -> Path:
    """One sheet per table; money columns formatted; a totals row under summable money
    columns (totals rows already in the table, cohort 'total', are left out of it)."""
    import xlsxwriter

    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".xlsx")
    os.close(fd)
    book = xlsxwriter.Workbook(tmp)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                            "valign": "top", "border": 1})
    money = book.add_format({"num_format": "$#,##0"})
    pct = book.add_format({"num_format": "0.000"})
    bold_money = book.add_format({"num_format": "$#,##0", "bold": True, "top": 1})
    bold = book.add_format({"bold": True, "top": 1})
    for name, table in tables.items():
        sheet = book.add_worksheet(name[:31])
        cols = list(table)
        n = len(next(iter(table.values()))) if table else 0
        for j, col in enumerate(cols):
            sheet.write(0, j, col.replace("_", " "), head)
            values = table[col]
            is_money = (values.dtype.kind == "f" and col not in NOT_MONEY
                        and not col.endswith("_pct") and "share" not in col)
            fmt = money if is_money else (pct if values.dtype.kind == "f" else None)
            sheet.set_column(j, j, max(12, min(40, len(col) + 2)), fmt)
            for i, v in enumerate(values):
                sheet.write(i + 1, j, _cell(v))
        sheet.freeze_panes(1, 0)
        summable = [j for j, c in enumerate(cols) if any(c.startswith(t) for t in TOTALS)]
        if summable and n:
            keep = ~np.isin(np.asarray(table.get("cohort", np.zeros(n)), dtype=object),
                            ["total"])
            sheet.write(n + 1, 0, "total", bold)
            for j in summable:
                sheet.write(n + 1, j, float(np.sum(np.asarray(table[cols[j]])[keep])),
                            bold_money)
        sheet.autofilter(0, 0, max(n, 1), len(cols) - 1)
    if notes:
        sheet = book.add_worksheet("notes")
        sheet.set_column(0, 0, 110)
        for i, line in enumerate(notes):
            sheet.write(i, 0, line)
    book.close()
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path
