"""Budget tables as files a grant writer can paste from: CSV (one file per table) or a
formatted spreadsheet (.xlsx, one sheet per table, money formatted, a totals row)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import numpy as np

from teachsim.experiments.atomic import atomic_file, check_file_target, safe_name
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


def sheet_names(names: list[str]) -> list[str]:
    """Excel sheet names for ``names``: without the characters Excel forbids, at most 31
    characters, distinct (case-insensitively, as Excel compares them)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "sheet"
        candidate, k = base[:31], 2
        while candidate.lower() in seen:
            suffix = f" ({k})"
            candidate, k = base[:31 - len(suffix)] + suffix, k + 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def write_csv(tables: dict[str, Table], path: Path) -> list[Path]:
    """One CSV per table: ``<stem>_<table>.csv`` beside ``path``, each written atomically."""
    targets = {name: path.with_name(f"{path.stem}_{safe_name(name)}.csv") for name in tables}
    for target in targets.values():
        check_file_target(target)  # all of them before writing any
    written = []
    for name, table in tables.items():
        target = targets[name]
        with atomic_file(target) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            cols = list(table)
            w.writerow(cols)
            for row in zip(*(table[c] for c in cols), strict=True):
                w.writerow([_cell(v) for v in row])
        written.append(target)
    return written


def write_xlsx(tables: dict[str, Table], path: Path, notes: list[str] | None = None) -> Path:
    """One sheet per table; money columns formatted; a totals row under summable money
    columns (totals rows already in the table, cohort 'total', are left out of it)."""
    import xlsxwriter

    with atomic_file(path) as tmp:
        _write_book(xlsxwriter.Workbook(str(tmp)), tables, notes)
    return path


def _write_book(book: Any, tables: dict[str, Table], notes: list[str] | None) -> None:
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                            "valign": "top", "border": 1})
    money = book.add_format({"num_format": "$#,##0"})
    pct = book.add_format({"num_format": "0.000"})
    count = book.add_format({"num_format": "0.0"})
    bold_money = book.add_format({"num_format": "$#,##0", "bold": True, "top": 1})
    bold = book.add_format({"bold": True, "top": 1})
    names = sheet_names([*tables, *(["notes"] if notes else [])])
    for sheet_name, table in zip(names, tables.values(), strict=False):
        sheet = book.add_worksheet(sheet_name)
        cols = list(table)
        n = len(next(iter(table.values()))) if table else 0
        for j, col in enumerate(cols):
            sheet.write(0, j, col.replace("_", " "), head)
            values = table[col]
            # percentile columns (schools_p50) are formatted like their base column
            is_count = re.sub(r"_p\d+$", "", col) in NOT_MONEY
            is_money = (values.dtype.kind == "f" and not is_count
                        and not col.endswith("_pct") and "share" not in col)
            fmt = money if is_money else (
                (count if is_count else pct) if values.dtype.kind == "f" else None)
            # text columns (ledger lines, verdicts) are as wide as their longest entry
            longest = (max((len(str(v)) for v in values), default=0)
                       if values.dtype.kind in "OU" else 0)
            sheet.set_column(j, j, max(12, min(62, max(len(col), longest) + 2)), fmt)
            for i, v in enumerate(values):
                sheet.write(i + 1, j, _cell(v))
        sheet.freeze_panes(1, 0)
        # printed: every column on one page width, landscape, header row repeated
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
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
        sheet = book.add_worksheet(names[-1])
        sheet.set_column(0, 0, 110)
        for i, line in enumerate(notes):
            sheet.write(i, 0, line)
    book.close()
